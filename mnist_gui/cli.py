"""Headless command line: train, evaluate, predict, presets. ``mnist-gui`` alone opens the app.

Exit status: 0 success, 1 bad input (one line on stderr), 2 bad usage, 3 training
diverged, 130 interrupted by Ctrl+C.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from . import __version__
from .core.errors import ConfigError, MnistGuiError

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    pass


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

    sub.add_parser("gui", help="open the desktop app (the default)")

    train = sub.add_parser(
        "train", help="train a network headless",
        description="Train a network headless. Every setting defaults to the preset's value.",
    )
    train.add_argument("--preset", default=None,
                       help="start from a preset (see 'presets'); default: fast")
    _add_setting_flags(train)
    train.add_argument("--data", type=Path, help="folder with the four MNIST-format IDX files")
    train.add_argument("--save", type=Path, help="write the trained model here (.npz)")
    train.add_argument("--json", action="store_true", help="one JSON object per epoch")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    evaluate = sub.add_parser("evaluate", help="score a saved model on the test set")
    evaluate.add_argument("model", type=Path)
    evaluate.add_argument("--data", type=Path)
    evaluate.add_argument("--json", action="store_true")

    predict = sub.add_parser("predict", help="classify a digit image (PNG, JPEG, ...)")
    predict.add_argument("model", type=Path)
    predict.add_argument("image", type=Path)
    predict.add_argument("--json", action="store_true")

    sub.add_parser("presets", help="list the presets")
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
    from .core.evaluation import evaluate_model
    from .core.model_file import save_model
    from .core.training import BatchFinished, EpochFinished, Trainer, TrainingFinished

    config = config_from_args(args)
    config.check()
    raw = load_raw(args.data)
    dataset = prepare(raw, config.data_spec())
    trainer = Trainer(config, dataset, copy_weights_each_epoch=False)
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
    interrupted = []

    def on_sigint(signum, frame):  # noqa: ANN001, ARG001
        if interrupted:  # a second Ctrl+C: give up at once
            raise KeyboardInterrupt
        interrupted.append(True)
        trainer.stop()

    previous = signal.signal(signal.SIGINT, on_sigint)
    finished = None
    try:
        for event in trainer.run():
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
        signal.signal(signal.SIGINT, previous)
        progress.clear()
    if finished is None:  # run() always ends with TrainingFinished; be safe anyway
        finished = TrainingFinished("stopped", "training ended early", len(trainer.history))
    metrics: dict[str, Any] = {"reason": finished.reason, "epochs_completed": finished.epochs_completed}
    if trainer.history:
        metrics.update(_clean(trainer.history[-1].metrics()))
    if args.save:
        report = evaluate_model(trainer.model, dataset.X_test, dataset.y_test)
        metrics["test_accuracy"] = report.accuracy
        metrics["test_loss"] = report.loss
        path = save_model(args.save, trainer.model, config.to_dict(), metrics)
        if not args.json:
            out.write(f"saved {path}\n")
    if args.json:
        out.write(json.dumps({"event": "finished", "message": finished.message, **_clean(metrics)}) + "\n")
    elif finished.reason != "completed":
        out.write(finished.message + "\n")
    out.flush()
    if finished.reason == "diverged":
        sys.stderr.write(f"mnist-gui: {finished.message}\n")
        return EXIT_DIVERGED
    if interrupted:
        sys.stderr.write("mnist-gui: interrupted\n")
        return EXIT_INTERRUPTED
    return 0


def _clean(values: dict) -> dict:
    """JSON-safe: NaN becomes null."""
    return {k: (None if isinstance(v, float) and v != v else v) for k, v in values.items()}


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


def _cmd_presets(args: argparse.Namespace) -> int:  # noqa: ARG001
    from .core.presets import PRESETS

    width = max(map(len, PRESETS))
    for name, preset in PRESETS.items():
        print(f"{name:<{width}}  {preset.description}")
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
    "gui": _cmd_gui,
    None: _cmd_gui,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
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
