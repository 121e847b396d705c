"""The "Teach it your digits" panel on its own: add, browse, remove, export, fine-tune."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.data import read_idx
from mnist_gui.core.personal import PersonalDigits
from mnist_gui.gui.panels.personal_panel import PersonalPanel


@pytest.fixture
def panel(qtbot, tmp_path):
    widget = PersonalPanel(PersonalDigits(tmp_path))
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


def digit(raw_mnist, nth):
    return raw_mnist.test_images[nth].reshape(28, 28) / 255


def test_added_digits_are_shown_kept_on_disk_and_counted(panel, qtbot, raw_mnist, tmp_path):
    assert panel.grid.count() == 0 and not panel.finetune_button.isEnabled()
    for nth, label in enumerate([4, 4, 7]):
        with qtbot.waitSignal(panel.digits_changed) as blocker:
            assert panel.add_digit(digit(raw_mnist, nth), label) == nth
        assert blocker.args == [nth + 1]
    assert [panel.grid.item(i).text() for i in range(3)] == ["4", "4", "7"]
    assert "3 digits (4: 2, 7: 1)" == panel.count_label.text()
    assert panel.finetune_button.isEnabled()
    reread = PersonalDigits(tmp_path)
    assert reread.labels.tolist() == [4, 4, 7]
    np.testing.assert_array_equal(reread.images[2], np.round(digit(raw_mnist, 2) * 255))


def test_a_bad_digit_is_refused_with_a_message(panel, qtbot):
    with qtbot.assertNotEmitted(panel.digits_changed):
        assert panel.add_digit(np.zeros((10, 10)), 3) is None
        assert panel.add_digit(np.zeros((28, 28)), 12) is None
    assert "Cannot keep that digit" in panel.result_label.text()
    assert panel.grid.count() == 0


def test_remove_selected(panel, qtbot, raw_mnist, tmp_path):
    for nth, label in enumerate([1, 2, 3, 4]):
        panel.add_digit(digit(raw_mnist, nth), label)
    assert not panel.remove_button.isEnabled()
    panel.grid.item(1).setSelected(True)
    panel.grid.item(3).setSelected(True)
    assert panel.selected_indices() == [1, 3] and panel.remove_button.isEnabled()
    with qtbot.waitSignal(panel.digits_changed) as blocker:
        panel.remove_button.click()
    assert blocker.args == [2]
    assert [panel.grid.item(i).text() for i in range(panel.grid.count())] == ["1", "3"]
    assert PersonalDigits(tmp_path).labels.tolist() == [1, 3]


def test_export_writes_idx_files_our_reader_reads(panel, raw_mnist, tmp_path):
    for nth, label in enumerate([5, 6]):
        panel.add_digit(digit(raw_mnist, nth), label)
    paths = panel.export_to(tmp_path / "out")
    assert [p.name for p in paths] == ["personal-images-idx3-ubyte", "personal-labels-idx1-ubyte"]
    assert read_idx(paths[1]).tolist() == [5, 6]
    assert read_idx(paths[0]).shape == (2, 28, 28)
    assert "Exported 2 digits" in panel.result_label.text()
    # the button opens a folder chooser that does not block
    panel.export_button.click()
    assert panel.export_dialog is not None and panel.export_dialog.isVisible()
    panel.export_dialog.reject()


def test_export_to_an_unwritable_place_says_so(panel, raw_mnist, tmp_path):
    panel.add_digit(digit(raw_mnist, 0), 7)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert panel.export_to(blocker / "sub") == []
    assert "Cannot export" in panel.result_label.text()


def test_finetune_button_and_result(panel, qtbot, raw_mnist):
    panel.add_digit(digit(raw_mnist, 0), 7)
    panel.set_can_finetune(False)
    assert not panel.finetune_button.isEnabled()
    panel.set_can_finetune(True)
    with qtbot.waitSignal(panel.finetune_requested):
        panel.finetune_button.click()
    panel.show_accuracy(0.25, 0.875)
    assert panel.result_label.text() == (
        "On your digits: 25.0% before, 87.5% after fine-tuning (+62.5 points).")


def test_a_stored_set_is_shown_when_the_panel_opens(qtbot, tmp_path, raw_mnist):
    digits = PersonalDigits(tmp_path)
    digits.add(digit(raw_mnist, 0), 2)
    digits.add(digit(raw_mnist, 1), 9)
    widget = PersonalPanel(PersonalDigits(tmp_path))
    qtbot.addWidget(widget)
    assert [widget.grid.item(i).text() for i in range(widget.grid.count())] == ["2", "9"]
