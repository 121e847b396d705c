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
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QSettings, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import (
    QComboBox,
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
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core.data import RawMnist, load_raw, prepare
from ..core.digit_history import DigitHistory
from ..core.errors import ConfigError, ImageError, MnistGuiError
from ..core.evaluation import ModelEvaluation, evaluate_model, evaluate_on_test_set
from ..core.health import DEFAULT_EVERY
from ..core.model_file import load_model, save_model
from ..core.personal import PersonalDigits
from ..core.preprocess import mnist_preprocess, mnist_preprocess_steps
from ..core.presets import DEFAULT_PRESET
from ..core.runs import Run, RunStore
from ..core.session import (
    DataLoaded,
    HealthFindings,
    HealthMeasured,
    ModelSnapshot,
    Progress,
    RunRecorded,
    TrainingSession,
)
from ..core.training import EpochFinished, TrainConfig, Trainer, TrainingFinished, TrainingStarted
from .guard import call_guarded, guarded
from .panel_parts import ask
from .panels.config_panel import ConfigPanel
from .panels.curves_panel import CurvesPanel
from .panels.digit_history_view import DigitHistoryView
from .panels.draw_panel import DrawPanel
from .panels.health_panel import HealthPanel
from .panels.inspect_panel import InspectPanel
from .panels.lab_panel import LabPanel
from .panels.map_panel import MapPanel
from .panels.mistakes_panel import MistakesPanel
from .panels.personal_panel import PersonalPanel
from .panels.robustness_panel import RobustnessPanel
from .panels.runs_panel import Moment, RunsPanel, epoch_text
from .panels.weights_panel import WeightsPanel
from .state import CurrentModel
from .text import duration, plural
from .worker import GeneratorWorker, call_once, start_worker

ABOUT = f"""<h3>mnist-gui {__version__}</h3>
<p>Watch a from-scratch NumPy multilayer perceptron learn MNIST: curves, weights,
mistakes, and digits you draw yourself.</p>
<p>MNIST data: Yann LeCun, Corinna Cortes and Christopher J.C. Burges, "The MNIST database
of handwritten digits", licensed under Creative Commons Attribution-Share Alike 3.0.</p>"""

READY = "Ready: pick a preset or set up a network, then press Train."
STOP_AND_QUIT = "Stop and quit"
MINIMUM_SIZE = (1024, 640)
INSPECT_MODEL_MS = 2000  # the live model reaches Inspect at most this often
NEIGHBOURS_EVERY_S = 20.0  # during a run, Inspect's neighbour index is rebuilt at most this often
# during a run, the run list is re-read at most this often: each read parses every run's
# files, and with a few dozen runs kept, after every 0.3 s epoch it slowed training down
RUNS_REFRESH_S = 5.0
FIXED_MODEL_NOTE = ("A run is training: the {view} takes its model when the run ends (or "
                    "view a moment of a run in Runs).")
FINETUNE_EPOCHS = 1
_TRAINING = object()  # what a fixed-model view is given while a run trains: a note


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


class ViewTabs(QTabWidget):
    """The top-level tabs, each a group of views (some in sub-tabs). ``setCurrentWidget``
    takes any view, however deep: it selects every tab on the way to it."""

    def setCurrentWidget(self, widget: QWidget) -> None:
        child, parent = widget, widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QStackedWidget) and isinstance(parent.parentWidget(), QTabWidget):
                tabs = parent.parentWidget()
                QTabWidget.setCurrentWidget(tabs, child)
                if tabs is self:
                    return
            child, parent = parent, parent.parentWidget()


def scrolled(view: QWidget) -> QScrollArea:
    """``view`` in a scroll area: a view wider or taller than a 1024x640 window scrolls
    instead of widening the window."""
    area = QScrollArea()
    area.setWidget(view)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


def explained(view: QWidget, text: str) -> QWidget:
    """``view`` under a one-line explanation of what it shows."""
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(2, 4, 2, 2)
    layout.setSpacing(2)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555555;")
    layout.addWidget(label)
    layout.addWidget(view if view.minimumSizeHint().width() <= 680
                     and view.minimumSizeHint().height() <= 480 else scrolled(view), 1)
    return page


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
    model_loaded = Signal(object)  # the metadata dict of an opened model
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
        self.run_store = run_store or RunStore()
        self.live_run_id: str | None = None  # the recorded run of the live (or last) session
        self._batches_per_epoch = 0
        self._live_history: DigitHistory | None = None
        self._test_digits: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._history_digits: tuple[np.ndarray, np.ndarray] | None = None  # (images, labels)
        self._inspect_pending = False
        self._neighbours_epoch, self._neighbours_time = -1, 0.0  # when Inspect last re-indexed
        self._personal_error = ""
        # what the map was last given (it recomputes only on change)
        self._map_key: tuple | None = None
        self._map_epoch = -1
        # what the lab and robustness views were last given: a model, or _TRAINING (a note)
        self._fixed_sources: dict[QWidget, object] = {}
        self._moment_config: dict | None = None  # the settings of the run whose moment is viewed
        self._weight_histories: dict[tuple, tuple] = {}  # (run id, epochs) -> Run.weight_history
        self._robustness_runs: list[Run] = []  # checked in Runs: overlaid on the robustness curves
        self._robustness_overlaid: dict[str, str] = {}  # run id -> its name on the plots
        self._inspect_timer = QTimer(self)
        self._inspect_timer.setSingleShot(True)
        self._inspect_timer.timeout.connect(self._on_inspect_timer_timeout)
        self._runs_read_at = 0.0  # time.monotonic() of the last re-read of the run list
        self._runs_timer = QTimer(self)
        self._runs_timer.setSingleShot(True)
        self._runs_timer.timeout.connect(self._on_runs_timer_timeout)

        self._build_panels()
        self._build_controls()
        self._build_menus()
        self._restore_settings()
        self.lab_panel.save_folder = self._folder()
        self.state.changed.connect(self._on_state_changed)
        self._set_running(False)
        self._on_config_changed()
        self.runs_panel.refresh()
        if self._personal_error:
            self._show_status(f"Your digits could not be read ({self._personal_error}); new "
                              "ones are kept in a temporary folder", "personal")

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
        self.inspect_panel = InspectPanel()
        self.mistakes_panel = MistakesPanel()
        self.history_view = DigitHistoryView()
        self.draw_panel = DrawPanel()
        self.personal_panel = PersonalPanel(self._personal_digits())
        self.runs_panel = RunsPanel(self.run_store)
        self.health_panel = HealthPanel()
        self.map_panel = MapPanel()
        self.lab_panel = LabPanel()
        self.robustness_panel = RobustnessPanel()

        # Draw with "this is a k" under it, your digits beside it
        self.this_is_combo = QComboBox()
        self.this_is_combo.setObjectName("thisIsCombo")
        for k in range(10):
            self.this_is_combo.addItem(str(k), k)
        self.this_is_combo.setToolTip("The digit you drew")
        self.keep_digit_button = QPushButton("Keep it in my digits")
        self.keep_digit_button.setObjectName("keepDigitButton")
        self.keep_digit_button.setToolTip(
            "Store the drawn digit (as the network sees it, 28x28) with this label in your "
            "personal set, to fine-tune a model on later")
        draw_box = QWidget()
        draw_layout = QVBoxLayout(draw_box)
        draw_layout.setContentsMargins(0, 0, 0, 0)
        draw_layout.addWidget(self.draw_panel, 1)
        label_row = QHBoxLayout()
        label_row.addWidget(QLabel("This is a"))
        label_row.addWidget(self.this_is_combo)
        label_row.addWidget(self.keep_digit_button)
        label_row.addStretch(1)
        draw_layout.addLayout(label_row)
        # your digits under the canvas: a strip of thumbnails needs width, not height
        draw_page = QSplitter(Qt.Orientation.Vertical)
        draw_page.addWidget(draw_box)
        draw_page.addWidget(scrolled(self.personal_panel))
        draw_page.setStretchFactor(0, 3)
        draw_page.setStretchFactor(1, 1)
        draw_page.setChildrenCollapsible(False)
        draw_page.setSizes([560, 240])

        # Top-level tabs group the views by task; each view says in one line what it shows.
        groups = [
            ("Train && watch", "Train a network and watch its loss and accuracy", [
                (self.curves_panel, "Curves", ("Loss and accuracy while the network trains; "
                 "runs checked in Runs are drawn beside the live one.")),
                (self.health_panel, "Health", ("Is every layer learning? Gradient and update "
                 "sizes, dead or saturated units, measured while a run trains, and findings "
                 "with a fix you can apply.")),
            ]),
            ("Inside the network", "What the network learned and how it decides", [
                (self.weights_panel, "Weights", ("Every layer's weights as images, and how much "
                 "each layer changed per epoch.")),
                (self.inspect_panel, "Inspect", ("One digit through the network: activations per "
                 "layer, which pixels pushed it towards a class, what would make it another "
                 "class, and the training digits it resembles.")),
                (self.map_panel, "Map", ("The test digits as one layer sees them, squeezed "
                 "to 2-D (PCA, or t-SNE on request): which digits it keeps apart and which it "
                 "mixes up.")),
                (self.lab_panel, "Lab", ("Edit the trained network by hand (switch units off, "
                 "prune, add noise) and watch the test results follow; click a unit in Weights "
                 "or Inspect to open it here.")),
            ]),
            ("Digits", "The test digits it gets wrong, how each was learned, and your own", [
                (self.mistakes_panel, "Mistakes", ("The test digits the current model gets "
                 "wrong; select one to inspect it (Inside the network > Inspect).")),
                (self.history_view, "Learning history", ("Each test digit's probability of its "
                 "true class after every epoch: learned when, forgotten, never learned.")),
                (self.robustness_panel, "Robustness", ("Test accuracy as the digits are "
                 "disturbed (noise, rotation, shift, occlusion, thickness), and the confidence "
                 "below which Draw answers \"I don't know\"; runs checked in Runs are drawn "
                 "too.")),
                (draw_page, "Draw", ("Draw a digit and see what the current model makes of it; "
                 "label it to keep it in your digits and fine-tune on them.")),
            ]),
            ("Runs", "Every training run kept on disk: compare, rewind, continue", [
                (self.runs_panel, "Runs", ("Runs kept on disk: tick to overlay on the curves, "
                 "move the timeline to view an earlier moment, continue or step a run.")),
            ]),
        ]
        self.tabs = ViewTabs()
        self.tabs.setObjectName("tabs")
        self.views: list[tuple[str, QWidget]] = []  # (title, view), the View menu's order
        for title, tip, views in groups:
            if len(views) == 1:
                view, _name, text = views[0]
                page = explained(view, text)
            else:
                page = QTabWidget()
                page.setDocumentMode(True)
                for view, name, text in views:
                    page.addTab(explained(view, text), name)
                    page.setTabToolTip(page.count() - 1, text)
                page.currentChanged.connect(self._on_tab_changed)
            self.tabs.addTab(page, title)
            self.tabs.setTabToolTip(self.tabs.count() - 1, tip)
            self.views.extend((name, view) for view, name, _text in views)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        # "viewing epoch 3 of run X": shown while the views follow a run's snapshot
        self.moment_banner = QLabel("")
        self.moment_banner.setObjectName("momentBanner")
        self.moment_banner.setStyleSheet(
            "background: #fff3c4; color: #5a4500; padding: 4px; font-weight: bold;")
        self.banner_live_button = QPushButton("Back to live")
        self.banner_live_button.setObjectName("bannerLiveButton")
        self.banner_live_button.setToolTip("Show the live (or last) model again")
        self.banner = QWidget()
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(0, 0, 0, 0)
        banner_row.addWidget(self.moment_banner, 1)
        banner_row.addWidget(self.banner_live_button)
        self.banner.hide()
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.banner)
        central_layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        # view -> (the state changes it shows, how it re-renders from the state); a hidden
        # view is marked stale and re-rendered when shown. A new view that shows the current
        # model is one more line here.
        self._followers: dict[QWidget, tuple[frozenset[str], Callable[[], None]]] = {
            self.weights_panel: (frozenset({"model"}), self._render_weights),
            self.mistakes_panel: (frozenset({"evaluation"}), self._render_mistakes),
            self.inspect_panel: (frozenset({"model"}), self._render_inspect),
            self.history_view: (frozenset({"epoch"}), self._render_live_history),
            self.map_panel: (frozenset({"model", "epoch"}), self._render_map),
            self.lab_panel: (frozenset({"model"}), self._render_lab),
            self.robustness_panel: (frozenset({"model"}), self._render_robustness),
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
        self.more_button = QPushButton("Train more:")
        self.more_button.setObjectName("trainMoreButton")
        self.more_button.setToolTip(
            "Continue the last run for this many more epochs (recorded as its continuation) "
            "instead of starting over; the settings on the left apply")
        self.more_spin = QSpinBox()
        self.more_spin.setObjectName("moreEpochsSpin")
        self.more_spin.setRange(1, 1000)
        self.more_spin.setValue(5)
        self.more_spin.setSuffix(" epochs")
        self.more_spin.setToolTip("How many epochs 'Train more' adds to the last run")
        for widget in (self.train_button, self.pause_button, self.stop_button, self.more_button,
                       self.more_spin):
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
        self.more_button.clicked.connect(self.train_more)
        self.draw_canvas.digit_drawn.connect(self._on_canvas_drawn)
        self.keep_digit_button.clicked.connect(self.keep_drawn_digit)
        self.mistakes_panel.digit_selected.connect(self._on_mistake_selected)
        self.history_view.digit_selected.connect(self._on_history_digit_selected)
        self.personal_panel.finetune_requested.connect(self.finetune_on_personal_digits)
        self.banner_live_button.clicked.connect(self.runs_panel.back_to_live)
        runs = self.runs_panel
        runs.overlay_changed.connect(self._on_overlay_changed)
        runs.run_selected.connect(self._on_run_selected)
        runs.settings_requested.connect(self._on_settings_requested)
        runs.continue_requested.connect(self.continue_run)
        runs.moment_selected.connect(self._on_moment_selected)
        runs.live_requested.connect(self._on_live_requested)
        runs.step_requested.connect(self.step)
        runs.moment_failed.connect(self._on_moment_failed)
        self.health_panel.fix_requested.connect(self._on_health_fix_requested)
        self.map_panel.digit_clicked.connect(self._on_map_digit_clicked)
        self.weights_panel.unit_clicked.connect(self.open_unit_in_lab)
        self.inspect_panel.unit_clicked.connect(self.open_unit_in_lab)
        self.robustness_panel.threshold_changed.connect(self.draw_panel.set_confidence_threshold)
        self.lab_panel.model_saved.connect(self._remember_folder)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.open_action = self._action(file_menu, "&Open model…", QKeySequence.StandardKey.Open,
                                        self._on_open_model_triggered)
        self.save_action = self._action(file_menu, "&Save model…", QKeySequence.StandardKey.Save,
                                        self._on_save_model_triggered)
        self._action(file_menu, "Open &data folder…", None, self._on_open_data_triggered)
        self._action(file_menu, "&Classify an image…", "Ctrl+I", self._on_open_image_triggered)
        self._action(file_menu, "&Export curves…", "Ctrl+E", self._on_export_curves_triggered)
        self._action(file_menu, "Export as O&NNX…", None, self._on_export_onnx_triggered)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        view_menu = self.menuBar().addMenu("&View")
        # Ctrl+1..4 as before the views were grouped (Curves, Weights, Mistakes, Draw), then
        # the newer views (Ctrl+0 the tenth, the last without a shortcut)
        order = [self.curves_panel, self.weights_panel, self.mistakes_panel, self.draw_panel,
                 self.inspect_panel, self.history_view, self.runs_panel, self.health_panel,
                 self.map_panel, self.lab_panel, self.robustness_panel]
        titles = {view: title for title, view in self.views}
        titles[self.draw_panel] = "Draw"
        for index, view in enumerate(order):
            key = f"Ctrl+{(index + 1) % 10}" if index < 10 else None
            self._action(view_menu, f"&{titles.get(view, 'Draw')}", key,
                         lambda _checked=False, v=view: self.show_view(v))
        train_menu = self.menuBar().addMenu("&Training")
        self.train_action = self._action(train_menu, "&Train", "Ctrl+T", self.start_training)
        self.pause_action = self._action(train_menu, "&Pause / resume", "Ctrl+P", self.toggle_pause)
        self.stop_action = self._action(train_menu, "&Stop", "Ctrl+.", self.stop_training)
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&Health rules", None, self._on_health_rules_triggered)
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
    def data_folder(self) -> str | None:
        """The MNIST-format folder in use (None: the bundled MNIST)."""
        return self._data_dir

    @property
    def is_training(self) -> bool:
        return self._thread is not None

    def is_busy(self) -> bool:
        """A run, a helper (open, score, fine-tune) or a panel's background job (reading the
        run store, Inspect's neighbour index) is still going."""
        return (self.is_training or bool(self._helpers) or self.runs_panel.is_busy()
                or self.inspect_panel.is_busy() or self.map_panel.is_busy()
                or self.lab_panel.is_busy() or self.robustness_panel.is_busy())

    @property
    def is_paused(self) -> bool:
        return self._session is not None and self._session.controls.paused

    @guarded
    def start_training(self) -> None:
        """A new run with the form's settings (recorded in the run store)."""
        config = self._form_config()
        if config is not None:
            self._start(config)

    @guarded
    def train_more(self) -> None:
        """Continue the last recorded run for ``more_spin`` more epochs."""
        if self.live_run_id is None:
            self._show_status("Nothing to continue: train a run first.", "run")
            return
        self.continue_run(self.live_run_id, -1, self.more_spin.value())

    @guarded
    def continue_run(self, run_id: str, epoch: int = -1, more: int | None = None) -> None:
        """Continue recorded run ``run_id`` from its snapshot of ``epoch`` (< 0: its last)
        with the form's settings; the epochs are raised to go ``more`` (or the form's epochs,
        if that is beyond the starting point) past it."""
        config = self._form_config()
        if config is None:
            return
        try:
            run = self.run_store.get(run_id)
        except MnistGuiError as exc:
            self._message("Cannot continue that run", str(exc), QMessageBox.Icon.Warning, topic="run")
            return
        start = len(run.epochs) if epoch is None or epoch < 0 else int(epoch)
        if more is not None:
            config = config.updated(epochs=start + more)
        elif config.epochs <= start:
            config = config.updated(epochs=start + max(1, self.more_spin.value()))
        self._start(config, resume_from=(run_id, None if epoch is None or epoch < 0 else int(epoch)))

    @guarded
    def step(self, batches: int = 1) -> None:
        """While paused, run ``batches`` more batches (then pause again)."""
        if self._session is not None and self._session.controls.paused and batches > 0:
            self._session.controls.step(int(batches))
            self._show_status(f"Stepping {plural(int(batches), 'batch', 'batches')}…", "run")

    def _form_config(self) -> TrainConfig | None:
        if self.is_training:
            return None
        try:
            return self.config_panel.config()
        except ConfigError as exc:
            self._message("Invalid settings", str(exc), QMessageBox.Icon.Warning, topic="settings")
            return None

    def _start(self, config: TrainConfig, resume_from: tuple[str, int | None] | None = None) -> None:
        session = TrainingSession(config, self._raw, self._data_dir, store=self.run_store,
                                  resume_from=resume_from, health_every=DEFAULT_EVERY)
        self._open_request += 1  # a model still loading must not replace this run
        generation = self.state.begin("live", config=config.to_dict())
        self.curves_panel.start(config.epochs, validation=config.validation > 0)
        self._session, self._final = session, None
        self._thread, self._worker = start_worker(
            self, lambda: _tagged(generation, session.events()), self._on_run_yielded,
            self._on_run_errored, self._on_thread_finished, self.blas_threads)
        self._thread.setObjectName("trainingThread")
        self._set_running(True)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat("loading data…")
        self._show_status("Training…", "run")

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
            self._show_status("Paused: press Resume (Ctrl+P) to go on, Stop, or step a batch "
                              "at a time in Runs", "run")
        self._sync_runs_state()

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
        for panel in (self.inspect_panel, self.runs_panel, self.map_panel, self.lab_panel,
                      self.robustness_panel):
            ok = panel.shutdown(timeout_ms) and ok
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
        # "Train more" continues the run the views show, not one a file has replaced since
        self.more_button.setEnabled(not running and valid and self.live_run_id is not None
                                    and self.state.kind == "live")
        self.more_spin.setEnabled(not running)
        self.personal_panel.set_can_finetune(not running and self.state.shown_model is not None)
        if not running:
            self.pause_button.setText("Pause")
        self._sync_runs_state()

    def _sync_runs_state(self) -> None:
        state = "idle" if not self.is_training else "paused" if self.is_paused else "training"
        self.runs_panel.set_training_state(state, self._batches_per_epoch)

    # ------------------------------------------------------------ the run's events

    @guarded
    def _on_run_yielded(self, item: tuple[int, object]) -> None:
        generation, event = item
        if isinstance(event, DataLoaded):
            self._set_raw(event.raw)  # data is data, whichever run read it
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
                self._refresh_runs_during_run()
                self.epoch_finished.emit(event)
        elif isinstance(event, HealthMeasured):
            self.health_panel.show_health(event.report)  # it keeps the history; redraws when shown
        elif isinstance(event, HealthFindings):
            self.health_panel.show_findings(event.findings)
        elif isinstance(event, ModelEvaluation):
            self.state.set_evaluation(generation, event)
        elif isinstance(event, TrainingStarted):
            self._show_started(event)
        elif isinstance(event, RunRecorded):
            self.live_run_id = event.run_id
            self.runs_panel.refresh()
            self.run_recorded.emit(event.run_id)
        elif isinstance(event, TrainingFinished):
            self._show_finished(event)

    def _refresh_runs_during_run(self) -> None:
        """Re-read the run list now, or RUNS_REFRESH_S after the last read."""
        wait = RUNS_REFRESH_S - (time.monotonic() - self._runs_read_at)
        if wait <= 0:
            self._on_runs_timer_timeout()
        elif not self._runs_timer.isActive():
            self._runs_timer.start(int(1000 * wait))

    @guarded
    def _on_runs_timer_timeout(self) -> None:
        self._runs_read_at = time.monotonic()
        self.runs_panel.refresh()

    def _show_started(self, event: TrainingStarted) -> None:
        self._batches_per_epoch = event.n_batches
        self._sync_runs_state()
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
        self.progress_shown.emit(progress)

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
        self.runs_panel.refresh()
        self.health_panel.run_ended()
        # the views that wait for a fixed model take the run's last one now
        if self.state.kind == "live" and self.state.running:
            self.state.running = False
            call_guarded(self, self.draw_panel.set_model, self.state.shown_model, self.state.source)
        for panel in (self.lab_panel, self.robustness_panel, self.inspect_panel, self.map_panel):
            self._refresh_view(panel)
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

    def show_view(self, view: QWidget) -> None:
        """Bring ``view`` (any panel, in whichever group and sub-tab) to the front."""
        self.tabs.setCurrentWidget(view)

    def is_view_shown(self, view: QWidget) -> bool:
        """Whether ``view`` is on the selected tab (and sub-tab)."""
        return view.isVisibleTo(self)

    @guarded
    def _on_state_changed(self, what: str) -> None:
        """Re-render the views that show the current model; hidden tabs catch up when shown."""
        state = self.state
        if what == "reset":
            self._stale_tabs.clear()
            self.weights_panel.clear()
            self.mistakes_panel.clear()
            self.draw_panel.set_model(None, state.source)
            self._inspect_timer.stop()
            self._inspect_pending = False
            self.inspect_panel.set_model(None)
            self.health_panel.clear()
            self.map_panel.clear()
            self._map_key, self._map_epoch = None, -1
            self.lab_panel.set_model(None, None)
            self.robustness_panel.set_model(None, None)
            self._fixed_sources.clear()
            self._live_history = None
            if self.runs_panel.selected_run() is None or state.kind != "live":
                self.history_view.clear()
                self._history_digits = None
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
            self._show_moment_banner()
            if not self.is_training:
                self._set_running(False)  # "Train more" follows what the views show
            if self.runs_panel.viewing_epoch() is not None:
                self.runs_panel.back_to_live()  # the timeline follows: the moment is gone
        for panel, (changes, render) in self._followers.items():
            if what in changes:
                if self.is_view_shown(panel):
                    call_guarded(self, render)
                else:
                    self._stale_tabs.add(panel)
        if what == "model":
            # the draw panel keeps its model and predicts only when shown
            call_guarded(self, self.draw_panel.set_model, state.shown_model, state.source)
            self.personal_panel.set_can_finetune(not self.is_training and state.shown_model is not None)
        elif what == "evaluation" and state.shown_evaluation is not None:
            self.evaluation_shown.emit(state.shown_evaluation)

    def _render_weights(self) -> None:
        state = self.state
        model = state.shown_model
        if model is None:
            self.weights_panel.clear()
            return
        if state.viewing_moment:
            when = f"at {state.moment_label}"
        elif state.path is not None:
            when = f"of {state.path.name}"
        elif state.kind == "tuned":
            when = "after fine-tuning on your digits"
        else:
            when = f"at epoch {state.epoch_progress:.2f}"
        self.weights_panel.show_weights(model.W, when=when)

    def _render_mistakes(self) -> None:
        evaluation = self.state.shown_evaluation
        if evaluation is None:
            self.mistakes_panel.clear()
            if self.state.viewing_moment:
                self.mistakes_panel.summary.setText(f"Scoring {self.state.moment_label} on the test set…")
        else:
            self.mistakes_panel.show_evaluation(evaluation, self.state.evaluation_title)

    def _render_inspect(self) -> None:
        """Give Inspect the shown model; the live model of a run in progress at most every
        INSPECT_MODEL_MS. Its neighbour index (the 60,000 training digits re-embedded: 1.5 s
        of both cores for the largest preset) is rebuilt during a run only after an epoch
        ends and NEIGHBOURS_EVERY_S has passed; each model of the run in between keeps it."""
        live = self._following_live_run()
        if live:
            if self._inspect_timer.isActive():
                self._inspect_pending = True
                return
            self._inspect_timer.start(INSPECT_MODEL_MS)
        self._inspect_pending = False
        now, epoch = time.monotonic(), len(self.state.history)
        keep = live and (epoch == self._neighbours_epoch
                         or now - self._neighbours_time < NEIGHBOURS_EVERY_S)
        if not keep:
            self._neighbours_epoch, self._neighbours_time = epoch, now
        model = self.state.shown_model
        self.inspect_panel.set_model(model.clone() if model is not None else None, keep_neighbours=keep)

    @guarded
    def _on_inspect_timer_timeout(self) -> None:
        if self._inspect_pending:
            if self.is_view_shown(self.inspect_panel):
                self._render_inspect()
            else:
                self._stale_tabs.add(self.inspect_panel)

    def _refresh_view(self, panel: QWidget) -> None:
        """Re-render a follower now if it is shown, else when it is."""
        if self.is_view_shown(panel):
            self._stale_tabs.discard(panel)
            call_guarded(self, self._followers[panel][1])
        else:
            self._stale_tabs.add(panel)

    @guarded
    def _on_tab_changed(self) -> None:
        for panel in list(self._stale_tabs):
            if self.is_view_shown(panel):
                self._stale_tabs.discard(panel)
                self._followers[panel][1]()

    def _following_live_run(self) -> bool:
        """The views follow a run in progress (not a viewed moment or a file)."""
        state = self.state
        return state.kind == "live" and self.is_training and not state.viewing_moment

    def _render_map(self) -> None:
        """The map of the shown model: a new model (run, file, moment) is laid out afresh;
        during a run the PCA is redone once per epoch (0.1 s for the largest preset)."""
        state, raw = self.state, self._raw
        model = state.shown_model
        if model is None or raw is None or model.layer_sizes[0] != raw.test_images.shape[1]:
            if self._map_key is not None or model is not None:
                self.map_panel.clear()
            self._map_key = None
            return
        key = (state.generation, state.moment_label, tuple(model.layer_sizes))
        epoch = len(state.history)
        caption = self._map_caption()
        if key != self._map_key:
            self._map_key, self._map_epoch = key, epoch
            self.map_panel.set_model(model, raw.test_images, raw.test_labels, caption=caption)
        elif not self._following_live_run() or epoch != self._map_epoch:
            self._map_epoch = epoch
            self.map_panel.refresh_pca(model, caption=caption)

    def _map_caption(self) -> str:
        """Which model the map shows, e.g. "Live run, epoch 2 of 5" or "model.npz"."""
        state = self.state
        if state.viewing_moment:
            return state.moment_label.capitalize()
        if state.kind == "live":
            total = state.config.get("epochs") if isinstance(state.config, dict) else None
            of = f" of {total}" if total else ""
            if self._following_live_run():
                return f"Live run, epoch {len(state.history)}{of}"
            return f"Last run, epoch {len(state.history)}{of}"
        if state.kind == "file" and state.path is not None:
            return state.path.name
        if state.kind == "tuned":
            return "Fine-tuned on your digits"
        return ""

    def _give_fixed_model(self, panel: QWidget, view: str, give: Callable[[object], None]) -> None:
        """A view that works on a fixed model (the lab, robustness) gets the shown model once
        (``give(model)``), or while a run trains a note saying it waits for the run's end
        (``_on_thread_finished`` renders it again then)."""
        source = _TRAINING if self._following_live_run() else self.state.shown_model
        if self._fixed_sources.get(panel) is source:  # None: nothing given since the reset
            return
        self._fixed_sources[panel] = source
        if source is _TRAINING:
            panel.show_note(FIXED_MODEL_NOTE.format(view=view))
        else:
            give(source)

    def _render_lab(self) -> None:
        """The lab edits a fixed model: the shown one, or the run's last when it ends."""
        state = self.state
        config = self._moment_config if state.viewing_moment else state.config
        self._give_fixed_model(self.lab_panel, "lab",
                               lambda model: self.lab_panel.set_model(model, self._raw, config))

    def _render_robustness(self) -> None:
        """Robustness curves of the shown model (9.5 s for the largest preset: computed for
        a fixed model, not for every snapshot of a run), and of the runs checked in Runs."""
        self._give_fixed_model(self.robustness_panel, "robustness view",
                               lambda model: self.robustness_panel.set_model(model, self._raw))
        self._sync_robustness_overlays()

    def _sync_robustness_overlays(self) -> None:
        """Draw the final model of every run checked in Runs over the current model's curves
        (the live run is the current model)."""
        wanted = {run.id: run for run in self._robustness_runs
                  if not run.damaged and not (run.id == self.live_run_id and self.state.kind == "live")}
        for run_id in [r for r in self._robustness_overlaid if r not in wanted]:
            self.robustness_panel.remove(self._robustness_overlaid.pop(run_id))
        for run_id, run in wanted.items():
            if run_id in self._robustness_overlaid:
                continue
            try:
                model, _meta = self.run_store.load_model(run_id)
            except MnistGuiError as exc:
                self._show_status(f"Run {run.name or run_id}: {exc}", "runs")
                continue
            name = f"run {run.name or run_id}"
            self._robustness_overlaid[run_id] = name
            self.robustness_panel.add_model(name, model)

    # ------------------------------------------------------------ inspect, digits

    def _set_raw(self, raw: RawMnist) -> None:
        """The MNIST data in use (Inspect's neighbours come from its training digits)."""
        if raw is self._raw:
            return
        self._raw = raw
        self._test_digits.clear()
        self.inspect_panel.set_training_data(raw.train_images, raw.train_labels)

    @guarded
    def _on_canvas_drawn(self) -> None:
        """Every change of the drawing goes to Inspect (which throttles itself)."""
        pixels = self.draw_canvas.pixels()
        if not pixels.any():
            self.inspect_panel.show_digit(None)
            return
        try:
            steps = mnist_preprocess_steps(pixels / 255.0)
        except ImageError:
            self.inspect_panel.show_digit(None)
            return
        self.inspect_panel.show_digit(steps.final, steps=steps)

    @guarded
    def _on_mistake_selected(self, row: int) -> None:
        evaluation = self.mistakes_panel.evaluation
        if evaluation is None or not 0 <= row < len(evaluation.images):
            return
        report = evaluation.report
        label = int(report.classes[int(report.y_true[row])])
        self.inspect_panel.show_digit(evaluation.images[row].reshape(28, 28) / 255.0, label=label)

    @guarded
    def _on_history_digit_selected(self, index: int) -> None:
        if self._history_digits is None:
            return
        images, labels = self._history_digits
        if 0 <= index < len(images):
            self.inspect_panel.show_digit(images[index].reshape(28, 28) / 255.0, label=int(labels[index]))

    def _test_digits_for(self, classes: list[int]) -> tuple[np.ndarray, np.ndarray] | None:
        """(test images (N, 784) uint8, their digits (N,)) of these classes, as the
        history's columns are; None without data."""
        if self._raw is None:
            return None
        key = tuple(int(c) for c in classes)
        if key not in self._test_digits:
            keep = np.isin(self._raw.test_labels, key)
            self._test_digits[key] = (self._raw.test_images[keep], self._raw.test_labels[keep])
        return self._test_digits[key]

    def _render_live_history(self) -> None:
        """The live run's digit history, built from its epochs' p(true) arrays."""
        state = self.state
        selected = self.runs_panel.selected_run()
        if state.kind != "live" or (selected is not None and selected.id != self.live_run_id):
            return  # the history view shows a selected run's
        epochs = [e for e in state.history if e.test_p_true is not None and e.test_predicted is not None]
        model = state.model
        if not epochs or model is None:
            return
        digits = self._test_digits_for(model.classes)
        if digits is None or len(digits[1]) != len(epochs[0].test_p_true):
            return
        images, labels = digits
        index = {c: i for i, c in enumerate(model.classes)}
        y_true = np.array([index[int(c)] for c in labels], np.int64)
        self._live_history = DigitHistory.from_epochs(
            [e.epoch for e in epochs], [e.test_p_true for e in epochs],
            [e.test_predicted for e in epochs], y_true)
        self._history_digits = (images, labels)
        self.history_view.set_history(self._live_history, images, labels)

    @guarded
    def _on_run_selected(self, run: Run | None) -> None:
        """The digit history follows the selected run (the live one without a selection)."""
        if run is None or run.id == self.live_run_id:
            self._history_digits = None
            self.history_view.clear()
            self._render_live_history()
            return
        history = run.digit_history() if not run.damaged else None
        digits = self._test_digits_for(list(run.config.get("digits") or range(10)))
        if history is None or digits is None or len(digits[1]) != history.correct.shape[1]:
            self._history_digits = None
            self.history_view.set_history(history, None)
            return
        self._history_digits = digits
        self.history_view.set_history(history, digits[0], digits[1])

    @guarded
    def keep_drawn_digit(self) -> None:
        """"This is a k": keep the drawn digit, as the network sees it, in your digits."""
        pixels = self.draw_canvas.pixels()
        if not pixels.any():
            self._show_status("Draw a digit first, then say which it is.", "personal")
            return
        image28 = mnist_preprocess(pixels / 255.0)
        label = int(self.this_is_combo.currentData())
        if self.personal_panel.add_digit(image28, label) is not None:
            self._show_status(f"Kept your {label} ({plural(len(self.personal_panel.digits), 'digit')} "
                              "in your set)", "personal")

    def _personal_digits(self) -> PersonalDigits:
        try:
            return PersonalDigits(self.run_store.home)
        except MnistGuiError as exc:
            import tempfile

            self._personal_error = str(exc)
            return PersonalDigits(tempfile.mkdtemp(prefix="mnist-gui-personal-"))

    @guarded
    def finetune_on_personal_digits(self) -> None:
        """Fine-tune the shown model on MNIST plus your digits (FINETUNE_EPOCHS, off the GUI
        thread); the result becomes the current model, with your digits' accuracy before
        and after."""
        state = self.state
        model = state.shown_model
        if model is None or self.is_training:
            self._show_status("Fine-tuning needs a model and no run in progress.", "personal")
            return
        digits = self.personal_panel.digits
        if len(digits) == 0:
            self._show_status("Draw a few digits and keep them first (\"This is a…\").", "personal")
            return
        try:
            config = (TrainConfig.from_dict(state.config) if state.config is not None
                      else self.config_panel.config()).updated(epochs=FINETUNE_EPOCHS)
        except (ConfigError, TypeError, ValueError) as exc:
            self._message("Cannot fine-tune", str(exc), QMessageBox.Icon.Warning, topic="personal")
            return
        base = model.clone()
        raw, data_dir = self._raw, self._data_dir

        def finetune() -> tuple:
            data = raw or load_raw(data_dir)
            dataset = prepare(data, config.data_spec())
            X, y = digits.as_test_set(base.classes, base.input_mean, base.input_std)
            if not len(y):
                raise ConfigError("none of your digits is of a class this model knows")
            before = evaluate_model(base, X, y).accuracy
            trainer = Trainer(config, digits.training_set_with(dataset), model=base.clone())
            trainer.train()
            tuned = trainer.model
            after = evaluate_model(tuned, X, y).accuracy
            return data, config, tuned, evaluate_on_test_set(tuned, data), before, after

        self._open_request += 1  # a model still loading must not replace the result
        self.personal_panel.set_can_finetune(False)
        self._show_status("Fine-tuning on MNIST and your digits…", "personal")
        self._run_helper(finetune, self._on_finetuned, self._on_finetune_failed)

    @guarded
    def _on_finetuned(self, result: tuple) -> None:
        raw, config, model, evaluation, before, after = result
        self._set_raw(raw)
        if self.is_training:
            return
        generation = self.state.begin("tuned", config=config.to_dict())
        self.state.set_model(generation, model)
        self.state.set_evaluation(generation, evaluation)
        self.personal_panel.show_accuracy(before, after)
        self.personal_panel.set_can_finetune(True)
        self._show_status(
            f"Fine-tuned: your digits {100 * before:.1f}% -> {100 * after:.1f}%, test accuracy "
            f"{100 * evaluation.report.accuracy:.2f}%", "personal")
        self.finetuned.emit(float(before), float(after))

    @guarded
    def _on_finetune_failed(self, message: str) -> None:
        self.personal_panel.set_can_finetune(self.state.shown_model is not None and not self.is_training)
        self._message("Cannot fine-tune", message, QMessageBox.Icon.Warning, topic="personal")

    # ------------------------------------------------------------------ runs

    @guarded
    def _on_overlay_changed(self, runs: list) -> None:
        self.curves_panel.set_overlays(list(runs))
        self._robustness_runs = list(runs)
        self._refresh_view(self.robustness_panel)

    # ------------------------------------------------------- health, map, lab

    @guarded
    def _on_health_fix_requested(self, fix: dict) -> None:
        """A finding's fix: into the settings form (the next run uses it); a new learning
        rate also reaches the run in progress at once."""
        try:
            config = self.config_panel.config().updated(**fix).check()
        except (ConfigError, TypeError, ValueError) as exc:
            self._message("Cannot apply that fix", str(exc), QMessageBox.Icon.Warning, topic="settings")
            return
        self.config_panel.set_config(config, "custom")
        words = ", ".join(f"{key} = {value}" for key, value in fix.items())
        if self._session is not None and set(fix) == {"lr"}:
            self._session.controls.set_learning_rate(float(fix["lr"]))
            self._show_status(f"Applied {words} to the run in progress and to the settings", "settings")
        else:
            self._show_status(f"Applied {words} to the settings: press Train to try it", "settings")

    @guarded
    def _on_map_digit_clicked(self, index: int) -> None:
        raw = self._raw
        if raw is None or not 0 <= index < len(raw.test_labels):
            return
        self.inspect_panel.show_digit(raw.test_images[index].reshape(28, 28) / 255.0,
                                      label=int(raw.test_labels[index]))
        self.show_view(self.inspect_panel)

    @guarded
    def open_unit_in_lab(self, layer: int, unit: int) -> None:
        """Show hidden unit ``unit`` of hidden layer ``layer`` (0-based) in the lab."""
        self.show_view(self.lab_panel)  # a stale lab takes the shown model first
        if not self.lab_panel.has_model():
            self._show_status("The lab opens units of a fixed model: when the run ends, or a "
                              "model opened from a file", "lab")
            return
        self.lab_panel.select_unit(int(layer), int(unit))

    @guarded
    def _on_settings_requested(self, config: dict) -> None:
        try:
            self.config_panel.set_config(TrainConfig.from_dict(config), "custom")
        except (ConfigError, TypeError, ValueError) as exc:
            self._message("Cannot use those settings", str(exc), QMessageBox.Icon.Warning,
                          topic="settings")
            return
        self._show_status("Settings of the selected run loaded into the form", "settings")

    @guarded
    def _on_moment_selected(self, moment: Moment) -> None:
        """The views show a run's snapshot (scored on the test set off the GUI thread); the
        live run goes on behind it."""
        run = moment.run
        self._moment_config = dict(run.config) if isinstance(run.config, dict) else None
        label = f"epoch {epoch_text(moment.epoch)} of run {run.name or run.id}"
        token = self.state.view_moment(label, moment.model)
        self._show_moment_banner()
        model, epoch = moment.model.clone(), int(moment.epoch)
        raw, data_dir = self._raw, self._data_dir
        key = (run.id, len(run.epochs))  # a run still training has more epochs next time
        history = self._weight_histories.get(key)

        def score() -> tuple:
            data = raw or load_raw(data_dir)
            try:
                evaluation: ModelEvaluation | None = evaluate_on_test_set(model, data, epoch)
            except ConfigError:
                evaluation = None
            # the run's own start and per-epoch changes, for Weights' comparisons
            try:
                whole = history or run.weight_history(float("inf"))
            except MnistGuiError:
                whole = (None, [])
            return token, data, evaluation, key, whole, moment.epoch

        self._run_helper(score, self._on_moment_scored, self._on_moment_failed)
        self.moment_shown.emit(label)

    @guarded
    def _on_moment_scored(self, result: tuple) -> None:
        token, raw, evaluation, key, history, epoch = result
        self._set_raw(raw)
        self._weight_histories = {key: history}  # one run's at a time: they can be large
        if not self.state.is_current_moment(token):
            return
        initial, changes = history
        self.weights_panel.show_reference(
            initial, [[(e, r) for e, r in layer if e <= epoch] for layer in changes])
        if evaluation is not None:
            self.state.set_moment_evaluation(token, evaluation)

    @guarded
    def _on_moment_failed(self, message: str) -> None:
        self._show_status(f"Cannot show that moment: {message}", "moment")

    @guarded
    def _on_live_requested(self) -> None:
        self.weights_panel.show_live_reference()
        if self.state.back_to_live():
            self.moment_shown.emit("")
        self._show_moment_banner()

    def _show_moment_banner(self) -> None:
        state = self.state
        if state.viewing_moment:
            live = " (training goes on: Back to live shows it)" if self.is_training else ""
            self.moment_banner.setText(f"Viewing {state.moment_label}{live}")
            self.banner.show()
        else:
            self.banner.hide()

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
        self._set_raw(raw)
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
        self._data_dir = folder
        self._set_raw(raw)
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
        """Write the curves as PNG and the run's per-epoch table as CSV next to ``path``,
        and every series shown (overlaid runs included, as drawn) as ``<name>-shown.csv``;
        (png, csv), or None (and a message) if no epoch has finished yet."""
        if not self.state.history:
            self._message("Nothing to export",
                          "No epoch has finished yet: train a model first, then export its curves.",
                          QMessageBox.Icon.Information)
            return None
        base = Path(path).with_suffix("")
        png, csv = base.with_suffix(".png"), base.with_suffix(".csv")
        try:
            self.curves_panel.export_png(png)
            self.curves_panel.export_epochs_csv(csv)
            shown = base.with_name(f"{base.name}-shown.csv")
            self.curves_panel.export_csv(shown)
        except OSError as exc:
            self._message("Cannot export", f"{exc.filename}: {exc.strerror}", QMessageBox.Icon.Critical)
            return None
        self._show_status(f"Exported {png}, {csv} and {shown.name}", "export")
        return png, csv

    def export_onnx(self, path: str) -> None:
        """Write the shown model as ONNX (off the GUI thread); ``onnx_exported(path)`` or a
        message follows."""
        model = self.state.shown_model
        if model is None:
            self._message("Nothing to export", "Train or open a model first.", QMessageBox.Icon.Information)
            return
        copy = model.clone()

        def export() -> str:
            from ..core.onnx_export import export_onnx

            return str(export_onnx(copy, path))

        self._show_status(f"Exporting {Path(path).name}…", "export")
        self._run_helper(export, self._on_onnx_exported, self._on_onnx_failed)

    @guarded
    def _on_onnx_exported(self, path: str) -> None:
        self._show_status(f"Exported {path}: input \"pixels\" (N, 784) in [0, 1], output "
                          "\"probabilities\"", "export")
        self.onnx_exported.emit(path)

    @guarded
    def _on_onnx_failed(self, message: str) -> None:
        self._message("Cannot export as ONNX", message, QMessageBox.Icon.Critical, topic="export")

    def _run_helper(self, function, on_done, on_failed) -> None:
        """Run ``function`` on a GeneratorWorker in its own thread; ``on_done(result)`` or
        ``on_failed(message)`` follows on the GUI thread (bound methods of this window, so
        Qt queues them here)."""
        self._helpers.append(start_worker(self, call_once(function), on_done, on_failed,
                                          self._on_helper_thread_finished))

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
        path = self._ask_file(False, "Open model", "", "mnist-gui models (*.npz)")
        if path:
            self.open_model(path)

    @guarded
    def _on_save_model_triggered(self) -> None:
        path = self._ask_file(True, "Save model", "model.npz", "mnist-gui models (*.npz)")
        if path:
            self.save_model(path)

    @guarded
    def _on_open_data_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with the four MNIST-format IDX files",
                                                  self._folder())
        if folder:
            self._remember_folder(str(Path(folder) / "x"))
            self.open_data_folder(folder)

    @guarded
    def _on_open_image_triggered(self) -> None:
        path = self._ask_file(False, "Classify an image of a digit", "",
                              "Images (*.png *.jpg *.jpeg *.bmp *.gif)")
        if path:
            self.classify_image(path)

    @guarded
    def _on_export_curves_triggered(self) -> None:
        if not self.state.history:
            self.export_curves("")  # says there is nothing to export
            return
        path = self._ask_file(True, "Export curves (PNG and CSV)", "curves.png", "PNG image (*.png)")
        if path:
            self.export_curves(path)

    @guarded
    def _on_export_onnx_triggered(self) -> None:
        if self.state.shown_model is None:
            self.export_onnx("")  # says there is nothing to export
            return
        path = self._ask_file(True, "Export as ONNX", "model.onnx", "ONNX model (*.onnx)")
        if path:
            self.export_onnx(path)

    @guarded
    def _on_health_rules_triggered(self) -> None:
        from ..core.health import HealthRules

        items = "".join(f"<li><b>{name}</b>: {text}</li>" for name, text in HealthRules().described())
        self._message("Health rules", "<p>The Health view's findings, each from one rule, "
                      f"checked while a run trains:</p><ul>{items}</ul>", QMessageBox.Icon.Information)

    def _folder(self, name: str = "") -> str:
        """Where a file dialog opens: the folder of the last file chosen (the user's home
        the first time, never wherever the app was launched from), with ``name`` in it."""
        folder = self.settings.value("lastFolder")
        if not (isinstance(folder, str) and Path(folder).is_dir()):
            folder = str(Path.home())
        return str(Path(folder) / name) if name else folder

    @guarded
    def _remember_folder(self, path: str) -> None:
        self.settings.setValue("lastFolder", str(Path(path).parent))
        self.lab_panel.save_folder = str(Path(path).parent)

    def _ask_file(self, save: bool, title: str, name: str, file_filter: str) -> str:
        """A file chosen in a save or open dialog that starts where the last file was
        chosen ("" if cancelled); its folder is remembered for the next dialog."""
        ask = QFileDialog.getSaveFileName if save else QFileDialog.getOpenFileName
        path, _ = ask(self, title, self._folder(name), file_filter)
        if path:
            self._remember_folder(path)
        return path

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
        threshold = self.settings.value("confidenceThreshold")
        try:
            self.robustness_panel.set_threshold(float(threshold or 0.0))
        except (TypeError, ValueError):
            pass
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
        self.settings.setValue("confidenceThreshold", self.robustness_panel.threshold())
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
        self.close_question = ask(
            self, "Training is running", "A training run is still going. Stop it and quit?",
            STOP_AND_QUIT, QMessageBox.ButtonRole.AcceptRole, self._on_close_question_answered,
            self._on_close_question_closed)
        return self.close_question

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
