"""Screenshots of the real window for the README: the first launch, every view after training
the default preset, two recorded runs overlaid (Runs and Curves), Inspect on a real mistake,
the views after opening a binary (7 vs 8) model, and Health, Map, Lab, Robustness and Draw's
"I don't know" after training the `best` preset.

    python scripts/screenshots.py [--out docs/screenshots] [--preset fast] [--epochs 2]
                                  [--best-epochs 30] [--part all|basic|best|views] [--language it]
                                  [--sizes 1024x640,1440x900]
    python scripts/screenshots.py --part sweeps --sweep-home HOME   # after a sweep in HOME

Works offscreen (QT_QPA_PLATFORM=offscreen) or on a real display / Xvfb. Saves
first-launch, curves, weights, mistakes, history, draw, runs-overlay, curves-overlay,
inspect-mistake, binary-mistakes and binary-draw (``--part basic``), and health, map-pca,
map-tsne, lab, robustness and draw-threshold (``--part best``: the `best` preset trained for
``--best-epochs``, its 30 by default; t-SNE needs openTSNE, the `map` extra) (.png). Runs are
recorded in a scratch run store, never the user's. ``--language it`` takes them in Italian
(as ``LANG=it_IT.UTF-8`` would), each saved as ``<name>-it.png``. ``--part sweeps`` saves
sweeps-parallel and sweeps-curves: the Sweeps view of the newest sweep in ``--sweep-home``
(the MNIST_GUI_HOME a finished ``mnist-gui sweep`` ran in; only read).

``--part views`` trains ``--preset`` for ``--epochs`` and saves every view, numbered as on
the suggested path, at each of ``--sizes``: ``<out>/<W>x<H>/<number>-<view>.png`` (e.g.
``docs/screenshots/1024x640/03-mistakes_panel.png``), to look at one by one.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

# a seven, drawn small and off-centre on purpose
SEVEN = [(0.15, 0.15), (0.45, 0.15), (0.42, 0.2), (0.36, 0.3), (0.3, 0.42), (0.26, 0.5)]
# scribbles between two digits (each a list of strokes), tried in turn until the `best` model
# is unsure enough of one to answer "I don't know" at the threshold
AMBIGUOUS = [
    [[(0.35, 0.2), (0.3, 0.5), (0.65, 0.5)], [(0.6, 0.2), (0.62, 0.85)]],             # 4 or 9
    [[(0.3, 0.3), (0.5, 0.2), (0.65, 0.3), (0.45, 0.55), (0.3, 0.8), (0.7, 0.75)]],   # 2 or 7
    [[(0.3, 0.25), (0.65, 0.25), (0.5, 0.5), (0.65, 0.7), (0.3, 0.8)]],               # 3 or 7
    [[(0.65, 0.2), (0.35, 0.45), (0.35, 0.75), (0.6, 0.8), (0.62, 0.55), (0.35, 0.55)]],  # 6 or 0
    [[(0.3, 0.3), (0.5, 0.2), (0.65, 0.35), (0.5, 0.5), (0.35, 0.4), (0.5, 0.5), (0.6, 0.8)]],
    [[(0.3, 0.2), (0.7, 0.2), (0.3, 0.8), (0.7, 0.8)]],                               # Z
    [[(0.3, 0.5), (0.7, 0.5)], [(0.5, 0.2), (0.5, 0.8)]],                             # +
]


def stroke(canvas, points) -> None:
    side = min(canvas.width(), canvas.height())
    x0, y0 = (canvas.width() - side) / 2, (canvas.height() - side) / 2
    dense = [tuple(np.array(a) + (np.array(b) - np.array(a)) * t)
             for a, b in itertools.pairwise(points) for t in np.linspace(0, 1, 6)]
    pts = [QPointF(x0 + x * side, y0 + y * side) for x, y in dense]
    for i, p in enumerate(pts):
        kind = QEvent.Type.MouseButtonPress if i == 0 else QEvent.Type.MouseMove
        QApplication.sendEvent(canvas, QMouseEvent(kind, p, canvas.mapToGlobal(p),
                                                   Qt.MouseButton.LeftButton,
                                                   Qt.MouseButton.LeftButton,
                                                   Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(canvas, QMouseEvent(QEvent.Type.MouseButtonRelease, pts[-1],
                                               canvas.mapToGlobal(pts[-1]),
                                               Qt.MouseButton.LeftButton,
                                               Qt.MouseButton.NoButton,
                                               Qt.KeyboardModifier.NoModifier))


def wait_for(signal, start, timeout_s: float = 600) -> None:
    """Call ``start()`` and run the event loop until ``signal`` fires (or the timeout)."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    QTimer.singleShot(0, start)
    loop.exec()
    signal.disconnect(loop.quit)


def pause(ms: int) -> None:
    """Run the event loop for ``ms``. Not QTest.qWait: PySide6's keeps the GIL while it
    sleeps, which starves the app's worker threads (t-SNE's neighbour search never ended)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(predicate, timeout_s: float = 600) -> bool:
    """Run the event loop until ``predicate()`` holds (or the timeout); returns it."""
    deadline = time.monotonic() + timeout_s
    while not predicate() and time.monotonic() < deadline:
        pause(50)
    return bool(predicate())


def wait_for_value(signal, value, start, timeout_s: float = 600) -> bool:
    """Call ``start()`` and run the event loop until ``signal`` fires with ``value``."""
    seen: list[object] = []
    slot = seen.append
    signal.connect(slot)
    QTimer.singleShot(0, start)
    ok = wait_until(lambda: value in seen, timeout_s)
    signal.disconnect(slot)
    return ok


def binary_model(path: Path, epochs: int) -> Path:
    """The 7-vs-8 article preset, trained headless for ``epochs`` full-batch epochs."""
    from mnist_gui.core.data import load_raw, prepare
    from mnist_gui.core.model_file import save_model
    from mnist_gui.core.presets import PRESETS
    from mnist_gui.core.training import Trainer

    config = PRESETS["seed-003"].config.updated(epochs=epochs)
    trainer = Trainer(config, prepare(load_raw(), config.data_spec()))
    trainer.train()
    save_model(path, trainer.model, config.to_dict(), trainer.history[-1].metrics())
    return path


def basic_shots(window, args, grab, scratch: Path) -> None:
    """The first launch, every view after training ``args.preset`` (twice, to overlay two
    runs), Inspect on a mistake, and the binary 7-vs-8 model."""
    from mnist_gui.core.presets import PRESETS

    grab("first-launch")
    config = PRESETS[args.preset].config.updated(epochs=args.epochs)
    # a second run first (a lower learning rate), to overlay beside the one shown
    window.config_panel.set_config(config.updated(lr=config.lr / 4), "custom")
    wait_for(window.training_finished, window.start_training)
    window.config_panel.set_config(config, args.preset)
    wait_for(window.training_finished, window.start_training)
    for name, panel in (("curves", window.curves_panel), ("weights", window.weights_panel),
                        ("mistakes", window.mistakes_panel), ("history", window.history_view),
                        ("draw", window.draw_panel)):
        window.show_view(panel)
        if panel is window.draw_panel:
            pause(100)
            stroke(window.draw_canvas, SEVEN)
        grab(name)

    # Inspect on a real mistake: the first one listed in Mistakes (the drawing cleared
    # first: Inspect shows whichever digit came last)
    window.draw_panel.clear_button.click()
    window.show_view(window.inspect_panel)
    pause(300)  # Inspect has shown the cleared drawing
    window.show_view(window.mistakes_panel)
    view = window.errors_view
    row = 1 if view.currentIndex().row() == 0 else 0  # a change of row is what inspects
    wait_for(window.inspect_panel.digit_inspected,
             lambda: view.setCurrentIndex(view.model().index(row, 0)), timeout_s=60)
    window.show_view(window.inspect_panel)
    wait_for(window.inspect_panel.neighbours_found, lambda: None, timeout_s=30)
    grab("inspect-mistake")

    # both runs ticked: the Runs table and their curves overlaid
    runs = window.runs_panel
    window.show_view(runs)
    if runs.is_busy() or len(runs.runs()) < 2:
        wait_for(runs.refreshed, runs.refresh, timeout_s=30)
    runs.set_checked([run.id for run in runs.runs()])
    runs.select_run(window.live_run_id)
    grab("runs-overlay")
    window.show_view(window.curves_panel)
    grab("curves-overlay")

    path = binary_model(scratch / "seven-vs-eight.npz", args.binary_epochs)
    window.draw_panel.clear_button.click()
    window.show_view(window.mistakes_panel)
    wait_for(window.model_loaded, lambda: window.open_model(str(path)))
    grab("binary-mistakes")
    window.show_view(window.draw_panel)
    pause(100)
    stroke(window.draw_canvas, SEVEN)
    grab("binary-draw")
    window.draw_panel.clear_button.click()


def best_shots(window, args, grab) -> None:
    """Health, Map (PCA and t-SNE), Lab, Robustness and Draw's "I don't know" after training
    the `best` preset for ``args.best_epochs`` epochs."""
    from mnist_gui.core.presets import PRESETS

    config = PRESETS["best"].config
    epochs = args.best_epochs or config.epochs
    window.config_panel.set_config(config.updated(epochs=epochs), "best" if epochs == config.epochs
                                   else "custom")
    # Health while the run trains (it keeps the whole run's history), shown when it ends
    window.show_view(window.health_panel)
    started = time.monotonic()
    wait_for(window.training_finished, window.start_training, timeout_s=3600)
    print(f"best: {epochs} epochs in {time.monotonic() - started:.0f} s", flush=True)
    grab("health")

    # Map: PCA of the last hidden layer, then t-SNE on request
    panel = window.map_panel
    window.show_view(panel)
    wait_until(lambda: not panel.is_busy() and len(panel.coordinates()) > 0, 120)
    hover(panel, 0.3)
    grab("map-pca")
    if panel.tsne_button.isEnabled():
        started = time.monotonic()
        ok = wait_for_value(panel.map_shown, "tsne", panel.tsne_button.click, timeout_s=600)
        print(f"t-SNE: {'shown' if ok else 'NOT shown'} after {time.monotonic() - started:.0f} s",
              flush=True)
        if ok:
            hover(panel, 0.7)
            grab("map-tsne")
    else:
        print("t-SNE unavailable (pip install '.[map]'): map-tsne.png skipped", flush=True)

    # Lab: the unit of the first hidden layer that speaks loudest to the outputs' layer,
    # then 50% of all weights pruned
    lab = window.lab_panel
    window.show_view(lab)
    wait_until(lambda: lab.has_model() and not lab.is_busy(), 120)
    model = window.state.shown_model
    unit = int(np.argmax(np.linalg.norm(model.W[1], axis=1)))
    wait_for(lab.results_shown, lambda: window.open_unit_in_lab(0, unit), timeout_s=120)
    lab.prune_spin.setValue(50)
    lab.per_layer_check.setChecked(False)
    wait_for(lab.results_shown, lab.prune_button.click, timeout_s=120)
    wait_until(lambda: not lab.is_busy(), 60)
    size = window.size()
    window.resize(size.width(), max(size.height(), 1180))  # all ten rows of the tables
    grab("lab")
    window.resize(size)

    # Robustness: the model's curves (and those of runs ticked in Runs), then a threshold
    robustness = window.robustness_panel
    window.show_view(robustness)
    wait_until(lambda: not robustness.is_busy(), 600)
    robustness.set_threshold(0.9)
    grab("robustness")

    # Draw answers "I don't know" below the threshold: the first scribble it is unsure of
    window.show_view(window.draw_panel)
    pause(100)
    for strokes in AMBIGUOUS:
        window.draw_panel.clear_button.click()
        for points in strokes:
            stroke(window.draw_canvas, points)
        pause(50)
        if window.prediction_label.text().startswith("I don't know"):
            grab("draw-threshold")
            break
    else:
        print("the model was sure of every scribble: draw-threshold.png skipped", flush=True)
    window.draw_panel.clear_button.click()
    robustness.set_threshold(0.0)


def view_shots(window, args, out: Path, saved: list[Path]) -> int:
    """Every view at each size of ``args.sizes`` after training ``args.preset``; the number
    of pictures expected."""
    from mnist_gui.core.presets import PRESETS

    config = PRESETS[args.preset].config.updated(epochs=args.epochs)
    window.config_panel.set_config(config, args.preset)
    window.show_view(window.curves_panel)
    wait_for(window.training_finished, window.start_training)
    sizes = [tuple(map(int, size.split("x"))) for size in args.sizes.split(",")]
    for width, height in sizes:
        folder = out / f"{width}x{height}"
        folder.mkdir(parents=True, exist_ok=True)
        window.resize(width, height)
        for entry in window.view_entries:
            view = getattr(window, entry.name)
            window.show_view(view)
            wait_until(lambda: not window.is_busy(), 120)
            if entry.name == "draw_page":
                window.draw_panel.clear_button.click()
                pause(100)
                stroke(window.draw_canvas, SEVEN)
            pause(300)
            path = folder / f"{entry.number:02d}-{entry.name}.png"
            window.grab().save(str(path))
            saved.append(path)
    window.draw_panel.clear_button.click()
    return len(sizes) * len(window.view_entries)


def hover(panel, where: float) -> None:
    """Show the digit under the map's point ``where`` (0..1) of the way through its rows, as
    hovering it with the mouse does."""
    coords = panel.coordinates()
    if not len(coords):
        return
    row = int(where * (len(coords) - 1))
    vb = panel.plot.getViewBox()
    scene = vb.mapViewToScene(QPointF(float(coords[row, 0]), float(coords[row, 1])))
    panel.plot_widget.scene().sigMouseMoved.emit(scene)


def sweep_shots(window, grab) -> None:
    """The Sweeps view of the newest sweep in the window's run store, once read."""
    view = window.sweeps_panel
    window.show_view(view)
    wait_until(lambda: view.snapshot() is not None and bool(view.importances()), 120)
    view.plots.setCurrentWidget(view.parallel_plot)
    grab("sweeps-parallel")
    view.plots.setCurrentWidget(view.curves_plot)
    grab("sweeps-curves")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--binary-epochs", type=int, default=1000)
    parser.add_argument("--best-epochs", type=int, default=None,
                        help="epochs of the `best` preset (default: its own, 30)")
    parser.add_argument("--sweep-home", type=Path,
                        help="--part sweeps: the run store of a finished sweep")
    parser.add_argument("--part", choices=["all", "basic", "best", "sweeps", "views"], default="all",
                        help="basic: the default preset's views and the binary model; best: "
                        "Health, Map, Lab, Robustness after training `best`; views: every "
                        "view at each of --sizes")
    parser.add_argument("--sizes", default="1024x640,1440x900",
                        help="window sizes of --part views, WxH,WxH")
    parser.add_argument("--size", default="1400x880", help="window size, WxH")
    parser.add_argument("--language", choices=["en", "it"], default="en",
                        help="the window's language (it: files named <name>-it.png)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)  # noqa: F841 - alive for the whole script
    from mnist_gui.core.runs import RunStore
    from mnist_gui.gui import MainWindow
    from mnist_gui.gui.language import Translation

    Translation(args.language).install()  # as the app does at start, before any widget
    suffix = "" if args.language == "en" else f"-{args.language}"

    scratch = Path(tempfile.mkdtemp(prefix="mnist-gui-screenshots-"))
    window = MainWindow(settings=QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat),
                        run_store=RunStore(args.sweep_home if args.part == "sweeps"
                                           else scratch / "home"))
    window.resize(*map(int, args.size.split("x")))
    window.show()
    saved: list[Path] = []

    def grab(name: str) -> None:
        pause(300)  # let the views paint
        path = args.out / f"{name}{suffix}.png"
        window.grab().save(str(path))
        saved.append(path)

    expected = 0
    if args.part in ("all", "basic"):
        basic_shots(window, args, grab, scratch)
        expected += 11
    if args.part in ("all", "best"):
        best_shots(window, args, grab)
        expected += 6
    if args.part == "sweeps":
        sweep_shots(window, grab)
        expected += 2
    if args.part == "views":
        expected += view_shots(window, args, args.out, saved)
    print("saved " + ", ".join(str(p) for p in saved))
    window.close()
    return 0 if len(saved) == expected else 1


if __name__ == "__main__":
    sys.exit(main())
