"""MNIST-style preprocessing of arbitrary digit images."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.errors import ImageError
from mnist_gui.core.preprocess import area_resample_matrix, mnist_preprocess, to_ink


def test_area_resample_rows_sum_to_one_and_preserve_mean(rng):
    for n_in, n_out in [(100, 20), (7, 20), (20, 20)]:
        R = area_resample_matrix(n_in, n_out)
        np.testing.assert_allclose(R.sum(axis=1), 1)
        x = rng.random(n_in)
        assert (R @ x).mean() == pytest.approx(x.mean(), rel=1e-9)


def test_small_off_centre_digit_is_scaled_and_centred():
    canvas = np.zeros((280, 280))
    canvas[10:40, 200:215] = 1.0  # a small bar in the top-right corner
    image = mnist_preprocess(canvas)
    assert image.shape == (28, 28) and image.max() == pytest.approx(1.0, abs=0.05)
    rows = np.flatnonzero(image.max(axis=1) > 0.5)
    assert rows[-1] - rows[0] + 1 == pytest.approx(20, abs=1)  # longer side fills 20 px
    yy, xx = np.mgrid[0:28, 0:28]
    cy, cx = (image * yy).sum() / image.sum(), (image * xx).sum() / image.sum()
    assert cy == pytest.approx(14, abs=0.5) and cx == pytest.approx(14, abs=0.5)


def test_dark_ink_on_paper_is_inverted():
    paper = np.full((50, 50), 240.0)
    paper[10:40, 20:25] = 10.0
    ink = to_ink(paper)
    assert ink[0, 0] == 0.0 and ink[20, 22] == 1.0


def test_blank_images_are_refused():
    with pytest.raises(ImageError, match="draw a digit"):
        mnist_preprocess(np.zeros((28, 28)))
    with pytest.raises(ImageError, match="blank"):
        to_ink(np.full((10, 10), 7.0))


def test_preprocessing_a_test_digit_keeps_it_recognisable(raw_mnist):
    # an MNIST digit already fits this recipe: preprocessing it again changes little
    digit = raw_mnist.test_images[0].reshape(28, 28) / 255.0
    again = mnist_preprocess(digit)
    assert np.corrcoef(digit.ravel(), again.ravel())[0, 1] > 0.9
