"""Your own digits: a personal set kept beside the runs, to fine-tune a model on.

Stored in ``<home>/personal/digits.npz`` (uint8 images (N, 28, 28) as the network gets them,
after MNIST-style preprocessing, and uint8 labels), rewritten atomically on every change.
Exported as MNIST-format IDX files, so any MNIST tool (and ``--data``) can read them.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np

from .data import Dataset, DataSpec, RawMnist, idx_bytes, prepare
from .errors import ConfigError
from .model_file import write_npz_atomically
from .network import MLP
from .runs import default_home

#: Each personal digit is repeated so that the personal set makes up about this fraction of
#: every training epoch: 50 digits among MNIST's 60,000 are then seen ~60 times each and
#: matter, instead of being 0.08% of the data.
PERSONAL_SHARE = 0.05


class PersonalDigits:
    """The personal set under ``home`` (default: the run store's home)."""

    def __init__(self, home: str | Path | None = None) -> None:
        self.path = Path(home if home is not None else default_home()) / "personal" / "digits.npz"
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.labels = np.zeros(0, np.uint8)
        if self.path.exists():
            try:
                with np.load(self.path, allow_pickle=False) as npz:
                    images, labels = npz["images"], npz["labels"]
            except (OSError, ValueError, KeyError) as exc:
                raise ConfigError(f"{self.path}: cannot read the personal digits ({exc})") from None
            if images.shape[1:] != (28, 28) or len(images) != len(labels) or labels.max(initial=0) > 9:
                raise ConfigError(f"{self.path}: not a personal digit set")
            self.images, self.labels = images.astype(np.uint8), labels.astype(np.uint8)

    def __len__(self) -> int:
        return len(self.labels)

    def snapshot(self) -> PersonalDigits:
        """A copy that later adds and removes do not change: what a worker thread reads
        (it read the set several times while Keep and Remove went on changing it)."""
        copy = object.__new__(PersonalDigits)
        copy.path = self.path
        copy.images, copy.labels = self.images.copy(), self.labels.copy()
        return copy

    def outside(self, classes: list[int]) -> dict[int, int]:
        """How many digits of each label that is not one of ``classes`` (a model's)."""
        skipped = self.labels[~np.isin(self.labels, classes)]
        values, counts = np.unique(skipped, return_counts=True)
        return {int(v): int(c) for v, c in zip(values, counts)}

    def add(self, image28: np.ndarray, label: int) -> int:
        """Keep a 28x28 image in [0, 1] (as the network gets it) labelled ``label``;
        returns its index."""
        image = np.asarray(image28, np.float64)
        if image.shape != (28, 28) or not np.isfinite(image).all():
            raise ConfigError(f"a personal digit is a 28x28 image, got shape {image.shape}")
        if not (isinstance(label, (int, np.integer)) and 0 <= int(label) <= 9):
            raise ConfigError(f"a digit's label is 0-9, got {label!r}")
        pixels = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
        self.images = np.concatenate([self.images, pixels[None]])
        self.labels = np.append(self.labels, np.uint8(label))
        self._save()
        return len(self) - 1

    def remove(self, indices: list[int]) -> None:
        keep = np.ones(len(self), bool)
        keep[[i for i in indices if 0 <= i < len(self)]] = False
        self.images, self.labels = self.images[keep], self.labels[keep]
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_npz_atomically(self.path, {"images": self.images, "labels": self.labels})

    def export_idx(self, folder: str | Path) -> list[Path]:
        """personal-images-idx3-ubyte and personal-labels-idx1-ubyte in ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "personal-images-idx3-ubyte", folder / "personal-labels-idx1-ubyte"]
        paths[0].write_bytes(idx_bytes(self.images))
        paths[1].write_bytes(idx_bytes(self.labels))
        return paths

    def training_set_with(self, dataset: Dataset) -> Dataset:
        """``dataset`` with the personal digits of its classes added to the training set,
        each repeated so they make up ``PERSONAL_SHARE`` of it, scaled as the dataset is."""
        X, y = self.as_test_set(dataset.classes, dataset.input_mean, dataset.input_std)
        if not len(y):
            raise ConfigError("none of your digits is of a class this model knows")
        n = len(dataset.y_train)
        repeats = max(1, math.ceil(PERSONAL_SHARE * n / (1 - PERSONAL_SHARE) / len(y)))
        return replace(
            dataset,
            X_train=np.concatenate([dataset.X_train, np.repeat(X, repeats, axis=0)]),
            y_train=np.concatenate([dataset.y_train, np.repeat(y, repeats)]),
        )

    def fine_tuning_set(self, raw: RawMnist, spec: DataSpec, model: MLP) -> Dataset:
        """The data to fine-tune ``model`` on: ``raw`` cut as ``spec`` says (validation,
        subset) but with the model's classes and input scaling, whatever ``spec`` says of
        those, plus the personal digits of those classes (``training_set_with``). So the
        trainer's check that model and data match (``check_model_matches``) holds."""
        spec = replace(spec, digits=list(model.classes))
        dataset = prepare(raw, spec, input_scaling=(model.input_mean, model.input_std))
        return self.training_set_with(dataset)

    def as_test_set(self, classes: list[int], input_mean: float, input_std: float
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(X (N, 784) scaled for a model, y (N,) indices into ``classes``) of the digits of
        those classes: to score a model on your digits before and after fine-tuning."""
        keep = np.isin(self.labels, classes)
        X = self.images[keep].reshape(-1, 784).astype(np.float32) / 255
        X = (X - np.float32(input_mean)) / np.float32(input_std)
        lookup = {c: i for i, c in enumerate(classes)}
        return X, np.array([lookup[int(label)] for label in self.labels[keep]], np.int64)
