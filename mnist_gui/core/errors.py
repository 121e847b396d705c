"""The project's own exception types: every refusal of bad input raises one of these."""

from __future__ import annotations


class MnistGuiError(Exception):
    """Base class: a message fit to show a person as it is (one line, names the problem)."""


class DataFormatError(MnistGuiError):
    """An IDX/data file or folder is missing, truncated, or not what it claims to be."""


class ModelFileError(MnistGuiError):
    """A model file cannot be read, or is not a valid mnist-gui model."""


class ConfigError(MnistGuiError, ValueError):
    """A hyperparameter or architecture is invalid (names the field and what is expected)."""


class ImageError(MnistGuiError):
    """An input image cannot be read or holds no digit."""


class Cancelled(MnistGuiError):
    """A long computation (robustness curves, a t-SNE map) was stopped by its caller."""
