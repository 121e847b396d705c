"""Sweep benchmark: a 12-trial grid of small networks with 2 worker processes against the
same trials one after another, and median pruning against none.

    python scripts/bench_sweep.py                       # the README's numbers
    python scripts/bench_sweep.py --train-subset 500 --validation 200 --epochs 1   # a smoke run
    python scripts/bench_sweep.py --json out.json

The grid: hidden 32, 64, 128 x learning rate 0.02, 0.05, 0.1, 0.2 (the fast preset's other
settings), 12 trials. Each mode runs the grid in a fresh run store (a temporary folder) with
``mnist-gui sweep worker`` processes, as ``mnist-gui sweep --workers K`` does: "sequential"
is one worker with every core's BLAS threads, "parallel" is K workers with their share each.
The speed-up is sequential / parallel wall time. Pruning compares the epochs trained and the
wall time of the same grid with ``--prune median`` and ``--prune none``, and both best
validation accuracies (equal unless the pruner stopped the best configuration).

OpenBLAS: these machines set OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE; a user's
machine sets neither, so the workers here run with both unset (``--kernel set`` keeps them)
and the kernel OpenBLAS chose is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mnist_gui.core.presets import get_preset  # noqa: E402
from mnist_gui.core.sweep import SweepDefinition, SweepStore, parse_param  # noqa: E402
from mnist_gui.core.sweep_worker import blas_threads_per_worker  # noqa: E402

GRID = ["hidden=32,64,128", "lr=0.02,0.05,0.1,0.2"]
KERNEL_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def blas_kernel(env: dict) -> str:
    """The OpenBLAS kernel a worker would load with ``env`` (threadpoolctl's report)."""
    code = ("import numpy, threadpoolctl, json; print(json.dumps([(i.get('internal_api'), "
            "i.get('architecture'), i.get('num_threads')) for i in "
            "threadpoolctl.threadpool_info() if i.get('user_api') == 'blas']))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=120)
    return out.stdout.strip() or out.stderr.strip()[-200:]


def run_grid(args: argparse.Namespace, workers: int, prune: str, env: dict) -> dict:
    """The grid in a fresh store with ``workers`` worker processes: wall time, epochs
    trained, trial states and the best value."""
    base = get_preset("fast").config.updated(
        train_subset=args.train_subset, validation=args.validation, epochs=args.epochs)
    with tempfile.TemporaryDirectory(prefix="mnist-gui-bench-sweep-") as home:
        store = SweepStore(home)
        sweep = store.create(SweepDefinition([parse_param(p) for p in GRID], base=base.to_dict(),
                                             sampler="grid", prune=prune, workers=workers))
        threads = blas_threads_per_worker(workers)
        command = [sys.executable, "-m", "mnist_gui", "sweep", "worker", sweep.id, "--quiet",
                   "--blas-threads", str(threads)]
        worker_env = {**env, "MNIST_GUI_HOME": home,
                      **{v: str(threads) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                   "MKL_NUM_THREADS")}}
        start = time.perf_counter()
        processes = [subprocess.Popen(command, env=worker_env) for _ in range(workers)]
        codes = [p.wait() for p in processes]
        seconds = time.perf_counter() - start
        if any(codes):
            raise SystemExit(f"a worker failed: exit codes {codes}")
        trials = sweep.trials()
        best = sweep.best(trials)
        states: dict[str, int] = {}
        for trial in trials:
            states[trial.state] = states.get(trial.state, 0) + 1
        return {"workers": workers, "blas_threads_each": threads, "prune": prune,
                "seconds": seconds, "trials": len(trials), "states": states,
                "epochs_trained": sum(t.epochs for t in trials),
                "best_value": None if best is None else best.value,
                "best_params": None if best is None else best.params}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--train-subset", type=int, default=10_000)
    parser.add_argument("--validation", type=int, default=5_000)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--kernel", choices=["native", "set"], default="native",
                        help="native: OPENBLAS_CORETYPE/L2_SIZE unset in the workers (default)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    args = parser.parse_args()
    env = dict(os.environ)
    if args.kernel == "native":
        for name in KERNEL_VARIABLES:
            env.pop(name, None)
    results = {"kernel": blas_kernel(env), "grid": GRID, "train_subset": args.train_subset,
               "validation": args.validation, "epochs": args.epochs}
    sequential = run_grid(args, 1, "none", env)
    parallel = run_grid(args, args.workers, "none", env)
    pruned = run_grid(args, args.workers, "median", env)
    results.update(sequential=sequential, parallel=parallel, pruned=pruned,
                   speedup=sequential["seconds"] / parallel["seconds"],
                   pruning_time_ratio=pruned["seconds"] / parallel["seconds"],
                   pruning_epoch_ratio=pruned["epochs_trained"] / parallel["epochs_trained"])
    print(f"BLAS: {results['kernel']}")
    print(f"12-trial grid ({', '.join(GRID)}), {args.train_subset:,} training images, "
          f"{args.epochs} epochs each")
    print("| mode | workers x BLAS threads | wall time | epochs trained | trials | best val |")
    print("|---|---|---|---|---|---|")
    for name, row in (("one after another", sequential), ("parallel", parallel),
                      ("parallel, median pruning", pruned)):
        best = "-" if row["best_value"] is None else f"{100 * row['best_value']:.2f}%"
        states = ", ".join(f"{n} {s}" for s, n in row["states"].items())
        print(f"| {name} | {row['workers']} x {row['blas_threads_each']} | "
              f"{row['seconds']:.1f} s | {row['epochs_trained']} | {states} | {best} |")
    print(f"speed-up with {args.workers} workers: {results['speedup']:.2f}x; median pruning: "
          f"{results['pruning_epoch_ratio']:.0%} of the epochs, {results['pruning_time_ratio']:.0%}"
          f" of the time, best {_pct(pruned['best_value'])} vs {_pct(parallel['best_value'])}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    return 0


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


if __name__ == "__main__":
    sys.exit(main())
