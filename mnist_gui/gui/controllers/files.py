"""The files controller: open and save models, open a data folder, classify an image file,
export curves and ONNX, and the file dialogs (which open where the last file was chosen).

Save and Export both write the **shown** model (a viewed moment's while one is viewed), and
their dialogs say which model that is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import QFileDialog

from ...core.data import load_raw
from ...core.errors import ConfigError, MnistGuiError
from ...core.evaluation import ModelEvaluation, evaluate_on_test_set
from ...core.model_file import history_in, load_model, save_model
from ...core.training import EpochFinished, TrainConfig
from ..guard import guarded
from ..text import count, percent
from .base import Controller

if TYPE_CHECKING:
    from ..main_window import MainWindow

# shown through self.tr() (QT_TRANSLATE_NOOP only marks it for lupdate)
MODEL_FILTER = QT_TRANSLATE_NOOP("FilesController", "mnist-gui models (*.npz)")


class FilesController(Controller):
    """Signals: ``model_loaded(meta)``, ``model_open_failed(message)``,
    ``onnx_exported(path)``."""

    model_loaded = Signal(object)
    model_open_failed = Signal(str)
    onnx_exported = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._open_request = 0  # the latest open_model request; older results are dropped

    def forget_pending_open(self) -> None:
        """A run or another model replaces what the views show: drop a model still loading."""
        self._open_request += 1

    # ------------------------------------------------------------------ models

    def open_model(self, path: str) -> None:
        """Load a model file and score it on the test set, off the GUI thread. The views
        follow it when it is ready (``model_loaded``); a failure is a non-blocking message
        (``model_open_failed``)."""
        if self.window.is_training:
            self._fail_open(self.tr("Stop the training run before opening a model."))
            return
        self._open_request += 1
        request = self._open_request
        raw, data_dir = self.state.raw, self.state.data_dir

        def load() -> tuple:
            model, meta = load_model(path)
            data = raw or load_raw(data_dir)
            try:
                evaluation: ModelEvaluation | None = evaluate_on_test_set(model, data)
            except ConfigError:
                evaluation = None  # another input size: nothing to score it on
            return request, path, model, meta, data, evaluation

        self.window.show_status(self.tr("Opening {file}…").format(file=Path(path).name), "open")
        self.window.jobs.submit("files.open", load, on_done=self._on_model_file_loaded,
                                on_failed=self._fail_open)

    def _on_model_file_loaded(self, result: tuple) -> None:
        request, path, model, meta, raw, evaluation = result
        self.state.set_data(raw, self.state.data_dir)
        if request != self._open_request or self.window.is_training:
            return  # another file or a run was asked for since
        config = meta.get("config") if isinstance(meta.get("config"), dict) else None
        state = self.state
        history = [EpochFinished.from_metrics(row) for row in history_in(meta)]
        generation = state.begin("file", config=config, path=path, history=history)
        state.set_metrics(generation, meta.get("metrics"))
        state.set_model(generation, model)
        if evaluation is not None:
            state.set_evaluation(generation, evaluation)
        if config is not None:
            try:
                self.window.config_panel.set_config(TrainConfig.from_dict(config), "custom")
            except (ConfigError, TypeError, ValueError):
                pass  # a model from another version may carry settings we no longer take
        sizes = "-".join(map(str, model.layer_sizes))
        classes = ", ".join(map(str, model.classes))
        if evaluation is not None:
            opened = self.tr("Opened {file}: {sizes}, classes {classes}, test accuracy "
                             "{accuracy}").format(file=Path(path).name, sizes=sizes,
                                                  classes=classes,
                                                  accuracy=percent(evaluation.report.accuracy))
        else:
            opened = self.tr("Opened {file}: {sizes}, classes {classes}, not scored: it does "
                             "not take 28x28 images").format(file=Path(path).name, sizes=sizes,
                                                             classes=classes)
        self.window.show_status(opened, "open")
        self.model_loaded.emit(meta)

    def _fail_open(self, message: str) -> None:
        self.window.message(self.tr("Cannot open model"), message, "critical", topic="open")
        self.model_open_failed.emit(message)

    def save_model(self, path: str) -> Path | None:
        """Save the shown model (the live one as of its last snapshot, a loaded one, or the
        viewed moment's) with the settings it was made with."""
        state = self.state
        model = state.shown_model
        if model is None:
            self.window.message(self.tr("Nothing to save"), self.tr("Train or open a model first."),
                               "information")
            return None
        metrics = state.metrics if not state.viewing_moment else _moment_metrics(state)
        try:
            saved = save_model(path, model, state.shown_config, metrics,
                               history=self._shown_history())
        except MnistGuiError as exc:
            self.window.message(self.tr("Cannot save model"), str(exc), "critical")
            return None
        self.window.show_status(self.tr("Saved {file} ({model})").format(
            file=saved, model=state.caption or self.tr("the shown model")), "save")
        return saved

    def _shown_history(self) -> list[dict]:
        """The shown model's epochs (metrics only), kept in its file so that opening it
        draws its curves: the run's so far, or a viewed moment's up to its epoch."""
        state = self.state
        if not state.viewing_moment:
            return [epoch.metrics() for epoch in state.history]
        run, epoch = state.moment_run, state.shown_epoch
        if run is None or epoch is None or int(epoch) < 1:
            return []
        return [e.metrics() for e in self.window.run_store.epoch_history(run.id, int(epoch))]

    def export_onnx(self, path: str) -> None:
        """Write the shown model as ONNX (off the GUI thread); ``onnx_exported(path)`` or a
        message follows."""
        model = self.state.shown_model
        if model is None:
            self.window.message(self.tr("Nothing to export"), self.tr("Train or open a model first."),
                               "information")
            return
        copy = model.clone()

        def export() -> str:
            from ...core.onnx_export import export_onnx

            return str(export_onnx(copy, path))

        self.window.show_status(self.tr("Exporting {file}…").format(file=Path(path).name), "export")
        self.window.jobs.submit("files.onnx", export, on_done=self._on_onnx_exported,
                                on_failed=self._on_onnx_failed)

    def _on_onnx_exported(self, path: str) -> None:
        self.window.show_status(self.tr("Exported {file}: input \"pixels\" (N, 784) in [0, 1], "
                                        "output \"probabilities\"").format(file=path), "export")
        self.onnx_exported.emit(path)

    def _on_onnx_failed(self, message: str) -> None:
        self.window.message(self.tr("Cannot export as ONNX"), message, "critical", topic="export")

    def classify_image(self, path: str) -> bool:
        """Put a digit image (PNG, JPEG, ...) on the Draw canvas, so the model classifies it."""
        from ...core.preprocess import to_ink
        from ...imageio import read_grayscale

        window = self.window
        try:
            ink = to_ink(read_grayscale(path))
        except MnistGuiError as exc:
            window.message(self.tr("Cannot use that image"), str(exc), "warning")
            return False
        window.show_view(window.draw_panel)
        window.draw_panel.canvas.set_ink(ink)
        window.show_status(self.tr("Classifying {file}: {answer}").format(
            file=Path(path).name, answer=window.prediction_label.text()), "classify")
        return True

    def export_curves(self, path: str) -> tuple[Path, Path] | None:
        """Write the curves as PNG and the per-epoch table as CSV next to ``path``, and
        every series shown (overlaid runs included, as drawn) as ``<name>-shown.csv``;
        (png, csv), or None (and a message) if there is nothing to export."""
        window, curves = self.window, self.window.curves_panel
        if not curves.history:
            window.message(self.tr("Nothing to export"),
                           self.tr("No epoch to export: the shown model has no training history "
                                   "here. Train a model, or select its run in Runs, then export "
                                   "its curves."), "information")
            return None
        base = Path(path).with_suffix("")
        png, csv = base.with_suffix(".png"), base.with_suffix(".csv")
        shown = base.with_name(f"{base.name}-shown.csv")
        try:
            curves.export_png(png)
            curves.export_epochs_csv(csv)
            curves.export_csv(shown)
        except OSError as exc:
            window.message(self.tr("Cannot export"), f"{exc.filename}: {exc.strerror}", "critical")
            return None
        window.show_status(self.tr("Exported {png}, {csv} and {shown}").format(
            png=png, csv=csv, shown=shown.name), "export")
        return png, csv

    # ------------------------------------------------------------------ data

    def open_data_folder(self, folder: str) -> None:
        """Read the MNIST-format files in ``folder``; the shown model is re-scored on them
        and every view that shows data follows."""
        state = self.state
        model = state.shown_model.clone() if state.shown_model is not None else None
        generation, moment = state.generation, state.moment_token
        score = model is not None and not state.following_live_run
        epoch = state.shown_epoch or 0  # the model's, not "epoch 0"


        def load() -> tuple:
            raw = load_raw(folder)
            evaluation = None
            if score:
                try:
                    evaluation = evaluate_on_test_set(model, raw, epoch)
                except ConfigError:
                    evaluation = None
            return folder, raw, generation, moment, evaluation

        self.window.show_status(self.tr("Reading MNIST files in {folder}…").format(folder=folder),
                                "data")
        self.window.jobs.submit("files.data", load, on_done=self._on_data_folder_loaded,
                                on_failed=self._on_data_folder_failed)

    def _on_data_folder_loaded(self, result: tuple) -> None:
        folder, raw, generation, moment, evaluation = result
        state = self.state
        if moment is not None:
            # a moment was viewed: its evaluation on the new data replaces the old one
            state.set_data(raw, folder)
            if evaluation is not None:
                state.set_moment_evaluation(moment, evaluation)
        else:
            state.set_data(raw, folder, generation, evaluation)
        self.window.show_status(self.tr(
            "Data from {folder}: {train} training and {test} test images; the views show them"
        ).format(folder=folder, train=count(len(raw.train_labels)),
                 test=count(len(raw.test_labels))), "data")

    def _on_data_folder_failed(self, message: str) -> None:
        self.window.message(self.tr("Cannot use that data folder"), message, "critical",
                           topic="data")

    # ------------------------------------------------------------------ menu slots

    @guarded
    def ask_and_open_model(self) -> None:
        path = self.ask_file(False, self.tr("Open model"), "", self.tr(MODEL_FILTER))
        if path:
            self.window.open_model(path)

    @guarded
    def ask_and_save_model(self) -> None:
        path = self.ask_file(True, self.tr("Save model: {model}").format(
            model=self.shown_model_words()), "model.npz", self.tr(MODEL_FILTER))
        if path:
            self.save_model(path)

    @guarded
    def ask_and_open_data_folder(self) -> None:
        folder = self.ask_folder(self.tr("Folder with the four MNIST-format IDX files"))
        if folder:
            self.open_data_folder(folder)

    @guarded
    def ask_and_classify_image(self) -> None:
        path = self.ask_file(False, self.tr("Classify an image of a digit"), "",
                             self.tr("Images (*.png *.jpg *.jpeg *.bmp *.gif)"))
        if path:
            self.window.classify_image(path)

    @guarded
    def ask_and_export_curves(self) -> None:
        if not self.window.curves_panel.history:
            self.window.export_curves("")  # says there is nothing to export
            return
        path = self.ask_file(True, self.tr("Export curves (PNG and CSV)"), "curves.png",
                             self.tr("PNG image (*.png)"))
        if path:
            self.window.export_curves(path)

    @guarded
    def ask_and_export_onnx(self) -> None:
        if self.state.shown_model is None:
            self.export_onnx("")  # says there is nothing to export
            return
        path = self.ask_file(True, self.tr("Export as ONNX: {model}").format(
            model=self.shown_model_words()), "model.onnx", self.tr("ONNX model (*.onnx)"))
        if path:
            self.export_onnx(path)

    # ------------------------------------------------------------------ dialogs

    def folder(self, name: str = "") -> str:
        """Where a file dialog opens: the folder of the last file chosen (the user's home
        the first time, never wherever the app was launched from), with ``name`` in it."""
        folder = self.window.settings.value("lastFolder")
        if not (isinstance(folder, str) and Path(folder).is_dir()):
            folder = str(Path.home())
        return str(Path(folder) / name) if name else folder

    @guarded
    def remember_folder(self, path: str) -> None:
        folder = str(Path(path).parent)
        self.window.settings.setValue("lastFolder", folder)
        self.window.lab_panel.save_folder = folder

    def ask_file(self, save: bool, title: str, name: str, file_filter: str) -> str:
        """A file chosen in a save or open dialog that starts where the last file was
        chosen ("" if cancelled); its folder is remembered for the next dialog."""
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self.window, title, self.folder(name), file_filter)
        if path:
            self.remember_folder(path)
        return path

    def ask_folder(self, title: str) -> str:
        folder = QFileDialog.getExistingDirectory(self.window, title, self.folder())
        if folder:
            self.remember_folder(str(Path(folder) / "x"))
        return folder

    def shown_model_words(self) -> str:
        """Which model Save and Export write, for their dialogs' titles."""
        state = self.state
        if state.viewing_moment:
            return state.moment_label
        return state.caption.lower() if state.caption else self.tr("the current model")


def _moment_metrics(state) -> dict | None:  # noqa: ANN001 - a CurrentModel
    """The viewed moment's own numbers (its evaluation), not the live run's last epoch's."""
    evaluation = state.shown_evaluation
    if evaluation is None:
        return None
    report = evaluation.report
    return {"epoch": state.shown_epoch, "test_accuracy": float(report.accuracy),
            "test_loss": float(report.loss)}
