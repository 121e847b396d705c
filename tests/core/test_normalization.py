"""Normalisation in a network: trained by the trainer, decayed only when asked, inference
independent of the batch, and the layers' state kept with the weights."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.config import TrainConfig
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.network import MLP, build_mlp
from mnist_gui.core.training import Trainer


def _norm_layers(model):
    return [layer for block in model.blocks for layer in block.transforms]


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_a_normalised_network_trains_and_its_layers_learn(small_dataset, normalization):
    config = TrainConfig(hidden=[32, 32], activation="sigmoid", init="xavier",
                         normalization=normalization, optimizer="momentum", lr=0.1,
                         batch_size=50, epochs=2, seed=3)
    trainer = Trainer(config, small_dataset)
    assert trainer.train().reason == "completed"
    assert trainer.model.normalization == normalization
    assert trainer.history[-1].test_accuracy > 0.8  # 0.66 without normalisation
    for layer in _norm_layers(trainer.model):
        assert not np.allclose(layer.gamma, 1) and not np.allclose(layer.beta, 0)
        if normalization == "batch":
            assert not np.allclose(layer.state["running_mean"], 0)


@pytest.mark.parametrize("decay_norm", [False, True])
def test_weight_decay_reaches_the_normalisation_only_when_asked(small_dataset, decay_norm):
    """Same seed, same data: with a large decay the scales come out smaller only if the
    setting includes them, and the weights are decayed either way."""
    base = dict(hidden=[16], normalization="batch", optimizer="sgd", lr=0.1, batch_size=100,
                epochs=1, seed=1, train_subset=500)
    plain = Trainer(TrainConfig(**base), small_dataset)
    plain.train()
    decayed = Trainer(TrainConfig(**base, weight_decay=0.5, norm_weight_decay=decay_norm),
                      small_dataset)
    decayed.train()
    gamma_plain = _norm_layers(plain.model)[0].gamma
    gamma_decayed = _norm_layers(decayed.model)[0].gamma
    assert np.linalg.norm(decayed.model.W[0]) < 0.9 * np.linalg.norm(plain.model.W[0])
    smaller = np.linalg.norm(gamma_decayed) < 0.9 * np.linalg.norm(gamma_plain)
    assert smaller == decay_norm


def test_batch_norm_inference_does_not_depend_on_the_batch(rng):
    model = build_mlp(784, [20], 10, normalization="batch").initialize(rng)
    X = rng.random((64, 784), dtype=np.float32)
    model.loss_and_grads(X, rng.integers(0, 10, 64), "ce")  # moves the running statistics
    together = model.logits(X)
    np.testing.assert_allclose(model.logits(X[5:6]), together[5:6], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("normalization", ["batch", "layer"])
def test_a_clone_carries_weights_and_running_statistics(rng, normalization):
    model = build_mlp(784, [20, 10], 10, normalization=normalization).initialize(rng)
    X = rng.random((32, 784), dtype=np.float32)
    model.loss_and_grads(X, rng.integers(0, 10, 32), "ce")
    model.params[...] = rng.standard_normal(model.params.shape)
    other = model.clone(np.float64)
    np.testing.assert_allclose(other.logits(X), model.logits(X), rtol=1e-4, atol=1e-4)
    model.state[...] += 1  # the copy's state is its own
    assert model.state.size == 0 or not np.allclose(other.state, model.state)


def test_the_layer_list_rejects_a_normalisation_after_the_output():
    layers = [{"kind": "dense", "fan_in": 4, "fan_out": 3}, {"kind": "batch_norm", "size": 3}]
    with pytest.raises(ConfigError, match="last layer must be a dense layer"):
        MLP.from_layers(layers, "softmax")


def test_a_layer_list_with_a_width_that_does_not_chain_is_refused():
    layers = [{"kind": "dense", "fan_in": 4, "fan_out": 3}, {"kind": "batch_norm", "size": 5},
              {"kind": "relu"}, {"kind": "dense", "fan_in": 3, "fan_out": 2}]
    with pytest.raises(ConfigError, match="layer 2 \\(batch_norm\\)"):
        MLP.from_layers(layers, "softmax")
