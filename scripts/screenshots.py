"""Screenshots of the real window for the README: the first launch, every view after training
the default preset, two recorded runs overlaid (Runs and Curves), Inspect on a real mistake,
and the views after opening a binary (7 vs 8) model.

    python scripts/screenshots.py [--out docs/screenshots] [--preset fast] [--epochs 2]

Works offscreen (QT_QPA_PLATFORM=offscreen) or on a real display / Xvfb. Saves
first-launch, curves, weights, mistakes, history, draw, runs-overlay, curves-overlay,
inspect-mistake, binary-mistakes and binary-draw (.png). Runs are recorded in a scratch run
store, never the user's.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np
from PySide6.QtCore import QEvent, QEventLoop, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

# a seven, drawn small and off-centre on purpose
SEVEN = [(0.15, 0.15), (0.45, 0.15), (0.42, 0.2), (0.36, 0.3), (0.3, 0.42), (0.26, 0.5)]


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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--binary-epochs", type=int, default=1000)
    parser.add_argument("--size", default="1400x880", help="window size, WxH")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)  # noqa: F841 - alive for the whole script
    from mnist_gui.core.presets import PRESETS
    from mnist_gui.core.runs import RunStore
    from mnist_gui.gui import MainWindow

    scratch = Path(tempfile.mkdtemp(prefix="mnist-gui-screenshots-"))
    window = MainWindow(settings=QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat),
                        run_store=RunStore(scratch / "home"))
    window.resize(*map(int, args.size.split("x")))
    window.show()
    saved: list[Path] = []

    def grab(name: str) -> None:
        QTest.qWait(300)  # let the views paint
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        saved.append(path)

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
            QTest.qWait(100)
            stroke(window.draw_canvas, SEVEN)
        grab(name)

    # Inspect on a real mistake: the first one listed in Mistakes (the drawing cleared
    # first: Inspect shows whichever digit came last)
    window.draw_panel.clear_button.click()
    window.show_view(window.inspect_panel)
    QTest.qWait(300)  # Inspect has shown the cleared drawing
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
    QTest.qWait(100)
    stroke(window.draw_canvas, SEVEN)
    grab("binary-draw")
    print("saved " + ", ".join(str(p) for p in saved))
    window.close()
    return 0 if len(saved) == 11 else 1


if __name__ == "__main__":
    sys.exit(main())
