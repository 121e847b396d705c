"""The Runs panel on its own: listing real recorded runs, damaged ones, rename and delete,
the timeline's models, continue and step."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from mnist_gui.core.config import TrainConfig
from mnist_gui.core.runs import RunStore
from mnist_gui.core.session import TrainingSession
from mnist_gui.gui.panels.runs_panel import COLUMNS, DELETE, Moment, RunsPanel, epoch_text

TINY = TrainConfig(hidden=[16], epochs=2, batch_size=100, train_subset=1000)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, raw_mnist):
    """A store with two tiny runs that differ in their learning rate: (home, [id, id])."""
    home = tmp_path_factory.mktemp("runs-home")
    store = RunStore(home)
    ids = []
    for name, config in (("first", TINY), ("second", TINY.updated(lr=0.05))):
        session = TrainingSession(config, raw_mnist, store=store, name=name)
        events = list(session.events())
        assert events[-1].reason == "completed"
        ids.append(session.run_id)
    return home, ids


@pytest.fixture
def home(recorded, tmp_path):
    """A copy of the recorded store that a test may change."""
    source, _ = recorded
    target = tmp_path / "home"
    shutil.copytree(source, target)
    return target


def make_panel(qtbot, home):
    widget = RunsPanel(RunStore(home))
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    return widget


@pytest.fixture
def panel(qtbot, home):
    widget = make_panel(qtbot, home)
    qtbot.waitUntil(lambda: not widget.is_busy(), timeout=10_000)
    yield widget
    assert widget.shutdown(10_000)


def refresh(panel, qtbot):
    with qtbot.waitSignal(panel.refreshed, timeout=10_000) as blocker:
        panel.refresh()
    return blocker.args[0]


def row_texts(panel):
    table = panel.table
    return [[table.item(r, c).text() for c in range(len(COLUMNS))] for r in range(table.rowCount())]


def test_two_runs_are_listed_with_the_setting_that_differs(panel, qtbot, recorded):
    assert refresh(panel, qtbot) == 2
    rows = row_texts(panel)
    names = [row[1] for row in rows]
    assert sorted(names) == ["first", "second"]
    differs = {row[1]: row[2] for row in rows}
    assert differs == {"first": "lr=0.1", "second": "lr=0.05"}
    for row in rows:
        assert row[4] == "2" and row[6] == "completed" and row[3].endswith("%")
    assert panel.table.objectName() == "runsView"


def test_a_damaged_run_is_listed_as_damaged_and_the_others_still_load(qtbot, home):
    broken = home / "runs" / "20000101-000000-dead"
    broken.mkdir()
    (broken / "run.json").write_text('{"format": "mnist-gui-run", "vers')
    widget = make_panel(qtbot, home)
    try:
        with qtbot.waitSignal(widget.refreshed, timeout=10_000) as blocker:
            widget.refresh()
        assert blocker.args == [3]
        damaged = [run for run in widget.runs() if run.damaged]
        assert [run.id for run in damaged] == ["20000101-000000-dead"]
        row = [run.id for run in widget.runs()].index("20000101-000000-dead")
        item = widget.table.item(row, 2)
        assert "run.json cannot be read" in item.text()
        assert "cannot be read" in item.toolTip()
        assert not (widget.table.item(row, 0).flags() & Qt.ItemFlag.ItemIsUserCheckable)
        # selecting it is harmless: nothing to load, rewind or continue
        with qtbot.waitSignal(widget.run_selected) as selected:
            widget.select_run("20000101-000000-dead")
        assert selected.args[0].damaged
        assert not widget.continue_button.isEnabled()
        assert not widget.load_settings_button.isEnabled()
        assert not widget.timeline_slider.isEnabled()
        assert "differ" not in row_texts(widget)[row][2]
    finally:
        assert widget.shutdown(10_000)


def test_renaming_in_the_table_renames_the_run_on_disk(panel, qtbot, recorded, home):
    refresh(panel, qtbot)
    run_id = recorded[1][0]
    row = [run.id for run in panel.runs()].index(run_id)
    panel.table.item(row, 1).setText("baseline")
    assert RunStore(home).get(run_id).name == "baseline"
    assert refresh(panel, qtbot) == 2
    row = [run.id for run in panel.runs()].index(run_id)
    assert panel.table.item(row, 1).text() == "baseline"


def test_delete_asks_first_and_cancel_keeps_the_run(panel, qtbot, recorded, home):
    refresh(panel, qtbot)
    first, second = recorded[1]
    panel.select_run(first)
    box = panel.delete_selected()
    assert box is panel.delete_question and box.isVisible()
    box.button(box.StandardButton.Cancel).click()
    assert (home / "runs" / first).is_dir()

    box = panel.delete_selected()
    delete = next(b for b in box.buttons() if b.text() == DELETE)
    with qtbot.waitSignal(panel.refreshed, timeout=10_000) as blocker, \
            qtbot.waitSignal(panel.run_selected) as selected:
        delete.click()
    assert blocker.args == [1]
    assert selected.args == [None]
    assert not (home / "runs" / first).exists()
    assert [run.id for run in panel.runs()] == [second]


def test_checking_runs_emits_the_overlay(panel, qtbot, recorded):
    refresh(panel, qtbot)
    second = recorded[1][1]
    row = [run.id for run in panel.runs()].index(second)
    with qtbot.waitSignal(panel.overlay_changed) as blocker:
        panel.table.item(row, 0).setCheckState(Qt.CheckState.Checked)
    assert [run.id for run in blocker.args[0]] == [second]
    assert [run.id for run in panel.checked_runs()] == [second]
    assert len(blocker.args[0][0].epochs) == 2


def test_load_settings_emits_the_runs_config(panel, qtbot, recorded):
    refresh(panel, qtbot)
    panel.select_run(recorded[1][1])
    with qtbot.waitSignal(panel.settings_requested) as blocker:
        panel.load_settings_button.click()
    assert TrainConfig.from_dict(blocker.args[0]) == TINY.updated(lr=0.05)


def test_the_timeline_emits_the_snapshots_models(panel, qtbot, recorded):
    refresh(panel, qtbot)
    run_id = recorded[1][0]
    with qtbot.waitSignal(panel.run_selected) as selected:
        panel.select_run(run_id)
    run = selected.args[0]
    assert run.id == run_id and panel.selected_run().id == run_id
    snapshots = run.snapshots()
    assert [epoch for epoch, _ in snapshots if epoch.is_integer()] == [0.0, 1.0, 2.0]
    slider = panel.timeline_slider
    assert slider.objectName() == "timelineSlider" and slider.maximum() == len(snapshots) - 1
    for index in (1, len(snapshots) - 2, 0):
        with qtbot.waitSignal(panel.moment_selected, timeout=10_000) as blocker:
            slider.setValue(index)
        moment = blocker.args[0]
        assert isinstance(moment, Moment)
        epoch, path = snapshots[index]
        assert moment.epoch == epoch and moment.run.id == run_id
        with np.load(path, allow_pickle=False) as npz:
            for name, value in moment.model.named_arrays().items():
                np.testing.assert_array_equal(value, npz[name])
        assert panel.timeline_label.text() == f"viewing epoch {epoch_text(epoch)} of run first"
    assert panel.back_to_live_button.isEnabled()
    with qtbot.waitSignal(panel.live_requested):
        panel.back_to_live_button.click()
    assert panel.viewing_epoch() is None and not panel.back_to_live_button.isEnabled()
    assert slider.value() == slider.maximum()  # the handle is back at the end too
    assert panel.timeline_label.text().startswith("Live")


def test_a_fast_drag_emits_only_the_last_moment(panel, qtbot, recorded):
    refresh(panel, qtbot)
    panel.select_run(recorded[1][1])
    moments = []
    panel.moment_selected.connect(moments.append)
    for index in range(panel.timeline_slider.maximum() + 1):
        panel.timeline_slider.setValue(index)
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10_000)
    assert moments and moments[-1].epoch == 2.0
    assert len(moments) < panel.timeline_slider.maximum() + 1


def test_continue_emits_the_run_and_the_timelines_epoch(panel, qtbot, recorded):
    refresh(panel, qtbot)
    run_id = recorded[1][1]
    panel.select_run(run_id)
    with qtbot.waitSignal(panel.continue_requested) as blocker:
        panel.continue_button.click()
    assert blocker.args == [run_id, 2]
    epochs = [epoch for epoch, _ in panel.selected_run().snapshots()]
    with qtbot.waitSignal(panel.moment_selected, timeout=10_000):
        panel.timeline_slider.setValue(epochs.index(1.0))
    assert panel.continue_button.text() == "Continue from epoch 1"
    with qtbot.waitSignal(panel.continue_requested) as blocker:
        panel.continue_button.click()
    assert blocker.args == [run_id, 1]
    panel.set_training_state("training")
    assert not panel.continue_button.isEnabled()


def test_step_buttons_are_enabled_while_paused_and_emit_batches(panel, qtbot):
    assert panel.step_button.objectName() == "stepButton"
    assert not panel.step_button.isEnabled()
    panel.set_training_state("training", batches_per_epoch=10)
    assert not panel.step_button.isEnabled() and not panel.step_epoch_button.isEnabled()
    panel.set_training_state("paused")
    assert panel.step_button.isEnabled() and panel.step_epoch_button.isEnabled()
    with qtbot.waitSignal(panel.step_requested) as blocker:
        panel.step_button.click()
    assert blocker.args == [1]
    with qtbot.waitSignal(panel.step_requested) as blocker:
        panel.step_epoch_button.click()
    assert blocker.args == [10]
    panel.set_training_state("idle")
    assert not panel.step_button.isEnabled()
    with pytest.raises(ValueError):
        panel.set_training_state("sleeping")


def test_a_hundred_runs_are_read_in_the_background(qtbot, recorded, tmp_path):
    source, ids = recorded
    runs = tmp_path / "many" / "runs"
    runs.mkdir(parents=True)
    for i in range(100):
        shutil.copytree(source / "runs" / ids[i % 2], runs / f"20240101-{i:06d}-beef")
    info_path = runs / "20240101-000007-beef" / "run.json"
    info = json.loads(info_path.read_text())
    info_path.write_text(json.dumps(dict(info, config=dict(info["config"], seed=7))))
    widget = RunsPanel(RunStore(tmp_path / "many"))
    qtbot.addWidget(widget)
    try:
        with qtbot.waitSignal(widget.refreshed, timeout=30_000) as blocker:
            widget.refresh()
        assert blocker.args == [100]
        assert widget.table.rowCount() == 100
        differs = {row[2] for row in row_texts(widget)}
        assert "lr=0.05, seed=0" in differs and "lr=0.05, seed=7" in differs
    finally:
        assert widget.shutdown(10_000)


def test_renaming_a_run_deleted_underneath_says_so_and_keeps_the_name(panel, qtbot, recorded,
                                                                       home):
    refresh(panel, qtbot)
    run_id = recorded[1][1]
    shutil.rmtree(home / "runs" / run_id)
    row = [run.id for run in panel.runs()].index(run_id)
    with qtbot.waitSignal(panel.refreshed, timeout=10_000) as blocker:
        panel.table.item(row, 1).setText("renamed")
    assert "Cannot rename" in panel.status_label.text()
    assert blocker.args == [1]
    assert [panel.table.item(r, 1).text() for r in range(panel.table.rowCount())] == ["first"]


def test_the_context_menu_offers_the_runs_actions(panel, qtbot, recorded):
    refresh(panel, qtbot)
    rect = panel.table.visualItemRect(panel.table.item(0, 1))
    panel.table.customContextMenuRequested.emit(rect.center())
    menu = panel.findChild(QMenu)
    assert menu is not None and menu.isVisible()
    texts = [action.text() for action in menu.actions()]
    assert texts == ["Rename", "Delete…", "Load settings into the form", "Continue this run",
                     "Refresh"]
    assert all(action.isEnabled() for action in menu.actions())
    assert panel.selected_run().id == panel.runs()[0].id
    with qtbot.waitSignal(panel.settings_requested):
        menu.actions()[2].trigger()
    menu.close()
