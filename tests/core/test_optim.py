"""Optimisers against steps computed by hand, and the learning-rate schedules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mnist_gui.core.errors import ConfigError
from mnist_gui.core.optim import Adam, Momentum, Nesterov, SGD, make_optimizer, scheduled_lr


def run_steps(optimizer, grads, lr, p0=(1.0, -2.0)):
    p = np.array(p0, dtype=np.float64)
    for g in grads:
        optimizer.step(p, np.array(g, dtype=np.float64), lr)
    return p


G = [(0.5, -1.0), (0.25, 2.0)]


def test_sgd():
    # p - lr*g1 - lr*g2 = (1 - 0.1*0.75, -2 - 0.1*1.0)
    np.testing.assert_allclose(run_steps(SGD(), G, 0.1), [0.925, -2.1])


def test_classic_momentum():
    # v1 = -0.1*g1 = (-0.05, 0.1); p1 = (0.95, -1.9)
    # v2 = 0.9*v1 - 0.1*g2 = (-0.045-0.025, 0.09-0.2) = (-0.07, -0.11); p2 = (0.88, -2.01)
    np.testing.assert_allclose(run_steps(Momentum(0.9, "classic"), G, 0.1), [0.88, -2.01])


def test_averaged_momentum():
    # v1 = 0.1*g1 = (0.05, -0.1); p1 = p0 - 0.5*v1 = (0.975, -1.95)
    # v2 = 0.9*v1 + 0.1*g2 = (0.045+0.025, -0.09+0.2) = (0.07, 0.11); p2 = (0.94, -2.005)
    np.testing.assert_allclose(run_steps(Momentum(0.9, "averaged"), G, 0.5), [0.94, -2.005])


def test_nesterov():
    # v1 = -0.1*g1 = (-0.05, 0.1); p1 = p0 + 0.9*v1 - 0.1*g1 = (1-0.045-0.05, -2+0.09+0.1)
    p1 = np.array([0.905, -1.81])
    # v2 = 0.9*v1 - 0.1*g2 = (-0.07, -0.11); p2 = p1 + 0.9*v2 - 0.1*g2
    p2 = p1 + 0.9 * np.array([-0.07, -0.11]) - 0.1 * np.array(G[1])
    np.testing.assert_allclose(run_steps(Nesterov(0.9), G, 0.1), p2)


def test_adam_first_steps():
    # step 1: m = 0.1 g, v = 0.001 g^2; m_hat = g, v_hat = g^2; update = lr * g/(|g|+eps)
    p1 = np.array([1.0, -2.0]) - 0.01 * np.sign(G[0])
    np.testing.assert_allclose(run_steps(Adam(), G[:1], 0.01), p1, rtol=1e-6)
    # step 2 by the textbook formulas
    g1, g2 = np.array(G[0]), np.array(G[1])
    m = 0.9 * (0.1 * g1) + 0.1 * g2
    v = 0.999 * (0.001 * g1**2) + 0.001 * g2**2
    m_hat, v_hat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    p2 = p1 - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(run_steps(Adam(), G, 0.01), p2, rtol=1e-6)


def test_float32_parameters_stay_float32():
    p = np.ones(3, np.float32)
    for opt in (SGD(), Momentum(), Nesterov(), Adam()):
        opt.step(p, np.ones(3, np.float32), 0.1)
        assert p.dtype == np.float32


def test_unknown_optimizer_is_refused():
    from mnist_gui.core.config import TrainConfig

    with pytest.raises(ConfigError, match="unknown optimizer 'rmsprop'"):
        make_optimizer(TrainConfig(optimizer="rmsprop"))


def test_a_new_optimizer_is_one_class_and_a_registration():
    """The contract: subclass, implement step, register; settings, CLI and trainer follow."""
    from mnist_gui.core.config import SETTINGS_BY_NAME, TrainConfig
    from mnist_gui.core.optim import OPTIMIZER_TYPES, Optimizer, register_optimizer

    @register_optimizer
    class SignSGD(Optimizer):
        name = "signsgd"
        title = "Sign SGD"

        def step(self, params, grads, lr):
            params -= lr * np.sign(grads)

    try:
        assert "signsgd" in SETTINGS_BY_NAME["optimizer"].choice_labels()
        TrainConfig(optimizer="signsgd").check()
        optimizer = make_optimizer(TrainConfig(optimizer="signsgd"))
        np.testing.assert_allclose(run_steps(optimizer, G, 0.1), [0.8, -2.0])
    finally:
        del OPTIMIZER_TYPES["signsgd"]


def test_schedules():
    assert scheduled_lr(0.1, "constant", 7.5, 10) == 0.1
    assert scheduled_lr(0.1, "step", 9.9, 30, step_size=10, gamma=0.5) == pytest.approx(0.1)
    assert scheduled_lr(0.1, "step", 10.0, 30, step_size=10, gamma=0.5) == pytest.approx(0.05)
    assert scheduled_lr(0.1, "step", 25.0, 30, step_size=10, gamma=0.5) == pytest.approx(0.025)
    assert scheduled_lr(0.1, "cosine", 0, 10) == pytest.approx(0.1)
    assert scheduled_lr(0.1, "cosine", 5, 10) == pytest.approx(0.05)
    assert scheduled_lr(0.1, "cosine", 10, 10) == pytest.approx(0.0, abs=1e-12)
    assert scheduled_lr(0.1, "constant", 0.25, 10, warmup_epochs=1.0) == pytest.approx(0.025)
    with pytest.raises(ConfigError):
        scheduled_lr(0.1, "exponential", 1, 10)
    assert math.isfinite(scheduled_lr(0.1, "cosine", 50, 10))


@pytest.mark.parametrize("make", [SGD, lambda: Momentum(0.9, "classic"), lambda: Nesterov(0.9)])
def test_folding_the_learning_rate_into_the_gradient_is_the_same_maths(make):
    """Optimisers that declare folds_learning_rate give the same step for (lr*g, 1.0)."""
    rng = np.random.default_rng(0)
    a, b = make(), make()
    assert a.folds_learning_rate
    p1 = rng.standard_normal(50)
    p2 = p1.copy()
    for lr in (0.1, 0.05, 0.2):  # a changing learning rate, as under a schedule
        g = rng.standard_normal(50)
        a.step(p1, g, lr)
        b.step(p2, lr * g, 1.0)
    np.testing.assert_allclose(p1, p2, rtol=1e-12)


@pytest.mark.parametrize("make", [lambda: Momentum(0.9, "averaged"), Adam])
def test_averaged_momentum_and_adam_do_not_fold_the_learning_rate(make):
    """Their step is not a function of lr*g alone, so they must not claim it: folding would
    change the maths (the trainer relies on the flag)."""
    rng = np.random.default_rng(0)
    a, b = make(), make()
    assert not a.folds_learning_rate
    p1 = rng.standard_normal(50)
    p2 = p1.copy()
    for lr in (0.1, 0.05, 0.2):
        g = rng.standard_normal(50)
        a.step(p1, g, lr)
        b.step(p2, lr * g, 1.0)
    assert not np.allclose(p1, p2, rtol=1e-6)


def test_optimizer_state_round_trips():
    rng = np.random.default_rng(1)
    for make in (lambda: Momentum(0.9), lambda: Nesterov(0.9), Adam):
        a = make()
        p = rng.standard_normal(8)
        for _ in range(3):
            a.step(p, rng.standard_normal(8), 0.1)
        b = make()
        b.load_state(a.state())
        g = rng.standard_normal(8)
        pa, pb = p.copy(), p.copy()
        a.step(pa, g, 0.1)
        b.step(pb, g, 0.1)
        np.testing.assert_array_equal(pa, pb)
