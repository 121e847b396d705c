"""The README's "How the engine is built" example runs as printed: a new activation and a
new optimiser, each one class and a registration, usable from a config at once."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from mnist_gui.core import layers, optim
from mnist_gui.core.config import SETTINGS_BY_NAME, TrainConfig
from mnist_gui.core.training import Trainer

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_example_adds_a_layer_and_an_optimiser(small_dataset):
    section = README.read_text().split("### How the engine is built", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    try:
        exec(compile(code, "README.md", "exec"), {})
        assert "softplus" in SETTINGS_BY_NAME["activation"].choice_labels()
        assert "signsgd" in SETTINGS_BY_NAME["optimizer"].choice_labels()
        softplus = layers.make_activation("softplus")
        rng = np.random.default_rng(0)
        z, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 4))
        softplus.forward(z)
        np.testing.assert_allclose(softplus.backward(dout), dout / (1 + np.exp(-z)), rtol=1e-6)
        config = TrainConfig(hidden=[32], activation="softplus", optimizer="signsgd", lr=1e-3,
                             init="xavier", epochs=1, batch_size=50)
        trainer = Trainer(config, small_dataset)
        assert trainer.train().reason == "completed"
        assert trainer.history[-1].test_accuracy > 0.7
    finally:
        layers.ACTIVATION_TYPES.pop("softplus", None)
        layers.LAYER_TYPES.pop("softplus", None)
        optim.OPTIMIZER_TYPES.pop("signsgd", None)
