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


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_a_normalised_network_scores_as_a_full_pass_after_every_edit(raw_mnist, normalization):
    model = train_tiny(raw_mnist, hidden=[40, 24], normalization=normalization)
    test_set = scaled_test_set(raw_mnist, model, 2000)[:2]
    lab = lb.Lab(model, *test_set)
    assert lab.results().accuracy == full_pass(model, test_set).accuracy > 0.8
    for edit in [lb.ScaleUnit(1, 3, 0.0), lb.ScaleUnit(0, 7, 0.0), lb.Prune(0.5),
                 lb.ScaleUnit(0, 7, 1.0)]:
        lab.apply(edit)
        assert np.array_equal(lab.results().confusion,
                              full_pass(lab.model, test_set).confusion), edit
    saved = lab.saved_model()  # scales baked into weights: the same answers
    np.testing.assert_allclose(saved.logits(test_set[0]), lab.model.logits(test_set[0]),
                               rtol=1e-4, atol=1e-4)


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
    assert meta["version"] == 2 and meta["config"] == {"hidden": [40, 24]}


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


def same_results(got, want):
    assert got.accuracy == want.accuracy
    assert np.array_equal(got.confusion, want.confusion)
    assert got.report.as_dict() == want.report.as_dict()
    if isinstance(want, lb.LabResult):
        assert (got.sparsity, got.units_off) == (want.sparsity, want.units_off)


def test_cached_layers_and_states_give_exactly_what_a_fresh_lab_gives(model, test_set, monkeypatch):
    """Every kind of edit, undo and redo (restored from kept states, and replayed once the
    states are forgotten): the lab's cached results equal a fresh Lab's on the same edits,
    and its model equals the edits replayed on the original."""
    lab = lb.Lab(model, *test_set)
    lab.results()
    steps = [lb.ScaleUnit(1, 3, 0.0), lb.ScaleUnit(1, 5, 2.0), lb.ScaleUnit(0, 7, 0.0),
             lb.Prune(0.5), lb.ScaleUnit(1, 3, 1.0), lb.Prune(0.7, per_layer=True),
             lb.WeightNoise(0.3, seed=4), "undo", "undo", "redo", "undo", "undo", "undo",
             "redo", "redo", lb.ScaleUnit(0, 2, 0.5), "undo", "redo", "reset", "redo"]
    for i, step in enumerate(steps):
        if i == 14:  # forget the kept states: undo/redo fall back to replaying edits
            monkeypatch.setattr(lb, "STATES_KEPT", 0)
            lab._states.clear()
        if step == "reset":
            lab.reset()
        elif isinstance(step, str):
            getattr(lab, step)()
        else:
            lab.apply(step)
        fresh = lb.Lab(lb.apply_edits(model, lab.edits), *test_set)
        assert np.array_equal(lab.model.params, fresh.model.params), (i, step)
        for h, f in zip(lab.model.hidden, fresh.model.hidden):
            assert (h.unit_scale is None and f.unit_scale is None) or np.array_equal(
                h.unit_scale, f.unit_scale), (i, step)
        same_results(lab.results(), fresh.results())
        same_results(lab.results(), full_pass(lab.model, test_set))


def test_a_unit_of_the_last_hidden_layer_reuses_the_layers_before(model, test_set, monkeypatch):
    lab = lb.Lab(model, *test_set)
    lab.results()
    computed = []
    matmul = np.matmul

    def counting(a, b, *args, **kwargs):
        computed.append(b.shape)
        return matmul(a, b, *args, **kwargs)

    monkeypatch.setattr(lb.np, "matmul", counting)
    lab.apply(lb.ScaleUnit(1, 3, 0.0))
    lab.results()
    assert computed == [model.W[2].shape]  # only the output layer's GEMM
    computed.clear()
    lab.undo()
    lab.results()
    lab.redo()
    lab.results()
    assert computed == []  # both states scored before


def test_pruning_ties_and_existing_zeros():
    W = np.array([[0.0, 1.0, -1.0, 2.0], [1.0, 0.0, 3.0, -1.0]], np.float32)
    lb._zero_smallest([W], 0.5)  # 2 zeros + the first 2 of the four 1s
    assert W.tolist() == [[0, 0, 0, 2], [1, 0, 3, -1]]
    V = np.array([0.0, 0.0, 5.0], np.float32)
    lb._zero_smallest([V], 0.5)  # already sparse enough
    assert V.tolist() == [0, 0, 5]
