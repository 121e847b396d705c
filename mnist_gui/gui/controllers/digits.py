"""The digits controller: a digit chosen anywhere (drawn, a mistake, a history digit, a
point of the map) is inspected, and a unit clicked anywhere opens in the Lab."""

from __future__ import annotations

from ...core.errors import ImageError
from ...core.preprocess import mnist_preprocess_steps
from ..guard import guarded
from .base import Controller


class DigitsController(Controller):
    def connect_views(self) -> None:
        window = self.window
        window.draw_canvas.digit_drawn.connect(self._on_canvas_drawn)
        window.mistakes_panel.digit_selected.connect(self._on_mistake_selected)
        window.history_view.digit_selected.connect(self._on_history_digit_selected)
        window.map_panel.digit_clicked.connect(self._on_map_digit_clicked)
        window.weights_panel.unit_clicked.connect(self.open_unit_in_lab)
        window.inspect_panel.unit_clicked.connect(self.open_unit_in_lab)

    @guarded
    def _on_canvas_drawn(self) -> None:
        """Every change of the drawing goes to Inspect (which throttles itself)."""
        pixels = self.window.draw_canvas.pixels()
        inspect = self.window.inspect_panel
        if not pixels.any():
            inspect.show_digit(None)
            return
        try:
            steps = mnist_preprocess_steps(pixels / 255.0)
        except ImageError:
            inspect.show_digit(None)
            return
        inspect.show_digit(steps.final, steps=steps)

    @guarded
    def _on_mistake_selected(self, row: int) -> None:
        evaluation = self.window.mistakes_panel.evaluation
        if evaluation is None or not 0 <= row < len(evaluation.images):
            return
        report = evaluation.report
        label = int(report.classes[int(report.y_true[row])])
        self.window.inspect_panel.show_digit(evaluation.images[row].reshape(28, 28) / 255.0,
                                             label=label)

    @guarded
    def _on_history_digit_selected(self, index: int) -> None:
        view = self.window.history_view
        images, labels = view.images, view.labels
        if images is not None and labels is not None and 0 <= index < len(images):
            self.window.inspect_panel.show_digit(images[index].reshape(28, 28) / 255.0,
                                                 label=int(labels[index]))

    @guarded
    def _on_map_digit_clicked(self, index: int) -> None:
        raw = self.state.raw
        if raw is None or not 0 <= index < len(raw.test_labels):
            return
        self.window.inspect_panel.show_digit(raw.test_images[index].reshape(28, 28) / 255.0,
                                             label=int(raw.test_labels[index]))
        self.window.show_view(self.window.inspect_panel)

    @guarded
    def open_unit_in_lab(self, layer: int, unit: int) -> None:
        """Show hidden unit ``unit`` of hidden layer ``layer`` (0-based) in the lab."""
        lab = self.window.lab_panel
        self.window.show_view(lab)  # a stale lab takes the shown model first
        if not lab.has_model():
            self.window.show_status(self.tr("The lab opens units of a fixed model: when the run "
                                            "ends, or a model opened from a file"), "lab")
            return
        lab.select_unit(int(layer), int(unit))
