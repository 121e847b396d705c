"""Headless command line: train, evaluate, predict, explain, presets. ``mnist-gui`` alone opens the app.

Exit status: 0 success, 1 bad input (one line on stderr), 2 bad usage, 3 training
diverged, 130 interrupted by Ctrl+C, 143 stopped by SIGTERM, 129 by SIGHUP (``train`` stops
after the batch and still saves with ``--save`` on each of the three).
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .cli_sweep import add_sweep_parser, cmd_sweep
from .core.errors import ConfigError, MnistGuiError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130
#: The signals ``train`` treats like Ctrl+C (stop after the batch, save, exit 128 + signal):
#: Ctrl+C, ``kill``/``timeout``/``docker stop`` (SIGTERM), a closed terminal (SIGHUP).
STOP_SIGNALS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated (SIGTERM)"}
if hasattr(signal, "SIGHUP"):
    STOP_SIGNALS[signal.SIGHUP] = "hung up (SIGHUP)"


class UsageError(Exception):
    pass


class StopSignal(BaseException):
    """SIGTERM or SIGHUP outside ``train``: unwinds like Ctrl+C's KeyboardInterrupt, so
    every ``finally`` runs (a half-written temporary file is removed), then exits 128 + n."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stop_signal(signum, frame):  # noqa: ANN001, ANN202, ARG001
    raise StopSignal(signum)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting, so we control the line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def _int_list(text: str) -> list[int]:
    text = text.strip()
    if text in ("", "none", "-"):
        return []
    try:
        values = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated whole numbers like 128,64, got {text!r}"
        ) from None
    return values


def _batch_size(text: str) -> int:
    """A batch size: a whole number >= 1, or 'full' (the whole training set; stored as 0)."""
    if text.strip().lower() == "full":
        return 0
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1 or 'full', got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"batch size {value}: must be at least 1 (use 'full' for full-batch training)"
        )
    return value


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _setting_parser(item):  # noqa: ANN001, ANN202 - a Setting -> an argparse type
    """How a flag's text becomes the setting's value; values with a meaning of their own
    (e.g. 0 = 'full' batch) may be given by that word."""
    words = {label.split()[0].lower(): value for value, label in (item.special or {}).items()}

    def parse(text: str):  # noqa: ANN202
        word = text.strip().lower()
        if word in words:
            return words[word]
        if item.kind == "float":
            return _finite(text)
        if item.kind == "int":
            try:
                return int(text)
            except ValueError:
                extra = f" or {', '.join(repr(w) for w in words)}" if words else ""
                raise argparse.ArgumentTypeError(
                    f"expected a whole number{extra}, got {text!r}") from None
        if item.kind in ("int_list", "digits"):
            values = _int_list(text)
            return values or None if item.kind == "digits" else values
        if item.kind == "choice_list":
            names = [part.strip() for part in text.split(",") if part.strip()]
            return names or None
        return text

    return parse


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per training setting, from the settings table (core/config.py)."""
    from .core.config import GROUPS, SETTINGS

    for group_name in GROUPS:
        group = parser.add_argument_group(group_name.lower() + " settings")
        for item in (s for s in SETTINGS if s.group == group_name):
            flag = "--" + item.name.replace("_", "-")
            text = item.help
            extra = item.describe_range()
            if item.special:
                extra = ", ".join(
                    [extra] * bool(extra) + [f"{v!r} = {label}" for v, label in item.special.items()])
            if extra:
                text += f" [{extra}]"
            text = text.replace("%", "%%")
            if item.kind == "bool":
                group.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                                   help=text)
            elif item.kind == "choice":
                choices = item.choice_labels()
                text += " (" + "; ".join(f"{k}: {v}" for k, v in choices.items()) + ")"
                group.add_argument(flag, choices=list(choices), help=text.replace("%", "%%"))
            else:
                group.add_argument(flag, type=_setting_parser(item), help=text,
                                   metavar=item.kind.upper().replace("_", "-"))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mnist-gui", description="Watch a NumPy MLP learn MNIST.")
    parser.add_argument("--version", action="version", version=f"mnist-gui {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    sub.add_parser("gui", help="open the desktop app (the default; needs a display: without one, "
                   "run it as xvfb-run mnist-gui)")

    train = sub.add_parser(
        "train", help="train a network headless",
        description="Train a network headless. Every setting defaults to the preset's value. "
        "Ctrl+C, SIGTERM (kill, timeout, docker stop) and SIGHUP (a closed terminal) stop "
        "after the current batch and still save with --save; the exit status is then 130, "
        "143 or 129.",
    )
    train.add_argument("--preset", default=None,
                       help="start from a preset (see 'presets'); default: fast")
    _add_setting_flags(train)
    train.add_argument("--data", type=Path, help="folder with the four MNIST-format IDX files")
    train.add_argument("--save", help="write the trained model here (.npz; the path is checked "
                       "before training starts)")
    train.add_argument("--json", action="store_true", help="one JSON object per epoch")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--no-record", action="store_true",
                       help="do not keep this run in the run store (see 'runs')")
    train.add_argument("--name", help="a name for the recorded run")

    runs = sub.add_parser("runs", help="list, show, rename, delete or export recorded runs",
                          description="Recorded training runs (in $MNIST_GUI_HOME, or the "
                          "per-user data folder).")
    runs.add_argument("--json", action="store_true", help="a JSON list of runs")
    runs_sub = runs.add_subparsers(dest="runs_command", parser_class=_Parser)
    show = runs_sub.add_parser("show", help="one run's settings and epochs")
    show.add_argument("id")
    show.add_argument("--json", action="store_true")
    rename = runs_sub.add_parser("rename", help="give a run a name")
    rename.add_argument("id")
    rename.add_argument("name")
    delete = runs_sub.add_parser("delete", help="delete a run and its snapshots")
    delete.add_argument("id")
    export = runs_sub.add_parser("export", help="write a run's model (final or any epoch)")
    export.add_argument("id")
    export.add_argument("out")
    export.add_argument("--epoch", type=int, help="the snapshot after this epoch (0 = untrained)")
    resume = runs_sub.add_parser(
        "continue", help="continue a run with its own settings (recorded as its continuation)",
        description="Continue a recorded run from an epoch's snapshot with the run's own "
        "settings; with the run's resume state the weights are bit for bit those of the run "
        "had it never stopped.")
    resume.add_argument("id")
    resume.add_argument("--epoch", type=int, help="continue from this epoch (default: its last)")
    resume.add_argument("--epochs", type=int,
                        help="train up to this many epochs in all (default: the run's own)")
    resume.add_argument("--data", type=Path, help="folder with the four MNIST-format IDX files")
    resume.add_argument("--name", help="a name for the continuation (default: the run's)")
    resume.add_argument("--json", action="store_true", help="one JSON object per epoch")

    evaluate = sub.add_parser("evaluate", help="score a saved model on the test set")
    evaluate.add_argument("model", type=Path)
    evaluate.add_argument("--data", type=Path)
    evaluate.add_argument("--json", action="store_true")

    predict = sub.add_parser(
        "predict", help="classify a digit image (PNG, JPEG, ...)",
        description="Classify a digit image, preprocessed as MNIST was. Raster images only "
        "(PNG, JPEG, BMP, GIF, TIFF, WebP; at most 4096x4096 pixels, read from the header "
        "before decoding); vector images (SVG, PDF) are refused, whatever their name.")
    predict.add_argument("model", type=Path)
    predict.add_argument("image", type=Path)
    predict.add_argument("--json", action="store_true")

    sub.add_parser("presets", help="list the presets")

    explain = sub.add_parser(
        "explain", help="look inside a prediction: activations, attributions, counterfactual",
        description="Explain a model's answer for one digit: its hidden activations, which "
        "pixels pushed towards a class, and what change would make it another class.",
    )
    explain.add_argument("model", type=Path)
    explain.add_argument("image", help="a digit image (PNG, JPEG, ...; raster only, SVG/PDF "
                         "are refused) or test:N, the N-th test image")
    explain.add_argument("--method", default="gradient",
                         choices=["gradient", "gradient-x-input", "integrated-gradients", "smoothgrad"],
                         help="attribution method (default: gradient)")
    explain.add_argument("--target", type=int, metavar="K",
                         help="the class to explain (default: the predicted one)")
    explain.add_argument("--versus", type=int, metavar="K2",
                         help="explain target minus this class (a confusion)")
    explain.add_argument("--output", default="logit", choices=["logit", "probability"],
                         help="explain the class's logit (pre-softmax score, default) or its probability")
    explain.add_argument("--steps", type=int, default=64, metavar="N",
                         help="integrated gradients: path steps; smoothgrad: noisy samples (default 64)")
    explain.add_argument("--counterfactual", type=int, metavar="K",
                         help="also find the smallest change that makes the network answer K")
    explain.add_argument("--data", type=Path, help="MNIST folder for test:N (default: bundled)")
    explain.add_argument("--json", action="store_true")

    robustness = sub.add_parser(
        "robustness", help="test accuracy under noise, rotation, shift, occlusion, thickness",
        description="Test accuracy as the test digits are perturbed (Gaussian noise, rotation, "
        "shift, an occluding square, thicker/thinner strokes), and coverage/accuracy against "
        "a confidence threshold. Seeded: the same seed gives the same numbers.",
    )
    robustness.add_argument("model", type=Path)
    robustness.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    robustness.add_argument("--limit", type=int, metavar="N",
                            help="only the first N test digits (faster; default: all)")
    robustness.add_argument("--data", type=Path, help="MNIST folder (default: bundled)")
    robustness.add_argument("--json", action="store_true")

    prune = sub.add_parser(
        "prune", help="zero a model's smallest weights and save the result",
        description="Set the given fraction of weights with the smallest magnitude to zero "
        "(over all layers together, or in each layer), report the test accuracy before and "
        "after, and save the pruned model (its meta records the edit).",
    )
    prune.add_argument("model", type=Path)
    prune.add_argument("--fraction", type=_finite, required=True, metavar="F",
                       help="fraction of weights to zero, 0 to 1 (e.g. 0.9)")
    prune.add_argument("--per-layer", action="store_true",
                       help="prune that fraction in each layer (default: over all layers)")
    prune.add_argument("--save", required=True, help="write the pruned model here (.npz)")
    prune.add_argument("--data", type=Path, help="MNIST folder (default: bundled)")
    prune.add_argument("--json", action="store_true")

    export_onnx = sub.add_parser(
        "export", help="write a model as ONNX (runs in onnxruntime and elsewhere)",
        description="Write a saved model as ONNX: input 'pixels' float32 (N, 784) in [0, 1] "
        "(standardised inside the graph), output 'probabilities' (N, classes), or (N, 1) for a "
        "binary model; opset 17.",
    )
    export_onnx.add_argument("model", type=Path)
    export_onnx.add_argument("out", help="the .onnx file to write (never the model itself)")
    add_sweep_parser(sub, _Parser)
    return parser


def config_from_args(args: argparse.Namespace):  # noqa: ANN201
    from .core.presets import DEFAULT_PRESET, get_preset

    from .core.config import SETTINGS

    preset = get_preset(args.preset or DEFAULT_PRESET)
    changes: dict[str, Any] = {}
    for item in SETTINGS:
        value = getattr(args, item.name, None)
        if value is not None:
            changes[item.name] = value
    return preset.config.updated(**changes)


class _Progress:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._last = 0.0

    def update(self, event) -> None:  # noqa: ANN001
        if not self.enabled:
            return
        from .core.session import eta_seconds

        now = time.perf_counter()
        if now - self._last < 0.1 and event.batch != event.n_batches:
            return
        self._last = now
        frac = event.batch / event.n_batches
        rate = event.samples_done / event.elapsed if event.elapsed > 0 else 0.0
        eta = eta_seconds(event.elapsed, frac, 1.0)  # of this epoch
        bar = "#" * int(frac * 30)
        sys.stderr.write(
            f"\repoch {event.epoch} [{bar:<30}] {frac:4.0%}  {rate:,.0f} samples/s  "
            f"ETA {eta:4.1f}s  loss {event.loss:.4f} "
        )
        sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 100 + "\r")
            sys.stderr.flush()


def _pct(value: float | None) -> str:
    return "    -   " if value is None or value != value else f"{100 * value:6.2f}%"


def _cmd_train(args: argparse.Namespace) -> int:
    from .core.data import load_raw, prepare
    from .core.paths import check_output_path
    from .core.training import Trainer

    config = config_from_args(args)
    config.check()
    # a bad --save path costs a second now, not the run when it ends
    save = None if args.save is None else check_output_path(args.save, suffix=".npz", what="--save")
    raw = load_raw(args.data)
    dataset = prepare(raw, config.data_spec())
    trainer = Trainer(config, dataset, copy_weights_each_epoch=False)
    recorder = None
    if not args.no_record:
        from .core.recording import GuardedRecorder
        from .core.runs import RunStore

        store = RunStore()
        # a store that is a file, read-only or full costs a warning, not the run
        recorder = GuardedRecorder(lambda: store.start(trainer, name=args.name or ""), store.root,
                                   lambda message: sys.stderr.write(f"mnist-gui: warning: {message}\n"))
    out = sys.stdout
    if not args.json:
        out.write(
            f"{dataset.describe()}\nnetwork {'-'.join(map(str, trainer.model.layer_sizes))} "
            f"{config.activation}, loss {config.loss}, {trainer.model.n_parameters:,} parameters, "
            f"{config.optimizer} lr {config.lr:g}, batch {config.batch_size or 'full'}, "
            f"{config.epochs} epochs\n"
        )
        out.flush()
    progress = _Progress(sys.stderr.isatty() and not args.quiet and not args.json)
    stopped_by: list[int] = []  # the signals received

    def on_stop_signal(signum, frame):  # noqa: ANN001, ARG001
        if stopped_by:  # a second signal: give up at once
            raise KeyboardInterrupt if signum == signal.SIGINT else StopSignal(signum)
        stopped_by.append(signum)
        if signum == getattr(signal, "SIGHUP", None):
            _detach_from_lost_terminal()
        trainer.stop()

    # installed until the model is saved: a signal while saving is the first one, and
    # the save goes on
    previous = {signum: signal.signal(signum, on_stop_signal) for signum in STOP_SIGNALS}
    try:
        finished = _train_and_save(args, trainer, dataset, config, recorder, save, progress, out)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if finished.reason == "diverged":
        sys.stderr.write(f"mnist-gui: {finished.message}\n")
        return EXIT_DIVERGED
    if stopped_by:
        sys.stderr.write(f"mnist-gui: {STOP_SIGNALS[stopped_by[0]]}\n")
        return 128 + stopped_by[0]
    return 0


def _detach_from_lost_terminal() -> None:
    """After SIGHUP the terminal is gone and writing to it fails (EIO): send what would
    have gone there to /dev/null, so the run still stops cleanly and saves."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in (1, 2):
            try:
                if os.isatty(fd):
                    os.dup2(devnull, fd)
            except OSError:
                pass
    finally:
        os.close(devnull)


def _train_and_save(args, trainer, dataset, config, recorder, save, progress, out):  # noqa: ANN001, ANN202, PLR0913
    """The training loop of ``train``, then the save: the TrainingFinished event."""
    from .core.evaluation import evaluate_model
    from .core.model_file import save_model
    from .core.training import BatchFinished, EpochFinished, TrainingFinished

    finished = None
    try:
        for event in trainer.run():
            if recorder is not None:
                recorder.record(event)
            if isinstance(event, BatchFinished):
                progress.update(event)
            elif isinstance(event, EpochFinished):
                progress.clear()
                if args.json:
                    out.write(json.dumps({"event": "epoch", **_clean(event.metrics())}) + "\n")
                else:
                    out.write(
                        f"epoch {event.epoch:>3}/{event.epochs}  loss {event.train_loss:.4f}  "
                        f"train {_pct(event.train_accuracy)}  val {_pct(event.val_accuracy)}  "
                        f"test {_pct(event.test_accuracy)}  {event.train_seconds:6.2f}s  "
                        f"{event.samples_per_second:,.0f} samples/s\n"
                    )
                out.flush()
            elif isinstance(event, TrainingFinished):
                finished = event
    finally:
        progress.clear()
    if finished is None:  # run() always ends with TrainingFinished; be safe anyway
        finished = TrainingFinished("stopped", "training ended early", len(trainer.history))
    metrics: dict[str, Any] = {"reason": finished.reason, "epochs_completed": finished.epochs_completed}
    if trainer.history:
        metrics.update(_clean(trainer.history[-1].metrics()))
    if save is not None:
        report = evaluate_model(trainer.model, dataset.X_test, dataset.y_test)
        metrics["test_accuracy"] = report.accuracy
        metrics["test_loss"] = report.loss
        path = save_model(save, trainer.model, config.to_dict(), metrics,
                          history=[epoch.metrics() for epoch in trainer.history])
        if not args.json:
            out.write(f"saved {path}\n")
    if args.json:
        out.write(json.dumps({"event": "finished", "message": finished.message, **_clean(metrics)}) + "\n")
    elif finished.reason != "completed":
        out.write(finished.message + "\n")
    out.flush()
    return finished


def _clean(values: dict) -> dict:
    """JSON-safe: NaN becomes null, NumPy scalars plain numbers."""
    from .core.model_file import json_safe

    return json_safe(values)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .core.data import load_raw
    from .core.evaluation import evaluate_on_test_set
    from .core.model_file import load_model

    model, _meta = load_model(args.model)
    raw = load_raw(args.data)
    report = evaluate_on_test_set(model, raw).report
    y = report.y_true
    if args.json:
        print(json.dumps(_clean(report.as_dict())))
        return 0
    print(f"{args.model}: {'-'.join(map(str, model.layer_sizes))} {model.activations}")
    print(f"test set: {len(y):,} images from {raw.source}")
    print(f"accuracy {100 * report.accuracy:.2f}%   loss {report.loss:.4f}   "
          f"mistakes {len(report.mistakes):,}\n")
    print(report.report.format())
    print("\nconfusion matrix (rows: true, columns: predicted)")
    header = "      " + "".join(f"{c:>6}" for c in model.classes)
    print(header)
    for c, row in zip(model.classes, report.confusion):
        print(f"{c:>6}" + "".join(f"{v:>6}" for v in row))
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    from .core.model_file import load_model
    from .core.preprocess import mnist_preprocess, model_input, to_ink
    from .imageio import read_grayscale

    model, _meta = load_model(args.model)
    if model.layer_sizes[0] != 784:
        raise ConfigError(f"the model takes {model.layer_sizes[0]} inputs, not 28x28 images")
    image = mnist_preprocess(to_ink(read_grayscale(args.image)))
    probabilities = model.predict_proba(model_input(image, model.input_mean, model.input_std))[0]
    best = int(probabilities.argmax())
    digit = model.classes[best]
    if args.json:
        print(json.dumps({
            "digit": digit,
            "confidence": float(probabilities[best]),
            "probabilities": {str(c): float(p) for c, p in zip(model.classes, probabilities)},
        }))
        return 0
    print(f"{digit}  ({100 * probabilities[best]:.1f}%)")
    for c, p in zip(model.classes, probabilities):
        print(f"  {c}: {100 * p:5.1f}% {'#' * int(round(p * 40))}")
    return 0


def _differing_settings(runs: list) -> list[str]:  # noqa: ANN001
    """The settings whose values differ between runs (what tells them apart)."""
    keys = sorted({k for run in runs for k in run.config})
    return [k for k in keys if len({json.dumps(run.config.get(k)) for run in runs}) > 1]


def _cmd_runs(args: argparse.Namespace) -> int:
    from .core.runs import RunStoreError, printable

    try:
        return _runs_command(args)
    except MnistGuiError as exc:  # a message may quote a run's id or a path inside it
        raise RunStoreError(printable(exc)) from None


def _runs_command(args: argparse.Namespace) -> int:
    from .core.runs import RunStore, printable

    store = RunStore()
    command = getattr(args, "runs_command", None)
    if command == "rename":
        store.rename(args.id, args.name)
        return 0
    if command == "delete":
        store.delete(args.id)
        return 0
    if command == "export":
        from .core.paths import check_output_path

        out = check_output_path(args.out, suffix=".npz")
        print(printable(store.export(args.id, out, args.epoch)))
        return 0
    if command == "continue":
        return _cmd_runs_continue(args, store)
    if command == "show":
        run = store.get(args.id)
        if args.json:
            print(json.dumps(run.summary(), default=str))
            return 0
        # every stored string goes through printable(): no escape sequence reaches the terminal
        print(printable(f"run {run.id} {run.name!r}: {run.outcome}"
                        + (f" (damaged: {run.damaged})" if run.damaged else "")))
        print(printable("settings: " + ", ".join(f"{k}={v}" for k, v in run.config.items())))
        for e in run.epochs:
            loss = "-" if e["train_loss"] is None else f"{e['train_loss']:.4f}"
            print(f"epoch {e['epoch']:>3}  loss {loss}  "
                  f"val {_pct(e['val_accuracy'])}  test {_pct(e['test_accuracy'])}")
        return 0
    runs = store.runs()
    if args.json:
        print(json.dumps([run.summary() for run in runs], default=str))
        return 0
    if not runs:
        print(printable(f"no runs yet in {store.root}"))
        return 0
    differing = _differing_settings([r for r in runs if not r.damaged])
    for run in runs:
        if run.damaged:
            print(printable(f"{run.id}  damaged: {run.damaged}"))
            continue
        settings = ", ".join(f"{k}={run.config.get(k)}" for k in differing[:6])
        duration = f"{run.duration:.0f}s" if run.duration else "-"
        print(printable(
            f"{run.id}  {run.name or '-':<16} {run.outcome:<11} epochs {len(run.epochs):>3}  "
            f"best {_pct(run.best_test_accuracy)}  final {_pct(run.final_test_accuracy)}  "
            f"{duration:>6}  {settings}"))
    return 0


def _cmd_runs_continue(args: argparse.Namespace, store) -> int:  # noqa: ANN001
    """``runs continue``: the run's own settings (only --epochs may raise its length)."""
    from .core.config import TrainConfig
    from .core.data import load_raw, prepare
    from .core.runs import RunStoreError, printable
    from .core.training import EpochFinished, TrainingFinished

    run = store.get(args.id)
    start = args.epoch if args.epoch is not None else (
        run.epochs[-1]["epoch"] if run.epochs else None)
    if start is None:
        raise RunStoreError(f"run {printable(run.id)} has no completed epoch to continue from")
    config = TrainConfig.from_dict(run.config)
    if args.epochs is not None:
        config = config.updated(epochs=args.epochs)
    if config.epochs <= start:
        raise ConfigError(f"run {printable(run.id)} is at epoch {start} of {config.epochs}: give "
                          f"--epochs with more than {start} to go further")
    config.check()
    dataset = prepare(load_raw(args.data), config.data_spec())
    trainer = store.resume_trainer(run.id, start, dataset, config)
    if not store.has_resume_state(run.id, start):
        sys.stderr.write(f"mnist-gui: no resume state for epoch {start} (kept for the latest "
                         "epoch only): continuing from its weights with a fresh optimiser and "
                         "data order\n")
    recorder = store.start(trainer, args.name if args.name is not None else run.name,
                           parent=(run.id, trainer.epochs_done))
    if not args.json:
        print(printable(f"continuing run {run.id} from epoch {trainer.epochs_done} to "
                        f"{config.epochs}, recorded as run {recorder.id}"), flush=True)
    # Ctrl+C, SIGTERM (timeout, docker stop) and SIGHUP: stop after the batch, record the end
    received: list[int] = []

    def on_signal(signum, frame):  # noqa: ANN001, ARG001
        received.append(signum)
        trainer.stop()

    handled = [getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
               if hasattr(signal, name)]
    previous = {signum: signal.signal(signum, on_signal) for signum in handled}
    finished = TrainingFinished("stopped", "training ended early", 0)
    try:
        for event in trainer.run():
            recorder.record(event)
            if isinstance(event, EpochFinished):
                if args.json:
                    print(json.dumps({"event": "epoch", **_clean(event.metrics())}), flush=True)
                else:
                    print(f"epoch {event.epoch:>3}/{event.epochs}  loss {event.train_loss:.4f}  "
                          f"val {_pct(event.val_accuracy)}  test {_pct(event.test_accuracy)}",
                          flush=True)
            elif isinstance(event, TrainingFinished):
                finished = event
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        recorder.finish(finished.reason)  # no-op if the run's end was recorded
    if args.json:
        print(json.dumps({"event": "finished", "run": recorder.id, "message": finished.message,
                          "reason": finished.reason}))
    elif finished.reason != "completed":
        print(finished.message)
    if finished.reason == "diverged":
        sys.stderr.write(f"mnist-gui: {finished.message}\n")
        return EXIT_DIVERGED
    if received:
        sys.stderr.write("mnist-gui: interrupted\n")
        return 128 + int(received[0])  # 130 for Ctrl+C, 143 SIGTERM, 129 SIGHUP
    return 0


def _cmd_presets(args: argparse.Namespace) -> int:  # noqa: ARG001
    from .core.presets import PRESETS

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        print(f"{name:<{width}}  {preset.description}")
    return 0


def _explain_image(spec: str, data: Path | None) -> tuple[Any, int | None]:
    """(28x28 image in [0, 1], its label or None) for a file (preprocessed as the app does)
    or ``test:N`` (the N-th test image, as it is)."""
    import numpy as np

    if spec.startswith("test:"):
        from .core.data import load_raw

        try:
            n = int(spec[5:])
        except ValueError:
            raise ConfigError(f"expected test:N with a whole number N, got {spec!r}") from None
        raw = load_raw(data)
        if not 0 <= n < len(raw.test_images):
            raise ConfigError(f"test:{n}: the test set has images 0 to {len(raw.test_images) - 1}")
        if raw.image_shape != (28, 28):
            raise ConfigError(f"the test images are {raw.image_shape}, not 28x28")
        return raw.test_images[n].reshape(28, 28) / np.float64(255), int(raw.test_labels[n])
    from .core.preprocess import mnist_preprocess, to_ink
    from .imageio import read_grayscale

    return mnist_preprocess(to_ink(read_grayscale(spec))), None


def _ascii_map(values: Any, signed: bool) -> list[str]:
    """A 28x28 array as 28 lines of two-character cells (darker = larger |value|)."""
    import numpy as np

    ramp = " .:-=+*#%@"
    top = float(np.abs(values).max()) or 1.0
    lines = []
    for row in values:
        cells = []
        for v in row:
            level = min(int(abs(v) / top * (len(ramp) - 1) + 0.5), len(ramp) - 1)
            mark = ramp[level]
            if signed and level > 0:
                mark = ("+#" if v > 0 else "-=")[level > 4]  # weak or strong, towards or against
            cells.append(mark * 2)
        lines.append("".join(cells))
    return lines


def _cmd_explain(args: argparse.Namespace) -> int:
    from .core import explain as ex
    from .core.model_file import load_model

    model, _meta = load_model(args.model)
    ex.check_model(model)
    for flag in ("target", "versus", "counterfactual"):
        if getattr(args, flag) is not None:
            ex.class_index(model, getattr(args, flag))
    image, label = _explain_image(args.image, args.data)
    seen = ex.forward(model, image)
    attribution = ex.attribute(model, image, args.method, target=args.target, versus=args.versus,
                               output=args.output, steps=args.steps, samples=args.steps)
    found = None if args.counterfactual is None else ex.counterfactual(model, image, args.counterfactual)
    # the network's own outputs: 10 probabilities, or the one sigmoid unit of a binary model
    outputs = seen.probabilities[1:] if model.is_binary else seen.probabilities
    if args.json:
        result: dict[str, Any] = {
            "predicted": seen.predicted,
            "classes": model.classes,
            "probabilities": outputs.tolist(),
            "input": image.tolist(),
            "activations": [a.tolist() for a in seen.activations],
            "method": attribution.method,
            "target": attribution.target,
            "output": attribution.output,
            "value": attribution.value,
            "attributions": attribution.attributions.tolist(),
        }
        if label is not None:
            result["label"] = label
        if attribution.versus is not None:
            result["versus"] = attribution.versus
        if attribution.baseline_value is not None:
            result["baseline_value"] = attribution.baseline_value
            result["steps"] = attribution.steps
        if found is not None:
            probabilities = found.probabilities[1:] if model.is_binary else found.probabilities
            result.update({
                "counterfactual": found.image.tolist(),
                "counterfactual_probabilities": probabilities.tolist(),
                "counterfactual_predicted": found.predicted,
                "counterfactual_reached": found.reached,
                "counterfactual_l2": found.l2,
            })
        print(json.dumps(result))
        return 0
    best = int(seen.probabilities.argmax())
    known = "" if label is None else f" (label {label})"
    print(f"{args.image}{known}: predicted {seen.predicted} ({100 * seen.probabilities[best]:.1f}%)")
    print("  " + "  ".join(f"{c}: {100 * p:.1f}%" for c, p in zip(model.classes, seen.probabilities)))
    for i, a in enumerate(seen.activations, 1):
        print(f"hidden layer {i}: {len(a)} units, {int((a > 0).sum())} positive, max {a.max():.3g}")
    what = f"{attribution.output} of {attribution.target}"
    if attribution.versus is not None:
        what += f" minus that of {attribution.versus}"
    line = f"{attribution.method}: {what} = {attribution.value:.4g}"
    if attribution.baseline_value is not None:
        line += (f" (black baseline {attribution.baseline_value:.4g}; attributions sum to "
                 f"{attribution.attributions.sum():.4g} over {attribution.steps} steps)")
    print(line)
    print("input" + " " * 53 + "attributions (+ # towards, - = against; weak, strong)")
    for left, right in zip(_ascii_map(image, False), _ascii_map(attribution.attributions, True)):
        print(f"{left}  {right}")
    if found is not None:
        verdict = "answers" if found.reached else "still does not answer"
        print(f"counterfactual: after {found.steps} steps the network {verdict} {found.target} "
              f"(predicts {found.predicted}, {100 * found.probabilities.max():.1f}%), "
              f"change L2 {found.l2:.3f}")
        for line in _ascii_map(found.delta, True):
            print(line)
    return 0


def _cmd_robustness(args: argparse.Namespace) -> int:
    from .core.data import load_raw
    from .core.model_file import load_model
    from .core.robustness import LEVEL_KEYS, robustness_report

    model, _meta = load_model(args.model)
    report = robustness_report(model, load_raw(args.data), seed=args.seed, limit=args.limit)
    if args.json:
        print(json.dumps(_clean(report.as_dict())))
        return 0
    print(f"{args.model}: test accuracy {100 * report.accuracy:.2f}% on {report.n:,} digits "
          f"(seed {report.seed})")
    for name, key in LEVEL_KEYS.items():
        cells = "  ".join(f"{row[key]:g}: {100 * row['accuracy']:.1f}%" for row in report.curves[name])
        print(f"{name:>10} ({key}) {cells}")
    print("  coverage (threshold: kept, accuracy of kept)")
    for row in report.coverage:
        accuracy = "-" if row["accuracy"] is None else f"{100 * row['accuracy']:.2f}%"
        print(f"    {row['threshold']:>6g}: {100 * row['coverage']:5.1f}%  {accuracy}")
    return 0


def _cmd_prune(args: argparse.Namespace) -> int:
    import numpy as np

    from .core.data import load_raw, test_set_for
    from .core.lab import Lab, Prune, check_edit, edit_as_dict, edit_from_dict
    from .core.model_file import load_model, save_model
    from .core.paths import check_output_path

    edit = Prune(args.fraction, per_layer=args.per_layer)
    check_edit(edit)
    save = check_output_path(args.save, suffix=".npz", inputs=[args.model], what="--save")
    model, meta = load_model(args.model)
    earlier = meta.get("edits", [])  # a file's text: each one checked
    if not isinstance(earlier, list):
        raise ConfigError(f"{args.model}: 'edits' in its meta is not a list")
    earlier = [edit_as_dict(edit_from_dict(e)) for e in earlier]
    X, y, _ = test_set_for(load_raw(args.data), model.classes, model.input_mean, model.input_std)
    lab = Lab(model, X, y)
    before = lab.results()
    lab.apply(edit)
    after = lab.results()
    edits = earlier + lab.edits_as_dicts()
    path = save_model(save, lab.saved_model(), meta.get("config"),
                      {"test_accuracy": after.accuracy}, edits)
    layers = [float(np.mean(W == 0)) for W in lab.model.W]
    if args.json:
        print(json.dumps(_clean({
            "accuracy_before": before.accuracy, "accuracy_after": after.accuracy,
            "sparsity": after.sparsity, "layer_sparsity": layers, "saved": str(path),
            "edits": edits})))
        return 0
    print(f"{edit.describe()}: test accuracy {100 * before.accuracy:.2f}% -> "
          f"{100 * after.accuracy:.2f}%")
    print("zero weights per layer: " + ", ".join(f"{100 * v:.1f}%" for v in layers)
          + f" (all: {100 * after.sparsity:.1f}%)")
    print(f"saved {path}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .core.model_file import load_model
    from .core.onnx_export import OPSET, export_onnx
    from .core.paths import check_output_path

    out = check_output_path(args.out, inputs=[args.model], what="output")
    model, _meta = load_model(args.model)
    path = export_onnx(model, out)
    print(f"wrote {path} (ONNX opset {OPSET}, {path.stat().st_size:,} bytes)")
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:  # noqa: ARG001
    try:
        from .gui.app import main as gui_main
    except ImportError as exc:
        sys.stderr.write(f"mnist-gui: the desktop app cannot start: {exc}\n")
        return EXIT_ERROR
    return gui_main()


COMMANDS = {
    "train": _cmd_train,
    "evaluate": _cmd_evaluate,
    "predict": _cmd_predict,
    "presets": _cmd_presets,
    "runs": _cmd_runs,
    "explain": _cmd_explain,
    "robustness": _cmd_robustness,
    "prune": _cmd_prune,
    "export": _cmd_export,
    "gui": _cmd_gui,
    "sweep": cmd_sweep,
    None: _cmd_gui,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    previous = {}
    try:
        args = build_parser().parse_args(argv)
        if args.command not in (None, "gui") and threading.current_thread() is threading.main_thread():
            previous = {signum: signal.signal(signum, _raise_stop_signal)
                        for signum in STOP_SIGNALS if signum != signal.SIGINT}
        return COMMANDS[args.command](args)
    except StopSignal as exc:
        try:  # after SIGHUP the terminal may be gone
            sys.stderr.write(f"mnist-gui: {STOP_SIGNALS[exc.signum]}\n")
        except OSError:
            pass
        return 128 + exc.signum
    except UsageError as exc:
        sys.stderr.write(f"{exc} (see mnist-gui --help)\n")
        return EXIT_USAGE
    except MnistGuiError as exc:
        sys.stderr.write(f"mnist-gui: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("mnist-gui: interrupted\n")
        return EXIT_INTERRUPTED
    except MemoryError:
        sys.stderr.write("mnist-gui: out of memory; try a smaller network or batch size\n")
        return EXIT_ERROR
    except BrokenPipeError:
        return 0
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
