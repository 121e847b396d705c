"""Maps of the test digits: PCA against an SVD reference, t-SNE reproducible by seed."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import embedding as em
from mnist_gui.core.errors import Cancelled, ConfigError

from ..tiny_models import scaled_test_set, train_tiny


@pytest.fixture(scope="module")
def model(raw_mnist):
    return train_tiny(raw_mnist, hidden=[48, 16])


@pytest.fixture(scope="module")
def test_X(raw_mnist, model):
    return scaled_test_set(raw_mnist, model, 600)[:2]


def test_every_layer_has_a_representation(model, test_X):
    X, _ = test_X
    widths = [em.representation(model, X, layer).shape for layer in range(4)]
    assert widths == [(600, 784), (600, 48), (600, 16), (600, 10)]
    assert len(em.layer_names(model)) == 4
    np.testing.assert_allclose(em.representation(model, X, 3), model.logits(X), rtol=1e-6)
    with pytest.raises(ConfigError, match="layer 4"):
        em.representation(model, X, 4)


def test_pca_matches_an_svd_and_keeps_its_orientation(model, test_X):
    R = em.representation(model, test_X[0], 1)
    first = em.pca_map(R, layer=1)
    centred = R.astype(np.float64) - R.mean(axis=0)
    U, S, _ = np.linalg.svd(centred, full_matrices=False)
    reference = U[:, :2] * S[:2]
    for j in range(2):  # equal up to each axis's sign
        sign = np.sign(reference[:, j] @ first.coords[:, j])
        np.testing.assert_allclose(first.coords[:, j], sign * reference[:, j], rtol=1e-3, atol=1e-3)
    assert first.explained == pytest.approx(tuple(S[:2] ** 2 / (S**2).sum()), rel=1e-4)
    flipped = em.Map(-first.coords, "pca", 1, 0.0, -first.axes, first.mean, first.explained)
    again = em.pca_map(R, previous=flipped, layer=1)
    np.testing.assert_allclose(again.coords, -first.coords, rtol=1e-5, atol=1e-5)
    assert np.array_equal(em.pca_map(R).coords, first.coords)  # no previous: deterministic


def test_the_output_layer_separates_the_classes_better_than_the_input(model, test_X):
    X, y = test_X

    def separation(coords):
        centres = np.stack([coords[y == k].mean(axis=0) for k in range(10)])
        within = np.mean([np.linalg.norm(coords[y == k] - centres[k], axis=1).mean()
                          for k in range(10)])
        return np.linalg.norm(centres[:, None] - centres[None], axis=2).mean() / within

    input_map = em.pca_map(em.representation(model, X, 0))
    output_map = em.pca_map(em.representation(model, X, 3))
    assert separation(output_map.coords) > separation(input_map.coords)


def test_a_one_unit_layer_still_maps():
    R = np.random.default_rng(0).normal(size=(50, 1))
    coords = em.pca_map(R).coords
    assert coords.shape == (50, 2) and np.all(coords[:, 1] == 0)


needs_tsne = pytest.mark.skipif(not em.tsne_available(), reason="openTSNE not installed")


@needs_tsne
def test_tsne_is_reproducible_by_seed_and_reports_progress(model, test_X):
    R = em.representation(model, test_X[0][:400], 2)
    seen = []
    first = em.tsne_map(R, seed=3, layer=2, iterations=(50, 100), progress=seen.append)
    again = em.tsne_map(R, seed=3, layer=2, iterations=(50, 100))
    other = em.tsne_map(R, seed=4, layer=2, iterations=(50, 100))
    assert first.coords.shape == (400, 2) and first.method == "tsne" and first.layer == 2
    assert np.array_equal(first.coords, again.coords)
    assert not np.allclose(first.coords, other.coords)
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 10


@needs_tsne
def test_tsne_can_be_cancelled(model, test_X):
    R = em.representation(model, test_X[0][:400], 1)
    seen = []

    def stop_half_way(fraction):
        seen.append(fraction)
        return fraction < 0.5

    with pytest.raises(Cancelled):
        em.tsne_map(R, iterations=(50, 100), progress=stop_half_way)
    assert 0.5 <= seen[-1] < 0.7
    with pytest.raises(ConfigError, match="iterations"):
        em.tsne_map(R, iterations=(10, 0))
