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


def _layer_check(layer, x, rng, training=False):
    """Backward of ``layer`` against central differences of sum(forward(x) * dout), for the
    input and every parameter."""
    out = layer.forward(x, training)
    dout = rng.standard_normal(out.shape)

    def f():
        return float(np.sum(layer.forward(x, training) * dout))

    layer.forward(x, training)
    dx = np.array(layer.backward(dout))
    grads = {p.name: p.grad.copy() for p in layer.parameters}
    assert rel_error(dx, numeric_grad(f, x)) < TOLERANCE
    for p in layer.parameters:
        assert rel_error(grads[p.name], numeric_grad(f, p.value)) < TOLERANCE


def _bound_dense(fan_in, fan_out, rng):
    layer = layers.Dense(fan_in, fan_out)
    shapes = layer.parameter_shapes()
    values = {k: rng.standard_normal(v) for k, v in shapes.items()}
    layer.bind(values, {k: np.zeros(v) for k, v in shapes.items()})
    return layer


def test_dense_backward(rng):
    _layer_check(_bound_dense(5, 3, rng), rng.standard_normal((4, 5)), rng)


def _kink_free(rng, shape):
    z = rng.standard_normal(shape)
    z[np.abs(z) < 0.05] += 0.2  # keep ReLU's kink out of the finite-difference step
    return z


@pytest.mark.parametrize("name", layers.HIDDEN_ACTIVATIONS)
def test_activation_backward(name, rng):
    _layer_check(layers.make_activation(name, 0.1), _kink_free(rng, (6, 4)), rng)


@pytest.mark.parametrize("name", layers.HIDDEN_ACTIVATIONS)
def test_activation_with_units_switched_off(name, rng):
    layer = layers.make_activation(name, 0.1)
    layer.set_unit_scale(4, 1, 0.0)
    layer.set_unit_scale(4, 3, 2.5)
    x = _kink_free(rng, (6, 4))
    out = layer.forward(x)
    assert not out[:, 1].any()
    _layer_check(layer, x, rng)


def test_dropout_backward_with_a_fixed_mask(rng):
    layer = layers.Dropout(0.5)
    layer.fixed_mask = (rng.random((6, 4)) < 0.5) * 2.0
    _layer_check(layer, rng.standard_normal((6, 4)), rng, training=True)


def test_dropout_draws_inverted_masks_and_is_identity_at_inference(rng):
    layer = layers.Dropout(0.5)
    layer.rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 40))
    out = layer.forward(x, training=True).copy()
    dropped = out == 0
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(out[~dropped], x[~dropped] * 2)  # inverted scaling
    dout = rng.standard_normal(x.shape)
    np.testing.assert_allclose(layer.backward(dout), dout * (~dropped) * 2)
    np.testing.assert_array_equal(layer.forward(x, training=False), x)


@pytest.mark.parametrize("name", layers.HIDDEN_ACTIVATIONS)
def test_activation_followed_by_dropout_keeps_its_own_output(name, rng):
    """The sigmoid/tanh + dropout bug: the derivative must come from the activation's own
    output, not from the buffer dropout zeroed and rescaled."""
    activation, dropout = layers.make_activation(name, 0.1), layers.Dropout(0.5)
    dropout.fixed_mask = (rng.random((6, 4)) < 0.5) * 2.0
    x = _kink_free(rng, (6, 4))
    dout = rng.standard_normal((6, 4))

    def f():
        return float(np.sum(dropout.forward(activation.forward(x, True), True) * dout))

    f()
    dx = activation.backward(dropout.backward(dout))
    assert rel_error(dx, numeric_grad(f, x)) < TOLERANCE


def test_activation_values():
    z = np.array([[-2.0, 0.0, 3.0]])

    def act(name, slope=0.01):
        return layers.make_activation(name, slope).forward(z)

    np.testing.assert_allclose(act("relu"), [[0, 0, 3]])
    np.testing.assert_allclose(act("leaky_relu", 0.1), [[-0.2, 0, 3]])
    np.testing.assert_allclose(act("sigmoid"), 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(act("tanh"), np.tanh(z))


def test_sigmoid_is_stable_for_huge_inputs():
    z = np.array([-1e4, -100.0, 100.0, 1e4], dtype=np.float32)
    with np.errstate(all="raise"):
        out = layers.sigmoid_(z.copy())
        layer_out = layers.make_activation("sigmoid").forward(z.reshape(1, -1))
    np.testing.assert_allclose(out, [0, 0, 1, 1], atol=1e-30)
    np.testing.assert_allclose(layer_out[0], [0, 0, 1, 1], atol=1e-30)


def test_layers_describe_themselves():
    assert repr(layers.Dense(784, 128)) == "Dense(fan_in=784, fan_out=128)"
    assert repr(layers.Dropout(0.5)) == "Dropout(rate=0.5)"
    assert repr(layers.make_activation("leaky_relu", 0.2)) == "LeakyReLU(slope=0.2)"
    spec = layers.Dense(3, 2).spec()
    assert layers.layer_from_spec(spec).spec() == spec


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


def _network_case(activation: str, loss: str, rng, dropout: float = 0.0,
                  normalization: str = "none"):
    sizes = [6, 5, 4, 1 if loss == "bce" else 3]
    output = "softmax" if loss == "ce" else "sigmoid"
    model = MLP(sizes, [activation, activation, output], leaky_relu_slope=0.1,
                dtype=np.float64, dropout=dropout, normalization=normalization)
    model.initialize(rng, "normal", std=0.8, bias="normal")
    if normalization != "none":  # gamma and beta away from 1 and 0
        model.params[...] += rng.standard_normal(model.params.shape) * 0.3
    X = rng.standard_normal((8, 6))
    y = rng.integers(0, 2 if loss == "bce" else 3, 8)
    for layer in model.layers:  # a fixed mask per dropout layer, drawn once
        if isinstance(layer, layers.Dropout):
            layer.fixed_mask = (rng.random((8, layer_width(model, layer))) >= dropout) / (1 - dropout)
    return model, X, y


def layer_width(model, dropout_layer):
    index = model.layers.index(dropout_layer)
    dense = [layer for layer in model.layers[:index] if isinstance(layer, layers.Dense)]
    return dense[-1].fan_out  # Dense, any normalisation, activation, dropout


@pytest.mark.parametrize("activation", layers.HIDDEN_ACTIVATIONS)
@pytest.mark.parametrize("loss", ["ce", "mse", "bce"])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_whole_network_gradients(activation, loss, dropout, rng):
    model, X, y = _network_case(activation, loss, rng, dropout)
    model.loss_and_grads(X, y, loss)
    analytic = model.grads.copy()

    def f():
        return model.loss_and_grads(X, y, loss)[0]

    numeric = numeric_grad(f, model.params)
    assert rel_error(analytic, numeric) < TOLERANCE


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("normalization", ["batch", "layer"])
@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_whole_network_gradients_with_normalisation(activation, normalization, dropout, rng):
    """Batch statistics in the loss: each parameter's nudge moves every row's output."""
    model, X, y = _network_case(activation, "ce", rng, dropout, normalization)
    model.loss_and_grads(X, y, "ce")
    analytic = model.grads.copy()
    numeric = numeric_grad(lambda: model.loss_and_grads(X, y, "ce")[0], model.params)
    assert rel_error(analytic, numeric) < TOLERANCE


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_input_gradient_through_a_normalisation(normalization, rng):
    model, X, _ = _network_case("tanh", "ce", rng, normalization=normalization)
    model.loss_and_grads(X, rng.integers(0, 3, 8), "ce")  # running statistics off their start
    weights = rng.standard_normal((8, 3))
    analytic = model.input_gradient(X, weights)
    numeric = numeric_grad(lambda: float(np.sum(model.logits(X) * weights)), X)
    assert rel_error(analytic, numeric) < TOLERANCE


def test_network_gradient_check_catches_a_broken_backward(rng, monkeypatch):
    # the check above must fail if backprop is wrong: break the sigmoid derivative
    model, X, y = _network_case("sigmoid", "ce", rng)

    def wrong(self, da, a, out):
        return np.multiply(da, a, out=out)  # forgets the (1 - a) factor

    monkeypatch.setattr(layers.Sigmoid, "derivative_", wrong)
    model.loss_and_grads(X, y, "ce")
    analytic = model.grads.copy()
    numeric = numeric_grad(lambda: model.loss_and_grads(X, y, "ce")[0], model.params)
    assert rel_error(analytic, numeric) > TOLERANCE


def test_input_gradient_is_the_derivative_of_the_logits(rng):
    model, X, _ = _network_case("tanh", "ce", rng)
    weights = rng.standard_normal((8, 3))
    analytic = model.input_gradient(X, weights)
    numeric = numeric_grad(lambda: float(np.sum(model.logits(X) * weights)), X)
    assert rel_error(analytic, numeric) < TOLERANCE


def test_layer_outputs_equal_a_plain_numpy_forward_pass(rng):
    model, X, _ = _network_case("relu", "ce", rng, dropout=0.5)
    hidden1, hidden2, logits = model.layer_outputs(X)
    a1 = np.maximum(X @ model.W[0] + model.b[0], 0)
    a2 = np.maximum(a1 @ model.W[1] + model.b[1], 0)
    np.testing.assert_allclose(hidden1, a1)
    np.testing.assert_allclose(hidden2, a2)
    np.testing.assert_allclose(logits, a2 @ model.W[2] + model.b[2])


def test_a_unit_switched_off_without_copying_the_model(rng):
    model, X, _ = _network_case("relu", "ce", rng)
    before = model.params.copy()
    model.set_unit_scale(0, 2, 0.0)
    hidden1, _, logits = model.layer_outputs(X)
    assert not hidden1[:, 2].any()
    a1 = np.maximum(X @ model.W[0] + model.b[0], 0)
    a1[:, 2] = 0
    a2 = np.maximum(a1 @ model.W[1] + model.b[1], 0)
    np.testing.assert_allclose(logits, a2 @ model.W[2] + model.b[2])
    np.testing.assert_array_equal(model.params, before)
    model.set_unit_scale(0, 2, 1.0)
    assert model.layer_outputs(X)[0][:, 2].any()


def test_float32_network_agrees_with_float64(rng):
    model64, X, y = _network_case("relu", "ce", rng)
    model32 = model64.clone(np.float32)
    loss64, _ = model64.loss_and_grads(X, y, "ce")
    loss32, _ = model32.loss_and_grads(X.astype(np.float32), y, "ce")
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    np.testing.assert_allclose(model32.grads, model64.grads, rtol=1e-3, atol=1e-5)


def test_a_new_layer_type_needs_no_change_elsewhere(rng):
    """A layer registered by kind is built from its spec and checked like the others."""

    @layers.register_layer
    class Scale(layers.Layer):
        kind = "test_scale"

        def __init__(self, units: int) -> None:
            super().__init__()
            self.units = units

        def parameter_shapes(self):
            return {"s": (self.units,)}

        def bind(self, values, grads):
            super().bind(values, grads)
            self.s, self.ds = values["s"], grads["s"]

        def forward(self, x, training=False):
            self._x = x
            return x * self.s

        def backward(self, dout, need_dx=True, param_grads=True):
            if param_grads:
                self.ds[...] = (dout * self._x).sum(axis=0)
            return dout * self.s if need_dx else None

        def spec(self):
            return {"kind": self.kind, "units": self.units}

    try:
        layer = layers.layer_from_spec({"kind": "test_scale", "units": 4})
        shapes = layer.parameter_shapes()
        layer.bind({"s": rng.standard_normal(4)}, {"s": np.zeros(4)})
        _layer_check(layer, rng.standard_normal((3, 4)), rng)
        assert repr(layer) == "Scale(units=4)" and shapes == {"s": (4,)}
    finally:
        del layers.LAYER_TYPES["test_scale"]


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


# ------------------------------------------------------------------------ normalisation


def _bound_norm(layer, rng):
    """``layer`` with random gamma, beta and (for batch norm) running statistics, float64."""
    shapes = layer.parameter_shapes()
    layer.bind({k: rng.standard_normal(v) for k, v in shapes.items()},
               {k: np.zeros(v) for k, v in shapes.items()})
    layer.bind_state({k: rng.uniform(0.5, 2.0, v) for k, v in layer.state_shapes().items()})
    return layer


@pytest.mark.parametrize("training", [True, False], ids=["batch-statistics", "running-statistics"])
def test_batch_norm_backward(training, rng):
    _layer_check(_bound_norm(layers.BatchNorm(5), rng), rng.standard_normal((6, 5)) * 3 + 1, rng,
                 training=training)


def test_layer_norm_backward(rng):
    _layer_check(_bound_norm(layers.LayerNorm(5), rng), rng.standard_normal((4, 5)) * 3 + 1, rng,
                 training=True)


@pytest.mark.parametrize("kind", ["batch_norm", "layer_norm"])
def test_normalisation_input_gradient_of_inference_matches_finite_differences(kind, rng):
    """The re-entrant pass (attributions) differentiates the inference map."""
    layer = _bound_norm(layers.layer_from_spec({"kind": kind, "size": 5}), rng)
    x, dout = rng.standard_normal((3, 5)) * 2, rng.standard_normal((3, 5))
    out, cache = layer.infer_with_cache(x)
    np.testing.assert_allclose(out, layer.infer(x.copy(), overwrite_x=True))
    numeric = numeric_grad(lambda: float(np.sum(layer.infer(x) * dout)), x)
    assert rel_error(layer.input_backward(dout, cache), numeric) < TOLERANCE


def test_batch_norm_standardises_the_batch_and_keeps_running_statistics(rng):
    layer = layers.BatchNorm(3, momentum=0.5)
    shapes = layer.parameter_shapes()
    layer.bind({k: np.zeros(v) for k, v in shapes.items()}, {k: np.zeros(v) for k, v in shapes.items()})
    layer.bind_state({k: np.zeros(v) for k, v in layer.state_shapes().items()})
    layer.initialize(rng, "he", 0.01, "zeros")
    x = rng.standard_normal((8, 3)) * [1.0, 5.0, 0.1] + [2.0, -3.0, 0.0]
    out = layer.forward(x, training=True)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), x.var(axis=0) / (x.var(axis=0) + 1e-5))
    np.testing.assert_allclose(layer.state["running_mean"], 0.5 * x.mean(axis=0))
    np.testing.assert_allclose(layer.state["running_var"], 0.5 + 0.5 * x.var(axis=0, ddof=1))
    # inference uses the running statistics, not the batch's
    s = 1 / np.sqrt(layer.state["running_var"] + 1e-5)
    np.testing.assert_allclose(layer.infer(x), (x - layer.state["running_mean"]) * s)


def test_layer_norm_standardises_each_row_the_same_in_training_and_inference(rng):
    layer = _bound_norm(layers.LayerNorm(6), rng)
    layer.initialize(rng, "he", 0.01, "zeros")
    x = rng.standard_normal((4, 6)) * 3 + 7
    out = layer.forward(x, training=True).copy()
    np.testing.assert_allclose(out.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(layer.infer(x), out)
    np.testing.assert_allclose(layer.infer(x[:1]), out[:1])  # one row is normalised alone
