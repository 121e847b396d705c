"""The personal digit set: kept, pruned, exported as IDX, and used to fine-tune."""

from __future__ import annotations

import numpy as np
import pytest

from mnist_gui.core.data import read_idx
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.personal import PERSONAL_SHARE, PersonalDigits
from mnist_gui.core.training import TrainConfig, Trainer


def four(raw_mnist):
    return raw_mnist.test_images[raw_mnist.test_labels == 4][:20].reshape(-1, 28, 28) / 255


def test_digits_are_kept_pruned_and_exported_as_idx(tmp_path, raw_mnist):
    digits = PersonalDigits(tmp_path)
    for image in four(raw_mnist)[:3]:
        digits.add(image, 4)
    digits.add(four(raw_mnist)[3], 7)
    again = PersonalDigits(tmp_path)
    assert len(again) == 4 and list(again.labels) == [4, 4, 4, 7]
    again.remove([1])
    images_path, labels_path = PersonalDigits(tmp_path).export_idx(tmp_path / "idx")
    images, labels = read_idx(images_path), read_idx(labels_path)
    assert images.shape == (3, 28, 28) and list(labels) == [4, 4, 7]
    np.testing.assert_array_equal(images[0], np.round(four(raw_mnist)[0] * 255))
    with pytest.raises(ConfigError, match="label is 0-9"):
        digits.add(four(raw_mnist)[0], 12)
    with pytest.raises(ConfigError, match="28x28"):
        digits.add(np.zeros((5, 5)), 1)


def test_fine_tuning_on_personal_digits_raises_their_accuracy(tmp_path, raw_mnist, small_dataset):
    """Digits the model gets wrong, labelled by hand: after fine-tuning on MNIST plus them
    (repeated to PERSONAL_SHARE of the data) the model gets them right."""
    config = TrainConfig(hidden=[32], epochs=1, batch_size=100)
    trainer = Trainer(config, small_dataset)
    trainer.train()
    digits = PersonalDigits(tmp_path)
    rng = np.random.default_rng(0)
    for image in four(raw_mnist):  # fours, relabelled as nines: a "personal" handwriting
        digits.add(np.clip(image + rng.normal(0, 0.05, image.shape), 0, 1), 9)
    X, y = digits.as_test_set(trainer.model.classes, trainer.model.input_mean, trainer.model.input_std)
    before = np.mean(trainer.model.predict_index(X) == y)
    mixed = digits.training_set_with(small_dataset)
    added = len(mixed.y_train) - len(small_dataset.y_train)
    assert added / len(mixed.y_train) == pytest.approx(PERSONAL_SHARE, abs=0.01)
    tuned = Trainer(config.updated(epochs=2), mixed, model=trainer.model.clone())
    tuned.train()
    after = np.mean(tuned.model.predict_index(X) == y)
    assert before <= 0.5 and after >= 0.9 and after - before >= 0.4


def test_fine_tuning_data_is_built_for_the_model_whatever_the_form_says(tmp_path, raw_mnist):
    """A 7-vs-8 model trained on standardised inputs, fine-tuned while the settings form
    says "all digits, not standardised": the fine-tuning set has the model's classes and
    scaling (the form's data would be refused by the trainer)."""
    from mnist_gui.core.data import DataSpec, prepare

    config = TrainConfig(hidden=[16], epochs=1, batch_size=100, digits=[7, 8], standardize=True,
                         train_subset=1000)
    trainer = Trainer(config, prepare(raw_mnist, config.data_spec()))
    trainer.train()
    model = trainer.model
    digits = PersonalDigits(tmp_path)
    for image in four(raw_mnist)[:5]:
        digits.add(image, 7)
    form = DataSpec(train_subset=2000)
    with pytest.raises(ConfigError, match="classes"):
        Trainer(config, digits.training_set_with(prepare(raw_mnist, form)), model=model.clone())
    tuning = digits.fine_tuning_set(raw_mnist, form, model)
    assert tuning.classes == [7, 8]
    assert (tuning.input_mean, tuning.input_std) == (model.input_mean, model.input_std)
    X, _ = digits.as_test_set(model.classes, model.input_mean, model.input_std)
    np.testing.assert_array_equal(tuning.X_train[-1], X[-1])  # the personal digits, scaled alike
    tuned = Trainer(config, tuning, model=model.clone())
    assert tuned.train().reason == "completed"
