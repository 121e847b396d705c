"""The Inspect panel on its own: what it shows for a digit, its background jobs, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import explain as ex
from mnist_gui.core.network import build_mlp
from mnist_gui.core.preprocess import mnist_preprocess_steps
from mnist_gui.gui.panels.inspect_panel import InspectPanel

from ..tiny_models import train_tiny


@pytest.fixture(scope="module")
def ten_class(raw_mnist):
    return train_tiny(raw_mnist, hidden=[64, 32])


@pytest.fixture(scope="module")
def binary(raw_mnist):
    return train_tiny(raw_mnist, hidden=[16], digits=[8, 7], loss="bce")


@pytest.fixture
def panel(qtbot):
    widget = InspectPanel()
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    yield widget
    assert widget.shutdown(10_000)


def digit(raw_mnist, label, nth=0):
    return raw_mnist.test_images[np.flatnonzero(raw_mnist.test_labels == label)[nth]].reshape(28, 28) / 255


def inspect(panel, qtbot, image, **kwargs):
    """Show a digit; wait for its attribution (which follows its forward pass)."""
    forwards = []
    panel.digit_inspected.connect(forwards.append)
    try:
        with qtbot.waitSignal(panel.attribution_computed, timeout=5000) as blocker:
            panel.show_digit(image, **kwargs)
    finally:
        panel.digit_inspected.disconnect(forwards.append)
    assert len(forwards) == 1
    return forwards[0], blocker.args[0]


def test_a_digit_shows_activations_probabilities_and_gradient(panel, qtbot, ten_class, raw_mnist):
    panel.set_model(ten_class.clone())
    image = digit(raw_mnist, 3)
    forward, attribution = inspect(panel, qtbot, image, label=3)
    reference = ex.forward(ten_class, image)
    assert forward.predicted == reference.predicted
    np.testing.assert_allclose(panel.probability_bars(), reference.probabilities)
    assert [image.size >= units for image, units in zip(panel.activation_images(), [64, 32])] == [True, True]
    np.testing.assert_allclose(
        attribution.attributions, ex.attribute(ten_class, image, target=forward.predicted).attributions)
    assert f"answers {forward.predicted}" in panel.caption.text()
    assert panel.findChild(type(panel.activations_view), "activationsView") is panel.activations_view
    for name in ("attributionView", "attributionMethodCombo", "targetDigitCombo",
                 "counterfactualButton", "neighboursView"):
        assert panel.findChild(object, name) is not None, name


def test_integrated_gradients_run_in_the_background_and_are_complete(panel, qtbot, ten_class, raw_mnist):
    panel.set_model(ten_class.clone())
    panel.steps_spin.setValue(256)
    panel.target_combo.setCurrentIndex(panel.target_combo.findData(5))
    with qtbot.waitSignal(panel.attribution_computed, timeout=10_000,
                          check_params_cb=lambda a: a.method == "integrated-gradients") as blocker:
        panel.method_combo.setCurrentIndex(panel.method_combo.findData("integrated-gradients"))
        panel.show_digit(digit(raw_mnist, 5))
    result = blocker.args[0]
    assert result.target == 5 and result.steps == 256
    assert result.attributions.sum() == pytest.approx(result.value - result.baseline_value, rel=0.01)


def test_counterfactual_button_finds_a_k(panel, qtbot, ten_class, raw_mnist):
    panel.set_model(ten_class.clone())
    with qtbot.waitSignal(panel.digit_inspected, timeout=5000):
        panel.show_digit(digit(raw_mnist, 4))
    panel.counterfactual_combo.setCurrentIndex(panel.counterfactual_combo.findData(9))
    with qtbot.waitSignal(panel.counterfactual_computed, timeout=10_000) as blocker:
        panel.counterfactual_button.click()
    found = blocker.args[0]
    assert found.reached and ex.forward(ten_class, found.image).predicted == 9
    np.testing.assert_allclose(panel.attribution_image("cf"), found.image.astype(np.float32))


def test_neighbours_come_from_the_training_data_and_the_index_is_built_once(
        panel, qtbot, ten_class, raw_mnist):
    panel.set_model(ten_class.clone())
    images, labels = raw_mnist.train_images[:3000], raw_mnist.train_labels[:3000]
    panel.set_training_data(images, labels)
    with qtbot.waitSignal(panel.neighbours_found, timeout=10_000) as blocker:
        panel.show_digit(digit(raw_mnist, 0))
    first = blocker.args[0]
    assert len(first) == 8 and all(n.label == labels[n.index] for n in first)
    index = panel.neighbour_index
    assert index is not None
    with qtbot.waitSignal(panel.neighbours_found, timeout=10_000) as blocker:
        panel.show_digit(digit(raw_mnist, 0, nth=1))
    assert panel.neighbour_index is index  # one index per model, not per digit
    assert [n.index for n in blocker.args[0]] != [n.index for n in first]


def test_binary_model_and_preprocessing_steps(panel, qtbot, binary, raw_mnist):
    panel.set_model(binary.clone())
    assert [panel.target_combo.itemData(i) for i in range(panel.target_combo.count())] == [None, 8, 7]
    image = digit(raw_mnist, 7)
    canvas = np.zeros((200, 200))
    canvas[10:66, 120:176] = np.kron(image, np.ones((2, 2)))
    steps = mnist_preprocess_steps(canvas)
    forward, attribution = inspect(panel, qtbot, steps.final, steps=steps)
    assert forward.predicted == 7 and len(forward.probabilities) == 2
    assert attribution.target == 7
    titles = [title for title, _ in panel.preprocess_steps_shown()]
    assert titles == [title for title, _ in steps.images()]
    np.testing.assert_allclose(panel.preprocess_steps_shown()[-1][1], steps.final.astype(np.float32))


def test_blank_digit_no_model_and_other_input_size_give_a_hint(panel, qtbot, ten_class):
    with qtbot.waitSignal(panel.digit_inspected, timeout=5000) as blocker:
        panel.show_digit(np.full((28, 28), 0.5))
    assert blocker.args[0] is None and "model" in panel.caption.text()
    panel.set_model(ten_class.clone())
    with qtbot.waitSignal(panel.digit_inspected, timeout=5000) as blocker:
        panel.show_digit(np.zeros((28, 28)))
    assert blocker.args[0] is None and "draw a digit" in panel.caption.text()
    other = build_mlp(100, [8], 10)
    panel.set_model(other)
    assert panel.model is None and "takes 100 inputs" in panel.caption.text()
    assert not panel.counterfactual_button.isEnabled()


def test_a_burst_of_strokes_is_refreshed_once(panel, qtbot, ten_class, raw_mnist):
    panel.set_model(ten_class.clone())
    seen = []
    panel.digit_inspected.connect(seen.append)
    image = digit(raw_mnist, 2)
    with qtbot.waitSignal(panel.digit_inspected, timeout=5000):
        for fraction in np.linspace(0.1, 1.0, 40):
            panel.show_digit(image * fraction)
    assert len(seen) == 1 and seen[0].predicted == ex.forward(ten_class, image).predicted


def test_a_newer_model_of_the_same_run_can_keep_the_neighbour_index(panel, qtbot, ten_class, raw_mnist):
    """keep_neighbours: the neighbours stay those of the model the index was built with (no
    re-embedding of the training digits); without it they follow the new model."""
    images, labels = raw_mnist.train_images[:3000], raw_mnist.train_labels[:3000]
    panel.set_training_data(images, labels)
    panel.set_model(ten_class.clone())
    image = digit(raw_mnist, 3)
    with qtbot.waitSignal(panel.neighbours_found, timeout=10_000) as blocker:
        panel.show_digit(image)
    first = [(n.index, round(n.distance, 4)) for n in blocker.args[0]]
    other = ten_class.clone()
    rng = np.random.default_rng(0)
    for W in other.W:
        W += rng.normal(0, 0.5 * float(W.std()), W.shape).astype(W.dtype)
    panel.set_model(other.clone(), keep_neighbours=True)
    with qtbot.waitSignal(panel.neighbours_found, timeout=10_000) as blocker:
        panel.show_digit(image)
    assert [(n.index, round(n.distance, 4)) for n in blocker.args[0]] == first
    panel.set_model(other.clone())
    with qtbot.waitSignal(panel.neighbours_found, timeout=10_000) as blocker:
        panel.show_digit(image)
    assert [(n.index, round(n.distance, 4)) for n in blocker.args[0]] != first


def test_hovering_a_unit_leaves_the_grid_in_place_and_a_new_model_forgets_it(
        panel, qtbot, ten_class, binary, raw_mnist):
    from PySide6.QtCore import QPoint

    panel.set_model(ten_class.clone())
    inspect(panel, qtbot, digit(raw_mnist, 5))
    view = panel.activations_view
    # a pixel of the first hidden layer's grid (hovering one shows its weights), by scanning
    pixel = next(QPoint(x, y) for y in range(0, view.height(), 4) for x in range(0, view.width(), 4)
                 if (panel.unit_at(view.mapToScene(QPoint(x, y))) or (None,))[0] == 0)
    before = panel.unit_at(view.mapToScene(pixel))

    def units_along_the_row():  # every pixel's unit across the view: any shift changes it
        return [panel.unit_at(view.mapToScene(QPoint(x, pixel.y()))) for x in range(view.width())]

    from PySide6.QtWidgets import QApplication as _App

    _App.processEvents()  # the layout settled before the mouse comes
    pixel = next(QPoint(x, y) for y in range(0, view.height(), 4) for x in range(0, view.width(), 4)
                 if (panel.unit_at(view.mapToScene(QPoint(x, y))) or (None,))[0] == 0)
    before = panel.unit_at(view.mapToScene(pixel))
    layout_before = units_along_the_row()
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    point = QPointF(pixel)
    QApplication.sendEvent(view.viewport(), QMouseEvent(
        QEvent.Type.MouseMove, point, view.viewport().mapToGlobal(point), Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: f"unit {before[1]}:" in panel.hover_label.text(), timeout=5000)
    assert panel.unit_at(view.mapToScene(pixel)) == before  # nothing moved under the mouse
    QApplication.processEvents()  # a relayout the hover caused would happen now
    assert units_along_the_row() == layout_before
    panel.set_model(binary.clone())
    assert "unit" not in panel.hover_label.text().split(";")[0].replace("a unit", "")
