"""The trainer: its events, determinism, pause/resume/stop from another thread, divergence."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from mnist_gui.core.errors import ConfigError
from mnist_gui.core.training import (
    BatchFinished,
    EpochFinished,
    TrainConfig,
    Trainer,
    TrainingFinished,
    TrainingStarted,
)

QUICK = TrainConfig(hidden=[32], epochs=2, batch_size=100, lr=0.1, optimizer="momentum")


def events_of(trainer):
    return list(trainer.run())


def test_event_sequence_and_metrics(small_dataset):
    events = events_of(Trainer(QUICK, small_dataset))
    kinds = [type(e) for e in events]
    assert kinds[0] is TrainingStarted and kinds[-1] is TrainingFinished
    batches = [e for e in events if isinstance(e, BatchFinished)]
    epochs = [e for e in events if isinstance(e, EpochFinished)]
    assert len(batches) == 2 * 20 and len(epochs) == 2
    assert [b.batch for b in batches[:20]] == list(range(1, 21))
    assert events[-1].reason == "completed"
    last = epochs[-1]
    assert 0.8 < last.test_accuracy <= 1 and 0.8 < last.val_accuracy <= 1
    assert last.train_loss < epochs[0].train_loss
    assert last.weights[0].shape == (784, 32) and last.biases[1].shape == (10,)


def test_epoch_weights_are_copies(small_dataset):
    trainer = Trainer(QUICK.updated(epochs=1), small_dataset)
    epoch = next(e for e in trainer.run() if isinstance(e, EpochFinished))
    before = epoch.weights[0].copy()
    trainer.model.W[0][...] = 0
    np.testing.assert_array_equal(epoch.weights[0], before)


def test_the_history_keeps_each_epoch_without_its_weight_copies(small_dataset):
    """Every epoch's event carries a copy of the weights; the history kept for the whole
    run does not (it grew by one model per epoch)."""
    trainer = Trainer(QUICK, small_dataset)
    epochs = [e for e in trainer.run() if isinstance(e, EpochFinished)]
    assert all(e.weights is not None and e.biases is not None for e in epochs)
    assert [e.epoch for e in trainer.history] == [1, 2]
    assert all(e.weights is None and e.biases is None for e in trainer.history)
    assert [e.metrics() for e in trainer.history] == [e.metrics() for e in epochs]
    np.testing.assert_array_equal(trainer.history[-1].test_p_true, epochs[-1].test_p_true)


def test_same_seed_same_result(small_dataset):
    a = Trainer(QUICK, small_dataset)
    b = Trainer(QUICK, small_dataset)
    a.train(), b.train()
    np.testing.assert_array_equal(a.model.params, b.model.params)
    c = Trainer(QUICK.updated(seed=1), small_dataset)
    c.train()
    assert not np.array_equal(a.model.params, c.model.params)


def test_full_batch_and_fixed_order(small_dataset):
    trainer = Trainer(QUICK.updated(batch_size=0, shuffle=False, epochs=3), small_dataset)
    events = events_of(trainer)
    assert sum(isinstance(e, BatchFinished) for e in events) == 3


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_every_optimizer_and_activation_learns(small_dataset, optimizer, activation):
    lr = 0.01 if optimizer == "adam" else 0.1 if optimizer != "sgd" else 0.5
    cfg = QUICK.updated(optimizer=optimizer, activation=activation, lr=lr, init="xavier")
    trainer = Trainer(cfg, small_dataset)
    trainer.train()
    assert trainer.history[-1].test_accuracy > 0.75


def test_dropout_weight_decay_and_schedules_run(small_dataset):
    cfg = QUICK.updated(dropout=0.3, weight_decay=1e-3, schedule="cosine", warmup_epochs=0.5)
    trainer = Trainer(cfg, small_dataset)
    assert trainer.train().reason == "completed"
    assert trainer.history[-1].test_accuracy > 0.75
    assert trainer.history[-1].lr < 0.01  # cosine ends near zero


def test_binary_task(raw_mnist):
    from mnist_gui.core.data import prepare

    cfg = TrainConfig(hidden=[10, 5], activation="sigmoid", loss="bce", digits=[8, 7],
                      validation=400, train_subset=2000, epochs=3, lr=0.5, optimizer="momentum")
    ds = prepare(raw_mnist, cfg.data_spec())
    trainer = Trainer(cfg, ds)
    trainer.train()
    assert trainer.model.layer_sizes == [784, 10, 5, 1] and trainer.model.classes == [8, 7]
    assert trainer.history[-1].val_accuracy > 0.95


def test_stop_from_another_thread(small_dataset):
    trainer = Trainer(QUICK.updated(epochs=1000), small_dataset)
    seen = 0
    for event in trainer.run():
        if isinstance(event, BatchFinished):
            seen += 1
            if seen == 5:
                t = threading.Thread(target=trainer.stop)
                t.start()
                t.join()
        final = event
    assert isinstance(final, TrainingFinished) and final.reason == "stopped"
    assert seen == 5


def test_pause_blocks_until_resume_and_stop_wakes_a_paused_loop(small_dataset):
    trainer = Trainer(QUICK.updated(epochs=1000), small_dataset)
    events = trainer.run()
    next(events)  # started
    next(events)  # first batch
    trainer.pause()
    batch_done = threading.Event()
    results = []

    def consume():
        results.append(next(events))  # blocks while paused
        batch_done.set()

    consumer = threading.Thread(target=consume)
    consumer.start()
    assert not batch_done.wait(0.3), "a paused trainer must not run batches"
    trainer.resume()
    assert batch_done.wait(5)
    consumer.join()
    assert isinstance(results[0], BatchFinished)
    trainer.pause()
    stopper = threading.Timer(0.05, trainer.stop)
    stopper.start()
    final = list(events)[-1]  # the paused loop must wake on stop
    assert final.reason == "stopped"


def test_paused_time_is_not_training_time(small_dataset):
    """samples/s and epoch times must not drop because a person paused to look."""
    trainer = Trainer(QUICK.updated(epochs=1), small_dataset)
    started = time.perf_counter()
    events = trainer.run()
    next(events), next(events)  # started, first batch
    trainer.pause()
    threading.Timer(0.6, trainer.resume).start()
    rest = list(events)
    wall = time.perf_counter() - started
    epoch = next(e for e in rest if isinstance(e, EpochFinished))
    last_batch = [e for e in rest if isinstance(e, BatchFinished)][-1]
    assert trainer.paused_seconds >= 0.55  # what the GUI takes off its ETA
    # a margin measured in this run, not a fixed time: however loaded the machine, the
    # epoch's time is the wall clock without the pause
    assert epoch.train_seconds <= wall - trainer.paused_seconds + 0.05
    assert last_batch.elapsed <= wall - trainer.paused_seconds + 0.05


def test_live_learning_rate_change(small_dataset):
    trainer = Trainer(QUICK.updated(epochs=1), small_dataset)
    lrs = []
    for event in trainer.run():
        if isinstance(event, BatchFinished):
            lrs.append(event.lr)
            if event.batch == 3:
                trainer.set_learning_rate(0.01)
    assert lrs[:3] == [0.1] * 3 and lrs[3:] == [0.01] * (len(lrs) - 3)
    with pytest.raises(ConfigError):
        trainer.set_learning_rate(float("nan"))


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adam"])
def test_divergence_stops_with_epoch_and_batch_and_keeps_finite_weights(small_dataset, optimizer):
    lr = 1e4 if optimizer == "adam" else 100.0
    cfg = QUICK.updated(lr=lr, optimizer=optimizer, hidden=[64, 64], activation="leaky_relu")
    trainer = Trainer(cfg, small_dataset)
    final = list(trainer.run())[-1]
    assert final.reason == "diverged"
    assert "epoch 1, batch" in final.message and "lower learning rate" in final.message
    assert np.isfinite(trainer.model.params).all()


def test_a_batch_that_overflows_ends_the_run_with_the_last_finite_weights(small_dataset):
    """One guard: a non-finite loss stops the run, the update is not applied, and weights
    that are no longer finite go back to the last epoch's end."""
    trainer = Trainer(QUICK.updated(optimizer="momentum", epochs=2), small_dataset)
    events = trainer.run()
    for event in events:
        if isinstance(event, EpochFinished):
            break
    after_epoch_1 = trainer.model.params.copy()
    for event in events:
        if isinstance(event, BatchFinished) and event.batch == 3:
            break
    trainer.model.W[-1][0, 0] = np.float32(np.inf)  # the next batch's loss is not finite
    final = list(events)[-1]
    assert final.reason == "diverged" and "epoch 2, batch 4/" in final.message
    assert "end of epoch 1" in final.message
    np.testing.assert_array_equal(trainer.model.params, after_epoch_1)


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"lr": float("nan")}, r"Learning rate \(lr\): must be a finite number"),
        ({"lr": 0.0}, r"Learning rate \(lr\): 0 is out of range \(expected > 0"),
        ({"lr": -1.0}, "lr"),
        ({"batch_size": -1}, "batch_size"),
        ({"hidden": [0]}, r"Hidden layers \(hidden\): 0 is out of range"),
        ({"hidden": [-5, 3]}, r"Hidden layers \(hidden\): -5 is out of range"),
        ({"activation": "swish"}, r"Activation \(activation\): unknown 'swish'"),
        ({"epochs": 0}, "epochs"),
        ({"dropout": 1.0}, "dropout"),
        ({"loss": "bce"}, "needs a digit subset of exactly 2 digits"),
        ({"hidden": [16384, 16384, 16384]}, "parameters"),
    ],
)
def test_invalid_configs_name_the_field(changes, message):
    with pytest.raises(ConfigError, match=message):
        TrainConfig().updated(**changes).check()


def test_batch_larger_than_the_data_is_refused(small_dataset):
    with pytest.raises(ConfigError, match=r"\(batch_size\): 5000 is larger than the 2,000"):
        Trainer(QUICK.updated(batch_size=5000), small_dataset)


def test_memory_estimate_grows_with_the_network():
    small = TrainConfig(hidden=[32]).memory_estimate()
    big = TrainConfig(hidden=[2048, 2048]).memory_estimate()
    assert 0 < small < big
    # 784*2048 + 2048*2048 + 2048*10 weights, 4 bytes, params+grads+velocity+... >= 3 copies
    assert big > 3 * 4 * (784 * 2048 + 2048 * 2048)


def test_per_layer_activations(small_dataset):
    cfg = QUICK.updated(hidden=[32, 16], hidden_activations=["tanh", "relu"])
    trainer = Trainer(cfg, small_dataset)
    assert trainer.model.activations == ["tanh", "relu", "softmax"]
    with pytest.raises(ConfigError, match="2 names for 1 hidden layers"):
        QUICK.updated(hidden_activations=["tanh", "relu"]).check()


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_sigmoid_and_tanh_learn_with_dropout(raw_mnist, activation):
    """The configuration that trained to chance (11%) when the activation's derivative was
    read from the buffer dropout had zeroed: one epoch on all of MNIST must pass 90%."""
    from mnist_gui.core.data import prepare

    cfg = TrainConfig(hidden=[256], activation=activation, dropout=0.5, init="xavier",
                      optimizer="momentum", lr=0.1, epochs=1, seed=0)
    trainer = Trainer(cfg, prepare(raw_mnist, cfg.data_spec()))
    assert trainer.train().reason == "completed"
    assert trainer.history[-1].test_accuracy > 0.90


def test_controls_made_before_the_trainer_are_the_trainers(small_dataset):
    """A run can be paused or given a learning rate before it starts (the GUI does so while
    data loads); the state lives in one object."""
    from mnist_gui.core.training import TrainingControls

    controls = TrainingControls()
    controls.set_learning_rate(0.05)
    controls.stop()
    trainer = Trainer(QUICK, small_dataset, controls=controls)
    assert trainer.base_lr == 0.05 and trainer.controls is controls
    events = list(trainer.run())
    assert events[-1].reason == "stopped" and not any(isinstance(e, BatchFinished) for e in events)


def test_checking_a_config_does_not_depend_on_the_machine(monkeypatch):
    import mnist_gui.core.config as config

    monkeypatch.setattr(config, "available_memory", lambda: 1)  # a machine with no memory
    TrainConfig(hidden=[2048, 2048]).check()  # the settings are valid
    with pytest.raises(ConfigError, match="GB of memory is available"):
        config.check_memory(TrainConfig(hidden=[2048, 2048]), 60_000)


def _blas_threads():
    from threadpoolctl import threadpool_info

    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


@pytest.mark.parametrize("batch_size,limited", [(8, True), (100, False)])
def test_small_gemms_run_on_one_blas_thread_and_the_limit_is_lifted(
    small_dataset, batch_size, limited
):
    before = _blas_threads()
    trainer = Trainer(QUICK.updated(batch_size=batch_size, epochs=1), small_dataset)
    during = [_blas_threads() for e in trainer.run() if isinstance(e, BatchFinished)][:3]
    assert during == ([1] * 3 if limited else [before] * 3)
    assert _blas_threads() == before


# ------------------------------------------------- a given model must match the data


def _model_for(dataset, classes=None, input_mean=None, input_std=None):
    from mnist_gui.core.network import build_mlp

    classes = dataset.classes if classes is None else classes
    model = build_mlp(dataset.n_features, [16], len(classes), classes=classes,
                      input_mean=dataset.input_mean if input_mean is None else input_mean,
                      input_std=dataset.input_std if input_std is None else input_std)
    return model.initialize(np.random.default_rng(0))


def test_a_model_of_other_classes_than_the_data_is_refused(small_dataset):
    seven_or_eight = _model_for(small_dataset, classes=[7, 8])
    with pytest.raises(ConfigError, match=r"classes \[7, 8\].*classes \[0, 1, 2"):
        Trainer(QUICK, small_dataset, model=seven_or_eight)


def test_a_model_of_the_same_classes_in_another_order_is_refused(small_dataset):
    reversed_classes = _model_for(small_dataset, classes=list(range(9, -1, -1)))
    with pytest.raises(ConfigError, match="another order"):
        Trainer(QUICK, small_dataset, model=reversed_classes)


def test_a_model_that_scales_its_inputs_otherwise_than_the_data_is_refused(small_dataset):
    standardised = _model_for(small_dataset, input_mean=0.1307, input_std=0.3081)
    with pytest.raises(ConfigError, match=r"0\.1307.*0\.3081.*mean 0 and std 1"):
        Trainer(QUICK, small_dataset, model=standardised)


def test_a_model_that_matches_the_data_up_to_rounding_is_trained(small_dataset):
    close = _model_for(small_dataset, input_mean=small_dataset.input_mean + 1e-9,
                       input_std=small_dataset.input_std * (1 + 1e-9))
    assert Trainer(QUICK.updated(epochs=1), small_dataset, model=close).train().reason == "completed"


def test_a_standardised_run_continues_on_data_prepared_from_its_own_settings(tmp_path, raw_mnist):
    from mnist_gui.core.data import prepare
    from mnist_gui.core.runs import RunStore

    config = QUICK.updated(standardize=True, train_subset=1000, epochs=2)
    data = prepare(raw_mnist, config.data_spec())
    assert data.input_mean != 0
    store = RunStore(tmp_path)
    trainer = Trainer(config, data)
    recorder = store.start(trainer)
    for event in trainer.run():
        recorder.record(event)
    continued = store.resume_trainer(recorder.id, 1, prepare(raw_mnist, config.data_spec()))
    assert continued.train().reason == "completed"
    # the form's settings (not standardised) give data the run's model cannot be trained on
    with pytest.raises(ConfigError, match="scales its inputs"):
        store.resume_trainer(recorder.id, 1, prepare(raw_mnist, QUICK.data_spec()),
                             QUICK.updated(epochs=2))


def test_only_the_trainer_sets_blas_thread_limits_in_core():
    """threadpoolctl's limits are process-wide: set from a helper thread, they would drop
    a run on another thread to one BLAS thread. In core only the trainer (on the training
    thread) sets them."""
    from pathlib import Path

    import mnist_gui.core

    setters = sorted(path.name for path in Path(mnist_gui.core.__file__).parent.glob("*.py")
                     if "threadpool_limits" in path.read_text())
    assert setters == ["training.py"]
