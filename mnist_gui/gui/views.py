"""Views that follow the one state, and the table the window is laid out from.

A view is a widget with two members (napari's layer controls subscribe to their layer's
events in their own ``__init__``; the viewer only places them):

- ``follows``: the state changes (``state.Change``) it shows;
- ``render(state)``: show the state; the view keeps whatever it needs between renders
  (what it was last given, its own throttling) itself;
- optionally ``follows_hidden``: changes rendered even while the view is hidden (cheap ones
  that later events build on, e.g. a new run's empty plots).

``bind_view(view, state)`` connects the two: a change the view follows renders it at once if
it is shown, else marks it stale, and a stale view renders when it is shown (a hidden view
costs nothing while a run trains). Every render is guarded: one view failing never keeps the
others, or the signal, back.

``VIEWS`` is the window's table: each entry names a view, its group (top-level tab), title,
one-line explanation and shortcut. Tabs, the View menu, shortcuts, is-busy and shutdown are
made from it: a new view is one panel file plus one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from .guard import call_guarded, guarded, report_unexpected
from .state import Change, CurrentModel

if TYPE_CHECKING:
    from .jobs import Jobs


class View(Protocol):
    follows: frozenset[Change]

    def render(self, state: CurrentModel) -> None: ...


class ViewBinding(QObject):
    """Renders ``view`` from ``state`` on the changes it follows, when it is shown."""

    def __init__(self, view: QWidget, state: CurrentModel) -> None:
        super().__init__(view)
        self.view, self.state = view, state
        self.stale = True
        state.changed.connect(self._on_state_changed)
        view.installEventFilter(self)

    def show_unexpected_error(self, where: str, exc: BaseException) -> None:
        report_unexpected(self.view, where, exc)  # the view's window shows it

    @guarded
    def _on_state_changed(self, change: Change) -> None:
        if change not in self.view.follows:
            return
        if self.view.isVisible() or change in getattr(self.view, "follows_hidden", ()):
            self.render()
        else:
            self.stale = True

    def render(self) -> None:
        self.stale = False
        call_guarded(self.view, self.view.render, self.state)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.view and event.type() == QEvent.Type.Show and self.stale:
            self.render()
        return False


def bind_view(view: QWidget, state: CurrentModel) -> ViewBinding | None:
    """Make ``view`` follow ``state`` (it renders now if shown, else when first shown);
    None for a view that shows no part of the state (it has no ``render``)."""
    if not callable(getattr(view, "render", None)) or not getattr(view, "follows", None):
        return None
    binding = ViewBinding(view, state)
    if view.isVisible():
        binding.render()
    return binding


@dataclass(frozen=True)
class ViewEntry:
    """One view of the window.

    ``make(context)`` builds it (``context`` gives the state, the jobs service, the run
    store); ``name`` is the window attribute it is kept as (``window.<name>``); ``number`` is
    its place on the suggested path (1 = visit first), shown in its tab and menu item."""

    name: str
    group: str
    title: str
    explanation: str
    shortcut: str | None
    make: Callable[["ViewContext"], QWidget]
    number: int = 0

    @property
    def tab_text(self) -> str:
        """The sub-tab's text: "3 Mistakes"."""
        return TAB_TEXT.format(number=self.number, title=self.title)

    @property
    def menu_text(self) -> str:
        """The View menu's item: "3  &Mistakes" (the title keeps its mnemonic)."""
        return MENU_TEXT.format(number=self.number, title=self.title)


@dataclass
class ViewContext:
    state: CurrentModel
    jobs: "Jobs"
    run_store: object
    personal: object


TAB_TEXT = "{number} {title}"
MENU_TEXT = "{number}  &{title}"

#: the top-level tabs, left to right in the order of the suggested path
GROUPS: list[tuple[str, str]] = [
    ("Train && watch", "Train a network and watch its loss and accuracy"),
    ("Digits", "The test digits it gets wrong, how each was learned, and your own"),
    ("Inside the network", "What the network learned and how it decides"),
    ("Runs", "Every training run kept on disk: compare, rewind, continue"),
]


def views() -> list[ViewEntry]:
    """The window's views in the order a newcomer should visit them (the suggested path):
    their numbers, the View menu, the tabs inside each group and the tour follow it. Ctrl+N
    shows view N (Ctrl+0 the tenth)."""
    # imported here: the panels import this module's View protocol
    from .panels.curves_panel import CurvesPanel
    from .panels.digit_history_view import DigitHistoryView
    from .panels.draw_page import DrawPage
    from .panels.health_panel import HealthPanel
    from .panels.inspect_panel import InspectPanel
    from .panels.lab_panel import LabPanel
    from .panels.map_panel import MapPanel
    from .panels.mistakes_panel import MistakesPanel
    from .panels.robustness_panel import RobustnessPanel
    from .panels.runs_panel import RunsPanel
    from .panels.sweeps_panel import SweepsPanel
    from .panels.weights_panel import WeightsPanel

    train, digits, inside, runs = (group for group, _tip in GROUPS)
    entries = [
        ViewEntry("curves_panel", train, "Curves",
                  "Loss and accuracy while the network trains; runs checked in Runs are drawn "
                  "beside the live one.", "Ctrl+1", lambda c: CurvesPanel()),
        ViewEntry("health_panel", train, "Health",
                  "Is every layer learning? Gradient and update sizes, dead or saturated units, "
                  "measured while a run trains, and findings with a fix you can apply.",
                  "Ctrl+2", lambda c: HealthPanel()),
        ViewEntry("mistakes_panel", digits, "Mistakes",
                  "How often the model is right, and the test digits it gets wrong; select one "
                  "to inspect it (Inside the network > Inspect).", "Ctrl+3",
                  lambda c: MistakesPanel()),
        ViewEntry("draw_page", digits, "Draw",
                  "Draw a digit and see what the current model makes of it; label it to keep "
                  "it in your digits and fine-tune on them.", "Ctrl+4",
                  lambda c: DrawPage(c.personal)),
        ViewEntry("history_view", digits, "Learning history",
                  "Each test digit's probability of its true class after every epoch: learned "
                  "when, forgotten, never learned.", "Ctrl+5", lambda c: DigitHistoryView()),
        ViewEntry("robustness_panel", digits, "Robustness",
                  "Test accuracy as the digits are disturbed (noise, rotation, shift, "
                  "occlusion, thickness), and the confidence below which Draw answers \"I "
                  "don't know\"; runs checked in Runs are drawn too.", "Ctrl+6",
                  lambda c: RobustnessPanel(jobs=c.jobs)),
        ViewEntry("weights_panel", inside, "Weights",
                  "Every layer's weights as images, and how much each layer changed per epoch.",
                  "Ctrl+7", lambda c: WeightsPanel()),
        ViewEntry("inspect_panel", inside, "Inspect",
                  "One digit through the network: activations per layer, which pixels pushed "
                  "it towards a class, what would make it another class, and the training "
                  "digits it resembles.", "Ctrl+8", lambda c: InspectPanel(jobs=c.jobs)),
        ViewEntry("map_panel", inside, "Map",
                  "The test digits as one layer sees them, squeezed to 2-D (PCA, or t-SNE on "
                  "request): which digits it keeps apart and which it mixes up.", "Ctrl+9",
                  lambda c: MapPanel(jobs=c.jobs)),
        ViewEntry("lab_panel", inside, "Lab",
                  "Edit the trained network by hand (switch units off, prune, add noise) and "
                  "watch the test results follow; click a unit in Weights or Inspect to open "
                  "it here.", "Ctrl+0", lambda c: LabPanel(jobs=c.jobs)),
        ViewEntry("runs_panel", runs, "Runs",
                  "Runs kept on disk: tick to overlay on the curves, move the timeline to view "
                  "an earlier moment, continue or step a run.", "Ctrl+Shift+R",
                  lambda c: RunsPanel(c.run_store, jobs=c.jobs)),
        ViewEntry("sweeps_panel", runs, "Sweeps",
                  "Search many settings at once: tick settings in the form to vary, watch the "
                  "trials fill in, see which settings matter (parallel coordinates: drag an "
                  "axis to filter); tick trials to overlay them in Curves.", "Ctrl+Shift+S",
                  lambda c: SweepsPanel(c.run_store, jobs=c.jobs)),
    ]
    return [replace(entry, number=number) for number, entry in enumerate(entries, 1)]


#: the views in path order (``views()``' order; kept as names for the window's layout)
TAB_ORDER = ["curves_panel", "health_panel", "mistakes_panel", "draw_page", "history_view",
             "robustness_panel", "weights_panel", "inspect_panel", "map_panel", "lab_panel",
             "runs_panel", "sweeps_panel"]


def group_headers() -> dict[str, tuple[str, Callable[[], QWidget]]]:
    """Widgets shown above a group's tabs, by group: (window attribute, factory). Each is a
    view too (``follows`` / ``render``)."""
    from .summary_strip import SummaryStrip

    return {GROUPS[0][0]: ("summary_strip", SummaryStrip)}
