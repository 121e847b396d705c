"""Layer health: each rule fires on a run made to trigger it, and none on a healthy run."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core import health as hl
from mnist_gui.core.config import TrainConfig
from mnist_gui.core.data import prepare
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.network import build_mlp
from mnist_gui.core.optim import OPTIMIZERS
from mnist_gui.core.presets import PRESETS
from mnist_gui.core.training import BatchFinished, EpochFinished, Trainer


def monitored_run(raw_mnist, every=20, lr_jump=None, budget=hl.DEFAULT_BUDGET, **changes):
    """Train like the app would, feeding a HealthMonitor from the trainer's events; returns
    (monitor, set of rules that fired, last report, config)."""
    config = PRESETS["fast"].config.updated(**{"epochs": 1, "train_subset": 3000, **changes})
    data = prepare(raw_mnist, config.data_spec())
    trainer = Trainer(config, data)
    monitor = hl.HealthMonitor(data.X_train[:256], config, every=every, budget=budget)
    fired, last = {}, None
    for event in trainer.run():
        if isinstance(event, BatchFinished):
            if lr_jump and event.epoch == 1 and event.batch == lr_jump[0]:
                trainer.set_learning_rate(lr_jump[1])
            scale = event.lr if trainer.optimizer.folds_learning_rate else 1.0
            report = monitor.after_batch(trainer.model, event.loss, scale)
            if report is not None:
                last = report
                fired.update({f.rule: f for f in report.findings})
        elif isinstance(event, EpochFinished):
            fired.update({f.rule: f for f in monitor.after_epoch(event.train_loss, event.val_loss)})
    for finding in fired.values():  # every fix is a settings change the form can apply
        config.updated(**finding.fix).check()
    return monitor, fired, last, config


def test_a_healthy_run_has_no_findings_and_sane_numbers(raw_mnist):
    monitor, fired, last, _ = monitored_run(raw_mnist, hidden=[64, 32])
    assert fired == {}
    assert [h.layer for h in last.layers] == [1, 2, 3]
    for h in last.layers:
        assert h.grad_norm > 0 and 0 < h.update_ratio < 0.1
        assert h.histogram.sum() == 256 * (64, 32, 10)[h.layer - 1]
    assert last.layers[0].dead_fraction < 0.2 and last.layers[2].dead_fraction is None
    assert monitor.seconds > 0


def test_update_ratio_is_the_steps_change(raw_mnist):
    """With plain SGD the step is lr * gradient: the ratio follows from the gradient."""
    _, _, last, config = monitored_run(raw_mnist, hidden=[32], optimizer="sgd", lr=0.1,
                                       schedule="constant")
    for h in last.layers:
        weight_norm = h.weight_rms * np.sqrt({1: 784 * 32, 2: 32 * 10}[h.layer])
        assert h.update_ratio == pytest.approx(config.lr * h.grad_norm / weight_norm, rel=0.02)


def test_rising_loss_says_the_learning_rate_is_too_high(raw_mnist):
    _, fired, _, config = monitored_run(raw_mnist, every=1000, lr_jump=(40, 5.0), hidden=[64],
                                        activation="tanh", optimizer="sgd", lr=0.05, batch_size=32)
    assert set(fired) == {"loss_rising"}
    assert fired["loss_rising"].fix == {"lr": config.lr / 2}
    assert "learning rate too high" in fired["loss_rising"].message


def test_deep_sigmoid_with_tiny_weights_has_vanishing_gradients(raw_mnist):
    _, fired, last, _ = monitored_run(raw_mnist, hidden=[32, 32, 32], activation="sigmoid",
                                      init="normal", init_std=0.01, optimizer="sgd", lr=0.1,
                                      batch_size=32)
    assert "vanishing_gradients" in fired
    assert last.layers[0].grad_rms < last.layers[-1].grad_rms / 1000
    assert fired["vanishing_gradients"].fix == {"init": "xavier"}


def test_too_high_a_rate_kills_relu_units(raw_mnist):
    _, fired, last, _ = monitored_run(raw_mnist, hidden=[64], optimizer="sgd", lr=3.0,
                                      batch_size=32)
    finding = fired["dead_units"]
    assert last.layers[0].dead_fraction > 0.4
    assert f"{100 * last.layers[0].dead_fraction:.0f}% of layer 1's units are dead" in finding.message
    assert finding.fix["activation"] == "leaky_relu" and finding.layer == 1


def test_sigmoid_with_unit_normal_weights_saturates(raw_mnist):
    _, fired, last, _ = monitored_run(raw_mnist, hidden=[64], activation="sigmoid",
                                      init="normal", init_std=1.0, optimizer="sgd", lr=0.1,
                                      batch_size=32)
    assert last.layers[0].saturated_fraction > 0.4
    assert fired["saturated_units"].fix == {"init": "xavier"}


def test_a_small_training_set_overfits(raw_mnist):
    _, fired, _, _ = monitored_run(raw_mnist, every=1000, hidden=[256], train_subset=300,
                                   validation=1000, epochs=15, batch_size=32)
    assert set(fired) == {"overfitting"}
    assert fired["overfitting"].fix == {"dropout": 0.2}


def test_measuring_too_often_for_a_small_network_backs_off(raw_mnist):
    """Asked to measure every 2 batches of a tiny network, the monitor keeps to its time
    budget: far fewer measurements than batches / 2, taking about 2% of the time."""
    monitor, _, last, _ = monitored_run(raw_mnist, every=2, hidden=[16])
    assert last is not None and monitor.measurements >= 1
    assert monitor.measurements < monitor.batches / 4
    fixed, _, _, _ = monitored_run(raw_mnist, every=2, hidden=[16], budget=None)
    assert fixed.measurements == fixed.batches // 2  # no budget: exactly every 2 batches


REGISTERED = [(name, "classic") for name in OPTIMIZERS] + [("momentum", "averaged")]


@pytest.mark.parametrize("weight_decay", [0.0, 1e-3])
@pytest.mark.parametrize("optimizer, form", REGISTERED)
def test_reported_gradients_and_updates_are_the_steps(raw_mnist, optimizer, form, weight_decay):
    """For every registered optimiser, the gradient norm the monitor reports for a measured
    batch is the one computed afresh (loss_and_grads on a copy of the weights before the
    step, plus weight decay), and the update ratio is ||W after - W before|| / ||W after||:
    an optimiser that changed ``grads`` during ``step`` (folding lr or momentum into it)
    would break the first."""
    config = TrainConfig(hidden=[24, 12], activation="sigmoid", loss="mse", init="normal",
                         init_std=1.0, optimizer=optimizer, momentum_form=form,
                         lr=0.01 if optimizer == "adam" else 3.0, batch_size=10, epochs=1,
                         train_subset=600, validation=0, weight_decay=weight_decay)
    data = prepare(raw_mnist, config.data_spec())
    trainer = Trainer(config, data, evaluate_test=False)
    monitor = hl.HealthMonitor(data.X_train[:64], config, every=7, budget=None)
    seen = {}
    step = trainer._step

    def recording_step(xs, ys, lr):
        seen.update(before=trainer.model.clone(), xs=xs.copy(), ys=ys.copy())
        return step(xs, ys, lr)

    trainer._step = recording_step
    checked = 0
    for event in trainer.run():
        if not isinstance(event, BatchFinished):
            continue
        report = monitor.after_batch(trainer.model, event.loss,
                                     event.lr if trainer.optimizer.folds_learning_rate else 1.0)
        if report is None:
            continue
        before = seen["before"]
        before.loss_and_grads(seen["xs"], seen["ys"], config.loss)
        for h, dense, old in zip(report.layers, trainer.model.dense, before.dense):
            grad = old.dW.astype(np.float64) + weight_decay * old.W.astype(np.float64)
            assert h.grad_norm == pytest.approx(np.linalg.norm(grad), rel=1e-5, abs=1e-30)
            change = np.linalg.norm(dense.W.astype(np.float64) - old.W)
            assert h.update_ratio == pytest.approx(change / np.linalg.norm(dense.W), rel=1e-5)
        checked += 1
    assert checked >= 5


def test_norms_do_not_underflow_in_float32():
    model = build_mlp(784, [8], 10).initialize(np.random.default_rng(0))
    tiny = [np.full_like(W, 1e-25) for W in model.W]
    layers = hl.layer_health(model, np.zeros((4, 784), np.float32), tiny, tiny)
    for h, W in zip(layers, model.W):
        assert h.grad_norm == pytest.approx(1e-25 * np.sqrt(W.size), rel=1e-6)
        assert h.update_ratio > 0
    assert np.isnan(hl.layer_health(model, np.zeros((4, 784), np.float32), tiny,
                                    grad_scale=0.0)[0].grad_norm)


def test_rules_on_hand_made_numbers():
    config = TrainConfig(dropout=0.3, weight_decay=0.0)
    falling, rising = [2.0, 1.5, 1.2, 1.0, 0.9], [0.5, 0.6, 0.7, 0.8, 0.9]
    found = hl.check_overfitting(falling, rising, config)
    assert found.fix == {"weight_decay": 5e-4}
    assert hl.check_overfitting(falling, [0.5, 0.6, 0.55, 0.8, 0.9], config) is None
    assert hl.check_overfitting(falling, [0.5, None, 0.7, 0.8, 0.9], config) is None
    assert hl.check_loss_rising([1.0] * 25 + [1.05] * 25, config) is None
    assert hl.check_loss_rising([1.0] * 25 + [1.2] * 25, config).fix == {"lr": config.lr / 2}
    assert hl.check_loss_rising([1.0] * 25 + [float("nan")] * 25, config) is not None
    assert hl.check_loss_rising([1.0] * 10, config) is None


def test_bad_probe_batches_are_refused():
    model = build_mlp(784, [8], 10).initialize(np.random.default_rng(0))
    with pytest.raises(ConfigError, match="probe"):
        hl.layer_health(model, np.zeros((4, 100), np.float32))
    with pytest.raises(ConfigError, match="every"):
        hl.HealthMonitor(np.zeros((4, 784), np.float32), TrainConfig(), every=1)
    with pytest.raises(ConfigError, match="budget"):
        hl.HealthMonitor(np.zeros((4, 784), np.float32), TrainConfig(), budget=0.0)


def test_a_good_runs_late_batch_noise_is_not_a_rising_loss(raw_mnist):
    """The whole `fast` preset (2 epochs, 60,000 digits): its small late losses scatter by tens
    of percent from window to window, which is no reason to halve the learning rate."""
    _, fired, _, _ = monitored_run(raw_mnist, every=1000, epochs=2, train_subset=0)
    assert "loss_rising" not in fired


def test_a_rate_raised_by_hand_is_caught_and_the_fix_halves_the_new_rate(raw_mnist):
    """As in the window: the rate typed in during the run reaches the monitor too; the rise
    it causes is measured against the losses before it, and the fix halves the new rate."""
    config = PRESETS["fast"].config.updated(epochs=1, train_subset=3000, hidden=[64],
                                            activation="tanh", optimizer="sgd", lr=0.05,
                                            batch_size=32)
    data = prepare(raw_mnist, config.data_spec())
    trainer = Trainer(config, data)
    monitor = hl.HealthMonitor(data.X_train[:256], config, every=1000)
    fired = {}
    for event in trainer.run():
        if isinstance(event, BatchFinished):
            if event.batch == 40:
                trainer.set_learning_rate(5.0)
                monitor.set_learning_rate(5.0)
            monitor.after_batch(trainer.model, event.loss, 1.0)
        elif isinstance(event, EpochFinished):
            fired.update({f.rule: f for f in monitor.after_epoch(event.train_loss, event.val_loss)})
    assert fired["loss_rising"].fix == {"lr": 2.5}
    assert "5 -> 2.5" in fired["loss_rising"].fix_label


def test_health_reads_a_normalised_layer_after_its_normalisation(rng):
    """The pre-activation statistics are those of what the activation takes: with running
    statistics taken from the probe itself (momentum 1) they are standardised, although
    the dense layer's own outputs are far from it."""
    from mnist_gui.core.network import MLP, mlp_layers

    layers = mlp_layers([784, 30, 10], ["sigmoid", "softmax"], "batch")
    layers[1]["momentum"] = 1.0
    model = MLP.from_layers(layers, "softmax").initialize(rng, "normal", std=1.0, bias="normal")
    probe = rng.random((200, 784)).astype(np.float32) + 3.0
    model.forward(probe, training=True)  # running statistics <- the probe's (unbiased)
    first = hl.layer_health(model, probe)[0]
    assert first.normalization == "batch_norm"
    assert abs(first.preact_mean) < 1e-3 and first.preact_std == pytest.approx(1.0, abs=0.01)
    dense_out = probe @ model.W[0] + model.b[0]
    assert dense_out.std() > 10
