"""The main window: builds the panels, owns the training thread, wires the signals.

Panels never see the trainer. The worker (gui/worker.py) runs in a QThread and sends plain
data; this class routes it to the panels and turns errors into messages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QThread, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from .. import __version__
from ..core.data import RawMnist, load_raw, test_set_for
from ..core.errors import ConfigError, MnistGuiError
from ..core.evaluation import evaluate_model
from ..core.model_file import load_model, save_model
from ..core.network import MLP
from ..core.presets import DEFAULT_PRESET
from ..core.training import EpochFinished, TrainConfig, TrainingFinished, TrainingStarted
from .panels.config_panel import ConfigPanel
from .panels.curves_panel import CurvesPanel
from .panels.draw_panel import DrawPanel
from .panels.mistakes_panel import MistakesPanel
from .panels.weights_panel import WeightsPanel
from .worker import Evaluation, FunctionWorker, Progress, TrainingWorker, WeightsSnapshot

ABOUT = f"""<h3>mnist-gui {__version__}</h3>
<p>Watch a from-scratch NumPy multilayer perceptron learn MNIST: curves, weights,
mistakes, and digits you draw yourself.</p>
<p>MNIST data: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "The MNIST database
of handwritten digits", licensed under Creative Commons Attribution-Share Alike 3.0.</p>"""


def _default_blas_threads() -> int | None:
    value = os.environ.get("MNIST_GUI_BLAS_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


class MainWindow(QMainWindow):
    """The app's window. Signals: ``epoch_finished(EpochFinished)`` after every epoch and
    ``training_finished(TrainingFinished)`` when a run ends for any reason."""

    epoch_finished = Signal(object)
    training_finished = Signal(object)
    model_loaded = Signal(object)  # the metadata dict of an opened model
    evaluation_shown = Signal(object)

    def __init__(self, settings: QSettings | None = None, data_dir: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("mnist-gui: watch a neural network learn")
        self.settings = settings or QSettings("mnist-gui", "mnist-gui")
        self._raw: RawMnist | None = None
        self._data_dir = data_dir
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self._helpers: list[tuple[QThread, FunctionWorker]] = []
        self._model: MLP | None = None  # the latest inference copy (live or loaded)
        self._model_config: dict | None = None
        self._model_metrics: dict | None = None
        self._paused = False
        self._final: TrainingFinished | None = None
        self.last_message: QMessageBox | None = None
        self.blas_threads = _default_blas_threads()

        self._build_panels()
        self._build_controls()
        self._build_menus()
        self._restore_settings()
        self._set_running(False)

    # ---------------------------------------------------------------- construction

    def _build_panels(self) -> None:
        self.config_panel = ConfigPanel()
        scroll = QScrollArea()
        scroll.setWidget(self.config_panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(340)
        dock = QDockWidget("Architecture && training", self)
        dock.setObjectName("configDock")
        dock.setWidget(scroll)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

        self.curves_panel = CurvesPanel()
        self.weights_panel = WeightsPanel()
        self.mistakes_panel = MistakesPanel()
        self.draw_panel = DrawPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(self.curves_panel, "Curves")
        self.tabs.addTab(self.weights_panel, "Weights")
        self.tabs.addTab(self.mistakes_panel, "Mistakes")
        self.tabs.addTab(self.draw_panel, "Draw")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tabs)
        self._pending_weights: WeightsSnapshot | None = None

        # the automation contract's names, as attributes too
        self.loss_plot = self.curves_panel.loss_plot
        self.accuracy_plot = self.curves_panel.accuracy_plot
        self.errors_view = self.mistakes_panel.list_view
        self.draw_canvas = self.draw_panel.canvas
        self.prediction_label = self.draw_panel.prediction_label

    def _build_controls(self) -> None:
        toolbar = QToolBar("Training")
        toolbar.setObjectName("trainingToolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(4, 2, 4, 2)
        style = self.style()
        self.train_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Train")
        self.train_button.setObjectName("trainButton")
        self.train_button.setToolTip("Start a new training run (Ctrl+T)")
        self.pause_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause), "Pause")
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setToolTip("Pause or resume (Ctrl+P)")
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("Stop after the current batch (Ctrl+.)")
        self.live_lr_edit = QLineEdit()
        self.live_lr_edit.setObjectName("liveLrEdit")
        self.live_lr_edit.setPlaceholderText("new lr, Enter")
        self.live_lr_edit.setMaximumWidth(110)
        self.live_lr_edit.setToolTip("Change the learning rate while training runs")
        for widget in (self.train_button, self.pause_button, self.stop_button):
            row.addWidget(widget)
        row.addSpacing(16)
        row.addWidget(QLabel("Learning rate now:"))
        self.lr_now_label = QLabel("-")
        self.lr_now_label.setObjectName("lrNowLabel")
        row.addWidget(self.lr_now_label)
        row.addWidget(self.live_lr_edit)
        toolbar.addWidget(box)

        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setMinimumWidth(260)
        self.progress_bar.setFormat("idle")
        self.progress_bar.setValue(0)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("speedLabel")
        self.eta_label = QLabel("")
        self.eta_label.setObjectName("etaLabel")
        status = self.statusBar()
        status.addPermanentWidget(self.speed_label)
        status.addPermanentWidget(self.eta_label)
        status.addPermanentWidget(self.progress_bar)
        status.showMessage("Ready: pick a preset or set up a network, then press Train.")

        self.train_button.clicked.connect(self.start_training)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop_training)
        self.live_lr_edit.returnPressed.connect(self._on_live_lr_entered)
        self.config_panel.config_changed.connect(self._on_config_changed)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(file_menu, "&Open model…", QKeySequence.StandardKey.Open,
                                        self._on_open_model_triggered)
        self.save_action = self._action(file_menu, "&Save model…", QKeySequence.StandardKey.Save,
                                        self._on_save_model_triggered)
        self._action(file_menu, "Open &data folder…", None, self._on_open_data_triggered)
        self._action(file_menu, "&Classify an image…", "Ctrl+I", self._on_open_image_triggered)
        self._action(file_menu, "&Export curves…", "Ctrl+E", self._on_export_curves_triggered)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        view_menu = self.menuBar().addMenu("&View")
        for index, title in enumerate(("&Curves", "&Weights", "&Mistakes", "&Draw")):
            self._action(view_menu, title, f"Ctrl+{index + 1}",
                         lambda _checked=False, i=index: self.tabs.setCurrentIndex(i))
        train_menu = self.menuBar().addMenu("&Training")
        self.train_action = self._action(train_menu, "&Train", "Ctrl+T", self.start_training)
        self.pause_action = self._action(train_menu, "&Pause / resume", "Ctrl+P", self.toggle_pause)
        self.stop_action = self._action(train_menu, "&Stop", "Ctrl+.", self.stop_training)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About", None, self._on_about_triggered)

    def _action(self, menu, text, shortcut, slot) -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # --------------------------------------------------------------------- training

    @property
    def is_training(self) -> bool:
        return self._thread is not None

    def start_training(self) -> None:
        if self.is_training:
            return
        try:
            config = self.config_panel.config()
        except ConfigError as exc:
            self._message("Invalid settings", str(exc), QMessageBox.Icon.Warning)
            return
        self.curves_panel.start(config.epochs)
        self.weights_panel.clear()
        self._model_config = config.to_dict()
        self._model_metrics = None
        worker = TrainingWorker(config, self._raw, self._data_dir, self.blas_threads)
        thread = QThread(self)
        thread.setObjectName("trainingThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.data_loaded.connect(self._on_data_loaded)
        worker.started.connect(self._on_training_started)
        worker.progressed.connect(self._on_training_progressed)
        worker.weights_changed.connect(self._on_weights_changed)
        worker.epoch_finished.connect(self._on_epoch_finished)
        worker.evaluated.connect(self._on_evaluated)
        worker.failed.connect(self._on_training_failed)
        worker.finished.connect(self._on_training_finished)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self._paused = False
        self._set_running(True)
        self.progress_bar.setFormat("loading data…")
        self.statusBar().showMessage("Training…")
        thread.start()

    def toggle_pause(self) -> None:
        if self._worker is None:
            return
        self._paused = not self._paused
        if self._paused:
            self._worker.pause()
            self.pause_button.setText("Resume")
            self.statusBar().showMessage("Paused")
        else:
            self._worker.resume()
            self.pause_button.setText("Pause")
            self.statusBar().showMessage("Training…")

    def stop_training(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self.statusBar().showMessage("Stopping after the current batch…")

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop any training and helper threads and wait for them; True if all ended."""
        ok = True
        if self._worker is not None:
            self._worker.stop()
        if self._thread is not None:
            self._thread.quit()
            ok = self._thread.wait(timeout_ms)
        for thread, _ in list(self._helpers):
            thread.quit()
            ok = thread.wait(timeout_ms) and ok
        return ok

    def _set_running(self, running: bool) -> None:
        self.train_button.setEnabled(not running and self.config_panel.is_valid())
        self.train_action.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.pause_action.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.stop_action.setEnabled(running)
        self.live_lr_edit.setEnabled(running)
        self.open_action.setEnabled(not running)
        self.config_panel.set_running(running)
        if not running:
            self.pause_button.setText("Pause")

    # ------------------------------------------------------------ worker's signals

    def _on_data_loaded(self, raw: RawMnist) -> None:
        self._raw = raw

    def _on_training_started(self, event: TrainingStarted) -> None:
        self.progress_bar.setRange(0, event.epochs * event.n_batches)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(f"epoch 1/{event.epochs}")
        self.statusBar().showMessage(
            f"Training {event.n_parameters:,} parameters on {event.n_train:,} images, "
            f"{event.n_batches} batches of {event.batch_size} per epoch"
        )

    def _on_training_progressed(self, progress: Progress) -> None:
        self.curves_panel.add_batch_losses(progress.steps, progress.losses)
        self.progress_bar.setValue((progress.epoch - 1) * progress.n_batches + progress.batch)
        self.progress_bar.setFormat(
            f"epoch {progress.epoch}/{progress.epochs} · batch {progress.batch}/{progress.n_batches}"
        )
        self.speed_label.setText(f"{progress.samples_per_second:,.0f} samples/s")
        self.eta_label.setText(f"ETA {_duration(progress.eta_seconds)}")
        self.lr_now_label.setText(f"{progress.lr:.4g}")

    def _on_weights_changed(self, snapshot: WeightsSnapshot) -> None:
        self._model = snapshot.model
        if snapshot.epoch_progress == 0:
            self.weights_panel.set_initial(snapshot.weights)
        if self.tabs.currentWidget() is self.weights_panel:
            self.weights_panel.show_weights(snapshot.weights, snapshot.epoch_progress)
        else:
            self._pending_weights = snapshot
        self.draw_panel.set_model(snapshot.model, f"Live model, epoch {snapshot.epoch_progress:.2f}")

    def _on_epoch_finished(self, report: EpochFinished) -> None:
        self.curves_panel.show_epoch(report)
        if report.weights is not None:
            self.weights_panel.show_epoch_weights(report.epoch, report.weights)
        self._model_metrics = report.metrics()
        self.epoch_finished.emit(report)

    def _on_evaluated(self, evaluation: Evaluation) -> None:
        self.mistakes_panel.show_evaluation(evaluation)
        self.evaluation_shown.emit(evaluation)

    def _on_training_failed(self, message: str) -> None:
        self._message("Training failed", message, QMessageBox.Icon.Critical)

    def _on_training_finished(self, final: TrainingFinished) -> None:
        self.progress_bar.setFormat(f"{final.reason}: {final.epochs_completed} epochs")
        self.eta_label.setText("")
        self.statusBar().showMessage(final.message)
        if final.reason == "diverged":
            self._message("Training diverged", final.message, QMessageBox.Icon.Warning)
        if self._model_metrics is not None:
            self._model_metrics["reason"] = final.reason
        self._final = final

    def _on_thread_finished(self) -> None:
        thread, worker = self._thread, self._worker
        self._thread = self._worker = None
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self._set_running(False)
        final = self._final or TrainingFinished("failed", "training ended", 0)
        self._final = None
        # emitted last, when the window is ready for the next run
        self.training_finished.emit(final)

    def _on_live_lr_entered(self) -> None:
        text = self.live_lr_edit.text().strip()
        try:
            lr = float(text)
            if not (lr > 0 and lr <= 1e4):
                raise ValueError
        except ValueError:
            self.live_lr_edit.setStyleSheet("border: 2px solid #d03030;")
            self.statusBar().showMessage(f"learning rate {text!r}: expected a number > 0 and <= 10000")
            return
        self.live_lr_edit.setStyleSheet("")
        if self._worker is not None:
            self._worker.set_learning_rate(lr)
            self.statusBar().showMessage(f"learning rate set to {lr:g}")

    def _on_config_changed(self) -> None:
        if not self.is_training:
            self.train_button.setEnabled(self.config_panel.is_valid())

    # ------------------------------------------------------------------ files

    def open_model(self, path: str) -> None:
        """Load a model file and score it on the test set, off the GUI thread."""
        raw, data_dir = self._raw, self._data_dir

        def load(path: str = path):  # runs in a helper thread
            model, meta = load_model(path)
            data = raw or load_raw(data_dir)
            evaluation = None
            if data.test_images.shape[1] == model.layer_sizes[0]:
                X, y, images = test_set_for(data, model.classes, model.input_mean, model.input_std)
                evaluation = Evaluation(evaluate_model(model, X, y), images, 0)
            return path, model, meta, data, evaluation

        self._run_helper(load, self._on_model_file_loaded, "Cannot open model")

    def _on_model_file_loaded(self, result) -> None:  # noqa: ANN001
        path, model, meta, raw, evaluation = result
        self._raw = raw
        self._model = model
        self._model_config = meta.get("config")
        self._model_metrics = meta.get("metrics")
        self.weights_panel.clear()
        self.weights_panel.show_weights([W.copy() for W in model.W], 0.0)
        self.draw_panel.set_model(model, f"Loaded model {Path(path).name}")
        if evaluation is not None:
            self.mistakes_panel.show_evaluation(evaluation)
            self.evaluation_shown.emit(evaluation)
        if isinstance(self._model_config, dict):
            try:
                self.config_panel.set_config(TrainConfig.from_dict(self._model_config))
            except (ConfigError, TypeError):
                pass  # a model from another tool may carry no config of ours
        accuracy = f", test accuracy {100 * evaluation.report.accuracy:.2f}%" if evaluation else ""
        self.statusBar().showMessage(
            f"Opened {path}: {'-'.join(map(str, model.layer_sizes))}{accuracy}"
        )
        self.model_loaded.emit(meta)

    def save_model(self, path: str) -> Path | None:
        """Save the current model (the live one as of its last snapshot, or a loaded one)."""
        if self._model is None:
            self._message("Nothing to save", "Train or open a model first.", QMessageBox.Icon.Information)
            return None
        try:
            saved = save_model(path, self._model, self._model_config, self._model_metrics)
        except MnistGuiError as exc:
            self._message("Cannot save model", str(exc), QMessageBox.Icon.Critical)
            return None
        self.statusBar().showMessage(f"Saved {saved}")
        return saved

    def open_data_folder(self, folder: str) -> None:
        def load(folder: str = folder):
            return folder, load_raw(folder)

        self._run_helper(load, self._on_data_folder_loaded, "Cannot use that data folder")

    def _on_data_folder_loaded(self, result) -> None:  # noqa: ANN001
        folder, raw = result
        self._raw, self._data_dir = raw, folder
        self.statusBar().showMessage(
            f"Data from {folder}: {len(raw.train_labels):,} training and "
            f"{len(raw.test_labels):,} test images"
        )

    def classify_image(self, path: str) -> bool:
        """Put a digit image (PNG, JPEG, ...) on the Draw canvas, so the model classifies it."""
        from ..core.preprocess import to_ink
        from ..imageio import read_grayscale

        try:
            ink = to_ink(read_grayscale(path))
        except MnistGuiError as exc:
            self._message("Cannot use that image", str(exc), QMessageBox.Icon.Warning)
            return False
        self.tabs.setCurrentWidget(self.draw_panel)
        self.draw_panel.canvas.set_ink(ink)
        self.statusBar().showMessage(f"Classifying {path}")
        return True

    def export_curves(self, path: str) -> tuple[Path, Path]:
        base = Path(path).with_suffix("")
        png, csv = base.with_suffix(".png"), base.with_suffix(".csv")
        self.curves_panel.export_png(png)
        self.curves_panel.export_csv(csv)
        self.statusBar().showMessage(f"Exported {png} and {csv}")
        return png, csv

    def _run_helper(self, function, on_done, failure_title: str) -> None:  # noqa: ANN001
        """Run ``function`` in its own thread; ``on_done(result)`` or a message follows.

        Every connection goes to a bound method of this window, so Qt queues it to the GUI
        thread (a lambda would run in the helper thread, and widgets must not).
        """
        thread = QThread(self)
        worker = FunctionWorker(function, title=failure_title)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(on_done)
        worker.failed.connect(self._on_helper_failed)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_helper_thread_finished)
        self._helpers.append((thread, worker))
        self.statusBar().showMessage("Working…")
        thread.start()

    def _on_helper_failed(self, title: str, message: str) -> None:
        self._message(title, message, QMessageBox.Icon.Critical)

    def _on_helper_thread_finished(self) -> None:
        for pair in list(self._helpers):
            thread, worker = pair
            if thread.isFinished():
                self._helpers.remove(pair)
                worker.deleteLater()
                thread.deleteLater()

    # ------------------------------------------------------------------ menu slots

    def _on_open_model_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", "", "mnist-gui models (*.npz)")
        if path:
            self.open_model(path)

    def _on_save_model_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save model", "model.npz", "mnist-gui models (*.npz)")
        if path:
            self.save_model(path)

    def _on_open_data_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with the four MNIST-format IDX files")
        if folder:
            self.open_data_folder(folder)

    def _on_open_image_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Classify an image of a digit", "",
                                              "Images (*.png *.jpg *.jpeg *.bmp *.gif)")
        if path:
            self.classify_image(path)

    def _on_export_curves_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export curves (PNG and CSV)", "curves.png",
                                              "PNG image (*.png)")
        if path:
            self.export_curves(path)

    def _on_about_triggered(self) -> None:
        self._message("About mnist-gui", ABOUT, QMessageBox.Icon.Information)

    def _message(self, title: str, text: str, icon: QMessageBox.Icon) -> None:
        """Show a non-blocking message (never a nested event loop: tests and the worker's
        signals keep flowing)."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.open()
        self.statusBar().showMessage(f"{title}: {text}" if "<" not in text else title)

    # ------------------------------------------------------------ settings, close

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        state = self.settings.value("windowState")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        text = self.settings.value("config")
        preset = self.settings.value("preset", DEFAULT_PRESET)
        if isinstance(text, str):
            try:
                config = TrainConfig.from_dict(json.loads(text)).check()
                self.config_panel.set_config(config, str(preset))
            except (ValueError, TypeError, ConfigError):
                pass  # settings from another version: keep the defaults

    def _save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("windowState", self.saveState())
        try:
            self.settings.setValue("config", json.dumps(self.config_panel.config().to_dict()))
            self.settings.setValue("preset", self.config_panel.preset_name())
        except ConfigError:
            pass
        self.settings.sync()

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        self._save_settings()
        self.shutdown()
        super().closeEvent(event)

    def _on_tab_changed(self) -> None:
        pending = self._pending_weights
        if pending is not None and self.tabs.currentWidget() is self.weights_panel:
            self.weights_panel.show_weights(pending.weights, pending.epoch_progress)
            self._pending_weights = None


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
