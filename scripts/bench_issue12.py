"""Time issue 12's computations for the largest preset's shape 784-800-800-10 and report them
against the issue's targets:

* health monitoring during training: time spent measuring as a share of training time
  (target <= 3% of an epoch), the monitor measuring every 100 batches on 256 probe digits;
* the lab: test results after each kind of edit (target <= 300 ms);
* robustness curves on the whole test set (no target; reported).

Random weights for the lab and robustness (timing does not depend on what was learnt);
the health run trains on 12,800 images (100 batches of 128) twice, with and without.

Run alone, taking turns with other benchmarks:
    flock /tmp/mnist-bench.lock python scripts/bench_issue12.py
"""

from __future__ import annotations

import time

import numpy as np


def main() -> int:
    from threadpoolctl import threadpool_info

    from mnist_gui.core.data import load_raw, prepare, test_set_for
    from mnist_gui.core.health import HealthMonitor
    from mnist_gui.core.lab import Lab, Prune, ScaleUnit, WeightNoise
    from mnist_gui.core.network import build_mlp
    from mnist_gui.core.presets import PRESETS
    from mnist_gui.core.robustness import robustness_report
    from mnist_gui.core.training import BatchFinished, Trainer

    blas = [(i["internal_api"], i.get("architecture"), i["num_threads"]) for i in threadpool_info()]
    print(f"BLAS: {blas}")
    raw = load_raw()

    def train(config, data, every: int | None) -> tuple[float, float, int]:
        trainer = Trainer(config, data, evaluate_test=False, copy_weights_each_epoch=False)
        monitor = HealthMonitor(data.X_train[:256], config, every=every) if every else None
        start = time.perf_counter()
        for event in trainer.run():
            if monitor is not None and isinstance(event, BatchFinished):
                monitor.after_batch(trainer.model, event.loss,
                                    event.lr if trainer.optimizer.folds_learning_rate else 1.0)
        return (time.perf_counter() - start, monitor.seconds if monitor else 0.0,
                monitor.every if monitor else 0)

    for hidden in ([50], [512], [800, 800]):
        preset = next(p for p in PRESETS.values() if p.config.hidden == hidden)
        config = preset.config.updated(epochs=1, train_subset=25_600, validation=0)
        data = prepare(raw, config.data_spec())
        plain, _, _ = train(config, data, None)
        monitored, measuring, every = train(config, data, 100)
        print(f"health, {preset.name} (784-{'-'.join(map(str, hidden))}-10, batch "
              f"{config.batch_size}): epoch of {len(data.y_train):,} images {plain:.2f} s "
              f"without, {monitored:.2f} s with the monitor (every 100 batches, {every} at the "
              f"end); measuring took {1e3 * measuring:.0f} ms = "
              f"{100 * measuring / monitored:.2f}% of the epoch (target <= 3%)")

    model = build_mlp(784, [800, 800], 10).initialize(np.random.default_rng(0))
    X, y, _ = test_set_for(raw, model.classes, 0.1307, 0.3081)
    lab = Lab(model, X, y)
    steps = [("first results", None), ("unit off, hidden layer 2", ScaleUnit(1, 3, 0.0)),
             ("unit off, hidden layer 1", ScaleUnit(0, 3, 0.0)), ("prune 50% global", Prune(0.5)),
             ("prune 70% per layer", Prune(0.7, per_layer=True)),
             ("weight noise", WeightNoise(0.1, seed=1)), ("undo", "undo"), ("redo", "redo")]
    for label, edit in steps:
        start = time.perf_counter()
        if edit == "undo":
            lab.undo()
        elif edit == "redo":
            lab.redo()
        elif edit is not None:
            lab.apply(edit)
        lab.results()
        print(f"lab: {label:<26} {1e3 * (time.perf_counter() - start):6.0f} ms (target <= 300)")

    start = time.perf_counter()
    robustness_report(model, raw)
    print(f"robustness: all curves, 10,000 digits: {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
