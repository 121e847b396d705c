"""GEMM with alpha/beta and AXPY through NumPy's own BLAS, against plain NumPy; the
fallback (no usable BLAS) must give the same results."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import blas


@pytest.fixture(params=["blas", "numpy fallback"])
def backend(request, monkeypatch):
    if request.param == "numpy fallback":
        monkeypatch.setattr(blas, "_CBLAS", None)
    return request.param


def test_numpy_ships_a_blas_we_can_call():
    # NumPy's wheels bundle OpenBLAS; if this fails the fast path is silently lost
    assert blas.using_numpy_blas()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (-1.0, 0.9), (0.37, 1.0), (-2.5, -0.5)])
def test_gemm_update_matches_numpy(backend, rng, dtype, transpose_a, alpha, beta):
    m, k, n = 13, 7, 5
    A = rng.standard_normal((k, m) if transpose_a else (m, k)).astype(dtype)
    B = rng.standard_normal((k, n)).astype(dtype)
    C = rng.standard_normal((m, n)).astype(dtype)
    expected = alpha * ((A.T if transpose_a else A).astype(np.float64) @ B) + beta * C
    out = blas.gemm_update(alpha, A, B, beta, C, transpose_a=transpose_a)
    assert out is C
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(C, expected, rtol=tol, atol=tol)


def test_gemm_update_with_beta_zero_ignores_what_c_held(backend, rng):
    A = rng.standard_normal((4, 3)).astype(np.float32)
    B = rng.standard_normal((3, 2)).astype(np.float32)
    C = np.full((4, 2), np.nan, np.float32)
    blas.gemm_update(2.0, A, B, 0.0, C)
    np.testing.assert_allclose(C, 2 * A @ B, rtol=1e-6)


def test_gemm_update_into_views_of_a_flat_buffer(rng):
    """The optimisers' velocity is one flat buffer with W/b views, as the network's params."""
    flat = np.zeros(6 * 4 + 4, np.float32)
    W, b = flat[:24].reshape(6, 4), flat[24:].reshape(1, 4)
    X = rng.standard_normal((8, 6)).astype(np.float32)
    dZ = rng.standard_normal((8, 4)).astype(np.float32)
    blas.gemm_update(-1.0, X, dZ, 0.9, W, transpose_a=True)
    blas.gemm_update(-1.0, np.ones((1, 8), np.float32), dZ, 0.9, b)
    np.testing.assert_allclose(W, -(X.T @ dZ), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b[0], -dZ.sum(axis=0), rtol=1e-5, atol=1e-6)


def test_non_contiguous_or_mixed_dtypes_take_the_numpy_path(rng):
    A = rng.standard_normal((6, 10)).astype(np.float32)[:, ::2]  # strided
    B = rng.standard_normal((5, 3))  # float64
    C = np.ones((6, 3), np.float32)
    blas.gemm_update(1.0, A, B, 1.0, C)
    np.testing.assert_allclose(C, 1 + A @ B, rtol=1e-5)


def test_gemm_update_refuses_shapes_that_do_not_fit():
    with pytest.raises(ValueError, match="shapes"):
        blas.gemm_update(1.0, np.ones((3, 4)), np.ones((5, 2)), 0.0, np.ones((3, 2)))
    with pytest.raises(ValueError, match="shapes"):
        blas.gemm_update(1.0, np.ones((4, 3)), np.ones((4, 2)), 0.0, np.ones((4, 2)), True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axpy(backend, rng, dtype):
    x = rng.standard_normal(1000).astype(dtype)
    y = rng.standard_normal(1000).astype(dtype)
    expected = y.astype(np.float64) - 0.3 * x
    assert blas.axpy(-0.3, x, y) is y
    np.testing.assert_allclose(y, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)
    with pytest.raises(ValueError, match="shapes"):
        blas.axpy(1.0, x[:10], y)
