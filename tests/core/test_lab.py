"""The lab: exact pruning, unit switches, noise, undo/redo, cached results equal to a full pass."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import lab as lb
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.evaluation import evaluate_model
from mnist_gui.core.model_file import load_model, save_model

from ..tiny_models import scaled_test_set, train_tiny


@pytest.fixture(scope="module")
def model(raw_mnist):
    return train_tiny(raw_mnist, hidden=[40, 24])


@pytest.fixture(scope="module")
def test_set(raw_mnist, model):
    return scaled_test_set(raw_mnist, model, 3000)[:2]


def full_pass(model, test_set):
    return evaluate_model(model, *test_set)


def test_global_pruning_zeros_exactly_the_smallest_weights(model):
    edited = lb.apply_edits(model, [lb.Prune(0.6)])
    before = np.concatenate([W.ravel() for W in model.W])
    after = np.concatenate([W.ravel() for W in edited.W])
    k = round(0.6 * before.size)
    zeroed = after == 0
    assert zeroed.sum() == k
    assert np.abs(before[zeroed]).max() <= np.abs(before[~zeroed]).min()
    assert np.array_equal(after[~zeroed], before[~zeroed])  # the rest untouched
    for b, b0 in zip(edited.b, model.b):
        assert np.array_equal(b, b0)  # biases are never pruned


def test_per_layer_pruning_gives_each_layer_the_fraction(model):
    edited = lb.apply_edits(model, [lb.Prune(0.25), lb.Prune(0.5, per_layer=True)])
    for W, W0 in zip(edited.W, model.W):
        assert (W == 0).sum() == round(0.5 * W.size)
        kept = W != 0
        assert np.abs(W0[~kept]).max() <= np.abs(W0[kept]).min()


def test_results_use_the_cache_and_equal_a_full_pass(model, test_set):
    lab = lb.Lab(model, *test_set)
    plain = full_pass(model, test_set)
    first = lab.results()
    assert first.accuracy == plain.accuracy
    assert np.array_equal(first.confusion, plain.confusion)
    edits = [lb.ScaleUnit(1, 3, 0.0), lb.ScaleUnit(0, 7, 0.0), lb.ScaleUnit(1, 3, 1.0),
             lb.ScaleUnit(0, 2, 2.5), lb.Prune(0.5), lb.WeightNoise(0.3, seed=4)]
    for edit in edits:
        lab.apply(edit)
        got = lab.results()
        want = full_pass(lab.model, test_set)
        assert np.array_equal(got.confusion, want.confusion), edit
        assert got.accuracy == want.accuracy
        assert got.report.as_dict() == want.report.as_dict()
    assert lab.results().units_off == 1  # unit 7 of layer 1 (unit 3 of layer 2 is back on)
    assert lab.results().sparsity == pytest.approx(0.5, abs=1e-3)  # noise keeps zeros zero
    assert lab.model.hidden[1].unit_scale is None or lab.model.hidden[1].unit_scale[3] == 1


def test_switching_units_off_changes_the_answer_and_undo_restores_it(model, test_set):
    lab = lb.Lab(model, *test_set)
    plain = lab.results()
    for unit in range(40):
        lab.apply(lb.ScaleUnit(0, unit, 0.0))
    off = lab.results()
    assert off.units_off == 40 and off.accuracy < 0.2  # nothing reaches the output
    for _ in range(40):
        lab.undo()
    assert not lab.can_undo and lab.can_redo
    assert np.array_equal(lab.results().confusion, plain.confusion)
    lab.redo()
    assert lab.results().units_off == 1
    lab.apply(lb.Prune(0.3))  # a new edit drops what could be redone
    assert not lab.can_redo and len(lab.history) == 2
    assert np.array_equal(model.params, lab.original.params)  # the original is never edited


def test_noise_is_seeded_and_undo_replays_it_exactly(model, test_set):
    lab = lb.Lab(model, *test_set)
    lab.apply(lb.WeightNoise(0.5, seed=1))
    noisy = lab.model.params.copy()
    lab.apply(lb.Prune(0.2))
    lab.undo()
    assert np.array_equal(lab.model.params, noisy)
    other = lb.apply_edits(model, [lb.WeightNoise(0.5, seed=2)])
    assert not np.array_equal(other.params, noisy)
    relative = [np.std(W - W0) / np.sqrt(np.mean(W0**2))
                for W, W0 in zip(lab.model.W, model.W)]
    assert relative == pytest.approx([0.5] * 3, rel=0.15)


def test_saved_model_bakes_scales_and_records_edits(model, test_set, tmp_path):
    lab = lb.Lab(model, *test_set)
    for edit in (lb.ScaleUnit(0, 1, 0.0), lb.ScaleUnit(1, 5, 3.0), lb.Prune(0.4, per_layer=True)):
        lab.apply(edit)
    path = save_model(tmp_path / "edited.npz", lab.saved_model(), {"hidden": [40, 24]}, {},
                      lab.edits_as_dicts())
    loaded, meta = load_model(path)
    np.testing.assert_allclose(loaded.logits(test_set[0]), lab.model.logits(test_set[0]),
                               rtol=1e-4, atol=1e-4)
    assert [lb.edit_from_dict(e) for e in meta["edits"]] == lab.edits
    assert meta["version"] == 1 and meta["config"] == {"hidden": [40, 24]}


def test_bad_edits_are_refused_with_the_field(model, test_set):
    lab = lb.Lab(model, *test_set)
    with pytest.raises(ConfigError, match="fraction"):
        lab.apply(lb.Prune(1.5))
    with pytest.raises(ConfigError, match="hidden layer 3"):
        lab.apply(lb.ScaleUnit(2, 0))
    with pytest.raises(ConfigError, match="unit 40"):
        lab.apply(lb.ScaleUnit(0, 40))
    with pytest.raises(ConfigError, match="kind"):
        lb.edit_from_dict({"kind": "explode"})
    with pytest.raises(ConfigError, match="prune"):
        lb.edit_from_dict({"kind": "prune", "fraction": 0.5, "extra": 1})
    assert lab.history == []


def test_unit_view_shows_weights_and_the_most_active_digits(model, test_set):
    X = test_set[0]
    hidden = model.layer_outputs(X)[0]
    view = lb.unit_view(model, 0, 5, hidden)
    assert np.array_equal(view.incoming, model.W[0][:, 5])
    assert len(view.top_digits) == 9
    assert np.all(view.top_activations[:-1] >= view.top_activations[1:])
    assert view.top_activations[0] == hidden[:, 5].max()
    assert np.array_equal(view.outgoing, model.W[1][5])
    np.testing.assert_allclose(view.per_class, model.W[1][5] @ model.W[2], rtol=1e-5)
