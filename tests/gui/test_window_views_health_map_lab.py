"""Issue 12's views in the window: grouped tabs, Health fed by a run with a fix that reaches
the form (and the run), the Map following the model with a click that inspects, the Lab
taking a fixed model and units clicked in Weights or Inspect, Robustness whose threshold
reaches Draw, and File > Export as ONNX."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QApplication, QLabel

from mnist_gui.core import data as mnist_data
from mnist_gui.core.health import Finding
from mnist_gui.core.model_file import load_model

from .helpers import draw_stroke, line, open_model, quick_settings


def click_scene(qtbot, view, scene_point: QPointF) -> None:
    """A real left click on a pyqtgraph view at a point of its scene."""
    where = view.mapFromScene(scene_point)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)


def test_views_are_grouped_in_few_tabs_each_with_a_one_line_explanation(window):
    assert window.tabs.count() <= 6
    names = [name for name, _view in window.views]
    for wanted in ("Curves", "Health", "Weights", "Inspect", "Map", "Lab", "Mistakes",
                   "Learning history", "Robustness", "Draw", "Runs"):
        assert wanted in names
    for name, view in window.views:
        window.show_view(view)
        assert window.is_view_shown(view), name
        # the nearest enclosing page with a wrapped label of its own: the view's explanation
        page, texts = view.parentWidget(), []
        while page is not None and not texts:
            texts = [label.text() for label in
                     page.findChildren(QLabel, options=Qt.FindChildOption.FindDirectChildrenOnly)
                     if label.wordWrap() and label.isVisibleTo(window)]
            page = page.parentWidget()
        assert texts and len(texts[0]) > 30, name


def show_finding(qtbot, panel, finding) -> None:
    """Show ``finding`` with its Apply button (a report of the run still in the queue may
    replace it before it is drawn: then show it again)."""
    wanted = ", ".join(f"{k} = {v}" for k, v in finding.fix.items())
    for _attempt in range(5):
        panel.show_findings([finding])
        try:
            qtbot.waitUntil(lambda: len(panel.apply_buttons) == 1
                            and panel.apply_buttons[0].toolTip().endswith(wanted), timeout=2000)
            return
        except qtbot.TimeoutError:
            continue
    raise AssertionError(f"the finding's Apply button never showed: {wanted}")


def test_health_is_measured_during_a_run_and_a_fix_reaches_the_form_and_the_run(window, qtbot):
    # sigmoid units with N(0, 1) weights saturate (article 0's set-up): the run says so
    quick_settings(window, epochs=2, subset=10_000, batch_size=10, hidden=[256], activation="sigmoid",
                   init="normal", init_std=1.0, optimizer="sgd", lr=0.1, schedule="constant")
    window.show_view(window.health_panel)
    panel = window.health_panel
    with qtbot.waitSignal(window.training_finished, timeout=180_000):
        window.start_training()
        qtbot.waitUntil(lambda: any(b.objectName() == "health_apply_saturated_units"
                                    for b in panel.apply_buttons), timeout=120_000)
        # the run's own finding: its fix goes to the form, for the next run
        next(b for b in panel.apply_buttons if b.objectName() == "health_apply_saturated_units").click()
        assert window.config_panel.config().init == "xavier"
        assert "press Train" in window.status_text()
        assert panel.table.rowCount() == 2
        assert panel.table.item(0, 3).text().endswith("saturated")
        # a new learning rate applies to the run in progress too: pause so it is still going
        window.toggle_pause()
        lr = 0.025
        show_finding(qtbot, panel, Finding("loss_rising", "loss rose", {"lr": lr}, "halve it"))
        panel.apply_buttons[0].click()
        assert window.config_panel.config().lr == pytest.approx(lr)
        assert "run in progress" in window.status_text()
        with qtbot.waitSignal(window.progress_shown, timeout=30_000,
                              check_params_cb=lambda p: p.lr == pytest.approx(lr)):
            window.toggle_pause()
        window.stop_training()
    grad_norm = float(panel.table.item(0, 1).text())
    assert np.isfinite(grad_norm) and grad_norm > 0


def test_map_follows_the_opened_model_and_a_click_inspects_the_digit(window, qtbot, trained_model_file,
                                                                      raw_mnist):
    open_model(window, qtbot, trained_model_file)
    with qtbot.waitSignal(window.map_panel.map_shown, timeout=30_000):
        window.show_view(window.map_panel)
    coords = window.map_panel.coordinates()
    assert coords.shape == (10_000, 2) and np.isfinite(coords).all()
    assert window.map_panel.caption() == trained_model_file.name
    # the point farthest from the middle is alone under the mouse
    row = int(np.argmax(np.linalg.norm(coords - np.median(coords, axis=0), axis=1)))
    index = int(window.map_panel.shown_indices()[row])
    vb = window.map_panel.plot.getViewBox()
    with qtbot.waitSignal(window.inspect_panel.digit_inspected, timeout=20_000) as inspected:
        click_scene(qtbot, window.map_panel.plot_widget, vb.mapViewToScene(QPointF(*map(float, coords[row]))))
    assert window.is_view_shown(window.inspect_panel)
    forward = inspected.args[0]
    model, _ = load_model(trained_model_file)
    X, _, _ = mnist_data.test_set_for(raw_mnist, model.classes, model.input_mean, model.input_std)
    assert np.allclose(forward.probabilities, model.predict_proba(X[index:index + 1])[0], atol=1e-5)


def test_lab_waits_for_the_run_to_end_then_opens_a_clicked_unit(window, qtbot):
    quick_settings(window, epochs=1, subset=2000, hidden=[24])
    window.show_view(window.lab_panel)
    with qtbot.waitSignal(window.training_finished, timeout=120_000):
        window.start_training()
        qtbot.waitUntil(lambda: "run is training" in window.lab_panel.accuracy_label.text(), timeout=30_000)
        window.show_view(window.map_panel)
        qtbot.waitUntil(lambda: window.map_panel.caption().startswith("Live run, epoch"), timeout=30_000)
        window.show_view(window.lab_panel)
    # the run ended: the lab takes its last model and scores it
    with qtbot.waitSignal(window.lab_panel.results_shown, timeout=30_000) as shown:
        pass
    assert shown.args[0].accuracy == pytest.approx(window.state.evaluation.report.accuracy)
    # Draw no longer calls the run's model live
    assert window.draw_panel.model_label.text() == "The last run's model, epoch 1"
    # a click on a row of the first heatmap opens that hidden unit in the lab
    window.show_view(window.weights_panel)
    qtbot.waitUntil(lambda: len(window.weights_panel.shown_layers()) == 2, timeout=10_000)
    image = window.weights_panel.shown_layers()[0]
    assert image.shape[0] == 24
    item = next(i for i in window.weights_panel.view.scene().items()
                if type(i).__name__ == "ImageItem" and i.image is image)
    view = window.weights_panel.view
    # a narrow layer's rows may be a pixel high: expect the unit drawn under the clicked pixel
    pixel = view.mapFromScene(item.mapToScene(QPointF(image.shape[1] / 2, 7.5)))
    expected = window.weights_panel.unit_at(view, view.mapToScene(pixel))
    assert expected is not None and abs(expected[1] - 7) <= 1
    unit = expected[1]
    with qtbot.waitSignal(window.weights_panel.unit_clicked, timeout=5000) as clicked, \
            qtbot.waitSignal(window.lab_panel.results_shown, timeout=30_000):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pixel)

    assert clicked.args == [0, unit]
    assert window.is_view_shown(window.lab_panel)
    assert window.lab_panel.unit_spin.value() == unit
    assert f"unit {unit}" in window.lab_panel.incoming_plot.titleLabel.text


def test_robustness_of_an_opened_model_and_its_threshold_reaches_draw(window, qtbot, trained_model_file):
    open_model(window, qtbot, trained_model_file)
    with qtbot.waitSignal(window.robustness_panel.curves_shown, timeout=120_000):
        window.show_view(window.robustness_panel)
    accuracy = window.state.evaluation.report.accuracy
    assert f"{100 * accuracy:.2f}%" in window.robustness_panel.status_label.text()
    window.show_view(window.draw_panel)
    draw_stroke(window.draw_canvas, line((0.5, 0.2), (0.5, 0.8)))
    qtbot.waitUntil(lambda: window.draw_panel.probabilities is not None, timeout=5000)
    top = float(window.draw_panel.probabilities.max())
    assert "know" not in window.prediction_label.text()
    canvas_width = window.draw_canvas.width()
    for threshold in (0.0, 1.0, round(top, 2)):
        window.robustness_panel.set_threshold(threshold)
        label = window.prediction_label.text()
        assert ("I don't know" in label) == (top < window.draw_panel.confidence_threshold()), label
    window.robustness_panel.set_threshold(1.0)
    assert window.draw_panel.confidence_threshold() == 1.0
    # a long answer ("I don't know: maybe ...") must not squeeze the canvas
    for _ in range(3):
        QApplication.processEvents()
    assert window.draw_canvas.width() == canvas_width
    window.close()
    assert float(window.settings.value("confidenceThreshold")) == 1.0


def test_export_as_onnx_matches_the_model(window, qtbot, trained_model_file, tmp_path, raw_mnist):
    ort = pytest.importorskip("onnxruntime")
    open_model(window, qtbot, trained_model_file)
    out = tmp_path / "model.onnx"
    with qtbot.waitSignal(window.onnx_exported, timeout=60_000) as exported:
        window.export_onnx(str(out))
    assert exported.args == [str(out)] and out.exists()
    model, _ = load_model(trained_model_file)
    pixels = raw_mnist.test_images[:500].astype(np.float32) / 255
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (probabilities,) = session.run(None, {"pixels": pixels})
    X = (pixels - model.input_mean) / model.input_std
    assert np.allclose(probabilities, model.predict_proba(X.astype(np.float32)), atol=1e-5)


def test_help_names_every_health_rule_with_its_threshold(window):
    from mnist_gui.core.health import HealthRules

    action = next(a for menu in window.menuBar().actions() for a in menu.menu().actions()
                  if a.text().replace("&", "") == "Health rules")
    action.trigger()
    text = window.last_message.text()
    for name, _ in HealthRules().described():
        assert name in text
    assert "more than 10% above" in text and "1/1000" in text and "40%" in text


def test_the_window_starts_without_the_heavy_optional_libraries(tmp_path):
    """openTSNE (scikit-learn, SciPy) and onnx load when a map or an export asks: importing
    them at start made the window take 3.8 s to show instead of 0.7 s."""
    import os
    import subprocess
    import sys

    code = ("import sys; from PySide6.QtWidgets import QApplication; from PySide6.QtCore import "
            "QSettings; app = QApplication([]); from mnist_gui.gui import MainWindow; "
            f"w = MainWindow(settings=QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)); "
            "w.show(); app.processEvents(); "
            "print(sorted(m for m in ('openTSNE', 'sklearn', 'scipy', 'onnx') if m in sys.modules)); "
            "w.shutdown(); w.close()")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MNIST_GUI_HOME=str(tmp_path / "home"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_run_too_short_to_measure_says_so_in_health(window, qtbot):
    quick_settings(window, epochs=1, subset=500, batch_size=100, hidden=[16])  # 5 batches
    window.show_view(window.health_panel)
    with qtbot.waitSignal(window.training_finished, timeout=60_000):
        window.start_training()
    assert window.health_panel.empty_label.text().startswith("No measurements: the run ended")
    assert window.health_panel.table.rowCount() == 0


def test_inspect_says_when_a_digits_label_is_not_a_class_of_the_model(window, qtbot, model_files,
                                                                       raw_mnist):
    open_model(window, qtbot, model_files["binary"])  # 7 vs 8
    six = raw_mnist.test_images[np.flatnonzero(raw_mnist.test_labels == 6)[0]].reshape(28, 28) / 255
    window.show_view(window.inspect_panel)
    qtbot.waitUntil(lambda: window.inspect_panel.model is not None, timeout=10_000)
    with qtbot.waitSignal(window.inspect_panel.digit_inspected, timeout=10_000):
        window.inspect_panel.show_digit(six, label=6)
    assert "the label is 6, not a class of this model (8, 7)" in window.inspect_panel.caption.text() \
        or "the label is 6, not a class of this model (7, 8)" in window.inspect_panel.caption.text()
