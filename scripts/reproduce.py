"""Train every preset in full and compare with the articles' reported results.

    python scripts/reproduce.py                  # all presets
    python scripts/reproduce.py seed-000 fast    # some
    python scripts/reproduce.py --output docs/reproduction.md

Writes a markdown table (preset, article's figure, ours, pass/fail, time) and prints it.
Nothing here is hard-coded but the articles' own figures (in core/presets.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mnist_gui.core.data import load_raw, prepare  # noqa: E402
from mnist_gui.core.evaluation import evaluate_model  # noqa: E402
from mnist_gui.core.presets import PRESETS  # noqa: E402
from mnist_gui.core.training import Trainer  # noqa: E402

METRIC_TITLES = {
    "test_accuracy": "test accuracy",
    "val_accuracy": "validation accuracy",
    "test_f1": "test F1 (weighted)",
}


def run_preset(name: str, raw) -> dict:  # noqa: ANN001
    preset = PRESETS[name]
    dataset = prepare(raw, preset.config.data_spec())
    trainer = Trainer(preset.config, dataset, copy_weights_each_epoch=False)
    t0 = time.perf_counter()
    finished = trainer.train()
    seconds = time.perf_counter() - t0
    last = trainer.history[-1]
    report = evaluate_model(trainer.model, dataset.X_test, dataset.y_test)
    values = {
        "test_accuracy": report.accuracy,
        "val_accuracy": last.val_accuracy,
        "test_f1": report.report.weighted[2],
    }
    ours = values[preset.metric]
    if preset.minimum is not None:
        ok = ours >= preset.minimum
    else:
        ok = abs(ours - preset.reported) <= preset.tolerance
    return {
        "preset": name,
        "metric": preset.metric,
        "reported": preset.reported,
        "minimum": preset.minimum,
        "ours": ours,
        "test_accuracy": report.accuracy,
        "ok": bool(ok),
        "seconds": seconds,
        "epochs": finished.epochs_completed,
        "reason": finished.reason,
    }


def markdown(rows: list[dict]) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {platform.machine()}, "
        f"{platform.python_version()}, by `python scripts/reproduce.py`.",
        "",
        "| preset | metric | article | ours | test acc. | target | time |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        article = f"{100 * r['reported']:.2f}%" if r["reported"] is not None else "-"
        if r["minimum"] is not None:
            target = f">= {100 * r['minimum']:.1f}%"
        else:
            target = "within 0.7 pp"
        mark = "pass" if r["ok"] else "**fail**"
        lines.append(
            f"| `{r['preset']}` | {METRIC_TITLES[r['metric']]} | {article} | "
            f"{100 * r['ours']:.2f}% | {100 * r['test_accuracy']:.2f}% | {target}: {mark} | "
            f"{r['seconds']:.0f} s |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=list(PRESETS))
    parser.add_argument("--output", type=Path, help="write the markdown table here")
    parser.add_argument("--json", type=Path, help="write the raw rows here")
    args = parser.parse_args()
    raw = load_raw()
    rows = []
    for name in args.presets:
        row = run_preset(name, raw)
        print(json.dumps(row), flush=True)
        rows.append(row)
    table = markdown(rows)
    print(table)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(table)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
