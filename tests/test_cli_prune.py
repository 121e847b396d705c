"""``mnist-gui prune``: the saved model has the sparsity asked for and records the edit."""

from __future__ import annotations

import json

import numpy as np

from mnist_gui.cli import main
from mnist_gui.core.evaluation import evaluate_on_test_set
from mnist_gui.core.lab import Prune, edit_from_dict
from mnist_gui.core.model_file import load_model, save_model

from .tiny_models import train_tiny


def test_prune_saves_the_pruned_model_and_its_edits(raw_mnist, tmp_path, capsys):
    model = train_tiny(raw_mnist, hidden=[32])
    source = save_model(tmp_path / "m.npz", model, {"hidden": [32]}, {})
    out_path = tmp_path / "pruned.npz"
    assert main(["prune", str(source), "--fraction", "0.8", "--save", str(out_path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    pruned, meta = load_model(out_path)
    total = sum(W.size for W in pruned.W)
    assert sum(int((W == 0).sum()) for W in pruned.W) == round(0.8 * total)
    assert out["sparsity"] == round(0.8 * total) / total
    assert out["accuracy_before"] == evaluate_on_test_set(model, raw_mnist).report.accuracy
    assert out["accuracy_after"] == evaluate_on_test_set(pruned, raw_mnist).report.accuracy
    assert [edit_from_dict(e) for e in meta["edits"]] == [Prune(0.8)]
    # pruning a pruned model keeps the earlier edit and adds its own
    again = tmp_path / "again.npz"
    assert main(["prune", str(out_path), "--fraction", "0.9", "--per-layer", "--save", str(again)]) == 0
    assert "test accuracy" in capsys.readouterr().out
    twice, meta = load_model(again)
    assert [edit_from_dict(e) for e in meta["edits"]] == [Prune(0.8), Prune(0.9, per_layer=True)]
    assert all(np.mean(W == 0) == round(0.9 * W.size) / W.size for W in twice.W)


def test_a_fraction_out_of_range_is_one_line(tmp_path, capsys):
    assert main(["prune", str(tmp_path / "m.npz"), "--fraction", "2", "--save",
                 str(tmp_path / "o.npz")]) == 1
    err = capsys.readouterr().err
    assert "fraction" in err and err.count("\n") == 1
