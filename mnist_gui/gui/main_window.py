"""The main window: builds the panels, owns the training thread, wires the signals.

Panels never see the trainer. A ``TrainingSession`` (core/session.py) runs on a
``GeneratorWorker`` in a QThread; what it yields is dispatched here by type. The current
model (a live snapshot or an opened file), its evaluation and its run live in one place,
``CurrentModel`` (gui/state.py); every panel re-renders from it when it changes, and only a
visible panel renders (a hidden one catches up from the state when it is shown).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QThread, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter
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
    QSizePolicy,
    QStyle,
    QTabWidget,
    QToolBar,
    QWidget,
)

from .. import __version__
from ..core.data import RawMnist, load_raw
from ..core.errors import ConfigError, MnistGuiError
from ..core.evaluation import ModelEvaluation, evaluate_on_test_set
from ..core.model_file import load_model, save_model
from ..core.presets import DEFAULT_PRESET
from ..core.session import DataLoaded, ModelSnapshot, Progress, TrainingSession
from ..core.training import EpochFinished, TrainConfig, TrainingFinished, TrainingStarted
from .guard import call_guarded, guarded
from .panels.config_panel import ConfigPanel
from .panels.curves_panel import CurvesPanel
from .panels.draw_panel import DrawPanel
from .panels.mistakes_panel import MistakesPanel
from .panels.weights_panel import WeightsPanel
from .state import CurrentModel
from .text import duration, plural
from .worker import GeneratorWorker, call_once

ABOUT = f"""<h3>mnist-gui {__version__}</h3>
<p>Watch a from-scratch NumPy multilayer perceptron learn MNIST: curves, weights,
mistakes, and digits you draw yourself.</p>
<p>MNIST data: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "The MNIST database
of handwritten digits", licensed under Creative Commons Attribution-Share Alike 3.0.</p>"""

READY = "Ready: pick a preset or set up a network, then press Train."
STOP_AND_QUIT = "Stop and quit"
MINIMUM_SIZE = (1024, 640)


def _default_blas_threads() -> int | None:
    value = os.environ.get("MNIST_GUI_BLAS_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _tagged(generation: int, events: Iterator[object]) -> Iterator[tuple[int, object]]:
    """Each event of a run with the generation it belongs to, so a late one can be dropped."""
    for event in events:
        yield generation, event


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" instead of pushing its neighbours
    (the full text is its tooltip)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text if len(text) > 40 else "")

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()


class MainWindow(QMainWindow):
    """The app's window.

    Signals: ``epoch_finished(EpochFinished)`` after every epoch of the current run,
    ``training_finished(TrainingFinished)`` when a run ends for any reason (the window is
    then ready for the next), ``model_loaded(meta)`` / ``model_open_failed(message)`` after
    ``open_model``, ``evaluation_shown(ModelEvaluation)`` when the views show new test results.
    """

    epoch_finished = Signal(object)
    training_finished = Signal(object)
    model_loaded = Signal(object)  # the metadata dict of an opened model
    model_open_failed = Signal(str)
    evaluation_shown = Signal(object)

    def __init__(self, settings: QSettings | None = None, data_dir: str | None = None) -> None:
        super().__init__()
        self.setWindowTitle("mnist-gui: watch a neural network learn")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.settings = settings or QSettings("mnist-gui", "mnist-gui")
        self.state = CurrentModel(self)
        self._raw: RawMnist | None = None
        self._data_dir = data_dir
        self._session: TrainingSession | None = None
        self._thread: QThread | None = None
        self._worker: GeneratorWorker | None = None
        self._helpers: list[tuple[QThread, GeneratorWorker]] = []
        self._final: TrainingFinished | None = None
        self._open_request = 0  # the latest open_model request; older results are dropped
        self._status_topic = ""  # what the status line is about, to clear it when that ends
        self._quit_confirmed = False
        self._close_when_idle = False
        self.last_message: QMessageBox | None = None
        self.close_question: QMessageBox | None = None
        self.unexpected_errors: list[str] = []  # every error a guarded slot caught, once each
        self.blas_threads = _default_blas_threads()

        self._build_panels()
        self._build_controls()
        self._build_menus()
        self._restore_settings()
        self.state.changed.connect(self._on_state_changed)
        self._set_running(False)
        self._on_config_changed()

    # ---------------------------------------------------------------- construction

    def _build_panels(self) -> None:
        self.config_panel = ConfigPanel()
        scroll = QScrollArea()
        scroll.setWidget(self.config_panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(320)
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
        self.tabs.setTabToolTip(0, "Loss and accuracy while the network trains")
        self.tabs.setTabToolTip(1, "Every layer's weights, live")
        self.tabs.setTabToolTip(2, "The test digits the current model gets wrong")
        self.tabs.setTabToolTip(3, "Draw a digit and see what the current model makes of it")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tabs)
        # tab -> (the state changes it shows, how it re-renders from the state); a hidden
        # tab is marked stale and re-rendered when shown. A new panel that shows the current
        # model is one more line here.
        self._followers: dict[QWidget, tuple[frozenset[str], Callable[[], None]]] = {
            self.weights_panel: (frozenset({"model"}), self._render_weights),
            self.mistakes_panel: (frozenset({"evaluation"}), self._render_mistakes),
        }
        self._stale_tabs: set[QWidget] = set()

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
        self.train_button.setToolTip("Start a new training run with the settings on the left (Ctrl+T)")
        self.pause_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaPause), "Pause")
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setToolTip("Pause or resume the run (Ctrl+P)")
        self.stop_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaStop), "Stop")
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("Stop after the current batch; the model so far is kept (Ctrl+.)")
        self.live_lr_edit = QLineEdit()
        self.live_lr_edit.setObjectName("liveLrEdit")
        self.live_lr_edit.setPlaceholderText("new rate, Enter")
        self.live_lr_edit.setMaximumWidth(110)
        self.live_lr_edit.setToolTip(
            "Change the learning rate while training runs: type a number > 0 and press Enter "
            "(the schedule still scales it)")
        for widget in (self.train_button, self.pause_button, self.stop_button):
            row.addWidget(widget)
        row.addSpacing(12)
        lr_title = QLabel("Learning rate now:")
        lr_title.setToolTip("The learning rate of the last batch (after the schedule)")
        row.addWidget(lr_title)
        self.lr_now_label = QLabel("-")
        self.lr_now_label.setObjectName("lrNowLabel")
        self.lr_now_label.setMinimumWidth(50)
        row.addWidget(self.lr_now_label)
        row.addWidget(self.live_lr_edit)
        row.addSpacing(12)
        # the network's size, or why Train is disabled: always in sight, never scrolled away
        self.settings_label = ElidedLabel()
        self.settings_label.setObjectName("settingsSummaryLabel")
        row.addWidget(self.settings_label, 1)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(box)

        self.status_label = ElidedLabel(READY)
        self.status_label.setObjectName("statusLabel")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("progressBar")
        self.progress_bar.setMinimumWidth(200)
        self.progress_bar.setFormat("idle")
        self.progress_bar.setValue(0)
        self.speed_label = QLabel("")
        self.speed_label.setObjectName("speedLabel")
        self.speed_label.setMinimumWidth(120)
        self.speed_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.speed_label.setToolTip("Training images per second (pauses excluded)")
        self.eta_label = QLabel("")
        self.eta_label.setObjectName("etaLabel")
        self.eta_label.setMinimumWidth(80)
        self.eta_label.setToolTip("Time left at the speed so far")
        status = self.statusBar()
        # a normal widget that elides, not showMessage(): a long message can neither be cut
        # into the speed label nor hide the permanent widgets
        status.addWidget(self.status_label, 1)
        status.addPermanentWidget(self.speed_label)
        status.addPermanentWidget(self.eta_label)
        status.addPermanentWidget(self.progress_bar)

        self.train_button.clicked.connect(self.start_training)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop_training)
        self.live_lr_edit.returnPressed.connect(self._on_live_lr_entered)
        self.config_panel.config_changed.connect(self._on_config_changed)
        self.draw_panel.prediction_changed.connect(self._on_prediction_changed)

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

    def _action(self, menu, text, shortcut, slot) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ------------------------------------------------------------------ status line

    def status_text(self) -> str:
        """The status line's full text (it may be shown shortened)."""
        return self.status_label.text()

    def _show_status(self, text: str, topic: str = "") -> None:
        """Show ``text``; ``topic`` names what it is about ("settings", "classify",
        "open"...), so it is cleared when that stops being true. An unexpected error stays
        in sight over the run's routine messages until the next run or file."""
        if self._status_topic == "error" and topic == "run":
            return
        self.status_label.setText(text)
        self._status_topic = topic

    def _clear_status(self, *topics: str) -> None:
        if self._status_topic in topics:
            self._show_status(READY if not self.is_training else "Training…")

    def show_unexpected_error(self, where: str, exc: BaseException) -> None:
        """Where guarded slots report an error they caught (once per kind, see guard.py)."""
        text = f"{type(exc).__name__}: {exc}"
        self.unexpected_errors.append(f"{where}: {text}")
        self._show_status(f"Unexpected error (logged, the app carries on): {text}", "error")

    # --------------------------------------------------------------------- training

    @property
    def is_training(self) -> bool:
        return self._thread is not None

    @property
    def is_paused(self) -> bool:
        return self._session is not None and self._session.controls.paused

    @guarded
    def start_training(self) -> None:
        if self.is_training:
            return
        try:
            config = self.config_panel.config()
        except ConfigError as exc:
            self._message("Invalid settings", str(exc), QMessageBox.Icon.Warning, topic="settings")
            return
        session = TrainingSession(config, self._raw, self._data_dir)
        self._open_request += 1  # a model still loading must not replace this run
        generation = self.state.begin("live", config=config.to_dict())
        self.curves_panel.start(config.epochs, validation=config.validation > 0)
        worker = GeneratorWorker(lambda: _tagged(generation, session.events()), self.blas_threads)
        thread = QThread(self)
        thread.setObjectName("trainingThread")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.yielded.connect(self._on_run_yielded)
        worker.errored.connect(self._on_run_errored)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_thread_finished)
        self._session, self._thread, self._worker = session, thread, worker
        self._final = None
        self._set_running(True)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("loading data…")
        self._show_status("Training…", "run")
        thread.start()

    @guarded
    def toggle_pause(self) -> None:
        if self._session is None:
            return
        controls = self._session.controls
        if controls.paused:
            controls.resume()
            self.pause_button.setText("Pause")
            self._show_status("Training…", "run")
        else:
            controls.pause()
            self.pause_button.setText("Resume")
            self._show_status("Paused: press Resume (Ctrl+P) to go on, or Stop", "run")

    @guarded
    def stop_training(self) -> None:
        if self._session is not None:
            self._session.controls.stop()
            self._show_status("Stopping after the current batch…", "run")

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop the run and any helper threads and wait for them; True if all ended."""
        ok = True
        if self._session is not None:
            self._session.controls.stop()
        # quit() here too: the worker's finished -> quit is queued to this (waiting) thread;
        # a QThread told to quit before its event loop starts returns from it at once
        if self._thread is not None:
            self._thread.quit()
            ok = self._thread.wait(timeout_ms)
        for thread, _ in list(self._helpers):
            thread.quit()
            ok = thread.wait(timeout_ms) and ok
        return ok

    def _set_running(self, running: bool) -> None:
        valid = self.config_panel.is_valid()
        self.train_button.setEnabled(not running and valid)
        self.train_action.setEnabled(not running and valid)
        self.pause_button.setEnabled(running)
        self.pause_action.setEnabled(running)
        self.stop_button.setEnabled(running)
        self.stop_action.setEnabled(running)
        self.live_lr_edit.setEnabled(running)
        self.open_action.setEnabled(not running)
        self.config_panel.set_running(running)
        if not running:
            self.pause_button.setText("Pause")

    # ------------------------------------------------------------ the run's events

    @guarded
    def _on_run_yielded(self, item: tuple[int, object]) -> None:
        generation, event = item
        if isinstance(event, DataLoaded):
            self._raw = event.raw  # data is data, whichever run read it
            return
        if generation != self.state.generation:
            return  # a late event of a run the views no longer show
        if isinstance(event, Progress):
            self._show_progress(event)
        elif isinstance(event, ModelSnapshot):
            if self._session is not None and event.session_id == self._session.id:
                if event.epoch_progress == 0:
                    self.weights_panel.set_initial(event.weights)
                self.state.set_model(generation, event.model, event.epoch_progress)
        elif isinstance(event, EpochFinished):
            if self.state.add_epoch(generation, event):
                # each view on its own: one failing must not keep the others (or the signal) back
                call_guarded(self, self.curves_panel.show_epoch, event)
                if event.weights is not None:
                    call_guarded(self, self.weights_panel.show_epoch_weights, event.epoch, event.weights)
                self.epoch_finished.emit(event)
        elif isinstance(event, ModelEvaluation):
            self.state.set_evaluation(generation, event)
        elif isinstance(event, TrainingStarted):
            self._show_started(event)
        elif isinstance(event, TrainingFinished):
            self._show_finished(event)

    def _show_started(self, event: TrainingStarted) -> None:
        self.progress_bar.setRange(0, max(event.epochs * event.n_batches, 1))
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(f"epoch 1/{event.epochs}")
        self._show_status(
            f"Training {plural(event.n_parameters, 'parameter')} on "
            f"{plural(event.n_train, 'image')}, {plural(event.n_batches, 'batch', 'batches')} "
            f"of {event.batch_size:,} per epoch", "run")

    def _show_progress(self, progress: Progress) -> None:
        self.curves_panel.show_progress(progress)
        self.progress_bar.setValue((progress.epoch - 1) * progress.n_batches + progress.batch)
        self.progress_bar.setFormat(
            f"epoch {progress.epoch}/{progress.epochs} · batch {progress.batch}/{progress.n_batches}"
        )
        self.speed_label.setText(f"{progress.samples_per_second:,.0f} images/s")
        self.eta_label.setText(f"{duration(progress.eta_seconds)} left")
        self.lr_now_label.setText(f"{progress.lr:.4g}")

    def _show_finished(self, final: TrainingFinished) -> None:
        self._final = final
        self.progress_bar.setFormat(f"{final.reason}: {plural(final.epochs_completed, 'epoch')}")
        self.eta_label.setText("")
        if self.state.metrics is not None:
            self.state.metrics["reason"] = final.reason
        if final.reason == "diverged":
            self._message("Training diverged", final.message, QMessageBox.Icon.Warning, topic="run")
        elif final.reason == "failed":
            self._message("Training failed", final.message, QMessageBox.Icon.Critical, topic="run")
        else:
            self._show_status(final.message, "run")

    @guarded
    def _on_run_errored(self, message: str) -> None:
        self._message("Training failed", message, QMessageBox.Icon.Critical, topic="run")

    @guarded
    def _on_thread_finished(self) -> None:
        thread, worker = self._thread, self._worker
        self._thread = self._worker = self._session = None
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self._set_running(False)
        self.speed_label.setText("")
        self.live_lr_edit.clear()
        self.live_lr_edit.setStyleSheet("")
        final = self._final or TrainingFinished("failed", "training ended", 0)
        self._final = None
        # emitted last, when the window is ready for the next run
        self.training_finished.emit(final)
        if self._close_when_idle:
            self.close()

    @guarded
    def _on_live_lr_entered(self) -> None:
        text = self.live_lr_edit.text().strip()
        try:
            lr = float(text)
            if not (0 < lr <= 1e4):
                raise ValueError
        except ValueError:
            self.live_lr_edit.setStyleSheet("border: 2px solid #d03030;")
            self._show_status(f"Learning rate {text!r}: expected a number > 0 and at most 10000", "lr")
            return
        self.live_lr_edit.setStyleSheet("")
        if self._session is not None:
            self._session.controls.set_learning_rate(lr)
            self._show_status(f"Learning rate set to {lr:g} (from the next batch)", "lr")

    @guarded
    def _on_config_changed(self) -> None:
        """Keep Train's state and the reason it is disabled (or the network's size) in sight:
        the settings panel's own texts, shown above the tabs however the form is scrolled."""
        reason = self.config_panel.validation_message()
        if reason:
            self.settings_label.setText(f"Cannot train: {reason}")
            self.settings_label.setStyleSheet("color: #b00000;")
        else:
            self.settings_label.setText(self.config_panel.parameter_count_text())
            self.settings_label.setStyleSheet("")
            self._clear_status("settings")
        if not self.is_training:
            self._set_running(False)

    # ----------------------------------------------------------- the current model

    @guarded
    def _on_state_changed(self, what: str) -> None:
        """Re-render the views that show the current model; hidden tabs catch up when shown."""
        state = self.state
        if what == "reset":
            self._stale_tabs.clear()
            self.weights_panel.clear()
            self.mistakes_panel.clear()
            self.draw_panel.set_model(None, state.source)
            self.lr_now_label.setText("-")
            self.speed_label.setText("")
            self.eta_label.setText("")
            self.live_lr_edit.clear()
            self.live_lr_edit.setStyleSheet("")
            if state.kind != "live":
                self.curves_panel.clear()
                self.progress_bar.setRange(0, 100)
                self.progress_bar.setValue(0)
                self.progress_bar.setFormat("idle")
            self._clear_status("classify", "lr", "settings", "error")
        for panel, (changes, render) in self._followers.items():
            if what in changes:
                if self.tabs.currentWidget() is panel:
                    call_guarded(self, render)
                else:
                    self._stale_tabs.add(panel)
        if what == "model":
            # the draw panel keeps its model and predicts only when shown
            call_guarded(self, self.draw_panel.set_model, state.model, state.source)
        elif what == "evaluation":
            self.evaluation_shown.emit(state.evaluation)

    def _render_weights(self) -> None:
        model = self.state.model
        if model is None:
            return
        path = self.state.path
        when = f"of {path.name}" if path is not None else f"at epoch {self.state.epoch_progress:.2f}"
        self.weights_panel.show_weights(model.W, when=when)

    def _render_mistakes(self) -> None:
        if self.state.evaluation is not None:
            self.mistakes_panel.show_evaluation(self.state.evaluation, self.state.evaluation_title)

    @guarded
    def _on_tab_changed(self) -> None:
        panel = self.tabs.currentWidget()
        if panel in self._stale_tabs:
            self._stale_tabs.discard(panel)
            self._followers[panel][1]()

    @guarded
    def _on_prediction_changed(self, _probabilities) -> None:
        if self._status_topic == "classify" and self.draw_panel.canvas.is_blank():
            self._clear_status("classify")

    # ------------------------------------------------------------------ files

    @guarded
    def open_model(self, path: str) -> None:
        """Load a model file and score it on the test set, off the GUI thread. The views
        follow it when it is ready (``model_loaded``); a failure is a non-blocking message
        (``model_open_failed``)."""
        if self.is_training:
            self._fail_open("Stop the training run before opening a model.")
            return
        self._open_request += 1
        request = self._open_request
        raw, data_dir = self._raw, self._data_dir

        def load() -> tuple:
            model, meta = load_model(path)
            data = raw or load_raw(data_dir)
            try:
                evaluation: ModelEvaluation | None = evaluate_on_test_set(model, data)
            except ConfigError:
                evaluation = None  # another input size: nothing to score it on
            return request, path, model, meta, data, evaluation

        self._show_status(f"Opening {Path(path).name}…", "open")
        self._run_helper(load, self._on_model_file_loaded, self._on_model_file_failed)

    @guarded
    def _on_model_file_loaded(self, result: tuple) -> None:
        request, path, model, meta, raw, evaluation = result
        self._raw = raw
        if request != self._open_request or self.is_training:
            return  # another file or a run was asked for since
        config = meta.get("config") if isinstance(meta.get("config"), dict) else None
        generation = self.state.begin("file", config=config, path=path)
        self.state.set_metrics(generation, meta.get("metrics"))
        self.state.set_model(generation, model)
        if evaluation is not None:
            self.state.set_evaluation(generation, evaluation)
        if config is not None:
            try:
                self.config_panel.set_config(TrainConfig.from_dict(config), "custom")
            except (ConfigError, TypeError, ValueError):
                pass  # a model from another version may carry settings we no longer take
        sizes = "-".join(map(str, model.layer_sizes))
        classes = ", ".join(map(str, model.classes))
        accuracy = (f", test accuracy {100 * evaluation.report.accuracy:.2f}%" if evaluation
                    else ", not scored: it does not take 28x28 images")
        self._show_status(f"Opened {Path(path).name}: {sizes}, classes {classes}{accuracy}", "open")
        self.model_loaded.emit(meta)

    @guarded
    def _on_model_file_failed(self, message: str) -> None:
        self._fail_open(message)

    def _fail_open(self, message: str) -> None:
        self._message("Cannot open model", message, QMessageBox.Icon.Critical, topic="open")
        self.model_open_failed.emit(message)

    def save_model(self, path: str) -> Path | None:
        """Save the current model (the live one as of its last snapshot, or a loaded one)."""
        state = self.state
        if state.model is None:
            self._message("Nothing to save", "Train or open a model first.", QMessageBox.Icon.Information)
            return None
        try:
            saved = save_model(path, state.model, state.config, state.metrics)
        except MnistGuiError as exc:
            self._message("Cannot save model", str(exc), QMessageBox.Icon.Critical)
            return None
        self._show_status(f"Saved {saved}", "save")
        return saved

    def open_data_folder(self, folder: str) -> None:
        def load() -> tuple:
            return folder, load_raw(folder)

        self._show_status(f"Reading MNIST files in {folder}…", "data")
        self._run_helper(load, self._on_data_folder_loaded, self._on_data_folder_failed)

    @guarded
    def _on_data_folder_loaded(self, result: tuple) -> None:
        folder, raw = result
        self._raw, self._data_dir = raw, folder
        self._show_status(
            f"Data from {folder}: {plural(len(raw.train_labels), 'training image')} and "
            f"{plural(len(raw.test_labels), 'test image')}", "data")

    @guarded
    def _on_data_folder_failed(self, message: str) -> None:
        self._message("Cannot use that data folder", message, QMessageBox.Icon.Critical, topic="data")

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
        self._show_status(f"Classifying {Path(path).name}: {self.prediction_label.text()}", "classify")
        return True

    def export_curves(self, path: str) -> tuple[Path, Path] | None:
        """Write the curves as PNG and CSV next to ``path``; None (and a message) if no
        epoch has finished yet."""
        if not self.state.history:
            self._message("Nothing to export",
                          "No epoch has finished yet: train a model first, then export its curves.",
                          QMessageBox.Icon.Information)
            return None
        base = Path(path).with_suffix("")
        png, csv = base.with_suffix(".png"), base.with_suffix(".csv")
        try:
            self.curves_panel.export_png(png)
            self.curves_panel.export_csv(csv)
        except OSError as exc:
            self._message("Cannot export", f"{exc.filename}: {exc.strerror}", QMessageBox.Icon.Critical)
            return None
        self._show_status(f"Exported {png} and {csv}", "export")
        return png, csv

    def _run_helper(self, function, on_done, on_failed) -> None:
        """Run ``function`` on a GeneratorWorker in its own thread; ``on_done(result)`` or
        ``on_failed(message)`` follows on the GUI thread (bound methods of this window, so
        Qt queues them here)."""
        thread = QThread(self)
        worker = GeneratorWorker(call_once(function))
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.yielded.connect(on_done)
        worker.errored.connect(on_failed)
        worker.finished.connect(thread.quit)
        thread.finished.connect(self._on_helper_thread_finished)
        self._helpers.append((thread, worker))
        thread.start()

    @guarded
    def _on_helper_thread_finished(self) -> None:
        for pair in list(self._helpers):
            thread, worker = pair
            if thread.isFinished():
                self._helpers.remove(pair)
                worker.deleteLater()
                thread.deleteLater()
        if self._close_when_idle and not self.is_training and not self._helpers:
            self.close()

    # ------------------------------------------------------------------ menu slots

    @guarded
    def _on_open_model_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", "", "mnist-gui models (*.npz)")
        if path:
            self.open_model(path)

    @guarded
    def _on_save_model_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save model", "model.npz", "mnist-gui models (*.npz)")
        if path:
            self.save_model(path)

    @guarded
    def _on_open_data_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with the four MNIST-format IDX files")
        if folder:
            self.open_data_folder(folder)

    @guarded
    def _on_open_image_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Classify an image of a digit", "",
                                              "Images (*.png *.jpg *.jpeg *.bmp *.gif)")
        if path:
            self.classify_image(path)

    @guarded
    def _on_export_curves_triggered(self) -> None:
        if not self.state.history:
            self.export_curves("")  # says there is nothing to export
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export curves (PNG and CSV)", "curves.png",
                                              "PNG image (*.png)")
        if path:
            self.export_curves(path)

    @guarded
    def _on_about_triggered(self) -> None:
        self._message("About mnist-gui", ABOUT, QMessageBox.Icon.Information)

    def _message(self, title: str, text: str, icon: QMessageBox.Icon, topic: str = "") -> None:
        """Show a non-blocking message (never a nested event loop: tests and the worker's
        signals keep flowing), and the same in the status line."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.open()
        self._show_status(f"{title}: {text}" if "<" not in text else title, topic)

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

    def ask_to_stop_and_quit(self) -> QMessageBox:
        """The question closing the window asks while a run is active: "Stop and quit" or
        "Cancel". Non-blocking (``box.open()``); also ``close_question``."""
        if self.close_question is not None:
            return self.close_question
        box = QMessageBox(QMessageBox.Icon.Question, "Training is running",
                          "A training run is still going. Stop it and quit?",
                          QMessageBox.StandardButton.Cancel, self)
        box.addButton(STOP_AND_QUIT, QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(self._on_close_question_answered)
        box.destroyed.connect(self._on_close_question_closed)
        self.close_question = box
        box.open()
        return box

    @guarded
    def _on_close_question_answered(self, button) -> None:
        if button.text() == STOP_AND_QUIT:
            self._quit_confirmed = True
            self.close()

    @guarded
    def _on_close_question_closed(self) -> None:
        self.close_question = None

    def closeEvent(self, event) -> None:
        if self.is_training and not self._quit_confirmed:
            event.ignore()
            self.ask_to_stop_and_quit()
            return
        self._save_settings()
        if not self.shutdown(timeout_ms=5000):
            # a batch still running: never destroy a running thread; quit when it ends
            event.ignore()
            self._close_when_idle = True
            self._show_status("Waiting for the current batch to finish, then quitting…", "close")
            return
        super().closeEvent(event)
