"""The numbers that matter first, large: the summary strip over Train & watch, Mistakes
leading with the accuracy, Draw's answer in words with its bars."""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import Qt

from .helpers import draw_stroke, line, open_model, quick_settings
from .test_nothing_clipped import _cut_by_parents


def test_the_summary_strip_shows_an_opened_models_numbers_and_says_which(
        window, qtbot, trained_model_file):
    open_model(window, qtbot, trained_model_file)
    window.show_view(window.curves_panel)
    strip = window.summary_strip
    qtbot.waitUntil(lambda: window.state.shown_evaluation is not None
                    and strip.values()["test_accuracy"] != "–")
    accuracy = window.state.shown_evaluation.report.accuracy
    assert strip.values()["test_accuracy"] == f"{100 * accuracy:.2f}%"
    assert strip.values()["epoch"] == "1 / 1"  # the file's own last epoch
    assert strip.caption.text() == "Showing: Loaded model ten.npz"


def test_the_summary_strip_follows_a_run_to_its_end(window, qtbot):
    quick_settings(window, epochs=2)
    window.show_view(window.curves_panel)
    strip = window.summary_strip
    with qtbot.waitSignal(window.training_finished, timeout=120_000):
        window.start_training()
    qtbot.waitUntil(lambda: strip.values()["left"] == "completed")
    history = window.state.history
    values = strip.values()
    assert values["epoch"] == "2 / 2"
    assert values["train_loss"] == f"{history[-1].train_loss:.4g}"
    assert values["best"] == f"{100 * max(e.test_accuracy for e in history):.2f}%"
    assert re.fullmatch(r"\d+\.\d s", values["seconds"])
    assert strip.caption.text().startswith("Showing: The last run's model")


def test_mistakes_lead_with_the_accuracy_and_caption_digits_in_words(
        window, qtbot, trained_model_file):
    open_model(window, qtbot, trained_model_file)
    panel = window.mistakes_panel
    window.show_view(panel)
    qtbot.waitUntil(lambda: panel.evaluation is not None)
    report = panel.evaluation.report
    assert panel.cards["accuracy"].value.text() == f"{100 * report.accuracy:.2f}%"
    assert panel.cards["errors"].value.text() == f"{len(report.mistakes):,} of {len(report.y_true):,}"
    confidence = float(report.probabilities.max(axis=1).mean())
    assert panel.cards["confidence"].value.text() == f"{100 * confidence:.1f}%"
    assert panel.digit_accuracies() == [f"{100 * r:.0f}%" for r in report.report.recall]
    caption = panel.model.data(panel.model.index(0), Qt.ItemDataRole.DisplayRole)
    true, said = (report.classes[panel.model.true[0]], report.classes[panel.model.predicted[0]])
    assert caption.replace("\n", " ") == (
        f"true {true}, said {said}, {100 * panel.model.confidence[0]:.0f}% sure")


def test_draw_answers_in_words_and_colours_the_answer_not_an_error(
        window, qtbot, trained_model_file):
    open_model(window, qtbot, trained_model_file)
    window.show_view(window.draw_panel)
    draw_stroke(window.draw_canvas, line((0.5, 0.15), (0.48, 0.85)))
    qtbot.waitUntil(lambda: window.draw_panel.probabilities is not None)
    probabilities = window.draw_panel.probabilities
    best = int(np.argmax(probabilities))
    assert window.prediction_label.text() == f"{best}, {100 * probabilities[best]:.0f}% sure"
    colours = window.draw_panel.bar_colours()
    assert len(set(colours)) == 2 and colours.count(colours[best]) == 1
    assert "#d62728" not in colours  # no error red


def test_continue_with_my_digits_is_in_sight_at_1024x640(window, qtbot):
    window.resize(1024, 640)
    window.show_view(window.draw_page)
    button = window.personal_panel.finetune_button
    qtbot.waitUntil(button.isVisible)
    qtbot.wait(50)
    assert not _cut_by_parents(button, button.rect(), window, scrolled_ok=False)


def test_the_summary_strip_shows_a_viewed_moment_and_says_so(window, qtbot):
    quick_settings(window, epochs=2, subset=1000, hidden=[16])
    with qtbot.waitSignal(window.training_finished, timeout=120_000):
        window.start_training()
    runs = window.runs_panel
    qtbot.waitUntil(lambda: len(runs.runs()) == 1 and not runs.is_busy(), timeout=20_000)
    window.show_view(runs)
    runs.select_run(window.live_run_id)
    with qtbot.waitSignal(window.moment_shown, timeout=20_000):
        runs.timeline_slider.setValue(0)  # the first snapshot, early in epoch 1
    window.show_view(window.curves_panel)
    strip = window.summary_strip
    qtbot.waitUntil(lambda: strip.caption.text().startswith("Showing: Viewing epoch"))
    assert strip.values()["left"] == "–"  # a moment has no time left
    assert strip.values()["epoch"].endswith("/ 2")
