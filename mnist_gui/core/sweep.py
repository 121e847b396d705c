"""Sweeps: many settings searched at once, on one machine or many, with Optuna.

A sweep is an Optuna study. Its definition (``sweep_space.SweepDefinition``: the base
settings, what is searched and how) is kept in the study's own storage, which is the only
thing workers share: a worker anywhere that can reach the storage can pull trials
(``sweep_worker.run_worker``). This module keeps sweeps (``SweepStore``) and reads them
(``Sweep``: trials, best, state, importances). Every trial trains one
configuration with ``seeds`` seeds, each an ordinary recorded run in the run store tagged
with the sweep's id, the trial's number and the seed's index, so the runs' views work on
it unchanged.

Storage (``--storage``):

* default: a journal file (Optuna's ``JournalStorage`` + ``JournalFileBackend``) in
  ``<home>/sweeps/<id>/journal.log``, shared by the local worker processes;
* ``journal:PATH`` (or a path): a journal file elsewhere, e.g. on a shared file system;
* ``postgresql://...``: Optuna's ``RDBStorage`` with heartbeats, for many machines.
  SQLite is refused: Optuna's FAQ advises against it for parallel workers (one writer at a
  time, and file locks that network file systems break).

A trial whose worker was killed (kill -9, a lost machine) stays "running" in the storage.
PostgreSQL notices by its heartbeat (``RDBStorage(heartbeat_interval=...)``) and Optuna's
``RetryHeartbeatStaleTrialCallback`` queues it again. A journal file has no heartbeat, so
every worker (and ``sweep resume``) checks the running trials of its own machine: a trial
whose worker process is gone is marked failed and queued again with the same parameters
(``recover_interrupted``). Completed trials are never run again.
"""

from __future__ import annotations

import json
import logging
import math
import os
import secrets
import shutil
import socket
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import MnistGuiError
from .runs import RunStore, _pid_alive, printable
from .sweep_space import (  # noqa: F401 - the sweep's API in one place
    DEFAULT_VALIDATION,
    METRICS,
    PRUNERS,
    SAMPLERS,
    SWEEP_FORMAT,
    ParamSpec,
    SweepDefinition,
    SweepError,
    encode_value,
    parse_param,
)

#: the study's user attribute that holds the sweep's definition
DEFINITION_ATTR = "mnist_gui_sweep"
#: an interrupted trial is queued again at most this many times
MAX_RETRIES = 2
#: PostgreSQL: a running trial whose worker sent no heartbeat for this long is failed
HEARTBEAT_SECONDS = 10
GRACE_SECONDS = 30


# ------------------------------------------------------------------------------- storage


def import_optuna():  # noqa: ANN202 - the module, imported on first use (a second or so)
    import optuna

    # a failed trial is told by the worker's own line, with its message (no traceback)
    optuna.logging.set_verbosity(logging.ERROR)
    return optuna


def check_storage_url(url: str | None) -> None:
    """Refuse a storage that cannot be shared by parallel workers (SQLite) or is unknown."""
    if not url or url.startswith("journal:") or "://" not in url:
        return
    scheme = url.split("://", 1)[0].lower()
    if scheme.startswith("sqlite"):
        raise SweepError("SQLite storage is not for parallel workers (Optuna's FAQ: one "
                         "writer at a time, and its locks fail on network file systems); use "
                         "the default journal file, journal:PATH, or postgresql://...")
    if not scheme.startswith(("postgresql", "mysql")):
        raise SweepError(f"unknown storage {printable(scheme)}://; expected postgresql://..., "
                         "journal:PATH or nothing (a journal file in the run store)")


def open_storage(url: str) -> Any:
    """An Optuna storage for ``url`` (journal:PATH, a path, or a database URL)."""
    check_storage_url(url)
    optuna = import_optuna()
    if url.startswith("journal:") or "://" not in url:
        path = url[len("journal:"):] if url.startswith("journal:") else url
        from optuna.storages.journal import (JournalFileBackend, JournalFileOpenLock,
                                             JournalFileSymlinkLock)

        lock = (JournalFileOpenLock if os.name == "nt" else JournalFileSymlinkLock)(path)
        try:
            return optuna.storages.JournalStorage(JournalFileBackend(path, lock_obj=lock))
        except OSError as exc:
            raise SweepError(f"cannot open the sweep's journal {printable(path)}: "
                             f"{exc.strerror or exc}") from None
    from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

    try:
        with warnings.catch_warnings():  # heartbeats are "experimental" since Optuna 2.8
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return RDBStorage(
                url, heartbeat_interval=HEARTBEAT_SECONDS, grace_period=GRACE_SECONDS,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(
                    max_retry=MAX_RETRIES))
    except ImportError as exc:
        raise SweepError(f"the database driver is missing ({exc}); install "
                         "mnist-gui[postgres]") from None
    except Exception as exc:  # noqa: BLE001 - sqlalchemy's errors: cannot connect, bad URL
        raise SweepError(f"cannot open the storage {_hide_password(url)}: "
                         f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                         ) from None


def _hide_password(url: str) -> str:
    if "://" in url and "@" in url.split("://", 1)[1]:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return printable(f"{scheme}://{user}:***@{host}")
    return printable(url)


# --------------------------------------------------------------------------------- trials


@dataclass
class TrialInfo:
    """One trial as ``sweep show`` gives it. ``value``: the metric (mean over seeds) at
    the trial's end; ``curve``: the metric after each epoch (mean over seeds)."""

    number: int
    state: str  # complete / pruned / failed / running
    params: dict[str, Any]
    value: float | None
    epochs: int
    run_ids: list[str]
    curve: dict[int, float]
    retry_of: int | None = None
    message: str = ""

    def to_json(self) -> dict:
        return {"number": self.number, "run_id": self.run_ids[0] if self.run_ids else None,
                "run_ids": self.run_ids, "params": self.params, "state": self.state,
                "value": self.value, "epochs": self.epochs, "retry_of": self.retry_of,
                "message": self.message}


_STATE_NAMES = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed",
                "RUNNING": "running", "WAITING": "waiting"}


class Sweep:
    """One sweep: its id (the study's name), storage and definition."""

    def __init__(self, sweep_id: str, storage_url: str, storage: Any, folder: Path | None,
                 definition: SweepDefinition) -> None:
        self.id = sweep_id
        self.storage_url = storage_url
        self.storage = storage
        self.folder = folder
        self.definition = definition

    def study(self, sampler: Any = None, pruner: Any = None) -> Any:
        optuna = import_optuna()
        try:
            return optuna.load_study(study_name=self.id, storage=self.storage, sampler=sampler,
                                     pruner=pruner)
        except KeyError:
            raise SweepError(f"no sweep {printable(repr(self.id))} in its storage") from None

    def frozen_trials(self) -> list[Any]:
        return self.study().get_trials(deepcopy=False)

    def trials(self, frozen: list[Any] | None = None) -> list[TrialInfo]:
        """Every trial that has started, in order (queued ones are left out)."""
        specs = {p.name: p for p in self.definition.params}
        infos = []
        for t in frozen if frozen is not None else self.frozen_trials():
            state = _STATE_NAMES.get(t.state.name, t.state.name.lower())
            if state == "waiting" or t.user_attrs.get("extra"):
                continue
            curve = {int(k): float(v) for k, v in t.intermediate_values.items()}
            value = t.value if t.state.name == "COMPLETE" else (
                curve[max(curve)] if curve else None)
            params = {name: specs[name].decode(v) if name in specs else v
                      for name, v in t.params.items()}
            infos.append(TrialInfo(
                number=t.number, state=state, params=params,
                value=None if value is None or not math.isfinite(value) else float(value),
                epochs=int(t.user_attrs.get("epochs", len(curve))),
                run_ids=list(t.user_attrs.get("run_ids", [])), curve=curve,
                retry_of=t.user_attrs.get("retry_of", t.system_attrs.get("failed_trial")),
                message=str(t.user_attrs.get(
                    "message", ""))))
        return infos

    def best(self, infos: list[TrialInfo] | None = None) -> TrialInfo | None:
        """The completed trial with the highest metric (the first of equals)."""
        done = [t for t in (infos if infos is not None else self.trials())
                if t.state == "complete" and t.value is not None]
        return max(done, key=lambda t: (t.value, -t.number)) if done else None

    def state(self, frozen: list[Any] | None = None) -> str:
        """"running" (a trial runs), "finished", or "interrupted" (trials left, no worker)."""
        frozen = frozen if frozen is not None else self.frozen_trials()
        if any(t.state.name == "RUNNING" and not _interrupted(t) for t in frozen):
            return "running"
        return "interrupted" if work_left(frozen, self.definition) else "finished"

    def summary(self) -> dict:
        """The ``sweep show --json`` object."""
        frozen = self.frozen_trials()
        infos = self.trials(frozen)
        best = self.best(infos)
        definition = self.definition
        return {
            "id": self.id, "name": definition.name, "state": self.state(frozen),
            "storage": _hide_password(self.storage_url) if self.folder is None or
            self.storage_url != _default_journal(self.folder) else None,
            "sampler": definition.sampler, "prune": definition.prune,
            "metric": definition.metric, "seeds": definition.seeds,
            "n_trials": definition.n_trials, "workers": definition.workers,
            "params": [p.describe() for p in definition.params], "base": definition.base,
            "trials": [t.to_json() for t in infos],
            "best": None if best is None else {"number": best.number, "params": best.params,
                                               "value": best.value,
                                               "run_id": best.run_ids[0] if best.run_ids
                                               else None},
        }

    def importances(self) -> dict[str, float]:
        """Each swept setting's importance for the metric (Optuna's default evaluator),
        from the completed trials; empty with fewer than 2 or one parameter that varies."""
        optuna = import_optuna()
        study = self.study()
        done = [t for t in study.get_trials(deepcopy=False) if t.state.name == "COMPLETE"]
        varied = [p.name for p in self.definition.params
                  if len({json.dumps(t.params.get(p.name)) for t in done}) > 1]
        if len(done) < 2 or not varied:
            return {}
        try:
            return dict(optuna.importance.get_param_importances(study, params=varied))
        except (RuntimeError, ValueError, ZeroDivisionError):
            return {}


def _interrupted(trial: Any) -> bool:
    """A running trial whose worker, on this machine, is gone."""
    worker = trial.user_attrs.get("worker")
    if not isinstance(worker, dict) or worker.get("host") != socket.gethostname():
        return False  # started by another machine: its storage's heartbeat tells
    if os.name != "posix":
        return False  # a process's liveness is read from POSIX only (runs._pid_alive)
    return not _pid_alive(worker.get("pid"), float(worker.get("started", 0.0)))


def work_left(frozen: list[Any], definition: SweepDefinition) -> bool:
    """Whether a worker should ask for another trial: one is queued, or (random, TPE)
    fewer than ``n_trials`` have started and fewer than that have failed."""
    states = Counter(t.state.name for t in frozen if not t.user_attrs.get("extra"))
    if states["WAITING"]:
        return True
    if definition.sampler == "grid":
        return False  # every point was queued when the sweep was made
    started = states["COMPLETE"] + states["PRUNED"] + states["RUNNING"]
    retried = _retried(frozen)
    failed = states["FAIL"] - sum(1 for t in frozen if t.state.name == "FAIL"
                                  and t.number in retried)
    return started < definition.n_trials and failed < definition.n_trials


def _retried(frozen: list[Any]) -> set[int]:
    """The numbers of the trials queued again (each retry names the trial it repeats)."""
    return {t.user_attrs["retries_trial"] for t in frozen if "retries_trial" in t.user_attrs}


def recover_interrupted(study: Any) -> list[int]:
    """Mark failed the running trials of this machine whose worker process is gone, and
    the trials stopped by Ctrl+C; queue each again with the same parameters (at most
    MAX_RETRIES times per original trial). Returns the numbers of the trials failed."""
    optuna = import_optuna()
    from optuna.trial import TrialState

    failed = []
    storage = study._storage  # noqa: SLF001 - Optuna's documented way to edit a trial's state
    trials = study.get_trials(deepcopy=False)
    retried = _retried(trials)  # a finished trial's attributes cannot change: ask its retry
    for trial in trials:
        stale = trial.state == TrialState.RUNNING and _interrupted(trial)
        stopped = trial.state == TrialState.FAIL and trial.user_attrs.get("interrupted")
        if not stale and (not stopped or trial.number in retried):
            continue
        if stale:
            try:
                if not storage.set_trial_state_values(trial._trial_id, TrialState.FAIL):
                    continue
            except RuntimeError:  # finished meanwhile (another worker recovered it)
                continue
            failed.append(trial.number)
        retries = int(trial.user_attrs.get("retries", 0)) + 1
        if retries > MAX_RETRIES:
            continue
        study.add_trial(optuna.create_trial(
            state=TrialState.WAITING, params=trial.params, distributions=trial.distributions,
            user_attrs={"retry_of": trial.user_attrs.get("retry_of", trial.number),
                        "retries": retries, "retries_trial": trial.number},
            system_attrs={"fixed_params": trial.params}))
    return failed


# ------------------------------------------------------------------------------- the store


def _default_journal(folder: Path) -> str:
    return "journal:" + str(folder / "journal.log")


def _new_sweep_id() -> str:
    return "sweep-" + time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


class SweepStore:
    """The sweeps under ``<home>/sweeps``: one folder each, with ``sweep.json`` (where its
    storage is) and, by default, the journal file that is its storage."""

    def __init__(self, home: str | Path | None = None) -> None:
        self.runs = RunStore(home)
        self.root = self.runs.home / "sweeps"

    def create(self, definition: SweepDefinition, storage_url: str | None = None) -> Sweep:
        """A new sweep (checked first); its trials wait for workers (``run_worker``)."""
        definition.check()
        check_storage_url(storage_url)
        optuna = import_optuna()
        sweep_id = _new_sweep_id()
        folder = self.root / sweep_id
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise SweepError(f"cannot make the sweep's folder {printable(folder)}: "
                             f"{exc.strerror or exc}") from None
        url = storage_url or _default_journal(folder)
        try:
            storage = open_storage(url)
            study = optuna.create_study(study_name=sweep_id, storage=storage,
                                        direction="maximize")
            study.set_user_attr(DEFINITION_ATTR, definition.to_json())
            if definition.sampler == "grid":
                # every point queued now: a worker pops one atomically, so two workers never
                # take the same point (GridSampler's own pick can, near the grid's end)
                for point in definition.grid():
                    study.enqueue_trial({p.name: encode_value(p.setting, point[p.name])
                                         for p in definition.params})
            self._write_info(folder, sweep_id, None if storage_url is None else url)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Sweep(sweep_id, url, storage, folder, definition)

    @staticmethod
    def _write_info(folder: Path, sweep_id: str, storage_url: str | None) -> None:
        path = folder / "sweep.json"
        # owner-only: a database URL may carry a password
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"format": SWEEP_FORMAT, "id": sweep_id, "storage": storage_url,
                       "created": time.time()}, fh)

    def ids(self) -> list[str]:
        """The sweeps of this store, oldest first."""
        try:
            return sorted(p.name for p in self.root.iterdir()
                          if p.is_dir() and not p.is_symlink() and (p / "sweep.json").exists())
        except OSError:
            return []

    def get(self, sweep_id: str, storage_url: str | None = None) -> Sweep:
        """The sweep ``sweep_id``: in this store, or (``storage_url``) in that storage."""
        folder = self._folder(sweep_id)
        url = storage_url
        if url is None:
            if folder is None:
                raise SweepError(f"no sweep {printable(repr(sweep_id))} in {printable(self.root)}"
                                 " (a sweep made elsewhere: give --storage URL)")
            url = self._stored_url(folder) or _default_journal(folder)
        storage = open_storage(url)
        optuna = import_optuna()
        try:
            study = optuna.load_study(study_name=sweep_id, storage=storage)
        except KeyError:
            raise SweepError(f"no sweep {printable(repr(sweep_id))} in "
                             f"{_hide_password(url)}") from None
        definition = SweepDefinition.from_json(study.user_attrs.get(DEFINITION_ATTR))
        return Sweep(sweep_id, url, storage, folder, definition)

    def _folder(self, sweep_id: str) -> Path | None:
        if not isinstance(sweep_id, str) or not sweep_id or sweep_id in (".", "..") or \
                "/" in sweep_id or os.sep in sweep_id or "\0" in sweep_id:
            raise SweepError(f"no sweep {printable(repr(sweep_id))}")
        folder = self.root / sweep_id
        return folder if (folder / "sweep.json").is_file() and not folder.is_symlink() else None

    @staticmethod
    def _stored_url(folder: Path) -> str | None:
        try:
            info = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SweepError(f"{printable(folder / 'sweep.json')} cannot be read ({exc})") from None
        url = info.get("storage") if isinstance(info, dict) else None
        return url if isinstance(url, str) and url else None

    def delete(self, sweep_id: str, storage_url: str | None = None) -> int:
        """Delete a sweep that no live worker runs: its study and folder. Its runs stay in
        the run store (ordinary runs). Returns how many runs it had."""
        sweep = self.get(sweep_id, storage_url)
        frozen = sweep.frozen_trials()
        if sweep.state(frozen) == "running":
            raise SweepError(f"sweep {printable(sweep_id)} is running (a live worker trains "
                             "a trial); stop its workers first")
        optuna = import_optuna()
        optuna.delete_study(study_name=sweep_id, storage=sweep.storage)
        if sweep.folder is not None:
            shutil.rmtree(sweep.folder, ignore_errors=True)
        return sum(len(t.user_attrs.get("run_ids", [])) for t in frozen)


def seed_curves(infos: list[TrialInfo], runs: RunStore, metric: str = "val"
                ) -> dict[int, tuple[list[int], list[float], list[float]]]:
    """For trials trained with several seeds: trial number -> (epochs, mean, std) of the
    metric over the seeds' recorded runs (epochs that every seed reached)."""
    import numpy as np

    key = METRICS[metric]
    out = {}
    for info in infos:
        if len(info.run_ids) < 2:
            continue
        per_seed = []
        for run_id in info.run_ids:
            try:
                run = runs.get(run_id)
            except MnistGuiError:
                continue
            per_seed.append({e["epoch"]: e[key] for e in run.epochs if e.get(key) is not None})
        if len(per_seed) < 2:
            continue
        epochs = sorted(set.intersection(*(set(s) for s in per_seed)))
        if not epochs:
            continue
        values = np.array([[s[e] for e in epochs] for s in per_seed], np.float64)
        out[info.number] = (epochs, values.mean(axis=0).tolist(), values.std(axis=0).tolist())
    return out


@dataclass
class SweepSnapshot:
    """What one read of a sweep gives a viewer (the Sweeps view reads it off the GUI thread)."""

    id: str
    definition: SweepDefinition
    state: str
    trials: list[TrialInfo]  # in trial order
    seed_curves: dict = field(default_factory=dict)
    importances: dict | None = None  # None: not recomputed this time


def read_snapshot(home: str | Path, sweep_id: str, importance_after: int = -1) -> SweepSnapshot:
    """The sweep's trials (and its importances when more than ``importance_after`` trials
    have completed since they were last computed)."""
    store = SweepStore(home)
    sweep = store.get(sweep_id)
    frozen = sweep.frozen_trials()
    trials = sweep.trials(frozen)
    complete = sum(1 for t in trials if t.state == "complete")
    importances = sweep.importances() if complete != importance_after else None
    curves = seed_curves(trials, store.runs, sweep.definition.metric) \
        if sweep.definition.seeds > 1 else {}
    return SweepSnapshot(sweep_id, sweep.definition, sweep.state(frozen), trials, curves,
                         importances)
