"""``mnist-gui sweep``: search many settings at once (core/sweep.py), from the command line.

    mnist-gui sweep --param lr=1e-3..1:log --param hidden=64,128,256 [--workers 2] ...
    mnist-gui sweep list | show ID | resume ID | worker ID --storage URL | delete ID

``--workers K`` starts K worker processes (``sweep worker``) that share the sweep's storage,
each with its share of the cores' BLAS threads; with one worker the sweep runs in this
process. On other machines, ``sweep worker ID --storage URL`` joins the same sweep.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

POLL_SECONDS = 1.0


def add_sweep_parser(sub: Any, parser_class: type) -> None:
    """The ``sweep`` command and its subcommands, on the CLI's subparsers ``sub``."""
    from .core.sweep import METRICS, PRUNERS, SAMPLERS

    sweep = sub.add_parser(
        "sweep", help="search many settings at once (Optuna): list, show, resume, worker, delete",
        description="Train many configurations and find the best by validation accuracy. "
        "SPEC is a list (hidden=64,128,256), a choice (activation=relu|tanh) or a range "
        "(lr=1e-3..1, lr=1e-3..1:log); any training setting may be swept. Each trial is a "
        "recorded run (see 'runs'). Killed? 'sweep resume ID' finishes the remaining trials.")
    sweep.add_argument("--preset", help="the settings every trial starts from (default: fast)")
    sweep.add_argument("--param", action="append", default=[], metavar="NAME=SPEC",
                       help="a setting to vary (repeat for each)")
    sweep.add_argument("--sampler", choices=SAMPLERS, default="tpe",
                       help="grid: every combination; random; tpe: learns where good "
                       "settings are (default)")
    sweep.add_argument("--trials", type=int, help="how many trials (default 20; a grid: its size)")
    sweep.add_argument("--workers", type=int, default=1,
                       help="worker processes on this machine (default 1)")
    sweep.add_argument("--prune", choices=PRUNERS, default="none",
                       help="stop poor trials early: below the median of earlier trials at the "
                       "same epoch, or successive halving (default none)")
    sweep.add_argument("--metric", choices=list(METRICS), default="val",
                       help="choose by validation accuracy (default) or test accuracy (fits "
                       "the test set: see the README)")
    sweep.add_argument("--seeds", type=int, default=1,
                       help="train each configuration with this many seeds (its value: the mean)")
    sweep.add_argument("--storage", help="postgresql://user:pass@host/db or journal:PATH "
                       "(default: a journal file in the run store)")
    sweep.add_argument("--name", default="", help="a name for the sweep")
    sweep.add_argument("--data", type=Path, help="folder with the four MNIST-format IDX files")
    sweep.add_argument("--json", action="store_true",
                       help="one JSON object per trial, then the sweep (as 'sweep show --json')")
    commands = sweep.add_subparsers(dest="sweep_command", parser_class=parser_class)
    listing = commands.add_parser("list", help="the sweeps in the run store")
    listing.add_argument("--json", action="store_true")
    show = commands.add_parser("show", help="one sweep's trials and best configuration")
    show.add_argument("id")
    show.add_argument("--storage", help="the sweep's storage, if it was made elsewhere")
    show.add_argument("--json", action="store_true")
    resume = commands.add_parser("resume", help="finish an interrupted sweep")
    resume.add_argument("id")
    resume.add_argument("--workers", type=int, help="worker processes (default: the sweep's)")
    resume.add_argument("--storage", help="the sweep's storage, if it was made elsewhere")
    resume.add_argument("--data", type=Path, help="folder with the four MNIST-format IDX files")
    resume.add_argument("--json", action="store_true")
    worker = commands.add_parser(
        "worker", help="pull a sweep's trials until none is left (on any machine)",
        description="Join a sweep: train its trials until none is left. Runs are recorded "
        "in this machine's run store.")
    worker.add_argument("id")
    worker.add_argument("--storage", help="the sweep's storage (default: this run store's)")
    worker.add_argument("--blas-threads", type=int,
                        help="BLAS threads for this worker (default: all the cores)")
    worker.add_argument("--data", type=Path, help="folder with the four MNIST-format IDX files")
    worker.add_argument("--quiet", action="store_true", help="print nothing but errors")
    worker.add_argument("--json", action="store_true", help="one JSON object per trial")
    delete = commands.add_parser("delete", help="delete a sweep (its runs stay in 'runs')")
    delete.add_argument("id")
    delete.add_argument("--storage", help="the sweep's storage, if it was made elsewhere")


def cmd_sweep(args: argparse.Namespace) -> int:
    from .core.runs import printable
    from .core.sweep import SweepStore

    store = SweepStore()
    command = getattr(args, "sweep_command", None)
    if command == "list":
        return _list(store, args)
    if command == "show":
        return _show(store.get(args.id, args.storage), args.json)
    if command == "delete":
        runs = store.delete(args.id, args.storage)
        print(printable(f"deleted sweep {args.id}; its {runs} runs stay in the run store"))
        return 0
    if command == "worker":
        return _worker(store, args)
    if command == "resume":
        from .core.sweep import recover_interrupted

        sweep = store.get(args.id, args.storage)
        recovered = recover_interrupted(sweep.study())
        if recovered and not args.json:
            print(f"interrupted trials {', '.join(map(str, recovered))}: marked failed and "
                  "queued again", flush=True)
        workers = args.workers or sweep.definition.workers
        return _run(sweep, workers, args.data, args.json)
    return _start(store, args)


def _start(store: Any, args: argparse.Namespace) -> int:
    from .cli import UsageError
    from .core.presets import DEFAULT_PRESET, get_preset
    from .core.runs import printable
    from .core.sweep import SweepDefinition, parse_param

    if not args.param:
        raise UsageError("mnist-gui sweep: give at least one --param NAME=SPEC "
                         "(or a subcommand: list, show, resume, worker, delete)")
    if args.trials is not None and args.sampler == "grid":
        raise UsageError("mnist-gui sweep: --trials with --sampler grid: a grid runs every "
                         "combination once")
    preset = get_preset(args.preset or DEFAULT_PRESET)
    definition = SweepDefinition(
        params=[parse_param(text) for text in args.param], base=preset.config.to_dict(),
        sampler=args.sampler, n_trials=args.trials if args.trials is not None else 20,
        prune=args.prune, metric=args.metric, seeds=args.seeds, name=args.name,
        workers=args.workers)
    if definition.hold_out_validation() and not args.json:
        print(f"holding out {definition.base['validation']:,} training images for validation "
              "(the preset holds out none; --metric val chooses by them)", flush=True)
    sweep = store.create(definition, args.storage)
    if args.json:
        print(json.dumps({"event": "sweep", "id": sweep.id}), flush=True)
    else:
        print(printable(f"sweep {sweep.id}: {definition.n_trials} trials of "
                        f"{', '.join(p.describe() for p in definition.params)} "
                        f"({definition.sampler}, prune {definition.prune}, "
                        f"{definition.seeds} seed(s), {args.workers} worker(s))"), flush=True)
    return _run(sweep, args.workers, args.data, args.json)


def _run(sweep: Any, workers: int, data: Path | None, as_json: bool) -> int:
    """Run ``sweep`` to its end: in this process (one worker) or with worker processes."""
    from .core.runs import printable
    from .core.sweep import SweepError
    from .core.sweep_worker import run_worker

    if not 1 <= workers <= 256:
        raise SweepError(f"--workers {workers}: expected 1 to 256")
    metric = sweep.definition.metric
    if workers == 1:
        run_worker(sweep, data_dir=data, on_trial=lambda info: _print_trial(info, metric, as_json),
                   warn=_warn)
        failed = 0
    else:
        failed = _run_processes(sweep, workers, data, metric, as_json)
    summary = sweep.summary()
    if as_json:
        print(json.dumps({"event": "finished", **summary}, default=str), flush=True)
    else:
        best = summary["best"]
        counts = _counts(summary["trials"])
        print(printable(f"sweep {sweep.id} {summary['state']}: {counts}"))
        if best is not None:
            print(printable(f"best: trial {best['number']}  {metric} {_pct(best['value'])}  "
                            f"{_params(best['params'])}  run {best['run_id']}"))
    if failed:
        sys.stderr.write(f"mnist-gui: {failed} worker process(es) failed; 'mnist-gui sweep "
                         f"resume {sweep.id}' finishes the sweep\n")
        return 1
    return 0


def _run_processes(sweep: Any, workers: int, data: Path | None, metric: str,
                   as_json: bool) -> int:
    """Start ``workers`` ``sweep worker`` processes, print trials as they end (read from
    the storage), wait for all; returns how many failed. Ctrl+C reaches them too (one
    process group); each marks its trial failed, which ``sweep resume`` runs again."""
    from .core.sweep_worker import start_worker_processes

    processes = start_worker_processes(sweep, workers, data_dir=data)
    shown: set[int] = set()
    try:
        while True:
            running = [p for p in processes if p.poll() is None]
            for info in sweep.trials():
                if info.number not in shown and info.state in ("complete", "pruned", "failed"):
                    shown.add(info.number)
                    _print_trial(info, metric, as_json)
            if not running:
                break
            time.sleep(POLL_SECONDS)
    finally:
        for process in processes:
            if process.poll() is None:
                process.wait()
    return sum(1 for p in processes if p.returncode != 0)


def _worker(store: Any, args: argparse.Namespace) -> int:
    from .core.sweep_worker import run_worker

    sweep = store.get(args.id, args.storage)
    metric = sweep.definition.metric
    quiet = args.quiet

    def on_trial(info: Any) -> None:
        if not quiet:
            _print_trial(info, metric, args.json)
        elif info.state == "failed":
            _warn(f"trial {info.number} failed: {info.message}")

    limiter = None
    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        # this process is the worker: its BLAS threads are its share of the machine's cores
        limiter = threadpool_limits(limits=args.blas_threads, user_api="blas")
    try:
        run_worker(sweep, data_dir=args.data, on_trial=on_trial, warn=_warn)
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    return 0


def _list(store: Any, args: argparse.Namespace) -> int:
    from .core.errors import MnistGuiError
    from .core.runs import printable

    rows = []
    for sweep_id in store.ids():
        try:
            summary = store.get(sweep_id).summary()
        except MnistGuiError as exc:
            rows.append({"id": sweep_id, "damaged": str(exc)})
            continue
        summary.pop("base", None)
        rows.append(summary)
    if args.json:
        print(json.dumps(rows, default=str))
        return 0
    if not rows:
        print(printable(f"no sweeps yet in {store.root}"))
    for row in rows:
        if "damaged" in row:
            print(printable(f"{row['id']}  damaged: {row['damaged']}"))
            continue
        best = row["best"]
        print(printable(
            f"{row['id']}  {row['name'] or '-':<12} {row['state']:<11} "
            f"{_counts(row['trials'])}  best {_pct(best['value'] if best else None)}  "
            f"{' '.join(row['params'])}"))
    return 0


def _show(sweep: Any, as_json: bool) -> int:
    from .core.runs import printable

    summary = sweep.summary()
    if as_json:
        print(json.dumps(summary, default=str))
        return 0
    print(printable(f"sweep {summary['id']} {summary['name']!r}: {summary['state']}, "
                    f"{summary['sampler']}, prune {summary['prune']}, metric "
                    f"{summary['metric']}, {summary['seeds']} seed(s)"))
    print(printable("searching " + " ".join(summary["params"])))
    for trial in summary["trials"]:
        print(printable(f"trial {trial['number']:>3}  {trial['state']:<8}  "
                        f"{_pct(trial['value'])}  epochs {trial['epochs']:>3}  "
                        f"{_params(trial['params'])}  run {trial['run_id'] or '-'}"
                        + (f"  ({trial['message']})" if trial["message"] else "")))
    best = summary["best"]
    if best is not None:
        print(printable(f"best: trial {best['number']}  {_pct(best['value'])}  "
                        f"{_params(best['params'])}"))
    return 0


def _print_trial(info: Any, metric: str, as_json: bool) -> None:
    from .core.runs import printable

    if as_json:
        print(json.dumps({"event": "trial", **info.to_json()}, default=str), flush=True)
        return
    text = (f"trial {info.number:>3} {info.state:<8} {metric} {_pct(info.value)}  "
            f"epochs {info.epochs:>3}  {_params(info.params)}")
    if info.message:
        text += f"  ({info.message})"
    print(printable(text), flush=True)


def _params(params: dict) -> str:
    def show(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.4g}"
        if isinstance(value, list):
            return ",".join(map(str, value))
        return str(value)

    return " ".join(f"{name}={show(value)}" for name, value in params.items())


def _counts(trials: list[dict]) -> str:
    counts: dict[str, int] = {}
    for trial in trials:
        counts[trial["state"]] = counts.get(trial["state"], 0) + 1
    return ", ".join(f"{n} {state}" for state, n in counts.items()) or "no trials yet"


def _pct(value: float | None) -> str:
    return "   -   " if value is None else f"{100 * value:6.2f}%"


def _warn(message: str) -> None:
    sys.stderr.write(f"mnist-gui: warning: {message}\n")
