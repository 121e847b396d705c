"""One model read by several threads at once: inference and attributions are re-entrant.

Every thread calls the model with its own inputs and batch sizes, all threads together
(a barrier starts each round), and every result must equal the serial one bit for bit.
A training step on another thread must not disturb inference, nor inference the step.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from mnist_gui.core import explain as ex
from mnist_gui.core.data import Dataset
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.layers import Dropout
from mnist_gui.core.network import MLP
from mnist_gui.core.training import BatchFinished, TrainConfig, Trainer

THREADS = 4
ROUNDS = 12
#: threads 0-1 and 2-3 use the same batch size in a round (the same shape is what today's
#: per-shape buffers share), and every thread goes through every size
BATCH_SIZES = (1, 7, 64, 200)


def _model(dropout: float = 0.0, normalization: str = "none") -> MLP:
    """784-64-32-10, ReLU then tanh (whose derivative needs a temporary), two units scaled;
    with a normalisation, one training step has moved its running statistics."""
    model = MLP([784, 64, 32, 10], ["relu", "tanh", "softmax"], dropout=dropout,
                normalization=normalization)
    model.initialize(np.random.default_rng(0), "he")
    if normalization != "none":
        model.params[...] += np.random.default_rng(1).standard_normal(model.params.shape) * 0.01
        model.loss_and_grads(_images(99, 32), np.arange(32) % 10, "ce")
    model.set_unit_scale(0, 3, 0.0)
    model.set_unit_scale(1, 5, 2.0)
    return model


def _images(seed: int, n: int = max(BATCH_SIZES)) -> np.ndarray:
    """(n, 784) images in [0, 1], different for every seed."""
    return np.random.default_rng(seed).random((n, 784)).astype(np.float32)


def _inference(model: MLP, images: np.ndarray, batch: int) -> dict[str, object]:
    """Everything read-only a view asks of a model, for the first ``batch`` images."""
    X = ex.standardise(model, images[:batch])
    values, grads = ex.output_and_gradient(model, images[:batch], target=2, output="probability")
    image = images[0].reshape(28, 28)
    return {
        "proba": model.predict_proba(X),
        "index": model.predict_index(X),
        "layers": model.layer_outputs(X),
        "last hidden": model.layer_output(X, 1),
        "logits": model.logits(X, chunk=5),
        "forward": model.forward(X),
        "values": values,
        "grads": grads,
        "gradient": ex.attribute(model, image, "gradient").attributions,
        "integrated": ex.attribute(model, image, "integrated-gradients", steps=9).attributions,
        "seen": ex.forward(model, image).activations,
    }


def _assert_same(result: dict[str, object], expected: dict[str, object], where: str) -> None:
    for key, want in expected.items():
        got = result[key]
        if isinstance(want, list):
            assert len(got) == len(want), f"{where}: {key}"
            for i, (a, b) in enumerate(zip(got, want)):
                assert np.array_equal(a, b), f"{where}: {key}[{i}] differs from the serial result"
        else:
            assert np.array_equal(got, want), f"{where}: {key} differs from the serial result"


def _batch(thread: int, round_: int) -> int:
    return BATCH_SIZES[(round_ + thread // 2) % len(BATCH_SIZES)]


def _run_together(work, n_threads: int) -> list[object]:  # noqa: ANN001
    """``work(thread, barrier)`` on ``n_threads`` threads started together; their results."""
    barrier = threading.Barrier(n_threads, timeout=60)

    def guarded(thread: int) -> object:
        try:
            return work(thread, barrier)
        except BaseException:
            barrier.abort()  # the others must not wait for a thread that is gone
            raise

    with ThreadPoolExecutor(n_threads) as pool:
        futures = [pool.submit(guarded, t) for t in range(n_threads)]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:  # the thread that failed, not one it left waiting at the barrier
        raise next((e for e in errors if not isinstance(e, threading.BrokenBarrierError)),
                   errors[0])
    return [f.result() for f in futures]


@pytest.mark.parametrize("normalization", ["none", "batch", "layer"])
def test_four_threads_reading_one_model_get_the_serial_results(normalization):
    model = _model(normalization=normalization)
    images = [_images(seed) for seed in range(THREADS)]
    serial = {(t, b): _inference(model, images[t], b) for t in range(THREADS) for b in BATCH_SIZES}

    def work(thread: int, barrier: threading.Barrier) -> int:
        for round_ in range(ROUNDS):
            barrier.wait()
            batch = _batch(thread, round_)
            result = _inference(model, images[thread], batch)
            _assert_same(result, serial[thread, batch], f"thread {thread}, batch {batch}")
        return ROUNDS

    assert _run_together(work, THREADS) == [ROUNDS] * THREADS


def test_inference_during_training_steps_on_the_same_model():
    """Training steps (no update: the weights stay put) on one thread while three threads
    read the model: the readers get what a clone at those weights gives, and the step gets
    the gradients it gets alone. Dropout is on, with a fixed mask, so the step is fixed."""
    model = _model(dropout=0.5)
    rng = np.random.default_rng(1)
    X_train = rng.standard_normal((32, 784)).astype(np.float32)
    y_train = rng.integers(0, 10, 32)
    for layer in model.layers:
        if isinstance(layer, Dropout):
            width = model.layers[model.layers.index(layer) - 2].fan_out
            layer.fixed_mask = (rng.random((32, width)) < 0.5) * 2.0
    loss_alone, _ = model.loss_and_grads(X_train, y_train, "ce")
    grads_alone = model.grads.copy()
    clone = model.clone()
    images = [_images(seed) for seed in range(1, THREADS)]
    serial = {(t, b): _inference(clone, images[t - 1], b)
              for t in range(1, THREADS) for b in BATCH_SIZES}

    def work(thread: int, barrier: threading.Barrier) -> int:
        for round_ in range(ROUNDS):
            barrier.wait()
            if thread == 0:
                for _ in range(5):
                    loss, _ = model.loss_and_grads(X_train, y_train, "ce")
                    assert loss == loss_alone
                    assert np.array_equal(model.grads, grads_alone), "a read changed the step"
            else:
                batch = _batch(thread, round_)
                result = _inference(model, images[thread - 1], batch)
                _assert_same(result, serial[thread, batch], f"thread {thread}, batch {batch}")
        return ROUNDS

    assert _run_together(work, THREADS) == [ROUNDS] * THREADS


def test_inference_during_a_training_run_leaves_the_training_buffers_alone():
    """A real run (weights change under the readers, so no exact answer to compare with):
    reading never raises, gives finite results, and the run's reused arrays are the same
    objects afterwards, none added for the readers' batch sizes."""
    rng = np.random.default_rng(2)
    n = 800
    X = rng.standard_normal((n, 784)).astype(np.float32)
    y = rng.integers(0, 10, n)
    data = Dataset(X, y, X[:0], y[:0], X[:100], y[:100], list(range(10)))
    config = TrainConfig(hidden=[64, 32], epochs=3, batch_size=100, lr=0.05, dropout=0.3)
    trainer = Trainer(config, data, copy_weights_each_epoch=False, evaluate_test=False)
    model = trainer.model
    events = trainer.run()
    next(e for e in events if isinstance(e, BatchFinished))  # the step's arrays now exist
    buffers = {(i, key): id(array) for i, layer in enumerate(model.layers)
               for key, array in layer._scratch.items()}
    images = [_images(seed) for seed in range(1, THREADS)]

    def work(thread: int, barrier: threading.Barrier) -> int:
        barrier.wait()
        if thread == 0:
            return sum(1 for _ in events)
        for round_ in range(ROUNDS):
            batch = BATCH_SIZES[(round_ + thread) % len(BATCH_SIZES)] + 3  # never 100
            X_read = ex.standardise(model, images[thread - 1][:batch])
            assert np.isfinite(model.predict_proba(X_read)).all()
            assert all(np.isfinite(a).all() for a in model.layer_outputs(X_read))
            assert np.isfinite(ex.attribute(model, images[thread - 1][0].reshape(28, 28))
                               .attributions).all()
        return ROUNDS

    _run_together(work, THREADS)
    after = {(i, key): id(array) for i, layer in enumerate(model.layers)
             for key, array in layer._scratch.items()}
    assert after == buffers


def test_inference_draws_no_dropout_mask():
    """Dropout is for training only: a model with dropout layers infers as its clone without
    them, and its noise generator is not drawn from."""
    model = _model(dropout=0.5)
    noise = np.random.default_rng(3)
    model.set_noise_rng(noise)
    state = noise.bit_generator.state
    X = ex.standardise(model, _images(4, 50))
    clone = model.clone()
    assert np.array_equal(model.predict_proba(X), clone.predict_proba(X))
    assert np.array_equal(model.forward(X, training=False), clone.forward(X))
    for a, b in zip(model.layer_outputs(X), clone.layer_outputs(X)):
        assert np.array_equal(a, b)
    assert noise.bit_generator.state == state


@pytest.mark.parametrize("chunk", [1, 3, 1000])
def test_chunked_inference_equals_one_pass(chunk):
    model = _model()
    X = ex.standardise(model, _images(5, 20))
    assert np.allclose(model.logits(X, chunk=chunk), model.logits(X), rtol=1e-5, atol=1e-6)
    whole = model.layer_outputs(X)
    for layer, (part, one) in enumerate(zip(model.layer_outputs(X, chunk=chunk), whole)):
        assert np.allclose(part, one, rtol=1e-5, atol=1e-6)
        assert np.allclose(model.layer_output(X, layer, chunk=chunk), one, rtol=1e-5, atol=1e-6)
    with pytest.raises(ConfigError, match="layer 3 does not exist"):
        model.layer_output(X, 3)


def test_inference_leaves_its_input_alone():
    """Activations may be computed in place, but only over arrays the pass made itself."""
    model = _model(dropout=0.5)
    X = ex.standardise(model, _images(6, 30))
    before = X.copy()
    model.predict_proba(X), model.layer_outputs(X), model.layer_output(X, 0)
    model.forward(X), model.logits(X, chunk=7), model.input_gradient(X, np.ones((30, 10)))
    assert np.array_equal(X, before)
