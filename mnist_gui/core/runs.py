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

``<home>`` is ``$MNIST_GUI_HOME`` or the platform's per-user data folder (platformdirs).
A run whose run.json still says "running" but whose process is gone was killed: it lists as
"interrupted" with every epoch it completed. A run that cannot be read (truncated JSON, a
run from a newer version, a missing folder) lists as damaged with the reason; it never stops
the others, the app or the CLI from loading.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
import time
import zipfile
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
from .training import BatchFinished, EpochFinished, Trainer, TrainingFinished, TrainingStarted

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
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(json_safe(value), fh, indent=1, allow_nan=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _append_json_line(path: Path, value: Any) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(json_safe(value), allow_nan=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _read_json_lines(path: Path) -> tuple[list[dict], str | None]:
    """The complete lines of a JSON-lines file; a torn last line (a killed writer) is
    dropped, any other bad line is reported."""
    if not path.exists():
        return [], None
    lines = path.read_text(encoding="utf-8").split("\n")
    records, problem = [], None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            if i == len(lines) - 1:  # no newline after it: the write was cut short
                continue
            problem = f"{path.name} line {i + 1} is not JSON"
            break
    return records, problem


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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

    @property
    def best_test_accuracy(self) -> float | None:
        values = [e["test_accuracy"] for e in self.epochs if e.get("test_accuracy") is not None]
        return max(values) if values else None

    @property
    def final_test_accuracy(self) -> float | None:
        return self.epochs[-1].get("test_accuracy") if self.epochs else None

    def snapshot_path(self, epoch: int | None = None) -> Path:
        """The model file of ``epoch`` (None: the final weights, else the last epoch's)."""
        if epoch is None:
            final = self.path / "final.npz"
            if final.exists():
                return final
            if not self.epochs:
                raise RunStoreError(f"run {self.id} has no completed epoch")
            epoch = self.epochs[-1]["epoch"]
        path = self.path / "snapshots" / f"epoch-{epoch:04d}.npz"
        if not path.exists():
            raise RunStoreError(f"run {self.id} has no snapshot of epoch {epoch}")
        return path

    def snapshots(self) -> list[tuple[float, Path]]:
        """Every weight snapshot as (fractional epoch, path), in training order."""
        found = []
        folder = self.path / "snapshots"
        for path in folder.glob("*.npz") if folder.is_dir() else []:
            parts = path.stem.split("-")
            if path.name.endswith(".resume.npz") or path.name == "resume.npz":
                continue
            try:
                if parts[0] == "epoch":
                    found.append((float(int(parts[1])), path))
                elif parts[0] == "step":
                    epoch, batch, batches = int(parts[1]), int(parts[2]), int(parts[3])
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
            weights = [W.astype(np.float32) for W in load_model(path)[0].W]
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
        records, _ = _read_json_lines(self.path / "batches.jsonl")
        out = {key: np.array([v for r in records for v in r.get(key, [])], np.float64)
               for key in ("steps", "losses", "accuracies")}
        return out

    def digit_history(self) -> DigitHistory | None:
        """Each test digit's learning over the run (None if the run kept none)."""
        path = self.path / "digits.npz"
        try:
            with np.load(path, allow_pickle=False) as npz:
                epochs, p_true = npz["epochs"], npz["p_true"].astype(np.float32)
                predicted, y_true = npz["predicted"], npz["y_true"]
        except (OSError, ValueError, KeyError):
            return None
        if p_true.shape != predicted.shape or p_true.shape != (len(epochs), len(y_true)):
            return None
        return DigitHistory(epochs, p_true, predicted == y_true)

    def summary(self) -> dict:
        return {
            "id": self.id, "name": self.name, "outcome": self.outcome,
            "damaged": self.damaged, "started": self.started, "duration": self.duration,
            "app_version": self.app_version, "parent": self.parent,
            "parent_epoch": self.parent_epoch, "config": self.config, "epochs": self.epochs,
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
        """Every run, oldest first; unreadable ones as damaged, never an exception."""
        if not self.root.is_dir():
            return []
        runs = [self._read(path) for path in self.root.iterdir() if path.is_dir()]
        return sorted(runs, key=lambda run: (run.started, run.id))

    def get(self, run_id: str) -> Run:
        path = self.root / run_id
        if not run_id or "/" in run_id or run_id.startswith(".") or not path.is_dir():
            raise RunStoreError(f"no run {run_id!r} in {self.root}")
        return self._read(path)

    def _read(self, path: Path) -> Run:
        run = Run(id=path.name, path=path)
        try:
            info = json.loads((path / "run.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            run.damaged = "run.json is missing"
            return run
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            run.damaged = f"run.json cannot be read ({type(exc).__name__})"
            return run
        if not isinstance(info, dict) or info.get("format") != RUN_FORMAT:
            run.damaged = "run.json is not an mnist-gui run"
            return run
        version = info.get("version")
        if not isinstance(version, int) or version > RUN_VERSION:
            run.damaged = f"written by a newer mnist-gui (run format {version!r})"
            return run
        run.name = str(info.get("name", ""))
        run.config = info.get("config") if isinstance(info.get("config"), dict) else {}
        run.started = float(info.get("started", 0.0) or 0.0)
        run.duration = info.get("duration")
        run.app_version = str(info.get("app_version", ""))
        run.parent = info.get("parent")
        run.parent_epoch = info.get("parent_epoch")
        run.epochs, problem = _read_json_lines(path / "epochs.jsonl")
        outcome = info.get("outcome")
        if outcome == "running" and not _pid_alive(info.get("pid")):
            outcome = "interrupted"
        run.outcome = outcome if isinstance(outcome, str) else "damaged"
        if problem:
            run.damaged = problem
        else:
            run.damaged = None
            for epoch in run.epochs:  # every completed epoch must have its snapshot
                snapshot = path / "snapshots" / f"epoch-{epoch.get('epoch', -1):04d}.npz"
                if not snapshot.exists():
                    run.damaged = f"the snapshot of epoch {epoch.get('epoch')} is missing"
                    break
                if not zipfile.is_zipfile(snapshot):  # reads only the archive's directory
                    run.damaged = f"the snapshot of epoch {epoch.get('epoch')} is corrupt"
                    break
        return run

    def load_model(self, run_id: str, epoch: int | None = None) -> tuple[MLP, dict]:
        """The model of a run at ``epoch`` (None: final). Raises ModelFileError/RunStoreError."""
        return load_model(self.get(run_id).snapshot_path(epoch))

    # --------------------------------------------------------------------------- editing

    def rename(self, run_id: str, name: str) -> None:
        run = self.get(run_id)
        if run.damaged and not (run.path / "run.json").exists():
            raise RunStoreError(f"run {run_id} is damaged ({run.damaged})")
        info = json.loads((run.path / "run.json").read_text(encoding="utf-8"))
        info["name"] = str(name)
        _write_json_atomically(run.path / "run.json", info)

    def delete(self, run_id: str) -> None:
        run = self.get(run_id)
        if run.outcome == "running":
            raise RunStoreError(f"run {run_id} is still training")
        shutil.rmtree(run.path)

    def export(self, run_id: str, out: str | Path, epoch: int | None = None) -> Path:
        """A model file (the documented format, float32) of a run's final weights or of any
        epoch's snapshot."""
        run = self.get(run_id)
        model, meta = load_model(run.snapshot_path(epoch))
        metrics = next((e for e in run.epochs if e.get("epoch") == epoch), None) if epoch else (
            run.epochs[-1] if run.epochs else None)
        return save_model(out, model, meta.get("config"), metrics)

    # --------------------------------------------------------------------------- writing

    def start(self, trainer: Trainer, name: str = "", parent: tuple[str, int] | None = None
              ) -> RunRecorder:
        """A new run for ``trainer``; feed it the trainer's events (``record``)."""
        self.root.mkdir(parents=True, exist_ok=True)
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)
        path = self.root / run_id
        (path / "snapshots").mkdir(parents=True)
        return RunRecorder(path, trainer, name, parent)

    def resume_trainer(self, run_id: str, epoch: int | None, dataset: Any,
                       config: TrainConfig | None = None) -> Trainer:
        """A Trainer that continues ``run_id`` from ``epoch`` (None: its last), with
        ``config`` (default: the run's own, e.g. with more epochs or a lower learning rate).
        With the run's exact resume state, the same settings give the same weights as if
        the run had never stopped; without it (a large run's older epochs), it continues
        from the weights with a fresh optimiser and data order."""
        run = self.get(run_id)
        if not run.epochs:
            raise RunStoreError(f"run {run_id} has no completed epoch to continue from")
        epoch = run.epochs[-1]["epoch"] if epoch is None else int(epoch)
        model, _meta = load_model(run.snapshot_path(epoch))
        config = config or TrainConfig.from_dict(run.config)
        if model.dtype != np.dtype(config.dtype):
            model = model.clone(np.dtype(config.dtype))
        trainer = Trainer(config, dataset, model=model)
        state = _read_resume(run.path, epoch)
        if state is not None:
            trainer.restore(state)
        else:
            trainer.epochs_done = epoch
        return trainer


def _resume_paths(run_path: Path, epoch: int) -> list[Path]:
    return [run_path / "snapshots" / f"epoch-{epoch:04d}.resume.npz",
            run_path / "snapshots" / "resume.npz"]


def _read_resume(run_path: Path, epoch: int) -> dict | None:
    for path in _resume_paths(run_path, epoch):
        if not path.exists():
            continue
        try:
            with np.load(path, allow_pickle=False) as npz:
                info = json.loads(str(npz["state"]))
                if info.get("epochs_done") != epoch:
                    continue
                optimizer = {key[len("optimizer."):]: npz[key].copy() for key in npz.files
                             if key.startswith("optimizer.")}
                optimizer.update(info.get("optimizer_scalars", {}))
                return {
                    "epochs_done": info["epochs_done"], "first_loss": info.get("first_loss"),
                    "rng": info["rng"], "order": npz["order"].copy(), "optimizer": optimizer,
                }
        except (OSError, ValueError, KeyError, json.JSONDecodeError):
            continue  # a damaged resume file: continue from the weights alone
    return None


class RunRecorder:
    """Writes one run as its trainer's events come (``record(event)`` for each)."""

    def __init__(self, path: Path, trainer: Trainer, name: str,
                 parent: tuple[str, int] | None) -> None:
        self.path = path
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
        self._digits: dict[str, list[np.ndarray]] = {"epochs": [], "p_true": [], "predicted": []}
        self.info = {
            "format": RUN_FORMAT, "version": RUN_VERSION, "name": name or "",
            "config": config.to_dict(), "started": self._started, "duration": None,
            "outcome": "running", "pid": os.getpid(), "app_version": __version__,
            "parent": parent[0] if parent else None,
            "parent_epoch": parent[1] if parent else None,
            "snapshot_dtype": "float32" if self.exact else "float16",
            "model": trainer.model.spec(),
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
        try:
            save_model(self.path / "final.npz", self.trainer.model, self.info["config"],
                       self.trainer.history[-1].metrics() if self.trainer.history else None)
        except (ModelFileError, ConfigError):
            pass  # the epoch snapshots are still there
        self.info["outcome"] = outcome
        self.info["duration"] = time.time() - self._started
        _write_json_atomically(self.path / "run.json", self.info)
