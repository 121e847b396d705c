"""The main window: lays the views out from the table, holds menus, status line, settings
and close. Everything else lives elsewhere:

- ``state.CurrentModel``: the one shown state (model, evaluation, config, data, run);
- ``views``: the table of views; each view binds itself to the state (``follows`` /
  ``render``) and keeps its own state;
- ``jobs.Jobs``: every background job (latest-only, cancel, is-busy, shutdown that waits);
- ``controllers``: training (the run and its events), files, moments, your digits.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core.errors import ConfigError, MnistGuiError
from ..core.personal import PersonalDigits
from ..core.runs import RunStore
from ..core.session import Progress
from ..core.training import TrainConfig, TrainingFinished, TrainingStarted
from .controllers.digits import DigitsController
from .controllers.files import FilesController
from .controllers.moments import MomentsController
from .controllers.personal import PersonalController
from .controllers.training import TrainingController
from .guard import guarded
from .jobs import Jobs
from .language import LanguageMenu
from .panel_parts import ask
from .panels.config_panel import ConfigPanel
from .state import Change, CurrentModel
from .text import core_text, count
from .tour import Tour
from .training_bar import ElidedLabel, RunStatus, TrainingBar
from .layout import build_view_tabs
from .views import ViewContext, bind_view, views
from . import window_settings
from .moment_banner import MomentBanner

# shown through self.tr() (QT_TRANSLATE_NOOP only marks them for lupdate)
ABOUT = QT_TRANSLATE_NOOP(
    "MainWindow",
    "<h3>mnist-gui {version}</h3>"
    "<p>Watch a from-scratch NumPy multilayer perceptron learn MNIST: curves, weights, "
    "mistakes, and digits you draw yourself.</p>"
    "<p>MNIST data: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, \"The MNIST "
    "database of handwritten digits\", licensed under Creative Commons Attribution-Share "
    "Alike 3.0.</p>")
READY = QT_TRANSLATE_NOOP("MainWindow",
                          "Ready: pick a preset or set up a network, then press Train.")
STOP_AND_QUIT = QT_TRANSLATE_NOOP("MainWindow", "Stop and quit")  # the close question's button
MINIMUM_SIZE = (1024, 640)
ICONS = {"information": QMessageBox.Icon.Information, "warning": QMessageBox.Icon.Warning,
         "critical": QMessageBox.Icon.Critical}


class MainWindow(QMainWindow):
    """The app's window.

    Signals: ``epoch_finished(EpochFinished)`` after every epoch of the current run,
    ``training_finished(TrainingFinished)`` when a run ends for any reason (the window is
    then ready for the next), ``model_loaded(meta)`` / ``model_open_failed(message)`` after
    ``open_model``, ``evaluation_shown(ModelEvaluation)`` when the views show new test results,
    ``progress_shown(Progress)`` after the progress of a batch is shown, ``run_recorded(run_id)``
    when the run store starts keeping the run, ``moment_shown(label)`` when the views show a
    run's snapshot ("" when back to live), ``finetuned(before, after)`` after fine-tuning on
    the personal digits, ``onnx_exported(path)`` after File > Export as ONNX.
    """

    epoch_finished = Signal(object)
    training_finished = Signal(object)
    model_loaded = Signal(object)
    model_open_failed = Signal(str)
    evaluation_shown = Signal(object)
    progress_shown = Signal(object)
    run_recorded = Signal(str)
    moment_shown = Signal(str)
    finetuned = Signal(float, float)
    onnx_exported = Signal(str)

    def __init__(self, settings: QSettings | None = None, data_dir: str | None = None,
                 run_store: RunStore | None = None) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("mnist-gui: watch a neural network learn"))
        self.setMinimumSize(*MINIMUM_SIZE)
        self.settings = settings or window_settings.default_settings()
        self.state = CurrentModel(self)
        self.state.data_dir = data_dir
        self.jobs = Jobs(self)
        self.jobs.error_sink = self.show_unexpected_error
        self.run_store = run_store or RunStore()
        self._status_topic = ""  # what the status line is about, to clear it when that ends
        self._quit_confirmed = False
        self._close_when_idle = False
        self.last_message: QMessageBox | None = None
        self.close_question: QMessageBox | None = None
        self.unexpected_errors: list[str] = []  # every error a guarded slot caught, once each
        personal, personal_error = self._personal_digits()
        # before the views bind: a reset clears the window's old messages first, so that an
        # error a view reports while it resets stays in sight
        self.state.changed.connect(self._on_state_changed)

        self._build_views(ViewContext(self.state, self.jobs, self.run_store, personal))
        self.training = TrainingController(self)
        self.files = FilesController(self)
        self.moments = MomentsController(self)
        self.personal = PersonalController(self)
        self.digits = DigitsController(self)
        self._build_controls()
        self._build_menus()
        self._connect()
        window_settings.restore(self)
        self.lab_panel.save_folder = self.files.folder()
        self._on_running_changed()
        self._on_config_changed()
        self.runs_panel.refresh()
        if personal_error:
            self.show_status(self.tr("Your digits could not be read ({error}); new ones are "
                                     "kept in a temporary folder").format(error=personal_error),
                             "personal")

    # ---------------------------------------------------------------- construction

    def _build_views(self, context: ViewContext) -> None:
        self.config_panel = ConfigPanel()
        scroll = QScrollArea()
        scroll.setWidget(self.config_panel)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(320)
        dock = QDockWidget(self.tr("Architecture && training"), self)
        dock.setObjectName("configDock")
        dock.setWidget(scroll)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

        self.view_entries = views()
        self.views: list[tuple[str, QWidget]] = []  # (title, view), the View menu's order
        for entry in self.view_entries:
            view = entry.make(context)
            setattr(self, entry.name, view)
            self.views.append((entry.title, view))
        self.tabs = build_view_tabs(self, self.view_entries)

        # "viewing epoch 3 of run X": shown while the views follow a run's snapshot
        self.banner = MomentBanner()
        self.moment_banner, self.banner_live_button = self.banner.label, self.banner.live_button
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        # bound once laid out: a view renders when it is first shown
        self._bindings = [bind_view(view, self.state) for _title, view in self.views]

        # the automation contract's names, as attributes too
        draw = self.draw_page
        self.draw_panel, self.personal_panel = draw.draw_panel, draw.personal_panel
        self.this_is_combo, self.keep_digit_button = draw.this_is_combo, draw.keep_digit_button
        self.loss_plot = self.curves_panel.loss_plot
        self.accuracy_plot = self.curves_panel.accuracy_plot
        self.errors_view = self.mistakes_panel.list_view
        self.draw_canvas = self.draw_panel.canvas
        self.prediction_label = self.draw_panel.prediction_label

    def _build_controls(self) -> None:
        bar = TrainingBar(self)
        self.addToolBar(bar)
        self.training_bar = bar
        for name in ("train_button", "pause_button", "stop_button", "more_button", "more_spin",
                     "live_lr_edit", "lr_now_label", "settings_label"):
            setattr(self, name, getattr(bar, name))
        self.status_label = ElidedLabel(self.tr(READY))
        self.status_label.setObjectName("statusLabel")
        # a normal widget that elides, not showMessage(): a long message can neither be cut
        # into the speed label nor hide the permanent widgets
        self.statusBar().addWidget(self.status_label, 1)
        self.run_status = RunStatus(self.statusBar())
        self.progress_bar = self.run_status.progress_bar
        self.speed_label, self.eta_label = self.run_status.speed_label, self.run_status.eta_label

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        files = self.files
        self.open_action = self._action(file_menu, self.tr("&Open model…"),
                                        QKeySequence.StandardKey.Open, files.ask_and_open_model)
        self.save_action = self._action(file_menu, self.tr("&Save model…"),
                                        QKeySequence.StandardKey.Save, files.ask_and_save_model)
        self._action(file_menu, self.tr("Open &data folder…"), None,
                     files.ask_and_open_data_folder)
        self._action(file_menu, self.tr("&Classify an image…"), "Ctrl+I",
                     files.ask_and_classify_image)
        self._action(file_menu, self.tr("&Export curves…"), "Ctrl+E", files.ask_and_export_curves)
        self._action(file_menu, self.tr("Export as O&NNX…"), None, files.ask_and_export_onnx)
        file_menu.addSeparator()
        self._action(file_menu, self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        view_menu.setObjectName("view_menu")  # its items are the view table's (views.py)
        for entry in self.view_entries:
            view = getattr(self, entry.name)
            self._action(view_menu, entry.menu_text, entry.shortcut,
                         lambda _checked=False, v=view: self.show_view(v))
        self.language_menu = LanguageMenu(view_menu, self.settings)
        train_menu = self.menuBar().addMenu(self.tr("&Training"))
        self.train_action = self._action(train_menu, self.tr("&Train"), "Ctrl+T",
                                         self.start_training)
        self.pause_action = self._action(train_menu, self.tr("&Pause / resume"), "Ctrl+P",
                                         self.toggle_pause)
        self.stop_action = self._action(train_menu, self.tr("&Stop"), "Ctrl+.",
                                        self.stop_training)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self.tour = Tour.install(self, help_menu)
        self._action(help_menu, self.tr("&Health rules"), None, self._on_health_rules_triggered)
        self._action(help_menu, self.tr("&About"), None, self._on_about_triggered)

    def _action(self, menu, text, shortcut, slot) -> QAction:  # noqa: ANN001
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _connect(self) -> None:
        training, files, moments, runs = self.training, self.files, self.moments, self.runs_panel
        for source, names in ((training, ("epoch_finished", "training_finished", "progress_shown",
                                          "run_recorded")),
                              (files, ("model_loaded", "model_open_failed", "onnx_exported")),
                              (moments, ("moment_shown",)), (self.personal, ("finetuned",))):
            for name in names:
                getattr(source, name).connect(getattr(self, name))
        training.running_changed.connect(self._on_running_changed)
        training.training_finished.connect(self._on_training_finished)
        self.jobs.idle.connect(self._on_jobs_idle)
        self.train_button.clicked.connect(self.start_training)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.stop_training)
        self.more_button.clicked.connect(self.train_more)
        self.live_lr_edit.returnPressed.connect(training.on_live_rate_entered)
        self.config_panel.config_changed.connect(self._on_config_changed)
        self.draw_page.status.connect(self._on_draw_status)
        self.draw_panel.prediction_changed.connect(self._on_prediction_changed)
        self.digits.connect_views()
        self.personal_panel.finetune_requested.connect(self.finetune_on_personal_digits)
        self.banner_live_button.clicked.connect(runs.back_to_live)
        runs.overlay_changed.connect(self.curves_panel.set_checked_runs)
        runs.overlay_changed.connect(self.robustness_panel.set_checked_runs)
        runs.run_selected.connect(self._on_run_selected)
        runs.settings_requested.connect(self._on_settings_requested)
        runs.continue_requested.connect(self.continue_run)
        runs.moment_selected.connect(moments.show)
        runs.live_requested.connect(moments.show_live)
        runs.step_requested.connect(self.step)
        runs.moment_failed.connect(moments.load_failed)
        self.health_panel.fix_requested.connect(training.apply_fix)
        self.robustness_panel.threshold_changed.connect(self._on_threshold_changed)
        self.lab_panel.model_saved.connect(self.files.remember_folder)
        self.sweeps_panel.connect_window(self)  # the form's settings, the Runs overlay

    # ------------------------------------------------------------------ status line

    def status_text(self) -> str:
        """The status line's full text (it may be shown shortened)."""
        return self.status_label.text()

    def show_status(self, text: str, topic: str = "") -> None:
        """Show ``text``; ``topic`` names what it is about ("settings", "classify",
        "open"...), so it is cleared when that stops being true. An unexpected error stays
        in sight over the run's routine messages until the next run or file."""
        if self._status_topic == "error" and topic == "run":
            return
        self.status_label.setText(text)
        self._status_topic = topic

    def clear_status(self, *topics: str) -> None:
        if self._status_topic in topics:
            self.show_status(self.tr(READY) if not self.is_training else self.tr("Training…"))

    def show_unexpected_error(self, where: str, exc: BaseException) -> None:
        """Where guarded slots report an error they caught (once per kind, see guard.py)."""
        text = f"{type(exc).__name__}: {exc}"
        self.unexpected_errors.append(f"{where}: {text}")
        self.show_status(self.tr("Unexpected error (logged, the app carries on): {error}").format(
            error=text), "error")

    def message(self, title: str, text: str, icon: str, topic: str = "") -> None:
        """Show a non-blocking message (never a nested event loop: tests and the worker's
        signals keep flowing), and the same in the status line. ``icon``: "information",
        "warning" or "critical"."""
        box = QMessageBox(ICONS[icon], title, text, QMessageBox.StandardButton.Ok, self)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.open()
        self.show_status(f"{title}: {text}" if "<" not in text else title, topic)

    def show_progress(self, progress: Progress) -> None:
        """A batch's progress in the status bar and toolbar."""
        self.run_status.show_progress(progress, self.training.eta_text(progress), self.is_paused)
        self.training_bar.show_rate(progress.lr, self.training.base_lr)

    def show_started(self, event: TrainingStarted) -> None:
        self.run_status.show_started(event, self.training.start_epoch)
        self.show_status(self.tr("Training {parameters} on {images}, {batches} of {size} per "
                                 "epoch").format(
            parameters=self.tr("%Ln parameter(s)", "", event.n_parameters),
            images=self.tr("%Ln image(s)", "", event.n_train),
            batches=self.tr("%Ln batch(es)", "", event.n_batches),
            size=count(event.batch_size)), "run")

    def show_finished(self, final: TrainingFinished) -> None:
        self.run_status.show_finished(final)

    def show_moment_banner(self) -> None:
        self.banner.show_state(self.state, self.is_training, self.is_paused)

    # --------------------------------------------------------------------- training

    @property
    def data_folder(self) -> str | None:
        """The MNIST-format folder in use (None: the bundled MNIST)."""
        return self.state.data_dir

    @property
    def live_run_id(self) -> str | None:
        return self.training.live_run_id

    @property
    def is_training(self) -> bool:
        return self.training.is_training

    @property
    def is_paused(self) -> bool:
        return self.training.is_paused

    def is_busy(self) -> bool:
        """A run, or any background job (open, score, fine-tune, a view's), is going."""
        return self.is_training or self.jobs.is_busy() or any(
            getattr(view, "is_busy", lambda: False)() for _title, view in self.views)

    @guarded
    def start_training(self) -> None:
        """A new run with the form's settings (recorded in the run store)."""
        config = self._form_config()
        if config is not None:
            self.training.start(config)

    @guarded
    def train_more(self) -> None:
        """Continue the last recorded run for ``more_spin`` more epochs."""
        if self.live_run_id is None:
            self.show_status(self.tr("Nothing to continue: train a run first."), "run")
            return
        self.continue_run(self.live_run_id, -1, self.more_spin.value())

    @guarded
    def continue_run(self, run_id: str, epoch: int = -1, more: int | None = None) -> None:
        """Continue recorded run ``run_id`` from its snapshot of ``epoch`` (< 0: its last)
        with its own settings, ``more`` epochs past that point."""
        if not self.is_training:
            self.training.continue_run(run_id, epoch, more, self.more_spin.value())

    @guarded
    def step(self, batches: int = 1) -> None:
        self.training.step(int(batches))

    @guarded
    def toggle_pause(self) -> None:
        self.training.toggle_pause()

    @guarded
    def stop_training(self) -> None:
        self.training.stop()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop the run and every background job and wait for them; True if all ended."""
        ok = self.training.shutdown(timeout_ms)
        for _title, view in self.views:
            stop = getattr(view, "shutdown", None)
            if stop is not None:
                ok = stop(timeout_ms) and ok
        return self.jobs.shutdown(timeout_ms) and ok

    def _form_config(self) -> TrainConfig | None:
        if self.is_training:
            return None
        try:
            return self.config_panel.config()
        except ConfigError as exc:
            self.message(self.tr("Invalid settings"), str(exc), "warning", topic="settings")
            return None

    @guarded
    def _on_running_changed(self) -> None:
        running = self.is_training
        valid = self.config_panel.is_valid()
        self.train_button.setEnabled(not running and valid)
        self.train_action.setEnabled(not running and valid)
        for widget in (self.pause_button, self.pause_action, self.stop_button, self.stop_action,
                       self.live_lr_edit):
            widget.setEnabled(running)
        self.open_action.setEnabled(not running)
        self.config_panel.set_running(running)
        # "Train more" continues the run the views show, not one a file has replaced since
        self.more_button.setEnabled(not running and self.live_run_id is not None
                                    and self.state.kind == "live")
        self.more_spin.setEnabled(not running)
        self.personal_panel.set_can_finetune(not running and self.state.shown_model is not None)
        self.pause_button.setText(self.tr("Resume") if self.is_paused else self.tr("Pause"))
        if self.is_paused:
            self.run_status.paused()
        state = "idle" if not running else "paused" if self.is_paused else "training"
        self.runs_panel.set_training_state(state, self.training.batches_per_epoch)
        self.show_moment_banner()

    @guarded
    def _on_training_finished(self, _final: TrainingFinished) -> None:
        self.live_lr_edit.clear()
        self.live_lr_edit.setStyleSheet("")
        if self._close_when_idle:
            self.close()

    @guarded
    def _on_jobs_idle(self) -> None:
        if self._close_when_idle and not self.is_training:
            self.close()

    @guarded
    def _on_config_changed(self) -> None:
        """Keep Train's state and the reason it is disabled (or the network's size) in sight:
        the settings panel's own texts, shown above the tabs however the form is scrolled."""
        reason = self.config_panel.validation_message()
        if reason:
            self.settings_label.setText(self.tr("Cannot train: {reason}").format(reason=reason))
            self.settings_label.setStyleSheet("color: #b00000;")
        else:
            self.settings_label.setText(self.config_panel.parameter_count_text())
            self.settings_label.setStyleSheet("")
            self.clear_status("settings")
        if not self.is_training:
            self._on_running_changed()

    # ----------------------------------------------------------- the shown model

    @guarded
    def show_view(self, view: QWidget) -> None:
        """Bring ``view`` (any panel, in whichever group and sub-tab) to the front."""
        self.tabs.setCurrentWidget(view)

    def is_view_shown(self, view: QWidget) -> bool:
        """Whether ``view`` is on the selected tab (and sub-tab)."""
        return view.isVisibleTo(self)

    @guarded
    def _on_state_changed(self, change: Change) -> None:
        """The window's own parts that show the state: toolbar, progress, banner."""
        state = self.state
        if change == Change.RESET:
            self.training_bar.reset_rate()
            if state.kind != "live":
                self.run_status.idle()
            else:
                self.speed_label.setText("")
                self.eta_label.setText("")
            self.clear_status("classify", "lr", "settings", "error")
            self.show_moment_banner()
            self._on_running_changed()  # "Train more" follows what the views show
            if self.runs_panel.viewing_epoch() is not None:
                self.runs_panel.back_to_live()  # the timeline follows: the moment is gone
        elif change == Change.MODEL:
            self.personal_panel.set_can_finetune(not self.is_training and state.shown_model is not None)
        elif change == Change.EVALUATION and state.shown_evaluation is not None:
            self.evaluation_shown.emit(state.shown_evaluation)

    @guarded
    def _on_prediction_changed(self, _probabilities) -> None:  # noqa: ANN001
        if self._status_topic == "classify" and self.draw_panel.canvas.is_blank():
            self.clear_status("classify")

    @guarded
    def _on_draw_status(self, text: str) -> None:
        self.show_status(text, "personal")

    @guarded
    def _on_threshold_changed(self, threshold: float) -> None:
        self.draw_panel.set_confidence_threshold(threshold)

    # ------------------------------------------------------------------ runs

    @guarded
    def _on_run_selected(self, run) -> None:  # noqa: ANN001 - a core.runs.Run or None
        """The digit history follows the selected run (the live one without a selection)."""
        self.history_view.select_run(run, self.state)

    @guarded
    def _on_settings_requested(self, config: dict) -> None:
        try:
            self.config_panel.set_config(TrainConfig.from_dict(config), "custom")
        except (ConfigError, TypeError, ValueError) as exc:
            self.message(self.tr("Cannot use those settings"), str(exc), "warning",
                         topic="settings")
            return
        self.show_status(self.tr("Settings of the selected run loaded into the form"), "settings")

    def open_unit_in_lab(self, layer: int, unit: int) -> None:
        """Show hidden unit ``unit`` of hidden layer ``layer`` (0-based) in the lab."""
        self.digits.open_unit_in_lab(layer, unit)

    # ------------------------------------------------------------------ your digits

    @guarded
    def keep_drawn_digit(self) -> None:
        self.draw_page.keep_drawn_digit()

    @guarded
    def finetune_on_personal_digits(self) -> None:
        self.personal.finetune()

    def _personal_digits(self) -> tuple[PersonalDigits, str]:
        try:
            return PersonalDigits(self.run_store.home), ""
        except MnistGuiError as exc:
            import tempfile

            return PersonalDigits(tempfile.mkdtemp(prefix="mnist-gui-personal-")), str(exc)

    # ------------------------------------------------------------------ files

    @guarded
    def open_model(self, path: str) -> None:
        self.files.open_model(path)

    def save_model(self, path: str) -> Path | None:
        return self.files.save_model(path)

    def open_data_folder(self, folder: str) -> None:
        self.files.open_data_folder(folder)

    def export_onnx(self, path: str) -> None:
        self.files.export_onnx(path)

    def classify_image(self, path: str) -> bool:
        """Put a digit image (PNG, JPEG, ...) on the Draw canvas, so the model classifies it."""
        return self.files.classify_image(path)

    def export_curves(self, path: str) -> tuple[Path, Path] | None:
        """The curves as PNG, the per-epoch table as CSV and every series shown as
        ``<name>-shown.csv``, next to ``path``; None (and a message) if there is nothing."""
        return self.files.export_curves(path)

    @guarded
    def _on_health_rules_triggered(self) -> None:
        from ..core.health import HealthRules

        items = "".join(f"<li><b>{name}</b>: {core_text(text)}</li>"
                        for name, text in HealthRules().described())
        intro = self.tr("The Health view's findings, each from one rule, checked while a run "
                        "trains:")
        self.message(self.tr("Health rules"), f"<p>{intro}</p><ul>{items}</ul>", "information")

    @guarded
    def _on_about_triggered(self) -> None:
        self.message(self.tr("About mnist-gui"), self.tr(ABOUT).format(version=__version__),
                     "information")

    # ------------------------------------------------------------ settings, close

    def ask_to_stop_and_quit(self) -> QMessageBox:
        """The question closing the window asks while a run is active: "Stop and quit" or
        "Cancel". Non-blocking (``box.open()``); also ``close_question``."""
        if self.close_question is None:
            self.close_question = ask(
                self, self.tr("Training is running"),
                self.tr("A training run is still going. Stop it and quit?"),
                self.tr(STOP_AND_QUIT), QMessageBox.ButtonRole.AcceptRole,
                self._on_close_question_answered, self._on_close_question_closed)
        return self.close_question

    @guarded
    def _on_close_question_answered(self, button) -> None:  # noqa: ANN001
        if button.text() == self.tr(STOP_AND_QUIT):
            self._quit_confirmed = True
            self.close()

    @guarded
    def _on_close_question_closed(self) -> None:
        self.close_question = None

    def closeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt's
        # a run whose end is already shown is not asked about (its thread winds down below)
        if self.is_training and not self.training.has_ended and not self._quit_confirmed:
            event.ignore()
            self.ask_to_stop_and_quit()
            return
        window_settings.save(self)
        if not self.shutdown(timeout_ms=5000):
            # a batch still running: never destroy a running thread; quit when it ends
            event.ignore()
            self._close_when_idle = True
            self.show_status(self.tr("Waiting for the current batch to finish, then quitting…"),
                             "close")
            return
        super().closeEvent(event)

