"""Sweep workers: pull a sweep's trials from its storage and train them (``run_worker``),
in this process or as ``mnist-gui sweep worker`` processes (``start_worker_processes``).

Each trial trains its configuration with every seed in lockstep, epoch by epoch, records
each seed as a run in the run store, and reports the metric's mean to Optuna as each epoch
ends, so that the pruner can stop it there.
"""

from __future__ import annotations

import math
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .config import TrainConfig
from .errors import MnistGuiError
from .runs import RunStore, printable
from .sweep import (
    METRICS,
    Sweep,
    SweepDefinition,
    SweepError,
    TrialInfo,
    encode_value,
    import_optuna,
    work_left,
    recover_interrupted,
)

#: the median pruner compares with at least this many finished trials (a median of fewer
#: is noise, and would stop the second trial for being below the first)
MEDIAN_STARTUP_TRIALS = 3


def blas_threads_per_worker(workers: int) -> int:
    """This machine's cores split between ``workers`` processes (at least 1 each), so the
    workers' BLAS threads together do not oversubscribe the cores."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def _sampler_for(definition: SweepDefinition, seed: int) -> Any:
    optuna = import_optuna()
    if definition.sampler == "grid":
        return optuna.samplers.GridSampler(
            {p.name: [encode_value(p.setting, v) for v in p.values] for p in definition.params},
            seed=seed)
    if definition.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    # constant liar: running trials count as bad guesses, so parallel workers spread out
    return optuna.samplers.TPESampler(seed=seed, constant_liar=True)


def _pruner_for(definition: SweepDefinition) -> Any:
    optuna = import_optuna()
    if definition.prune == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=MEDIAN_STARTUP_TRIALS)
    if definition.prune == "halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    return optuna.pruners.NopPruner()


@dataclass
class EpochReport:
    """What a worker tells as each trial's epoch ends (for progress lines)."""

    trial: int
    epoch: int
    epochs: int
    value: float | None


class _Datasets:
    """The raw MNIST read once per worker, prepared once per data spec."""

    def __init__(self, data_dir: Path | None) -> None:
        self._data_dir = data_dir
        self._raw = None
        self._prepared: dict[str, Any] = {}

    def __call__(self, config: TrainConfig) -> Any:
        from .data import load_raw, prepare

        spec = config.data_spec()
        if config.subset_mode != "random" or not config.train_subset:
            spec.seed = 0  # the seed only picks a random subset: share the rest
        key = repr(spec)
        if key not in self._prepared:
            if self._raw is None:
                self._raw = load_raw(self._data_dir)
            if len(self._prepared) >= 4:
                self._prepared.pop(next(iter(self._prepared)))
            self._prepared[key] = prepare(self._raw, spec)
        return self._prepared[key]


def _train_trial(trial: Any, sweep: Sweep, runs: RunStore, datasets: _Datasets,
                 on_epoch: Callable[[EpochReport], None], warn: Callable[[str], None],
                 should_stop: Callable[[], bool]) -> float:
    """Optuna's objective: train the trial's configuration with each seed, epoch by epoch
    in lockstep, report the metric's mean after every epoch (the pruner's input), and
    return it at the end."""
    optuna = import_optuna()
    from .recording import GuardedRecorder
    from .training import EpochFinished, Trainer, TrainingFinished, evaluate

    definition = sweep.definition
    trial.set_user_attr("worker", {"host": socket.gethostname(), "pid": os.getpid(),
                                   "started": time.time()})
    values = {p.name: p.suggest(trial) for p in definition.params}
    config = definition.config_for(values)
    configs = [config.updated(seed=config.seed + s) for s in range(definition.seeds)]
    metric = METRICS[definition.metric]
    trainers = [Trainer(c, datasets(c), copy_weights_each_epoch=False) for c in configs]
    label = definition.name or sweep.id
    recorders = [GuardedRecorder(
        lambda t=t, s=s: runs.start(t, name=f"{label} #{trial.number}" + (
            f" seed {s}" if definition.seeds > 1 else ""),
            sweep={"id": sweep.id, "trial": trial.number, "seed": s}),
        runs.root, warn) for s, t in enumerate(trainers)]
    trial.set_user_attr("run_ids", [r.id for r in recorders if r.id is not None])
    streams = [t.run() for t in trainers]
    last: list[float | None] = [None] * len(trainers)
    ended: list[TrainingFinished | None] = [None] * len(trainers)
    epoch = 0
    pruned = False
    try:
        while not all(ended):
            epoch += 1
            for i, stream in enumerate(streams):
                if ended[i] is not None:
                    continue
                for event in stream:
                    recorders[i].record(event)
                    if isinstance(event, EpochFinished):
                        last[i] = getattr(event, metric)
                        break
                    if isinstance(event, TrainingFinished):
                        ended[i] = event
                        break
            epoch_values = [v for v, e in zip(last, ended) if v is not None and
                            (e is None or e.epochs_completed >= epoch)]
            if all(ended) and not any(e.epochs_completed >= epoch for e in ended):
                break
            if epoch_values:
                value = float(sum(epoch_values) / len(epoch_values))
                trial.report(value, epoch)
                trial.set_user_attr("epochs", epoch)
                on_epoch(EpochReport(trial.number, epoch, config.epochs, value))
                if not all(ended) and (trial.should_prune() or should_stop()):
                    pruned = trial.should_prune()
                    for trainer in trainers:
                        trainer.stop()
                    for i, stream in enumerate(streams):  # record the runs' ends
                        for event in stream:
                            recorders[i].record(event)
                    if pruned:
                        raise optuna.TrialPruned(f"pruned after epoch {epoch}")
                    raise SweepStopped(f"stopped after epoch {epoch}")
    except BaseException as exc:
        interrupted = pruned or _is_interruption(exc)
        for recorder in recorders:
            recorder.finish("stopped" if interrupted else "failed")
        raise
    finals = []
    for trainer, end, seen in zip(trainers, ended, last):
        if end is not None and end.reason == "diverged":
            # the trainer kept its last finite weights: score those
            data = trainer.dataset
            X, y = (data.X_val, data.y_val) if metric == "val_accuracy" else (
                data.X_test, data.y_test)
            finals.append(evaluate(trainer.model, X, y, trainer.config.loss)[1])
            trial.set_user_attr("message", printable(end.message)[:500])
        elif seen is not None:
            finals.append(seen)
    if not finals or not all(math.isfinite(v) for v in finals):
        raise SweepError("no epoch was measured")
    return float(sum(finals) / len(finals))


def run_worker(sweep: Sweep, *, data_dir: Path | None = None, home: str | Path | None = None,
               seed: int | None = None,
               on_epoch: Callable[[EpochReport], None] = lambda report: None,
               on_trial: Callable[[TrialInfo], None] = lambda info: None,
               warn: Callable[[str], None] = lambda message: None,
               should_stop: Callable[[], bool] = lambda: False) -> int:
    """Pull trials from ``sweep`` until none is left (or ``should_stop()``); returns how
    many this worker ran. BLAS threads are the process's business (``sweep worker
    --blas-threads``): limits set here would hold for every thread of the process."""
    return _worker_loop(sweep, data_dir, home, seed, on_epoch, on_trial, warn, should_stop)


def _worker_loop(sweep, data_dir, home, seed, on_epoch, on_trial, warn, should_stop):  # noqa: ANN001, ANN202, PLR0913
    optuna = import_optuna()
    definition = sweep.definition
    seed = seed if seed is not None else (os.getpid() * 7919 + int(time.time())) % 2**31
    study = sweep.study(sampler=_sampler_for(definition, seed), pruner=_pruner_for(definition))
    runs = RunStore(home)
    datasets = _Datasets(data_dir)
    done = 0
    while not should_stop():
        recover_interrupted(study)
        if not work_left(study.get_trials(deepcopy=False), definition):
            break
        taken: list[int] = []

        def objective(trial: Any) -> float:
            taken.append(trial.number)
            if definition.sampler == "grid" and "fixed_params" not in \
                    study._storage.get_trial(trial._trial_id).system_attrs:  # noqa: SLF001
                # the last queued point went to another worker between our look and ask
                trial.set_user_attr("extra", True)
                raise _GridTaken
            try:
                return _train_trial(trial, sweep, runs, datasets, on_epoch, warn, should_stop)
            except optuna.TrialPruned:
                raise
            except BaseException as exc:
                try:
                    if _is_interruption(exc):
                        trial.set_user_attr("interrupted", True)  # resume runs it again
                    trial.set_user_attr("message",
                                        printable(f"{exc}" or type(exc).__name__)[:500])
                except Exception:  # noqa: BLE001 - a signal may have cut a storage write
                    pass  # short: the first error (the signal's) is the one to report
                raise

        # a trial that fails (a bad combination, out of memory) is recorded as failed and
        # the worker goes on; Ctrl+C and signals end the worker after marking it failed
        study.optimize(objective, n_trials=1, catch=(MnistGuiError, _GridTaken, ValueError,
                                                     ArithmeticError, MemoryError))
        if taken:
            frozen = study._storage.get_trial(  # noqa: SLF001
                study._storage.get_trial_id_from_study_id_trial_number(  # noqa: SLF001
                    study._study_id, taken[0]))  # noqa: SLF001
            infos = sweep.trials([frozen])
            if infos:
                done += 1
                on_trial(infos[0])
    return done


class SweepStopped(MnistGuiError):
    """The worker was asked to stop (``should_stop``) during a trial."""


def _is_interruption(exc: BaseException) -> bool:
    # StopSignal: the CLI's SIGTERM/SIGHUP (cli.py), not importable here
    return isinstance(exc, (KeyboardInterrupt, SystemExit, SweepStopped)) or \
        type(exc).__name__ == "StopSignal"


class _GridTaken(Exception):
    """A grid worker asked for a trial after the last queued point was taken."""


# ---------------------------------------------------------------------- worker processes


def start_worker_processes(sweep: Sweep, workers: int, home: str | Path | None = None,
                           data_dir: str | Path | None = None, quiet: bool = True) -> list[Any]:
    """Start ``workers`` ``mnist-gui sweep worker`` processes on this machine (Popen
    objects), each with its share of the cores' BLAS threads; they record their runs in
    ``home``'s run store. They are independent processes: the caller may end, they go on."""
    import subprocess
    import sys

    threads = blas_threads_per_worker(workers)
    command = [sys.executable, "-m", "mnist_gui", "sweep", "worker", sweep.id,
               "--storage", sweep.storage_url, "--blas-threads", str(threads)]
    if quiet:
        command.append("--quiet")
    if data_dir is not None:
        command += ["--data", str(data_dir)]
    # the BLAS libraries read these when they load: each worker starts with its share
    env = {**os.environ, **{name: str(threads) for name in (
        "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}}
    if home is not None:
        env["MNIST_GUI_HOME"] = str(home)
    return [subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
            for _ in range(workers)]
