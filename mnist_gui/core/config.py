"""Every training setting, declared once.

``TrainConfig`` is a dataclass whose fields carry a ``Setting`` each (type, range or choices,
default, a label and one line of help, a group, and when the setting matters). That one
table drives:

* validation (``TrainConfig.check``: each setting checked in one place, by its declaration);
* the CLI's flags and ``--help`` (``mnist_gui/cli.py`` loops over ``SETTINGS``);
* the GUI's settings form, its labels, tooltips and which fields are enabled;
* the presets (plain ``TrainConfig(...)`` values).

A new setting is one field here; its form control, flag and check follow.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Callable

import numpy as np

from .augment import AUGMENT_SCHEDULES
from .data import DataSpec
from .errors import ConfigError
from .layers import ACTIVATION_TYPES, DEFAULT_LEAKY_SLOPE, INITIALIZERS, NORMALIZATIONS
from .losses import LOSS_TITLES
from .network import MAX_PARAMETERS, parameter_count
from .optim import MOMENTUM_FORMS, OPTIMIZER_TYPES, SCHEDULES

GROUPS = ("Network", "Training", "Schedule", "Regularisation", "Data", "Augmentation", "Run")

INIT_LABELS = {
    "he": "He (for ReLU)",
    "xavier": "Xavier/Glorot (for sigmoid, tanh)",
    "lecun": "LeCun, 1/sqrt(n)",
    "normal": "Normal, fixed std",
}
SCHEDULE_LABELS = {"constant": "Constant", "step": "Step decay", "cosine": "Cosine to zero"}
MOMENTUM_FORM_LABELS = {
    "classic": "Classic: v = mu*v - lr*g",
    "averaged": "Averaged: v = mu*v + (1-mu)*g",
}


@dataclass(frozen=True)
class Setting:
    """How one TrainConfig field is typed, checked, labelled and shown.

    kind: "int", "float", "bool", "choice", "int_list" (e.g. layer sizes), "choice_list"
    (one choice per hidden layer, or None) or "digits" (a digit subset, or None).
    low/high bound numbers and list items (``low_open``: low itself excluded).
    ``choices()`` gives {value: label}, read from the registries each time, so a new
    optimiser or activation appears everywhere. ``applies(config)`` is False when the
    setting has no effect with the other choices (the form disables it).
    ``special``: a value with a meaning of its own, e.g. {0: "full batch"}.
    """

    label: str
    help: str
    group: str
    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    choices: Callable[[], dict[str, str]] | None = None
    applies: Callable[[Any], bool] | None = None
    special: dict[Any, str] | None = None
    advanced: bool = False
    name: str = ""  # filled in from the field

    def choice_labels(self) -> dict[str, str]:
        return self.choices() if self.choices is not None else {}

    def check(self, value: Any) -> Any:
        """Raise ConfigError naming this setting (by its label) if ``value`` is invalid."""
        where = f"{self.label} ({self.name})"
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise ConfigError(f"{where}: expected a number, got {value!r}")
            if not math.isfinite(value):
                raise ConfigError(f"{where}: must be a finite number, got {value}")
            self._check_range(where, value)
        elif self.kind == "int":
            self._check_int(where, value)
        elif self.kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise ConfigError(f"{where}: expected true or false, got {value!r}")
        elif self.kind == "choice":
            options = self.choice_labels()
            if value not in options:
                raise ConfigError(f"{where}: unknown {value!r}; expected one of {', '.join(options)}")
        elif self.kind in ("int_list", "digits"):
            if value is None and self.kind == "digits":
                return value
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"{where}: expected a list of whole numbers, got {value!r}")
            for item in value:
                self._check_int(where, item)
        elif self.kind == "choice_list":
            if value is None:
                return value
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"{where}: expected a list of names, got {value!r}")
            options = self.choice_labels()
            for item in value:
                if item not in options:
                    raise ConfigError(
                        f"{where}: unknown {item!r}; expected one of {', '.join(options)}"
                    )
        return value

    def _check_int(self, where: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ConfigError(f"{where}: expected a whole number, got {value!r}")
        self._check_range(where, value)

    def _check_range(self, where: str, value: float) -> None:
        lo, hi = self.low, self.high
        too_low = lo is not None and (value < lo or (self.low_open and value == lo))
        too_high = hi is not None and value > hi
        if too_low or too_high:
            low = "" if lo is None else (f"> {lo:g}" if self.low_open else f">= {lo:g}")
            high = "" if hi is None else f"<= {hi:g}"
            expected = " and ".join(part for part in (low, high) if part)
            raise ConfigError(f"{where}: {value:g} is out of range (expected {expected})")

    def describe_range(self) -> str:
        """A short 'expected ...' text for help and tooltips."""
        if self.kind == "choice":
            return ""
        if self.low is None and self.high is None:
            return ""
        low = "" if self.low is None else (f">{self.low:g}" if self.low_open else f"{self.low:g}")
        high = "" if self.high is None else f"{self.high:g}"
        return f"{low or '...'} to {high or '...'}"


def setting(default: Any, **kwargs: Any) -> Any:
    """A dataclass field carrying its ``Setting``."""
    meta = {"setting": Setting(**kwargs)}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


def _activations() -> dict[str, str]:
    return {name: cls.title or name for name, cls in ACTIVATION_TYPES.items()}


def _optimizers() -> dict[str, str]:
    return {name: cls.title or name for name, cls in OPTIMIZER_TYPES.items()}


def _labels(values: tuple[str, ...], labels: dict[str, str]) -> Callable[[], dict[str, str]]:
    return lambda: {v: labels.get(v, v) for v in values}


def _augment_titles() -> dict[str, str]:
    return {"none": "None", "affine": "Affine (shift, rotate, scale, shear)",
            "elastic": "Elastic + affine"}


@dataclass
class TrainConfig:
    """Everything that defines a run: architecture, optimisation and data."""

    # --- network
    hidden: list[int] = setting(
        [128], label="Hidden layers", group="Network", kind="int_list", low=1, high=100_000,
        help="units in each hidden layer, e.g. 128 or 256,128 (input 784 and the output layer "
        "are added); more units learn more but train slower",
    )
    activation: str = setting(
        "relu", label="Activation", group="Network", kind="choice", choices=_activations,
        help="the function each hidden unit applies; ReLU trains fastest, sigmoid and tanh are "
        "the classic ones",
    )
    hidden_activations: list[str] | None = setting(
        None, label="Per-layer activations", group="Network", kind="choice_list",
        choices=_activations, advanced=True,
        help="one activation per hidden layer, e.g. tanh,relu (empty: the Activation for all)",
    )
    loss: str = setting(
        "ce", label="Output and loss", group="Network", kind="choice",
        choices=_labels(tuple(LOSS_TITLES), {
            "ce": "Cross-entropy (softmax)", "mse": "Squared error (sigmoid outputs)",
            "bce": "Binary cross-entropy (one sigmoid unit)",
        }),
        help="cross-entropy is the standard for classification; squared error is article 0's "
        "cost; binary cross-entropy needs a digit subset of exactly 2 digits",
    )
    init: str = setting(
        "he", label="Initial weights", group="Network", kind="choice",
        choices=_labels(INITIALIZERS, INIT_LABELS),
        help="how weights are drawn at the start: He suits ReLU, Xavier suits sigmoid and tanh; "
        "a fixed std that is too large saturates sigmoids",
    )
    init_std: float = setting(
        0.01, label="Initial weight std", group="Network", kind="float", low=0.0, high=100.0,
        low_open=True, applies=lambda c: c.init == "normal",
        help="standard deviation of the normal distribution (only for 'Normal, fixed std'); "
        "0.01 to 0.1 is typical",
    )
    bias_init: str = setting(
        "zeros", label="Initial biases", group="Network", kind="choice",
        choices=_labels(("zeros", "normal"), {"zeros": "Zeros", "normal": "Normal, like weights"}),
        help="biases start at zero, or drawn like the weights (article 0)",
    )
    normalization: str = setting(
        "none", label="Normalisation", group="Network", kind="choice",
        choices=_labels(tuple(NORMALIZATIONS), {
            "none": "None", "batch": "Batch norm", "layer": "Layer norm"}),
        help="standardise each hidden layer's inputs to its activation (batch norm: over the "
        "batch; layer norm: over each digit's units), then scale and shift them by learnt "
        "factors; lets deep sigmoid and tanh networks train",
    )
    leaky_relu_slope: float = setting(
        DEFAULT_LEAKY_SLOPE, label="Leaky ReLU slope", group="Network", kind="float",
        low=0.0, high=1.0, advanced=True,
        applies=lambda c: "leaky_relu" in c.activations_per_layer(),
        help="the slope of leaky ReLU for negative inputs; 0.01 is usual",
    )
    # --- training
    optimizer: str = setting(
        "momentum", label="Optimiser", group="Training", kind="choice", choices=_optimizers,
        help="how gradients become weight changes; momentum and Nesterov speed up plain SGD, "
        "Adam adapts the step per weight",
    )
    lr: float = setting(
        0.1, label="Learning rate", group="Training", kind="float", low=0.0, high=1e4,
        low_open=True,
        help="the size of each step; 0.01 to 0.5 for SGD and momentum, about 0.001 for Adam. "
        "Too large and the loss explodes",
    )
    momentum: float = setting(
        0.9, label="Momentum", group="Training", kind="float", low=0.0, high=0.9999,
        applies=lambda c: c.optimizer in ("momentum", "nesterov"),
        help="how much of the previous step carries over (momentum and Nesterov); 0.9 is usual",
    )
    momentum_form: str = setting(
        "classic", label="Momentum form", group="Training", kind="choice",
        choices=_labels(MOMENTUM_FORMS, MOMENTUM_FORM_LABELS), advanced=True,
        applies=lambda c: c.optimizer == "momentum",
        help="classic adds lr*gradient to a velocity; averaged keeps an average of gradients "
        "(article 2), whose steps are 1/(1-mu) smaller",
    )
    batch_size: int = setting(
        64, label="Batch size", group="Training", kind="int", low=0, high=10_000_000,
        special={0: "full batch"},
        help="images per weight update (0 = the whole training set at once); 32 to 256 is typical",
    )
    epochs: int = setting(
        10, label="Epochs", group="Training", kind="int", low=1, high=1_000_000,
        help="passes over the training set",
    )
    shuffle: bool = setting(
        True, label="Shuffle each epoch", group="Training", kind="bool",
        help="visit the training images in a new random order every epoch",
    )
    # --- schedule
    schedule: str = setting(
        "constant", label="Learning-rate schedule", group="Schedule", kind="choice",
        choices=_labels(SCHEDULES, SCHEDULE_LABELS),
        help="how the learning rate changes over the run: constant, multiplied by a factor "
        "every few epochs, or a half cosine down to zero",
    )
    step_size: int = setting(
        10, label="Step every (epochs)", group="Schedule", kind="int", low=1, high=1_000_000,
        applies=lambda c: c.schedule == "step",
        help="epochs between two learning-rate steps (step decay)",
    )
    gamma: float = setting(
        0.1, label="Step factor", group="Schedule", kind="float", low=0.0, high=1.0,
        low_open=True, applies=lambda c: c.schedule == "step",
        help="the learning rate is multiplied by this at every step (step decay); 0.1 to 0.5",
    )
    warmup_epochs: float = setting(
        0.0, label="Warm-up (epochs)", group="Schedule", kind="float", low=0.0, high=1e6,
        help="grow the learning rate linearly from 0 over this many epochs (0: none); helps "
        "large learning rates start safely",
    )
    # --- regularisation
    weight_decay: float = setting(
        0.0, label="Weight decay (L2)", group="Regularisation", kind="float", low=0.0, high=10.0,
        help="pulls weights towards zero by adding decay*W to their gradient; 1e-5 to 1e-3",
    )
    norm_weight_decay: bool = setting(
        False, label="Decay normalisation", group="Regularisation", kind="bool",
        advanced=True, applies=lambda c: c.normalization != "none" and c.weight_decay > 0,
        help="apply weight decay to the normalisation's scale and shift too (usually off: "
        "decaying them towards zero fights the normalisation)",
    )
    dropout: float = setting(
        0.0, label="Dropout", group="Regularisation", kind="float", low=0.0, high=0.95,
        help="fraction of hidden units switched off at random in each training step (0: none); "
        "0.2 to 0.5 fights overfitting",
    )
    # --- data
    validation: int = setting(
        0, label="Validation images", group="Data", kind="int", low=0, high=10_000_000,
        special={0: "none"},
        help="hold out the last N training images to measure generalisation during training",
    )
    train_subset: int = setting(
        0, label="Training images", group="Data", kind="int", low=0, high=10_000_000,
        special={0: "all"},
        help="train on only N images (0 = all); small subsets train fast and overfit",
    )
    subset_mode: str = setting(
        "first", label="Subset", group="Data", kind="choice",
        choices=_labels(("first", "random"), {"first": "First N", "random": "Random N"}),
        applies=lambda c: c.train_subset > 0,
        help="which training images a subset takes",
    )
    digits: list[int] | None = setting(
        None, label="Digits", group="Data", kind="digits", low=0, high=9,
        help="train on these digits only, e.g. 8,7 (empty: all ten); the first is class 0",
    )
    standardize: bool = setting(
        False, label="Standardise inputs", group="Data", kind="bool",
        help="scale pixels to zero mean and unit variance (else pixel/255 in [0, 1])",
    )
    # --- augmentation
    augment: str = setting(
        "none", label="Augmentation", group="Augmentation", kind="choice",
        choices=_augment_titles,
        help="distort each training image at random every time it is seen, so the network "
        "learns shapes rather than pixels; slower, more accurate",
    )
    augment_strength: float = setting(
        1.0, label="Distortion strength", group="Augmentation", kind="float", low=0.0, high=5.0,
        applies=lambda c: c.augment != "none",
        help="scales every distortion (1 = the calibrated default)",
    )
    augment_schedule: str = setting(
        "constant", label="Distortion schedule", group="Augmentation", kind="choice",
        choices=_labels(AUGMENT_SCHEDULES, {"constant": "Constant",
                                            "linear": "Fade out by the last epoch"}),
        applies=lambda c: c.augment != "none",
        help="keep distortions constant, or shrink them to nothing by the last epoch",
    )
    # --- run
    seed: int = setting(
        0, label="Random seed", group="Run", kind="int", low=0, high=2**63 - 1,
        help="the same seed and settings give the same run, bit for bit",
    )
    dtype: str = setting(
        "float32", label="Precision", group="Run", kind="choice", advanced=True,
        choices=_labels(("float32", "float64"), {"float32": "float32 (fast)",
                                                 "float64": "float64 (exact checks)"}),
        help="floating-point precision of weights and activations",
    )

    # ------------------------------------------------------------------------ helpers

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def updated(self, **changes: object) -> TrainConfig:
        unknown = set(changes) - set(self.field_names())
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)  # type: ignore[arg-type]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        known = {k: v for k, v in values.items() if k in cls.field_names()}
        return cls(**known)

    def data_spec(self) -> DataSpec:
        return DataSpec(
            validation=self.validation,
            train_subset=self.train_subset,
            subset_mode=self.subset_mode,
            digits=list(self.digits) if self.digits is not None else None,
            standardize=self.standardize,
            seed=self.seed,
        )

    @property
    def n_classes(self) -> int:
        return len(self.digits) if self.digits is not None else 10

    def activations_per_layer(self) -> list[str]:
        """The activation of each hidden layer."""
        return list(self.hidden_activations or [self.activation] * len(self.hidden))

    def layer_sizes(self, n_features: int = 784) -> list[int]:
        outputs = 1 if self.loss == "bce" else self.n_classes
        return [n_features, *self.hidden, outputs]

    def check(self, n_train: int | None = None) -> TrainConfig:
        """Raise ConfigError naming the first invalid setting and what it expects.

        Depends on nothing but the values (not on this machine's free memory: that is
        checked when a run starts, ``check_memory``).
        """
        for item in SETTINGS:
            item.check(getattr(self, item.name))
        if len(self.hidden) > 20:
            raise ConfigError(f"hidden: {len(self.hidden)} layers; at most 20 are supported")
        if self.hidden_activations is not None and len(self.hidden_activations) != len(self.hidden):
            raise ConfigError(
                f"hidden_activations: {len(self.hidden_activations)} names for "
                f"{len(self.hidden)} hidden layers"
            )
        self.data_spec().check()
        if self.loss == "bce" and self.n_classes != 2:
            raise ConfigError(
                "Output and loss (loss): binary cross-entropy (bce) needs a digit subset of "
                "exactly 2 digits"
            )
        n_params = parameter_count(self.layer_sizes(), self.normalization)
        if n_params > MAX_PARAMETERS:
            raise ConfigError(
                f"the network would have {n_params:,} parameters; at most {MAX_PARAMETERS:,}"
            )
        if n_train is not None and self.batch_size > n_train:
            raise ConfigError(
                f"Batch size (batch_size): {self.batch_size} is larger than the {n_train:,} "
                "training samples (use 0 for full batch)"
            )
        return self

    def memory_estimate(self, n_train: int = 60_000, n_features: int = 784) -> int:
        """Bytes a run needs beyond the data: parameters, gradients, optimiser state and
        per-batch activations (for the training and the evaluation passes)."""
        itemsize = np.dtype(self.dtype).itemsize
        n_params = parameter_count(self.layer_sizes(n_features), self.normalization)
        optimizer = OPTIMIZER_TYPES.get(self.optimizer)
        state = optimizer.state_copies if optimizer is not None else 2
        batch = self.batch_size or n_train
        units = sum(self.layer_sizes(n_features)[1:])
        # per unit and sample: the layer's output, its activation, its gradient, dropout
        # (and a normalisation's standardised input, output and gradient)
        per_unit = 5 if self.normalization == "none" else 8
        activations = batch * units * per_unit + min(8192, n_train) * units * 2
        return itemsize * (n_params * (3 + state) + activations + batch * n_features)


SETTINGS: list[Setting] = []
for _field in fields(TrainConfig):
    _setting = _field.metadata["setting"]
    object.__setattr__(_setting, "name", _field.name)
    SETTINGS.append(_setting)
SETTINGS_BY_NAME = {item.name: item for item in SETTINGS}


def default_of(name: str) -> Any:
    return getattr(TrainConfig(), name)


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux MemAvailable), or None."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import os

        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(config: TrainConfig, n_train: int) -> None:
    """Refuse a run whose estimated memory exceeds what the machine has free, before any
    allocation (a 100,000-unit layer would otherwise die halfway with MemoryError)."""
    needed = config.memory_estimate(n_train)
    free = available_memory()
    if free is not None and needed > free:
        raise ConfigError(
            f"this network needs about {needed / 2**30:.1f} GB for training but only "
            f"{free / 2**30:.1f} GB of memory is available; use fewer or smaller layers "
            "or a smaller batch"
        )
