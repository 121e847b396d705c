"""``mnist-gui robustness``: the JSON keys the issue names, on the whole test set."""

from __future__ import annotations

import json

from mnist_gui.cli import main
from mnist_gui.core.evaluation import evaluate_on_test_set
from mnist_gui.core.model_file import save_model

from .tiny_models import train_tiny


def test_json_has_every_curve_from_the_plain_accuracy(raw_mnist, tmp_path, capsys):
    model = train_tiny(raw_mnist, hidden=[16])
    path = save_model(tmp_path / "m.npz", model, {}, {})
    assert main(["robustness", str(path), "--json", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    plain = evaluate_on_test_set(model, raw_mnist).report.accuracy
    assert out["n"] == 10_000 and out["accuracy"] == plain and out["seed"] == 3
    for name, key in [("noise", "sigma"), ("rotation", "degrees"), ("shift", "pixels"),
                      ("occlusion", "size"), ("thickness", "pixels")]:
        assert out[name][0] == {key: 0, "accuracy": plain}
        assert len(out[name]) >= 5
    assert out["coverage"][0] == {"threshold": 0, "coverage": 1, "accuracy": plain}
    assert set(out["coverage"][-1]) == {"threshold", "coverage", "accuracy"}
    assert main(["robustness", str(path), "--limit", "300"]) == 0
    text = capsys.readouterr().out
    assert "rotation (degrees)" in text and "coverage" in text


def test_a_missing_model_or_a_bad_limit_is_one_line(raw_mnist, tmp_path, capsys):
    assert main(["robustness", str(tmp_path / "none.npz")]) == 1
    assert capsys.readouterr().err.count("\n") == 1
    path = save_model(tmp_path / "m.npz", train_tiny(raw_mnist, hidden=[8]), {}, {})
    assert main(["robustness", str(path), "--limit", "0"]) == 1
    err = capsys.readouterr().err
    assert "limit" in err and err.count("\n") == 1
    assert main(["robustness", str(path), "--seed", "-1"]) == 1
    assert "seed" in capsys.readouterr().err
