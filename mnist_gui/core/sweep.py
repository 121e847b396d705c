"""Sweeps: many settings searched at once, on one machine or many, with Optuna.

A sweep is an Optuna study. Its definition (the base settings, what is searched and how) is
kept in the study's own storage, which is the only thing workers share: a worker anywhere
that can reach the storage can pull trials (``run_worker``). Every trial trains one
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

import itertools
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
from typing import Any, Callable

from .config import SETTINGS_BY_NAME, Setting, TrainConfig
from .errors import ConfigError, MnistGuiError
from .runs import RunStore, _pid_alive, printable

SAMPLERS = ("grid", "random", "tpe")
PRUNERS = ("none", "median", "halving")
METRICS = {"val": "val_accuracy", "test": "test_accuracy"}
#: the study's user attribute that holds the sweep's definition
DEFINITION_ATTR = "mnist_gui_sweep"
SWEEP_FORMAT = "mnist-gui-sweep"
#: the median pruner compares with at least this many finished trials (a median of fewer
#: is noise, and would stop the second trial for being below the first)
MEDIAN_STARTUP_TRIALS = 3
#: an interrupted trial is queued again at most this many times
MAX_RETRIES = 2
#: PostgreSQL: a running trial whose worker sent no heartbeat for this long is failed
HEARTBEAT_SECONDS = 10
GRACE_SECONDS = 30
MAX_GRID = 10_000
#: validation images a sweep holds out when its base settings hold out none
DEFAULT_VALIDATION = 5_000


class SweepError(MnistGuiError):
    """A sweep that does not exist, a storage that cannot be used, a bad search."""


# -------------------------------------------------------------------------- search space


def _encode(setting: Setting, value: Any) -> Any:
    """A setting's value as an Optuna categorical choice (None, bool, int, float or str)."""
    if setting.kind in ("int_list", "digits"):
        return "none" if value is None else ",".join(str(v) for v in value)
    if setting.kind == "choice_list":
        return "none" if value is None else ",".join(value)
    return value


def _decode(setting: Setting, value: Any) -> Any:
    if setting.kind in ("int_list", "digits", "choice_list"):
        if value == "none":
            return None
        parts = str(value).split(",")
        return [int(p) for p in parts] if setting.kind != "choice_list" else parts
    return value


@dataclass(frozen=True)
class ParamSpec:
    """What one setting takes in a sweep: a set of ``values`` (a list or a choice), or a
    range ``low..high`` (``log``: sampled uniformly in log space; ``integer``: whole numbers)."""

    name: str
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def setting(self) -> Setting:
        return SETTINGS_BY_NAME[self.name]

    def suggest(self, trial: Any) -> Any:
        """The setting's value for an Optuna ``trial``."""
        if self.is_range:
            if self.integer:
                value: Any = trial.suggest_int(self.name, int(self.low), int(self.high),
                                               log=self.log)
                return [value] if self.setting.kind == "int_list" else value
            return trial.suggest_float(self.name, self.low, self.high, log=self.log)
        choice = trial.suggest_categorical(self.name, [_encode(self.setting, v)
                                                       for v in self.values])
        return _decode(self.setting, choice)

    def decode(self, optuna_value: Any) -> Any:
        """A stored trial parameter as the setting's value."""
        if self.is_range:
            if self.integer:
                value = int(optuna_value)
                return [value] if self.setting.kind == "int_list" else value
            return float(optuna_value)
        return _decode(self.setting, optuna_value)

    def describe(self) -> str:
        if self.is_range:
            return f"{self.name}={self.low:g}..{self.high:g}" + (":log" if self.log else "")
        return f"{self.name}=" + "|".join(_encode(self.setting, v) if not isinstance(v, str)
                                          else v for v in map(_show, self.values))

    def to_json(self) -> dict:
        return {"name": self.name, "values": list(self.values), "low": self.low,
                "high": self.high, "log": self.log, "integer": self.integer}

    @classmethod
    def from_json(cls, data: dict) -> ParamSpec:
        values = tuple(tuple(v) if isinstance(v, list) else v for v in data.get("values", []))
        values = tuple(list(v) if isinstance(v, tuple) else v for v in values)
        return cls(name=data["name"], values=tuple(values), low=data.get("low"),
                   high=data.get("high"), log=bool(data.get("log")),
                   integer=bool(data.get("integer")))


def _show(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "none" if value is None else str(value)


def _parse_value(setting: Setting, text: str) -> Any:
    """One alternative of a list or choice, as the setting's value (checked by it)."""
    text = text.strip()
    where = f"{setting.label} ({setting.name})"
    try:
        if setting.kind == "float":
            value: Any = float(text)
        elif setting.kind == "int":
            words = {label.split()[0].lower(): v for v, label in (setting.special or {}).items()}
            value = words[text.lower()] if text.lower() in words else int(text)
        elif setting.kind == "bool":
            lowered = text.lower()
            if lowered not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                raise ValueError
            value = lowered in ("true", "yes", "1", "on")
        elif setting.kind in ("int_list", "digits"):
            value = None if text.lower() in ("none", "all", "") and setting.kind == "digits" \
                else [int(part) for part in text.split(",")]
        elif setting.kind == "choice_list":
            value = None if text.lower() in ("none", "") else [p.strip() for p in text.split(",")]
        else:
            value = text
    except ValueError:
        raise ConfigError(f"{where}: cannot read {text!r} as a {setting.kind.replace('_', ' ')}"
                          ) from None
    setting.check(value)
    return value


def parse_param(text: str) -> ParamSpec:
    """``NAME=SPEC``: a list ``hidden=64,128,256``, a choice ``activation=relu|tanh`` or a
    range ``lr=1e-3..1:log``. List settings take one layer list per ``|`` alternative
    (``hidden=256,128|512``: two networks), or one single-layer network per comma.
    Raises ConfigError naming what is wrong (unknown setting, value out of its range...)."""
    name, sep, spec = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name or not spec.strip():
        raise ConfigError(f"--param {text!r}: expected NAME=SPEC, e.g. lr=1e-3..1:log, "
                          "hidden=64,128,256 or activation=relu|tanh")
    setting = SETTINGS_BY_NAME.get(name)
    if setting is None:
        raise ConfigError(f"--param {text!r}: unknown setting {name!r}; the settings are "
                          + ", ".join(SETTINGS_BY_NAME))
    spec = spec.strip()
    if ".." in spec:
        return _parse_range(setting, text, spec)
    if "|" in spec:
        parts = spec.split("|")
    elif setting.kind in ("int", "float", "int_list"):
        parts = spec.split(",")
    else:
        parts = [spec]
    values: list[Any] = []
    for part in parts:
        try:
            value = _parse_value(setting, part)
        except ConfigError as exc:
            raise ConfigError(f"--param {text!r}: {exc}") from None
        if value not in values:
            values.append(value)
    return ParamSpec(name=name, values=tuple(values))


def _parse_range(setting: Setting, text: str, spec: str) -> ParamSpec:
    body, _, option = spec.partition(":")
    low_text, _, high_text = body.partition("..")
    if setting.kind not in ("int", "float") and not (setting.kind == "int_list"):
        raise ConfigError(f"--param {text!r}: {setting.name} is a {setting.kind.replace('_', ' ')}"
                          "; a range needs a number setting (give a list a|b instead)")
    if option not in ("", "log"):
        raise ConfigError(f"--param {text!r}: unknown range option {option!r} (only :log)")
    integer = setting.kind in ("int", "int_list")
    try:
        low, high = (int(low_text), int(high_text)) if integer else (
            float(low_text), float(high_text))
    except ValueError:
        kind = "whole numbers" if integer else "numbers"
        raise ConfigError(f"--param {text!r}: a range is LOW..HIGH with two {kind}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ConfigError(f"--param {text!r}: the range must go from low to high (low < high)")
    if option == "log" and low <= 0:
        raise ConfigError(f"--param {text!r}: a log range needs low > 0")
    for end in (low, high):
        try:
            setting.check([end] if setting.kind == "int_list" else end)
        except ConfigError as exc:
            raise ConfigError(f"--param {text!r}: {exc}") from None
    return ParamSpec(name=setting.name, low=low, high=high, log=option == "log",
                     integer=integer)


# ---------------------------------------------------------------------------- definition


@dataclass
class SweepDefinition:
    """What a sweep searches and how. ``base``: the settings every trial starts from (a
    preset, or the GUI's form); ``n_trials``: how many trials (a grid: its size)."""

    params: list[ParamSpec]
    base: dict = field(default_factory=dict)
    sampler: str = "tpe"
    n_trials: int = 20
    prune: str = "none"
    metric: str = "val"
    seeds: int = 1
    name: str = ""
    workers: int = 1

    def check(self) -> SweepDefinition:
        """Refuse, before anything starts, what cannot run (ConfigError)."""
        if not self.params:
            raise ConfigError("a sweep needs at least one --param NAME=SPEC")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ConfigError(f"--param given twice for {', '.join(twice)}")
        if self.sampler not in SAMPLERS:
            raise ConfigError(f"--sampler {self.sampler!r}: expected one of {', '.join(SAMPLERS)}")
        if self.prune not in PRUNERS:
            raise ConfigError(f"--prune {self.prune!r}: expected one of {', '.join(PRUNERS)}")
        if self.metric not in METRICS:
            raise ConfigError(f"--metric {self.metric!r}: expected one of {', '.join(METRICS)}")
        if not 1 <= self.seeds <= 100:
            raise ConfigError(f"--seeds {self.seeds}: expected 1 to 100")
        if self.seeds > 1 and "seed" in names:
            raise ConfigError("--seeds and --param seed: sweep the seed or repeat seeds, not both")
        if not 1 <= self.workers <= 256:
            raise ConfigError(f"--workers {self.workers}: expected 1 to 256")
        if not 1 <= self.n_trials <= 100_000:
            raise ConfigError(f"--trials {self.n_trials}: expected 1 to 100000")
        base = self.base_config()
        if self.sampler == "grid":
            ranges = [p.describe() for p in self.params if p.is_range]
            if ranges:
                raise ConfigError(f"the grid sampler needs lists or choices, not ranges: "
                                  f"{', '.join(ranges)} (use --sampler random or tpe)")
            size = math.prod(len(p.values) for p in self.params)
            if size > MAX_GRID:
                raise ConfigError(f"the grid has {size:,} points; at most {MAX_GRID:,}")
            for point in self.grid():  # every point must be a valid configuration
                self.config_for(point)
            self.n_trials = size
        else:
            for param in self.params:  # each value (or end of a range) with the base
                ends = param.values if not param.is_range else [param.decode(param.low),
                                                                 param.decode(param.high)]
                for value in ends:
                    self.config_for({param.name: value})
        if self.metric == "val":
            validations = next((p for p in self.params if p.name == "validation"), None)
            values = ([base.validation] if validations is None else
                      list(validations.values) or [validations.low])
            if any(not v for v in values):
                raise ConfigError(
                    "choosing by validation accuracy (--metric val, the default) needs "
                    "validation images, and these settings hold out none: add "
                    "--param validation=5000 (chosen by test accuracy, the sweep would fit the "
                    "test set; see the README)")
        return self

    def hold_out_validation(self) -> bool:
        """Choosing by validation accuracy from settings that hold out no validation images
        (e.g. the fast preset): hold out DEFAULT_VALIDATION. True if it did."""
        if self.metric != "val" or any(p.name == "validation" for p in self.params) or \
                self.base.get("validation"):
            return False
        self.base = {**self.base, "validation": DEFAULT_VALIDATION}
        return True

    def base_config(self) -> TrainConfig:
        return TrainConfig.from_dict(self.base)

    def config_for(self, values: dict[str, Any]) -> TrainConfig:
        """The base settings with ``values`` (setting -> value), checked (ConfigError)."""
        config = self.base_config().updated(**values)
        if "hidden" in values and config.hidden_activations is not None and \
                len(config.hidden_activations) != len(config.hidden) and \
                "hidden_activations" not in values:
            config = config.updated(hidden_activations=None)  # per-layer names follow depth
        return config.check()

    def grid(self) -> list[dict[str, Any]]:
        """Every point of a grid, in order (the last parameter varies fastest)."""
        names = [p.name for p in self.params]
        return [dict(zip(names, combo)) for combo in
                itertools.product(*(p.values for p in self.params))]

    def to_json(self) -> dict:
        return {"format": SWEEP_FORMAT, "version": 1, "name": self.name, "base": self.base,
                "params": [p.to_json() for p in self.params], "sampler": self.sampler,
                "n_trials": self.n_trials, "prune": self.prune, "metric": self.metric,
                "seeds": self.seeds, "workers": self.workers}

    @classmethod
    def from_json(cls, data: dict) -> SweepDefinition:
        if not isinstance(data, dict) or data.get("format") != SWEEP_FORMAT:
            raise SweepError("this study is not an mnist-gui sweep")
        try:
            return cls(params=[ParamSpec.from_json(p) for p in data["params"]],
                       base=dict(data["base"]), sampler=data["sampler"],
                       n_trials=int(data["n_trials"]), prune=data["prune"],
                       metric=data["metric"], seeds=int(data["seeds"]),
                       name=str(data.get("name", "")), workers=int(data.get("workers", 1)))
        except (KeyError, TypeError, ValueError) as exc:
            raise SweepError(f"the sweep's definition cannot be read ({exc})") from None


# ------------------------------------------------------------------------------- storage


def _optuna():  # noqa: ANN202 - the module, imported on first use (a second or so)
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
    optuna = _optuna()
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
        optuna = _optuna()
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
        return "interrupted" if _work_left(frozen, self.definition) else "finished"

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
        optuna = _optuna()
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


def _work_left(frozen: list[Any], definition: SweepDefinition) -> bool:
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
    optuna = _optuna()
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
        optuna = _optuna()
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
                    study.enqueue_trial({p.name: _encode(p.setting, point[p.name])
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
        optuna = _optuna()
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
        optuna = _optuna()
        optuna.delete_study(study_name=sweep_id, storage=sweep.storage)
        if sweep.folder is not None:
            shutil.rmtree(sweep.folder, ignore_errors=True)
        return sum(len(t.user_attrs.get("run_ids", [])) for t in frozen)


# ------------------------------------------------------------------------------- workers


def blas_threads_per_worker(workers: int) -> int:
    """This machine's cores split between ``workers`` processes (at least 1 each), so the
    workers' BLAS threads together do not oversubscribe the cores."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, workers))


def _sampler_for(definition: SweepDefinition, seed: int) -> Any:
    optuna = _optuna()
    if definition.sampler == "grid":
        return optuna.samplers.GridSampler(
            {p.name: [_encode(p.setting, v) for v in p.values] for p in definition.params},
            seed=seed)
    if definition.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    # constant liar: running trials count as bad guesses, so parallel workers spread out
    return optuna.samplers.TPESampler(seed=seed, constant_liar=True)


def _pruner_for(definition: SweepDefinition) -> Any:
    optuna = _optuna()
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
    optuna = _optuna()
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
               blas_threads: int | None = None, seed: int | None = None,
               on_epoch: Callable[[EpochReport], None] = lambda report: None,
               on_trial: Callable[[TrialInfo], None] = lambda info: None,
               warn: Callable[[str], None] = lambda message: None,
               should_stop: Callable[[], bool] = lambda: False) -> int:
    """Pull trials from ``sweep`` until none is left (or ``should_stop()``); returns how
    many this worker ran. ``blas_threads``: this process's share of the cores."""
    limiter = None
    if blas_threads:
        from threadpoolctl import threadpool_limits

        limiter = threadpool_limits(limits=blas_threads, user_api="blas")
    try:
        return _worker_loop(sweep, data_dir, home, seed, on_epoch, on_trial, warn, should_stop)
    finally:
        if limiter is not None:
            limiter.restore_original_limits()


def _worker_loop(sweep, data_dir, home, seed, on_epoch, on_trial, warn, should_stop):  # noqa: ANN001, ANN202, PLR0913
    optuna = _optuna()
    definition = sweep.definition
    seed = seed if seed is not None else (os.getpid() * 7919 + int(time.time())) % 2**31
    study = sweep.study(sampler=_sampler_for(definition, seed), pruner=_pruner_for(definition))
    runs = RunStore(home)
    datasets = _Datasets(data_dir)
    done = 0
    while not should_stop():
        recover_interrupted(study)
        if not _work_left(study.get_trials(deepcopy=False), definition):
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
                if _is_interruption(exc):
                    trial.set_user_attr("interrupted", True)  # resume runs it again
                trial.set_user_attr("message", printable(f"{exc}" or type(exc).__name__)[:500])
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
