"""Time the Health monitor, the Lab and the robustness curves against their targets:

* health monitoring during training (target: <= 3% of an epoch's training time), for the
  smallest shape the app trains (784-30-10, batch 10, sigmoid: article 0's kind of run,
  where a batch takes tens of microseconds, so each measurement weighs most) and the
  largest preset (784-800-800-10, batch 128). For each shape: the cost of one measurement
  and of the cheap per-batch bookkeeping, the cost share for fixed ``every`` values that
  follows from them, and a real epoch with the monitor as the GUI runs it
  (``health.DEFAULT_EVERY`` with the default time budget) timed against one without;
* the lab on 784-800-800-10: test results after each kind of edit (target <= 300 ms),
  median and max of ``--repeats`` runs of the same sequence on a fresh Lab each time;
* robustness curves on the whole test set (no target; reported).

Random weights for the lab and robustness (timing does not depend on what was learnt).

Run alone, taking turns with other benchmarks:
    flock /tmp/mnist-bench.lock python scripts/bench_health_lab_robustness.py [--repeats 7] [--only health|lab]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

LAB_TARGET_MS = 300
HEALTH_TARGET = 0.03


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on Linux
        return "?"


def bench_health(raw) -> None:  # noqa: ANN001
    from mnist_gui.core import health as hl
    from mnist_gui.core.config import TrainConfig
    from mnist_gui.core.data import prepare
    from mnist_gui.core.presets import PRESETS
    from mnist_gui.core.training import BatchFinished, Trainer

    shapes = [
        ("784-30-10, batch 10 (article 0 kind)",
         TrainConfig(hidden=[30], activation="sigmoid", loss="mse", init="normal", init_std=1.0,
                     optimizer="sgd", lr=3.0, batch_size=10, epochs=1, validation=0,
                     train_subset=30_000, seed=1)),
        ("784-800-800-10, batch 128 (preset best)",
         PRESETS["best"].config.updated(epochs=1, train_subset=25_600, validation=0)),
    ]

    def run(config, data, monitor):  # noqa: ANN001, ANN202
        """(training seconds excluding the monitor, seconds inside after_batch, batches)."""
        trainer = Trainer(config, data, evaluate_test=False, copy_weights_each_epoch=False)
        fold = trainer.optimizer.folds_learning_rate
        inside, batches = 0.0, 0
        start = time.perf_counter()
        for event in trainer.run():
            if isinstance(event, BatchFinished):
                batches += 1
                if monitor is not None:
                    t0 = time.perf_counter()
                    monitor.after_batch(trainer.model, event.loss, event.lr if fold else 1.0)
                    inside += time.perf_counter() - t0
        return time.perf_counter() - start - inside, inside, batches

    for label, config in shapes:
        data = prepare(raw, config.data_spec())
        probe = data.X_train[:256]
        plain, _, n = run(config, data, None)
        per_batch = plain / n
        # one measurement's cost: measure every 2 batches with no budget, time the measuring
        dense = hl.HealthMonitor(probe, config, every=2, budget=None)
        trained, inside, _ = run(config, data, dense)
        measure = dense.seconds / max(dense.measurements, 1)
        # the bookkeeping every batch pays: after_batch on batches that do not measure
        cheap_monitor = hl.HealthMonitor(probe, config, every=1 << 30, budget=None)
        _, cheap_inside, _ = run(config, data, cheap_monitor)
        cheap = cheap_inside / n
        print(f"health, {label}: {n} batches, {1e6 * per_batch:.0f} us a batch; one measurement "
              f"{1e3 * measure:.2f} ms (params copy, update, gradients, probe forward of "
              f"{len(probe)}); bookkeeping {1e6 * cheap:.2f} us a batch "
              f"({100 * cheap / per_batch:.2f}%)")
        meets = None
        for every in (10, 30, 100, 300, 1000, 3000, 10000):
            share = (cheap + measure / every) / per_batch
            if meets is None and share <= HEALTH_TARGET:
                meets = every
            print(f"    every {every:>5}: {100 * share:6.2f}% of training"
                  f"{'  <= 3%' if share <= HEALTH_TARGET else ''}")
        print(f"    smallest fixed every meeting 3%: {meets} (of those listed)")
        gui = hl.HealthMonitor(probe, config)  # what TrainingSession(health_every=...) makes
        trained, inside, _ = run(config, data, gui)
        print(f"    as the GUI runs it (every >= {hl.DEFAULT_EVERY}, budget "
              f"{100 * gui.budget:g}%): {gui.measurements} measurements, after_batch took "
              f"{1e3 * inside:.1f} ms = {100 * inside / trained:.2f}% of {trained:.2f} s of "
              f"training (target <= 3%); plain epoch {plain:.2f} s")


def bench_lab(raw, repeats: int) -> None:  # noqa: ANN001
    from mnist_gui.core.data import test_set_for
    from mnist_gui.core.lab import Lab, Prune, ScaleUnit, WeightNoise
    from mnist_gui.core.network import build_mlp

    model = build_mlp(784, [800, 800], 10).initialize(np.random.default_rng(0))
    X, y, _ = test_set_for(raw, model.classes, 0.1307, 0.3081)
    steps = [("first results", None), ("unit off, hidden layer 2", ScaleUnit(1, 3, 0.0)),
             ("unit x2, hidden layer 2", ScaleUnit(1, 5, 2.0)),
             ("unit off, hidden layer 1", ScaleUnit(0, 3, 0.0)),
             ("unit x0.5, hidden layer 1", ScaleUnit(0, 9, 0.5)),
             ("prune 50% global", Prune(0.5)),
             ("prune 70% per layer", Prune(0.7, per_layer=True)),
             ("weight noise", WeightNoise(0.1, seed=1)), ("undo", "undo"), ("undo", "undo"),
             ("redo", "redo"), ("redo", "redo")]
    times: dict[int, list[float]] = {i: [] for i in range(len(steps))}
    for _ in range(repeats):
        lab = Lab(model, X, y)
        for i, (_, edit) in enumerate(steps):
            start = time.perf_counter()
            if edit == "undo":
                lab.undo()
            elif edit == "redo":
                lab.redo()
            elif edit is not None:
                lab.apply(edit)
            lab.results()
            times[i].append(1e3 * (time.perf_counter() - start))
    print(f"lab, 784-800-800-10 on {len(y):,} test digits, {repeats} runs (median / max ms, "
          f"target <= {LAB_TARGET_MS}):")
    for i, (label, _) in enumerate(steps):
        print(f"    {label:<27} {statistics.median(times[i]):6.1f} / {max(times[i]):6.1f}")
    return model


def main() -> int:
    from threadpoolctl import threadpool_info

    from mnist_gui.core.data import load_raw

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=("health", "lab"))
    args = parser.parse_args()
    blas = [(i["internal_api"], i.get("architecture"), i["num_threads"]) for i in threadpool_info()]
    print(f"BLAS: {blas}; load average before: {_load()}")
    raw = load_raw()
    if args.only in (None, "health"):
        bench_health(raw)
    if args.only in (None, "lab"):
        model = bench_lab(raw, args.repeats)
        if args.only is None:
            from mnist_gui.core.robustness import robustness_report

            start = time.perf_counter()
            robustness_report(model, raw)
            print(f"robustness: all curves, 10,000 digits: {time.perf_counter() - start:.1f} s")
    print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
