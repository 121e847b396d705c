"""Train briefly in the real window and save a PNG of every tab (for the README).

    python scripts/screenshots.py [--out docs/screenshots] [--preset fast] [--epochs 3]

Works offscreen (QT_QPA_PLATFORM=offscreen) or on a real display / Xvfb.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def stroke(canvas, points) -> None:  # noqa: ANN001
    side = min(canvas.width(), canvas.height())
    x0, y0 = (canvas.width() - side) / 2, (canvas.height() - side) / 2
    pts = [QPointF(x0 + x * side, y0 + y * side) for x, y in points]
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--preset", default="fast")
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv)
    from mnist_gui.gui import MainWindow

    settings = QSettings(str(args.out / ".screenshots.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    window.resize(1500, 950)
    window.show()
    panel = window.config_panel
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData(args.preset))
    panel.epochs_spin.setValue(args.epochs)
    saved: list[Path] = []

    def grab(name: str) -> None:
        app.processEvents()
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        saved.append(path)

    def on_finished(final) -> None:  # noqa: ANN001
        window.tabs.setCurrentWidget(window.curves_panel)
        grab("curves")
        window.tabs.setCurrentWidget(window.weights_panel)
        grab("weights")
        window.tabs.setCurrentWidget(window.mistakes_panel)
        grab("mistakes")
        window.tabs.setCurrentWidget(window.draw_panel)
        app.processEvents()
        # a seven, drawn small and off-centre on purpose
        seven = [(0.15, 0.15), (0.45, 0.15), (0.42, 0.2), (0.36, 0.3), (0.3, 0.42), (0.26, 0.5)]
        dense = [tuple(np.array(a) + (np.array(b) - np.array(a)) * t)
                 for a, b in zip(seven[:-1], seven[1:]) for t in np.linspace(0, 1, 6)]
        stroke(window.draw_canvas, dense)
        grab("draw")
        print(f"{final.message}; saved " + ", ".join(str(p) for p in saved))
        window.close()
        app.quit()

    window.training_finished.connect(on_finished)
    QTimer.singleShot(200, window.start_training)
    app.exec()
    (args.out / ".screenshots.ini").unlink(missing_ok=True)
    return 0 if len(saved) == 4 else 1


if __name__ == "__main__":
    sys.exit(main())
