"""The run store: every training run kept on disk, written so that nothing is lost.

One folder per run (MLflow's layout, TensorBoard's append-as-you-go)::

    <home>/runs/<id>/
      run.json              settings, name, start time, app version, parent run; the outcome
                            ("running" while it trains) and duration, rewritten atomically
      epochs.jsonl          one line per completed epoch, appended and fsync'd as it ends
      batches.jsonl         the batch-loss curve, one line per epoch, averaged into buckets
                            so a whole run keeps at most ~MAX_CURVE_POINTS points
      snapshots/epoch-0003.npz       the weights after epoch 3: a model file (float32, or
                                     float16 for large runs, see ``SnapshotPolicy``)
      snapshots/step-0001-0094.npz   ~10 snapshots inside the first epoch (epoch 1, batch 94)
      snapshots/epoch-0003.resume.npz  what continuing needs besides the weights (data order,
                                     random streams, optimiser state); every epoch for small
                                     runs, else only the latest (``resume.npz``)
      final.npz             the final weights, float32, a model file in the documented format
      name.json             the name given by a rename (the recorder never writes it, so a
                            rename during training outlives the run's end)
      lock                  locked by the recorder for the run's life (see "liveness" below)

``<home>`` is ``$MNIST_GUI_HOME`` or the platform's per-user data folder (platformdirs).
A run whose run.json still says "running" but whose recorder is gone was killed: it lists as
"interrupted" with every epoch it completed. Every record is read against a schema
(``RUN_SCHEMA``, ``EPOCH_SCHEMA``...); a run that fails it, or cannot be read (truncated JSON,
a run from a newer version, a symlinked folder, a missing snapshot), lists as damaged with the
reason and keeps what could be read; it never stops the others, the app or the CLI.
"""

from __future__ import annotations

import copy
import json
import math
import os
import secrets
import shutil
import stat
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from .config import TrainConfig
from .digit_history import DigitHistory
from .errors import ConfigError, MnistGuiError, ModelFileError
from .metrics import relative_change
from .model_file import json_safe, load_model, model_metadata, save_model, write_npz_atomically
from .network import MLP
from .training import (
    BatchFinished,
    EpochFinished,
    Trainer,
    TrainingFinished,
    TrainingStarted,
)

RUN_FORMAT = "mnist-gui-run"
RUN_VERSION = 1
MAX_CURVE_POINTS = 4000
FIRST_EPOCH_SNAPSHOTS = 10
#: Runs whose exact snapshots (weights + resume state, float32) would exceed this keep
#: float16 weights per epoch and the exact resume state of the latest epoch only.
EXACT_SNAPSHOT_BUDGET = 150 * 2**20


class RunStoreError(MnistGuiError):
    """A run that does not exist, or an operation a run cannot do."""


def default_home() -> Path:
    """$MNIST_GUI_HOME, or the per-user data folder (e.g. ~/.local/share/mnist-gui)."""
    home = os.environ.get("MNIST_GUI_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("mnist-gui", appauthor=False))


def _write_json_atomically(path: Path, value: Any) -> None:
    # the writer's pid in the name: a leftover is removed only once that process is gone
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(json_safe(value), fh, indent=1, allow_nan=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)


def _append_json_line(path: Path, value: Any) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(json_safe(value), allow_nan=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def printable(text: Any) -> str:
    """``text`` safe for a terminal: control and format characters (ESC, newlines, bidi
    overrides...) and undecodable bytes are shown as escapes (``\\x1b``, ``\\n``)."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _short_text(text: str, length: int = 100) -> str:
    return text if len(text) <= length else text[: length - 3] + "..."


def _short(value: Any) -> str:
    """A value in a reason, cut short (repr escapes what a terminal must not see)."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # a huge int, a deeply nested list
        return f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."


# ------------------------------------------------------------------------------- schema
#
# Every record the store reads is checked against one of the tables below (field -> rule).
# A record that fails is kept as far as it goes: each bad field falls back to its default,
# and the run lists as damaged with the first reason.


@dataclass(frozen=True)
class Rule:
    """What one stored field must be: ``test(value)`` (True, or False / the reason why not)
    and the words for it."""

    test: Callable[[Any], bool | str]
    expected: str
    required: bool = False
    default: Any = None


def _integer(low: int, high: int = 2**63 - 1) -> Callable[[Any], bool]:
    return lambda v: type(v) is int and low <= v <= high


def _number(low: float = -math.inf, high: float = math.inf) -> Callable[[Any], bool]:
    # type() not isinstance(): True is not a number here; huge ints fail (no OverflowError)
    return lambda v: ((type(v) is float and math.isfinite(v)) or
                      (type(v) is int and -2**63 <= v <= 2**63)) and low <= v <= high


def _or_none(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda v: v is None or test(v)


def _text(max_length: int = 10_000) -> Callable[[Any], bool]:
    return lambda v: type(v) is str and len(v) <= max_length


_any_number = _number()


def _numbers(v: Any) -> bool:
    return type(v) is list and all(_any_number(x) for x in v)


def _config(v: Any) -> bool | str:
    """A dict whose known settings each pass their own check (type and range)."""
    if type(v) is not dict:
        return False
    for key, value in v.items():
        verdict = _setting_verdict(key, value)
        if verdict is not True:
            return verdict
    return True


_verdicts: dict[tuple[str, str], bool | str] = {}  # runs share most values: check each once


def _setting_verdict(key: str, value: Any) -> bool | str:
    from .config import SETTINGS_BY_NAME

    if key not in SETTINGS_BY_NAME:
        return True
    try:
        token = (key, repr(value))
    except (ValueError, RecursionError):
        token = None
    if token in _verdicts:
        return _verdicts[token]
    try:
        SETTINGS_BY_NAME[key].check(value)
        verdict: bool | str = True
    except ConfigError as exc:
        verdict = f"'config': {_short_text(str(exc))}"
    except Exception:  # noqa: BLE001 - any failure of a stored value is "invalid"
        verdict = f"'config': {key!r} is {_short(value)}"
    if token is not None and len(_verdicts) < 10_000:
        _verdicts[token] = verdict
    return verdict


OUTCOMES = ("completed", "stopped", "diverged", "interrupted", "running", "failed")
MAX_PID = 2**32 - 1

RUN_SCHEMA: dict[str, Rule] = {
    "format": Rule(lambda v: v == RUN_FORMAT, f"{RUN_FORMAT!r}", required=True),
    "version": Rule(_integer(1, RUN_VERSION),
                    f"a run format up to {RUN_VERSION} (written by a newer mnist-gui?)",
                    required=True),
    "name": Rule(_text(), "a text", default=""),
    "config": Rule(_config, "the training settings", required=True, default={}),
    "started": Rule(_number(0, 1e11), "a time in seconds", required=True, default=0.0),
    "duration": Rule(_or_none(_number(0, 1e11)), "a number of seconds or null"),
    "outcome": Rule(lambda v: v in OUTCOMES, " or ".join(OUTCOMES), required=True,
                    default="damaged"),
    "pid": Rule(_or_none(_integer(1, MAX_PID)), "a process id"),
    "app_version": Rule(_text(100), "a version", default=""),
    "parent": Rule(_or_none(_text(255)), "a run id or null"),
    "parent_epoch": Rule(_or_none(_integer(0)), "an epoch or null"),
    "snapshot_dtype": Rule(lambda v: v in ("float32", "float16"), "float32 or float16",
                           default="float32"),
    "model": Rule(_or_none(lambda v: type(v) is dict), "the network's layers"),
    # true: the recorder holds <run>/lock while it lives (else liveness is by pid)
    "lock": Rule(lambda v: type(v) is bool, "true or false", default=False),
    # a sweep's trial: {"id": the sweep, "trial": its number, "seed": the seed's index}
    "sweep": Rule(_or_none(lambda v: _sweep_tag(v)), "a sweep's id, trial and seed, or null"),
}

def _sweep_tag(v: Any) -> bool:
    return (type(v) is dict and set(v) == {"id", "trial", "seed"} and _text(255)(v["id"])
            and _integer(0)(v["trial"]) and _integer(0)(v["seed"]))


_fraction = Rule(_or_none(_number(0, 1)), "a fraction or null")
_loss = Rule(_or_none(_number()), "a number or null")
_seconds = Rule(_or_none(_number(0)), "a number >= 0 or null")
EPOCH_SCHEMA: dict[str, Rule] = {
    "epoch": Rule(_integer(1), "a whole number >= 1", required=True),
    "epochs": Rule(_or_none(_integer(1)), "a whole number >= 1"),
    "train_loss": Rule(_or_none(_number()), "a number or null", required=True),
    "train_accuracy": _fraction,
    "val_loss": _loss,
    "val_accuracy": _fraction,
    "test_loss": _loss,
    "test_accuracy": Rule(_or_none(_number(0, 1)), "a fraction or null", required=True),
    "train_seconds": _seconds,
    "eval_seconds": _seconds,
    "samples_per_second": _seconds,
    "lr": _loss,
}

CURVE_SCHEMA: dict[str, Rule] = {
    key: Rule(_numbers, "a list of numbers", required=True, default=[])
    for key in ("steps", "losses", "accuracies")
}

NAME_SCHEMA: dict[str, Rule] = {"name": Rule(_text(), "a text", required=True, default="")}


def check_record(record: Any, schema: dict[str, Rule], where: str) -> tuple[dict, str | None]:
    """(the record's fields by ``schema``, each bad or missing one at its default; the first
    problem, or None). Fields the schema does not know are left out."""
    if type(record) is not dict:
        return _defaults(schema), f"{where} is not a JSON object"
    clean, problem = _defaults(schema), None
    for key, rule in schema.items():
        if key not in record:
            if rule.required and problem is None:
                problem = f"{where} has no {key!r}"
        elif (verdict := rule.test(record[key])) is True:
            clean[key] = record[key]
        elif problem is None:
            problem = f"{where}: " + (verdict if isinstance(verdict, str) else
                                      f"{key!r} is {_short(record[key])}, expected "
                                      f"{rule.expected}")
    return clean, problem


def _defaults(schema: dict[str, Rule]) -> dict:
    """Each field at its default (a fresh copy of a list or dict: a record's is its own)."""
    return {key: copy.copy(rule.default) if isinstance(rule.default, (dict, list))
            else rule.default for key, rule in schema.items()}


class _Damaged(Exception):
    """A stored file that cannot be read (the message says why)."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse_json(text: str) -> Any:
    """json.loads without NaN/Infinity; ValueError (huge numbers too) or RecursionError."""
    return json.loads(text, parse_constant=_reject_constant)


def _is_regular(path: Path) -> bool:
    """A regular file (not a symlink, FIFO, device or folder)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def _read_bytes(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file (None if absent); never follows a symlink or blocks on
    a FIFO. Raises _Damaged."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _Damaged(f"{path.name} cannot be opened ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _Damaged(f"{path.name} is not a regular file")
        if info.st_size > limit:
            raise _Damaged(f"{path.name} is too large ({info.st_size:,} bytes)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(limit + 1)[:limit]
    except OSError as exc:
        raise _Damaged(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def _read_json_file(path: Path, schema: dict[str, Rule], limit: int = 2**20
                    ) -> tuple[dict | None, str | None]:
    """(the record by ``schema``, or None if the file is absent; the first problem)."""
    try:
        data = _read_bytes(path, limit)
        if data is None:
            return None, None
        value = _parse_json(data.decode("utf-8"))
    except _Damaged as exc:
        return None, str(exc)
    except UnicodeDecodeError:
        return None, f"{path.name} cannot be read (not UTF-8)"
    except (ValueError, RecursionError):
        return None, f"{path.name} cannot be read (not valid JSON)"
    return check_record(value, schema, path.name)


def _read_json_lines(path: Path, schema: dict[str, Rule], limit: int = 64 * 2**20
                     ) -> tuple[list[dict], str | None]:
    """The records of a JSON-lines file that pass ``schema``, and the first problem. A torn
    last line (a killed writer) is dropped silently; any other bad line is reported."""
    try:
        data = _read_bytes(path, limit)
    except _Damaged as exc:
        return [], str(exc)
    if data is None:
        return [], None
    lines = data.split(b"\n")
    records, problem = [], None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        where = f"{path.name} line {i + 1}"
        try:
            value = _parse_json(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            if i == len(lines) - 1:  # no newline after it: the write was cut short
                continue
            problem = problem or f"{where} is not JSON"
            continue
        record, why = check_record(value, schema, where)
        if why is None:
            records.append(record)
        problem = problem or why
    return records, problem


def _array_budget_ok(npz: Any, names: tuple[str, ...], max_elements: int) -> bool:
    """Each array is in the archive with a numeric dtype and at most ``max_elements``
    elements, judged from its header before anything is allocated."""
    from .model_file import _array_header

    for name in names:
        shape, dtype = _array_header(npz, name)
        if dtype.kind not in "biuf" or math.prod(shape) > max_elements:
            return False
    return True


# ----------------------------------------------------------------------------- liveness
#
# A recorder holds an exclusive lock on <run>/lock for the run's life: fcntl.flock on POSIX,
# msvcrt.locking elsewhere. The system drops it when the process ends, however it ends, so
# a run whose lock can be taken has no live recorder (whatever its pid now belongs to).
# Runs written before the lock existed fall back to the pid and the process's start time.

LOCK_NAME = "lock"

try:
    import fcntl

    def _try_lock(fd: int, wait: bool = False, shared: bool = False) -> bool:
        """Lock ``fd`` (exclusive: the recorder, a delete; shared: a reader's probe, which
        never gets in another reader's way)."""
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, mode | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # Windows
    import msvcrt

    def _try_lock(fd: int, wait: bool = False, shared: bool = False) -> bool:
        try:  # no shared locks here: every lock is exclusive; LK_LOCK tries for 10 s
            msvcrt.locking(fd, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
        except PermissionError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _open_lock(path: Path, create: bool) -> int | None:
    # flock needs no write access (a store of another user's can still be read)
    access = os.O_RDWR if create or os.name != "posix" else os.O_RDONLY
    flags = (access | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
             | (os.O_CREAT if create else 0))
    try:
        fd = os.open(path / LOCK_NAME, flags, 0o644)
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    return fd


def _lock_held(path: Path) -> bool | None:
    """True if a live process holds the run's lock, False if none does, None if the run
    has no usable lock file (written before locks, or a file system without locks)."""
    fd = _open_lock(path, create=False)
    if fd is None:
        return None
    try:
        if _try_lock(fd, shared=True):
            _unlock(fd)
            return False
        return True
    except OSError:
        return None
    finally:
        os.close(fd)


def _process_start_time(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch), where the system says (Linux)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat_line.rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in
                    Path("/proc/stat").read_text().splitlines() if line.startswith("btime"))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _pid_alive(pid: Any, started: float) -> bool:
    """For runs without a lock file: is the recorder ``pid`` (which started the run at
    ``started``) still running? PID 1 is never taken for a recorder (a container's init
    that recorded a run is gone, and the pid is reused by every other container), nor a
    process that started after the run."""
    if type(pid) is not int or not 1 < pid <= MAX_PID:
        return False
    if os.name != "posix":
        return False  # os.kill(pid, 0) would end the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        pass
    began = _process_start_time(pid)
    return began is None or began <= started + 2.0


def _recorder_alive(path: Path, info: dict) -> bool:
    """Does a live process record this run? (``info``: its run.json by RUN_SCHEMA)"""
    held = _lock_held(path)
    if held is not None:
        return held
    # no lock file: a run whose recorder locked it is over; an older one goes by its pid
    return info["outcome"] == "running" and not info["lock"] and \
        _pid_alive(info["pid"], info["started"])


def _clean_leftovers(path: Path) -> None:
    """Remove the temporary files a killed writer left (``.<name>.<pid>.tmp`` and the
    ``mkstemp`` ones of snapshots), once no live recorder holds the run and, for those that
    name their writer, that writer is gone."""
    for folder in (path, path / "snapshots"):
        try:
            if folder.is_symlink():
                continue
            with os.scandir(folder) as entries:
                leftovers = [entry for entry in entries if entry.name.startswith(".")
                             and entry.name.endswith(".tmp")
                             and entry.is_file(follow_symlinks=False)]
        except OSError:
            continue
        for entry in leftovers:
            writer = entry.name.rsplit(".", 2)[-2] if entry.name.count(".") >= 3 else ""
            if writer.isascii() and writer.isdigit() and (int(writer) == os.getpid()
                                                          or _pid_alive(int(writer), time.time())):
                continue
            try:
                os.unlink(entry.path)
            except OSError:
                pass  # a read-only store: leave it


@dataclass
class Run:
    """What the store knows of one run. ``damaged`` says why a run cannot be read."""

    id: str
    path: Path
    name: str = ""
    config: dict = field(default_factory=dict)
    started: float = 0.0
    duration: float | None = None
    outcome: str = "damaged"  # completed / stopped / diverged / interrupted / running
    app_version: str = ""
    parent: str | None = None
    parent_epoch: int | None = None
    epochs: list[dict] = field(default_factory=list)
    damaged: str | None = None
    #: the sweep trial this run is ({"id", "trial", "seed"}), or None
    sweep: dict | None = None

    @property
    def best_test_accuracy(self) -> float | None:
        values = [e["test_accuracy"] for e in self.epochs if e.get("test_accuracy") is not None]
        return max(values) if values else None

    @property
    def final_test_accuracy(self) -> float | None:
        return self.epochs[-1].get("test_accuracy") if self.epochs else None

    def snapshot_path(self, epoch: int | None = None) -> Path:
        """The model file of ``epoch`` (None: the final weights, else the last epoch's)."""
        if self.path.is_symlink():
            raise RunStoreError(f"run {printable(self.id)} is a symbolic link (not followed)")
        if epoch is None:
            final = self.path / "final.npz"
            if _is_regular(final):
                return final
            if not self.epochs:
                raise RunStoreError(f"run {printable(self.id)} has no completed epoch")
            epoch = self.epochs[-1]["epoch"]
        path = self.path / "snapshots" / f"epoch-{epoch:04d}.npz"
        if not path.exists():
            raise RunStoreError(f"run {printable(self.id)} has no snapshot of epoch {epoch}")
        if not _is_regular(path) or (self.path / "snapshots").is_symlink():
            raise RunStoreError(f"the snapshot of epoch {epoch} of run {printable(self.id)} "
                                "is not a regular file")
        return path

    def snapshots(self) -> list[tuple[float, Path]]:
        """Every weight snapshot as (fractional epoch, path), in training order."""
        found = []
        folder = self.path / "snapshots"
        readable = folder.is_dir() and not folder.is_symlink() and not self.path.is_symlink()
        for path in folder.glob("*.npz") if readable else []:
            parts = path.stem.split("-")
            if path.name.endswith(".resume.npz") or path.name == "resume.npz" or \
                    not _is_regular(path):
                continue
            try:
                if parts[0] == "epoch":
                    found.append((float(int(parts[1])), path))
                elif parts[0] == "step":
                    epoch, batch, batches = int(parts[1]), int(parts[2]), int(parts[3])
                    if 0 < batch <= batches:
                        found.append((epoch - 1 + batch / batches, path))
            except (IndexError, ValueError):
                continue
        return sorted(found)

    def weight_history(self, up_to: float) -> tuple[list[np.ndarray] | None,
                                                   list[list[tuple[int, float]]]]:
        """(the weights at the run's start, or None if not kept; per weight layer, (epoch,
        ||W_e - W_(e-1)|| / ||W_(e-1)||) for each whole epoch up to ``up_to``), from the
        epoch snapshots kept on disk (a continued run starts at its parent's epoch)."""
        epochs = [(int(e), path) for e, path in self.snapshots() if e == int(e) and e <= up_to]
        initial: list[np.ndarray] | None = None
        changes: list[list[tuple[int, float]]] = []
        previous: list[np.ndarray] | None = None
        previous_epoch = None
        for epoch, path in epochs:
            try:
                weights = [W.astype(np.float32) for W in load_model(path)[0].W]
            except ModelFileError:
                continue  # a damaged snapshot: its epoch is a gap in the history
            if initial is None and epoch == 0:
                initial = weights
            if not changes:
                changes = [[] for _ in weights]
            if previous is not None and previous_epoch == epoch - 1 and \
                    [W.shape for W in previous] == [W.shape for W in weights]:
                for i, (new, old) in enumerate(zip(weights, previous)):
                    changes[i].append((epoch, relative_change(new, old)))
            previous, previous_epoch = weights, epoch
        return initial, changes

    def batch_curve(self) -> dict[str, np.ndarray]:
        """The batch curve: ``steps`` (fractional epochs), ``losses``, ``accuracies``."""
        records, problem = _read_json_lines(self.path / "batches.jsonl", CURVE_SCHEMA)
        if problem is not None or self.path.is_symlink() or any(
                len({len(r[key]) for key in CURVE_SCHEMA}) != 1 for r in records):
            records = []  # a damaged curve is absent, not half drawn
        return {key: np.array([v for r in records for v in r[key]], np.float64)
                for key in CURVE_SCHEMA}

    def digit_history(self) -> DigitHistory | None:
        """Each test digit's learning over the run (None if the run kept none)."""
        arrays = self.digit_arrays()
        if arrays is None:
            return None
        epochs, p_true, predicted, y_true = arrays
        return DigitHistory(epochs, p_true, predicted == y_true)

    def digit_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """What the run kept of each test digit: (epochs (E,), p(true class) (E, N) float32,
        predicted class index (E, N), true class index (N,)); None if it kept none."""
        path = self.path / "digits.npz"
        if not _is_regular(path) or self.path.is_symlink():
            return None
        names = ("epochs", "p_true", "predicted", "y_true")
        try:
            with np.load(path, allow_pickle=False) as npz:
                if not _array_budget_ok(npz, names, 50_000_000):
                    return None
                epochs, p_true = npz["epochs"], npz["p_true"].astype(np.float32)
                predicted, y_true = npz["predicted"], npz["y_true"]
        except Exception:  # noqa: BLE001 - any damage (bad zip, header, dtype) = no history
            return None
        if epochs.ndim != 1 or y_true.ndim != 1 or p_true.shape != predicted.shape \
                or p_true.shape != (len(epochs), len(y_true)):
            return None
        return epochs, p_true, predicted, y_true

    def summary(self) -> dict:
        return {
            "id": self.id, "name": self.name, "outcome": self.outcome,
            "damaged": self.damaged, "started": self.started, "duration": self.duration,
            "app_version": self.app_version, "parent": self.parent,
            "parent_epoch": self.parent_epoch, "sweep": self.sweep, "config": self.config,
            "epochs": self.epochs,
            "best_test_accuracy": self.best_test_accuracy,
            "final_test_accuracy": self.final_test_accuracy,
        }


class RunStore:
    """The runs under ``home`` (default: ``default_home()``)."""

    def __init__(self, home: str | Path | None = None) -> None:
        self.home = Path(home) if home is not None else default_home()
        self.root = self.home / "runs"

    # --------------------------------------------------------------------------- reading

    def runs(self) -> list[Run]:
        """Every run, oldest first; unreadable ones as damaged, never an exception. (Reading
        a run whose recorder is gone removes the temporary files a killed writer left.)"""
        try:
            entries = [entry for entry in self.root.iterdir()
                       if entry.is_symlink() or entry.is_dir()]
        except OSError:
            return []
        runs = [self._read(path) for path in entries]
        return sorted(runs, key=lambda run: (run.started, run.id))

    def _entry(self, run_id: str) -> Path:
        """The folder (or symlink) of ``run_id``: any name listed in the store, never one
        that reaches out of it."""
        bad = (not isinstance(run_id, str) or run_id in ("", ".", "..") or "\0" in run_id
               or "/" in run_id or (os.altsep is not None and os.altsep in run_id)
               or os.sep in run_id)
        path = self.root / run_id if not bad else None
        if path is None or not (path.is_symlink() or path.is_dir()):
            raise RunStoreError(f"no run {printable(repr(run_id))} in {printable(self.root)}")
        return path

    def get(self, run_id: str) -> Run:
        return self._read(self._entry(run_id))

    def _read(self, path: Path) -> Run:
        try:
            return self._read_parts(path)
        except (OSError, ValueError) as exc:  # e.g. a folder we may not read
            why = getattr(exc, "strerror", None) or exc
            return Run(id=path.name, path=path, damaged=f"cannot be read ({printable(why)})")

    def _read_parts(self, path: Path) -> Run:
        run = Run(id=path.name, path=path)
        if path.is_symlink():
            run.damaged = "the run folder is a symbolic link (not followed)"
            return run
        problems = []
        info, problem = _read_json_file(path / "run.json", RUN_SCHEMA)
        if info is None and problem is None:
            problem = "run.json is missing"
        problems.append(problem)
        info = info or _defaults(RUN_SCHEMA)
        run.name, run.config, run.started = info["name"], info["config"], info["started"]
        run.duration, run.app_version = info["duration"], info["app_version"]
        run.parent, run.parent_epoch = info["parent"], info["parent_epoch"]
        run.sweep = info["sweep"]
        named, problem = _read_json_file(path / "name.json", NAME_SCHEMA)
        problems.append(problem)
        if named is not None and problem is None:
            run.name = named["name"]  # a rename (kept apart from what the recorder writes)
        run.epochs, problem = _read_json_lines(path / "epochs.jsonl", EPOCH_SCHEMA)
        problems.append(problem)
        last = 0
        for i, epoch in enumerate(run.epochs):
            if epoch["epoch"] <= last:
                problems.append(f"epochs.jsonl: epoch {epoch['epoch']} comes after {last}")
                run.epochs = run.epochs[:i]
                break
            last = epoch["epoch"]
        final = path / "final.npz"
        if (final.exists() or final.is_symlink()) and not _is_regular(final):
            problems.append("final.npz is not a regular file")
        if (path / "snapshots").is_symlink():
            problems.append("snapshots is a symbolic link (not followed)")
        else:
            problems.append(self._check_snapshots(path, run.epochs))
        alive = _recorder_alive(path, info)
        if alive:
            run.outcome = "running"
        elif info["outcome"] == "running":
            run.outcome = "interrupted"
        else:
            run.outcome = info["outcome"]
        if not alive:
            _clean_leftovers(path)
        problems = [p for p in problems if p]
        run.damaged = "; ".join(printable(p) for p in problems[:3]) or None
        if run.damaged and run.outcome not in OUTCOMES:
            run.outcome = "damaged"
        return run

    @staticmethod
    def _check_snapshots(path: Path, epochs: list[dict]) -> str | None:
        """Every completed epoch must have its snapshot."""
        for epoch in epochs:
            snapshot = path / "snapshots" / f"epoch-{epoch['epoch']:04d}.npz"
            if not snapshot.exists() and not snapshot.is_symlink():
                return f"the snapshot of epoch {epoch['epoch']} is missing"
            try:
                if not _is_regular(snapshot) or not zipfile.is_zipfile(snapshot):
                    return f"the snapshot of epoch {epoch['epoch']} is corrupt"
            except OSError:
                return f"the snapshot of epoch {epoch['epoch']} cannot be read"
        return None

    def load_model(self, run_id: str, epoch: int | None = None) -> tuple[MLP, dict]:
        """The model of a run at ``epoch`` (None: final). Raises ModelFileError/RunStoreError."""
        return load_model(self.get(run_id).snapshot_path(epoch))

    # --------------------------------------------------------------------------- editing

    def rename(self, run_id: str, name: str) -> None:
        """Name a run, also while it trains: the name has a file of its own (name.json),
        which the recorder never writes."""
        path = self._entry(run_id)
        if path.is_symlink():
            raise RunStoreError(f"run {printable(run_id)} is a symbolic link (not followed)")
        _, problem = check_record({"name": str(name)}, NAME_SCHEMA, "the name")
        if problem:
            raise RunStoreError(f"{problem} (at most 10,000 characters)")
        try:
            _write_json_atomically(path / "name.json", {"name": str(name)})
        except OSError as exc:
            raise RunStoreError(f"cannot rename run {printable(run_id)}: "
                                f"{exc.strerror or exc}") from None

    def delete(self, run_id: str) -> None:
        """Delete a run whose recorder is gone (a symlinked entry: the link only). While a
        live process records it, refuse."""
        path = self._entry(run_id)
        if path.is_symlink():
            path.unlink()
            return
        info, _ = _read_json_file(path / "run.json", RUN_SCHEMA)
        info = info or _defaults(RUN_SCHEMA)
        if _recorder_alive(path, info):
            raise RunStoreError(f"run {printable(run_id)} is still training (a live process "
                                "records it); stop it first")
        fd = _open_lock(path, create=True)
        try:
            if fd is not None:
                # no recorder holds it (checked): only a reader's moment, then it is ours,
                # and no new recorder can take this folder while it goes
                _try_lock(fd, wait=True)
            shutil.rmtree(path)
        except OSError as exc:
            raise RunStoreError(f"cannot delete run {printable(run_id)}: "
                                f"{exc.strerror or exc}") from None
        finally:
            if fd is not None:
                os.close(fd)

    def export(self, run_id: str, out: str | Path, epoch: int | None = None) -> Path:
        """A model file (the documented format, float32) of a run's final weights or of any
        epoch's snapshot, with that epoch's metrics (epoch 0: none were measured)."""
        run = self.get(run_id)
        path = run.snapshot_path(epoch)
        try:
            inside = Path(out).resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError, ValueError):
            inside = False
        if inside:  # e.g. onto the very snapshot it reads
            raise RunStoreError(f"{printable(out)}: will not write into the run store; "
                                "choose a path outside it")
        model, meta = load_model(path)
        if epoch is None and path.name == "final.npz" and run.outcome != "completed":
            metrics = None  # stopped mid-epoch: nothing measured these weights
        elif epoch is None:
            metrics = run.epochs[-1] if run.epochs else None
        else:
            metrics = next((e for e in run.epochs if e["epoch"] == epoch), {"epoch": epoch})
        return save_model(out, model, meta.get("config"), metrics)

    # --------------------------------------------------------------------------- writing

    def start(self, trainer: Trainer, name: str = "", parent: tuple[str, int] | None = None,
              sweep: dict | None = None) -> RunRecorder:
        """A new run for ``trainer``; feed it the trainer's events (``record``). The run's
        folder is new (an id already taken is retried with another, never reused).
        ``sweep``: the sweep trial it is, {"id", "trial", "seed"} (core/sweep.py)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for attempt in range(100):
                # a retry also counts, in case the clock and the random part repeat
                path = self.root / (_new_run_id() + (f"-{attempt}" if attempt else ""))
                try:
                    path.mkdir()
                except FileExistsError:
                    continue
                (path / "snapshots").mkdir()
                lock = _lock_new_run(path)
                if lock is False:
                    continue  # deleted under us (a `runs delete` of this id): another id
                earlier = self.epoch_history(*parent) if parent else []
                return RunRecorder(path, trainer, name, parent, lock, earlier, sweep)
        except OSError as exc:
            raise RunStoreError(f"cannot record the run in {printable(self.root)}: "
                                f"{exc.strerror or exc}") from None
        raise RunStoreError(f"cannot find a free run id in {printable(self.root)}")

    def epoch_history(self, run_id: str, upto: int | None = None,
                      _seen: frozenset[str] = frozenset()) -> list[EpochFinished]:
        """The epochs that led to ``run_id``'s epoch ``upto`` (None: its last), its
        parents' first: a run continued from epoch 3 of another starts with that run's
        epochs 1-3. Each carries the per-digit results where the runs kept them (else
        None). Damaged or missing parents end the chain (what is known is returned)."""
        if run_id in _seen:  # a parent loop in hand-edited files
            return []
        try:
            run = self.get(run_id)
        except MnistGuiError:
            return []
        if run.damaged:
            return []
        own = [e for e in run.epochs if isinstance(e.get("epoch"), int)
               and (upto is None or e["epoch"] <= upto)]
        first = own[0]["epoch"] if own else (upto or 0) + 1
        earlier: list[EpochFinished] = []
        if run.parent and run.parent_epoch:
            earlier = self.epoch_history(run.parent, min(run.parent_epoch, first - 1),
                                         _seen | {run_id})
        digits = run.digit_arrays()
        rows = {int(epoch): i for i, epoch in enumerate(digits[0])} if digits else {}
        history = list(earlier)
        for metrics in own:
            row = rows.get(metrics["epoch"])
            history.append(EpochFinished.from_metrics(
                metrics, *((digits[1][row], digits[2][row]) if row is not None else ())))
        return history

    def has_resume_state(self, run_id: str, epoch: int) -> bool:
        """Whether continuing from ``epoch`` can be exact (else: from the weights alone)."""
        return _read_resume(self._entry(run_id), epoch) is not None

    def resume_trainer(self, run_id: str, epoch: int | None, dataset: Any,
                       config: TrainConfig | None = None) -> Trainer:
        """A Trainer that continues ``run_id`` from ``epoch`` (None: its last), with
        ``config`` (default: the run's own, e.g. with more epochs or a lower learning rate).
        With the run's exact resume state, the same settings give the same weights as if
        the run had never stopped; without it (a large run's older epochs), it continues
        from the weights with a fresh optimiser and data order."""
        run = self.get(run_id)
        if not run.epochs and epoch is None:
            raise RunStoreError(f"run {printable(run_id)} has no completed epoch to continue "
                                "from")
        epoch = run.epochs[-1]["epoch"] if epoch is None else int(epoch)
        model, _meta = load_model(run.snapshot_path(epoch))
        config = config or TrainConfig.from_dict(run.config)
        if model.dtype != np.dtype(config.dtype):
            model = model.clone(np.dtype(config.dtype))
        trainer = Trainer(config, dataset, model=model)
        state = _read_resume(run.path, epoch)
        if state is not None:
            try:
                trainer.restore(state)
                return trainer
            except Exception:  # noqa: BLE001 - a damaged resume state: from the weights alone
                trainer = Trainer(config, dataset, model=model)
        trainer.epochs_done = epoch
        return trainer


def _lock_new_run(path: Path) -> int | None | bool:
    """The locked lock file of a new run (an open descriptor); None on a file system
    without locks (liveness then goes by pid); False if the folder was deleted meanwhile."""
    lock = _open_lock(path, create=True)
    if lock is None:
        return None
    try:
        _try_lock(lock, wait=True)  # readers hold it for a moment only
        if os.fstat(lock).st_ino != os.stat(path / LOCK_NAME).st_ino:
            raise FileNotFoundError  # a delete took the folder while we waited
    except FileNotFoundError:
        os.close(lock)
        return False
    except OSError:
        os.close(lock)
        (path / LOCK_NAME).unlink(missing_ok=True)
        return None
    return lock


def _new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def _resume_paths(run_path: Path, epoch: int) -> list[Path]:
    return [run_path / "snapshots" / f"epoch-{epoch:04d}.resume.npz",
            run_path / "snapshots" / "resume.npz"]


def _read_resume(run_path: Path, epoch: int) -> dict | None:
    for path in _resume_paths(run_path, epoch):
        if not _is_regular(path):
            continue
        try:
            with np.load(path, allow_pickle=False) as npz:
                arrays = tuple(key for key in npz.files if key != "state")
                if not _array_budget_ok(npz, arrays, 200_000_000):
                    continue
                info = _parse_json(str(npz["state"]))
                if info.get("epochs_done") != epoch:
                    continue
                optimizer = {key[len("optimizer."):]: npz[key].copy() for key in npz.files
                             if key.startswith("optimizer.")}
                optimizer.update(info.get("optimizer_scalars", {}))
                return {
                    "epochs_done": info["epochs_done"], "first_loss": info.get("first_loss"),
                    "rng": info["rng"], "order": npz["order"].copy(), "optimizer": optimizer,
                }
        except Exception:  # noqa: BLE001 - a damaged resume file: from the weights alone
            continue
    return None


class RunRecorder:
    """Writes one run as its trainer's events come (``record(event)`` for each). ``lock``:
    an open file descriptor of the run's locked lock file, held until ``finish``."""

    def __init__(self, path: Path, trainer: Trainer, name: str,
                 parent: tuple[str, int] | None, lock: int | None = None,
                 earlier: list[EpochFinished] | None = None,
                 sweep: dict | None = None) -> None:
        self.path = path
        self._lock = lock
        self.id = path.name
        self.trainer = trainer
        config = trainer.config
        n_params = trainer.model.n_parameters
        state_copies = 1 + getattr(trainer.optimizer, "state_copies", 2)
        total_snapshots = config.epochs + FIRST_EPOCH_SNAPSHOTS + 1
        #: float32 weights and a resume state with every epoch, if that fits the budget
        self.exact = n_params * 4 * (1 + state_copies) * total_snapshots <= EXACT_SNAPSHOT_BUDGET
        self._started = time.time()
        self._buckets: list[tuple[float, float, float]] = []
        self._bucket_size = 1
        self._n_batches = 1
        self._first_epoch_marks: set[int] = set()
        self._last_batch: tuple[int, int, int] | None = None  # (epoch, batch, n_batches)
        self._digits: dict[str, list[np.ndarray]] = {"epochs": [], "p_true": [], "predicted": []}
        # a continued run's digits start with its parents' (``earlier``: the epochs that led
        # to its branch point), so its learning history covers the whole way, from epoch 1
        n_test = len(trainer.dataset.y_test)
        for epoch in earlier or []:
            if epoch.test_p_true is not None and epoch.test_predicted is not None \
                    and len(epoch.test_p_true) == n_test:
                self._digits["epochs"].append(np.array(epoch.epoch))
                self._digits["p_true"].append(np.asarray(epoch.test_p_true, np.float16))
                self._digits["predicted"].append(np.asarray(epoch.test_predicted, np.uint8))
        self.info = {
            "format": RUN_FORMAT, "version": RUN_VERSION, "name": name or "",
            "config": config.to_dict(), "started": self._started, "duration": None,
            "outcome": "running", "pid": os.getpid(), "app_version": __version__,
            "parent": parent[0] if parent else None,
            "parent_epoch": parent[1] if parent else None,
            "snapshot_dtype": "float32" if self.exact else "float16",
            "model": trainer.model.spec(), "lock": lock is not None, "sweep": sweep,
        }
        _write_json_atomically(path / "run.json", self.info)

    def record(self, event: object) -> None:
        if isinstance(event, BatchFinished):
            self._on_batch(event)
        elif isinstance(event, EpochFinished):
            self._on_epoch(event)
        elif isinstance(event, TrainingStarted):
            self._n_batches = event.n_batches
            total = event.n_batches * max(event.epochs - self.trainer.epochs_done, 1)
            self._bucket_size = max(1, math.ceil(total / MAX_CURVE_POINTS))
            marks = np.linspace(0, event.n_batches, FIRST_EPOCH_SNAPSHOTS + 1)[1:-1]
            self._first_epoch_marks = {int(round(m)) for m in marks if round(m) >= 1}
            if self.trainer.epochs_done == 0:
                self._snapshot(self.path / "snapshots" / "epoch-0000.npz", 0)
        elif isinstance(event, TrainingFinished):
            self.finish(event.reason)

    def _on_batch(self, event: BatchFinished) -> None:
        self._last_batch = (event.epoch, event.batch, event.n_batches)
        self._buckets.append((event.progress, event.loss, event.accuracy))
        if event.epoch == 1 and event.batch in self._first_epoch_marks:
            name = f"step-0001-{event.batch:04d}-{event.n_batches:04d}.npz"
            self._snapshot(self.path / "snapshots" / name, None)

    def _flush_curve(self) -> None:
        if not self._buckets:
            return
        size = self._bucket_size
        rows = np.array(self._buckets, np.float64)
        groups = [rows[i : i + size] for i in range(0, len(rows), size)]
        _append_json_line(self.path / "batches.jsonl", {
            "steps": [float(g[-1, 0]) for g in groups],
            "losses": [float(np.mean(g[:, 1])) for g in groups],
            "accuracies": [float(np.mean(g[:, 2])) for g in groups],
        })
        self._buckets = []

    def _on_epoch(self, event: EpochFinished) -> None:
        self._flush_curve()
        snapshot = self.path / "snapshots" / f"epoch-{event.epoch:04d}.npz"
        self._snapshot(snapshot, event.epoch)
        self._write_resume(event.epoch)
        self._write_digits(event)
        # the metrics line comes last: an epoch is listed only once its snapshot exists
        _append_json_line(self.path / "epochs.jsonl", event.metrics())

    def _write_digits(self, event: EpochFinished) -> None:
        """Each test digit's p(true class) and prediction after every epoch so far."""
        if event.test_p_true is None or event.test_predicted is None:
            return
        self._digits["epochs"].append(np.array(event.epoch))
        self._digits["p_true"].append(event.test_p_true.astype(np.float16))
        self._digits["predicted"].append(event.test_predicted.astype(np.uint8))
        write_npz_atomically(self.path / "digits.npz", {
            "epochs": np.array(self._digits["epochs"], np.int64),
            "p_true": np.array(self._digits["p_true"]),
            "predicted": np.array(self._digits["predicted"]),
            "y_true": np.asarray(self.trainer.dataset.y_test, np.int64),
        })

    def _snapshot(self, path: Path, epoch: int | None) -> None:
        model = self.trainer.model
        dtype = np.float32 if self.exact else np.float16
        arrays = {name: np.ascontiguousarray(value, dtype=dtype)
                  for name, value in model.named_arrays().items()}
        meta = model_metadata(model, self.info["config"], {"epoch": epoch} if epoch is not None else None)
        arrays["meta"] = np.array(json.dumps(meta, allow_nan=False))
        write_npz_atomically(path, arrays)

    def _write_resume(self, epoch: int) -> None:
        state = self.trainer.resume_state()
        arrays: dict[str, np.ndarray] = {"order": state["order"]}
        scalars = {}
        for key, value in state["optimizer"].items():
            if isinstance(value, np.ndarray):
                arrays[f"optimizer.{key}"] = value
            else:
                scalars[key] = value
        info = {"epochs_done": state["epochs_done"], "first_loss": state["first_loss"],
                "rng": state["rng"], "optimizer_scalars": scalars}
        arrays["state"] = np.array(json.dumps(json_safe(info)))
        if self.exact:
            write_npz_atomically(self.path / "snapshots" / f"epoch-{epoch:04d}.resume.npz", arrays)
        else:
            write_npz_atomically(self.path / "snapshots" / "resume.npz", arrays)

    def finish(self, outcome: str) -> None:
        """The run's end: the final weights (float32) and the outcome."""
        if self.info["outcome"] != "running":
            return
        self._flush_curve()
        if outcome == "stopped" and self._last_batch is not None:
            epoch, batch, n_batches = self._last_batch
            if batch < n_batches:  # stopped inside an epoch: the timeline ends where it did
                try:
                    self._snapshot(self.path / "snapshots" /
                                   f"step-{epoch:04d}-{batch:04d}-{n_batches:04d}.npz", None)
                except (ModelFileError, ConfigError, OSError):
                    pass  # the epoch snapshots and final.npz still tell the run
        try:
            save_model(self.path / "final.npz", self.trainer.model, self.info["config"],
                       self.trainer.history[-1].metrics() if self.trainer.history else None)
        except (ModelFileError, ConfigError):
            pass  # the epoch snapshots are still there
        self.info["outcome"] = outcome
        self.info["duration"] = time.time() - self._started
        try:
            _write_json_atomically(self.path / "run.json", self.info)
        finally:
            self.release()

    def release(self) -> None:
        """Let go of the run's lock (the run then lists by its outcome, or as interrupted)."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None
