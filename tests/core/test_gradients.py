"""Every layer, activation and loss against central finite differences (float64)."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import layers, losses
from mnist_gui.core.network import MLP

TOLERANCE = 1e-6


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Relative error of two gradients, ||a - b|| / (||a|| + ||b||).

    The norm form (rather than the elementwise max) because central differences of an O(1)
    loss carry ~1e-10 of round-off, which is a large *relative* error on entries of 1e-5.
    """
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-30))


def numeric_grad(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """dF/dx by central differences, where F = f() is a scalar that reads x."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def test_numeric_grad_helper_detects_a_wrong_gradient(rng):
    # guards the checks below: a deliberately wrong gradient must fail the tolerance
    x = rng.standard_normal(5)
    num = numeric_grad(lambda: float(np.sum(x**3)), x)
    assert rel_error(num, 3 * x**2) < TOLERANCE
    assert rel_error(num, 3.01 * x**2) > TOLERANCE


def test_dense_backward(rng):
    x = rng.standard_normal((4, 5))
    W = rng.standard_normal((5, 3))
    b = rng.standard_normal(3)
    dout = rng.standard_normal((4, 3))
    _, cache = layers.dense_forward(x, W, b)
    dx, dW, db = layers.dense_backward(dout, cache)

    def f():
        return float(np.sum(layers.dense_forward(x, W, b)[0] * dout))

    assert rel_error(dx, numeric_grad(f, x)) < TOLERANCE
    assert rel_error(dW, numeric_grad(f, W)) < TOLERANCE
    assert rel_error(db, numeric_grad(f, b)) < TOLERANCE


@pytest.mark.parametrize("name", layers.HIDDEN_ACTIVATIONS)
def test_activation_backward(name, rng):
    z = rng.standard_normal((6, 4))
    z[np.abs(z) < 0.05] += 0.2  # keep ReLU's kink out of the finite-difference step
    da = rng.standard_normal((6, 4))
    _, cache = layers.activation_forward(z, name, slope=0.1)
    dz = layers.activation_backward(da, cache)

    def f():
        return float(np.sum(layers.activation_forward(z, name, slope=0.1)[0] * da))

    assert rel_error(dz, numeric_grad(f, z)) < TOLERANCE


def test_activation_values():
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_allclose(layers.activation_forward(z, "relu")[0], [[0, 0, 3]])
    np.testing.assert_allclose(layers.activation_forward(z, "leaky_relu", 0.1)[0], [[-0.2, 0, 3]])
    np.testing.assert_allclose(layers.activation_forward(z, "sigmoid")[0], 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(layers.activation_forward(z, "tanh")[0], np.tanh(z))


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([-1e4, -100.0, 100.0, 1e4], dtype=np.float32)
    with np.errstate(all="raise"):
        out = layers.sigmoid_(z.copy())
    np.testing.assert_allclose(out, [0, 0, 1, 1], atol=1e-30)


def test_dropout_backward_uses_the_mask(rng):
    x = rng.standard_normal((50, 40))
    out, mask = layers.dropout_forward(x, 0.5, np.random.default_rng(0))
    assert 0.3 < np.mean(mask == 0) < 0.7
    np.testing.assert_allclose(out[mask > 0], x[mask > 0] * 2)  # inverted scaling
    dout = rng.standard_normal(x.shape)
    np.testing.assert_allclose(layers.dropout_backward(dout, mask), dout * mask)


@pytest.mark.parametrize("loss_name,k", [("ce", 5), ("mse", 5), ("bce", 1)])
def test_loss_gradients(loss_name, k, rng):
    z = rng.standard_normal((7, k)) * 2
    y = rng.integers(0, 2 if k == 1 else k, 7)
    fn = losses.LOSS_FUNCTIONS[loss_name]
    _, dz = fn(z, y)

    def f():
        return fn(z, y)[0]

    assert rel_error(dz, numeric_grad(f, z)) < TOLERANCE


def test_softmax_cross_entropy_matches_the_definition_and_is_stable(rng):
    z = rng.standard_normal((5, 4))
    y = np.array([0, 1, 2, 3, 0])
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[np.arange(5), y]))
    assert losses.softmax_cross_entropy(z, y)[0] == pytest.approx(expected, rel=1e-12)
    huge = np.array([[1000.0, 0.0], [-1000.0, 1000.0]])
    loss, dz = losses.softmax_cross_entropy(huge, np.array([0, 0]))
    assert np.isfinite(loss) and np.isfinite(dz).all()
    assert loss == pytest.approx(1000.0)  # sample 2 costs 2000, sample 1 costs 0


def test_binary_cross_entropy_is_stable():
    loss, dz = losses.binary_cross_entropy(np.array([[800.0], [-800.0]]), np.array([0, 1]))
    assert loss == pytest.approx(800.0) and np.isfinite(dz).all()


def test_mse_matches_the_quadratic_cost(rng):
    z = rng.standard_normal((3, 4))
    y = np.array([1, 0, 3])
    a = 1 / (1 + np.exp(-z))
    t = np.eye(4)[y]
    expected = 0.5 * np.sum((a - t) ** 2) / 3
    assert losses.mse_sigmoid(z, y)[0] == pytest.approx(expected, rel=1e-12)


def _network_case(activation: str, loss: str, rng):
    sizes = [6, 5, 4, 1 if loss == "bce" else 3]
    output = "softmax" if loss == "ce" else "sigmoid"
    model = MLP(sizes, [activation, activation, output], leaky_relu_slope=0.1, dtype=np.float64)
    model.initialize(rng, "normal", std=0.8, bias="normal")
    X = rng.standard_normal((8, 6))
    y = rng.integers(0, 2 if loss == "bce" else 3, 8)
    return model, X, y


@pytest.mark.parametrize("activation", layers.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["ce", "mse", "bce"])
def test_whole_network_gradients(activation, loss, rng):
    model, X, y = _network_case(activation, loss, rng)
    model.loss_and_grads(X, y, loss)
    analytic = model.grads.copy()

    def f():
        return model.loss_and_grads(X, y, loss)[0]

    numeric = numeric_grad(f, model.params)
    assert rel_error(analytic, numeric) < TOLERANCE


def test_network_gradient_check_catches_a_broken_backward(rng, monkeypatch):
    # the check above must fail if backprop is wrong: break the sigmoid derivative
    model, X, y = _network_case("sigmoid", "ce", rng)
    import mnist_gui.core.network as network

    def wrong(da, a, name, slope):
        da *= a  # forgets the (1 - a) factor
        return da

    monkeypatch.setattr(network, "activation_grad_", wrong)
    model.loss_and_grads(X, y, "ce")
    analytic = model.grads.copy()
    numeric = numeric_grad(lambda: model.loss_and_grads(X, y, "ce")[0], model.params)
    assert rel_error(analytic, numeric) > TOLERANCE


def test_float32_network_agrees_with_float64(rng):
    model64, X, y = _network_case("relu", "ce", rng)
    model32 = model64.clone(np.float32)
    loss64, _ = model64.loss_and_grads(X, y, "ce")
    loss32, _ = model32.loss_and_grads(X.astype(np.float32), y, "ce")
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(model32.grads, model64.grads, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("activation", layers.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["ce", "mse", "bce"])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_gradient_bound_bounds_every_gradient_entry(activation, loss, dropout, rng):
    """The trainer skips its full pass over the update when this bound proves it finite;
    a bound that is ever below a real gradient entry would make that proof wrong."""
    for _ in range(20):
        model, X, y = _network_case(activation, loss, rng)
        X *= 10.0 ** rng.uniform(-3, 3)
        scale = 10.0 ** rng.uniform(-4, 1)
        model.loss_and_grads(X, y, loss, dropout, rng, grad_scale=scale)
        bound = model.gradient_bound(X)
        assert np.abs(model.grads).max() <= bound


def test_gradient_bound_is_infinite_when_the_batch_is_not_finite(rng):
    model, X, y = _network_case("relu", "ce", rng)
    X[2, 3] = np.nan
    with np.errstate(invalid="ignore"):
        model.loss_and_grads(X, y, "ce")
    assert model.gradient_bound(X) == np.inf


def test_gradient_bound_with_a_known_input_bound(rng):
    """The trainer passes N*D*max|x|^2 instead of reading the batch; still a bound."""
    model, X, y = _network_case("tanh", "ce", rng)
    model.loss_and_grads(X, y, "ce")
    known = X.size * float(np.abs(X).max()) ** 2
    assert np.abs(model.grads).max() <= model.gradient_bound(X, known)
    assert model.gradient_bound(X, known) >= model.gradient_bound(X)


def test_softmax_cross_entropy_scale_and_buffers(rng):
    """The learning rate folded into the loss's gradient is the same as multiplying after;
    lr = 0 gives a zero gradient; a non-contiguous buffer is refused, never half-written."""
    from mnist_gui.core.losses import softmax_cross_entropy

    z = rng.standard_normal((16, 10))
    y = rng.integers(0, 10, 16)
    loss, plain = softmax_cross_entropy(z, y)
    plain = plain.copy()
    loss_scaled, scaled = softmax_cross_entropy(z, y, np.empty_like(z), scale=0.37)
    assert loss_scaled == loss
    np.testing.assert_allclose(scaled, 0.37 * plain, rtol=1e-12, atol=1e-15)
    assert not softmax_cross_entropy(z, y, scale=0.0)[1].any()
    with pytest.raises(ValueError, match="C-contiguous"):
        softmax_cross_entropy(z, y, np.empty((10, 16)).T)
