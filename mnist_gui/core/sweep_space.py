"""What a sweep searches and how (core/sweep.py runs it): ``--param NAME=SPEC`` read
against the settings table (``config.SETTINGS``), and the sweep's definition, checked before
anything starts and kept as JSON in the study's storage.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from .config import SETTINGS_BY_NAME, Setting, TrainConfig
from .errors import ConfigError, MnistGuiError

SAMPLERS = ("grid", "random", "tpe")
PRUNERS = ("none", "median", "halving")
METRICS = {"val": "val_accuracy", "test": "test_accuracy"}
SWEEP_FORMAT = "mnist-gui-sweep"
MAX_GRID = 10_000
#: validation images a sweep holds out when its base settings hold out none
DEFAULT_VALIDATION = 5_000


class SweepError(MnistGuiError):
    """A sweep that does not exist, a storage that cannot be used, a bad search."""


# -------------------------------------------------------------------------- search space


def encode_value(setting: Setting, value: Any) -> Any:
    """A setting's value as an Optuna categorical choice (None, bool, int, float or str)."""
    if setting.kind in ("int_list", "digits"):
        return "none" if value is None else ",".join(str(v) for v in value)
    if setting.kind == "choice_list":
        return "none" if value is None else ",".join(value)
    return value


def _decode(setting: Setting, value: Any) -> Any:
    if setting.kind in ("int_list", "digits", "choice_list"):
        if value == "none":
            return None
        parts = str(value).split(",")
        return [int(p) for p in parts] if setting.kind != "choice_list" else parts
    return value


@dataclass(frozen=True)
class ParamSpec:
    """What one setting takes in a sweep: a set of ``values`` (a list or a choice), or a
    range ``low..high`` (``log``: sampled uniformly in log space; ``integer``: whole numbers)."""

    name: str
    values: tuple = ()
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return self.low is not None

    @property
    def setting(self) -> Setting:
        return SETTINGS_BY_NAME[self.name]

    def suggest(self, trial: Any) -> Any:
        """The setting's value for an Optuna ``trial``."""
        if self.is_range:
            if self.integer:
                value: Any = trial.suggest_int(self.name, int(self.low), int(self.high),
                                               log=self.log)
                return [value] if self.setting.kind == "int_list" else value
            return trial.suggest_float(self.name, self.low, self.high, log=self.log)
        choice = trial.suggest_categorical(self.name, [encode_value(self.setting, v)
                                                       for v in self.values])
        return _decode(self.setting, choice)

    def decode(self, optuna_value: Any) -> Any:
        """A stored trial parameter as the setting's value."""
        if self.is_range:
            if self.integer:
                value = int(optuna_value)
                return [value] if self.setting.kind == "int_list" else value
            return float(optuna_value)
        return _decode(self.setting, optuna_value)

    def describe(self) -> str:
        if self.is_range:
            return f"{self.name}={self.low:g}..{self.high:g}" + (":log" if self.log else "")
        return f"{self.name}=" + "|".join(encode_value(self.setting, v) if not isinstance(v, str)
                                          else v for v in map(_show, self.values))

    def to_json(self) -> dict:
        return {"name": self.name, "values": list(self.values), "low": self.low,
                "high": self.high, "log": self.log, "integer": self.integer}

    @classmethod
    def from_json(cls, data: dict) -> ParamSpec:
        values = tuple(tuple(v) if isinstance(v, list) else v for v in data.get("values", []))
        values = tuple(list(v) if isinstance(v, tuple) else v for v in values)
        return cls(name=data["name"], values=tuple(values), low=data.get("low"),
                   high=data.get("high"), log=bool(data.get("log")),
                   integer=bool(data.get("integer")))


def _show(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(map(str, value))
    return "none" if value is None else str(value)


def _parse_value(setting: Setting, text: str) -> Any:
    """One alternative of a list or choice, as the setting's value (checked by it)."""
    text = text.strip()
    where = f"{setting.label} ({setting.name})"
    try:
        if setting.kind == "float":
            value: Any = float(text)
        elif setting.kind == "int":
            words = {label.split()[0].lower(): v for v, label in (setting.special or {}).items()}
            value = words[text.lower()] if text.lower() in words else int(text)
        elif setting.kind == "bool":
            lowered = text.lower()
            if lowered not in ("true", "false", "yes", "no", "1", "0", "on", "off"):
                raise ValueError
            value = lowered in ("true", "yes", "1", "on")
        elif setting.kind in ("int_list", "digits"):
            value = None if text.lower() in ("none", "all", "") and setting.kind == "digits" \
                else [int(part) for part in text.split(",")]
        elif setting.kind == "choice_list":
            value = None if text.lower() in ("none", "") else [p.strip() for p in text.split(",")]
        else:
            value = text
    except ValueError:
        raise ConfigError(f"{where}: cannot read {text!r} as a {setting.kind.replace('_', ' ')}"
                          ) from None
    setting.check(value)
    return value


def parse_param(text: str) -> ParamSpec:
    """``NAME=SPEC``: a list ``hidden=64,128,256``, a choice ``activation=relu|tanh`` or a
    range ``lr=1e-3..1:log``. List settings take one layer list per ``|`` alternative
    (``hidden=256,128|512``: two networks), or one single-layer network per comma.
    Raises ConfigError naming what is wrong (unknown setting, value out of its range...)."""
    name, sep, spec = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name or not spec.strip():
        raise ConfigError(f"--param {text!r}: expected NAME=SPEC, e.g. lr=1e-3..1:log, "
                          "hidden=64,128,256 or activation=relu|tanh")
    setting = SETTINGS_BY_NAME.get(name)
    if setting is None:
        raise ConfigError(f"--param {text!r}: unknown setting {name!r}; the settings are "
                          + ", ".join(SETTINGS_BY_NAME))
    spec = spec.strip()
    if ".." in spec:
        return _parse_range(setting, text, spec)
    if "|" in spec:
        parts = spec.split("|")
    elif setting.kind in ("int", "float", "int_list"):
        parts = spec.split(",")
    else:
        parts = [spec]
    values: list[Any] = []
    for part in parts:
        try:
            value = _parse_value(setting, part)
        except ConfigError as exc:
            raise ConfigError(f"--param {text!r}: {exc}") from None
        if value not in values:
            values.append(value)
    return ParamSpec(name=name, values=tuple(values))


def _parse_range(setting: Setting, text: str, spec: str) -> ParamSpec:
    body, _, option = spec.partition(":")
    low_text, _, high_text = body.partition("..")
    if setting.kind not in ("int", "float") and not (setting.kind == "int_list"):
        raise ConfigError(f"--param {text!r}: {setting.name} is a {setting.kind.replace('_', ' ')}"
                          "; a range needs a number setting (give a list a|b instead)")
    if option not in ("", "log"):
        raise ConfigError(f"--param {text!r}: unknown range option {option!r} (only :log)")
    integer = setting.kind in ("int", "int_list")
    try:
        low, high = (int(low_text), int(high_text)) if integer else (
            float(low_text), float(high_text))
    except ValueError:
        kind = "whole numbers" if integer else "numbers"
        raise ConfigError(f"--param {text!r}: a range is LOW..HIGH with two {kind}") from None
    if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
        raise ConfigError(f"--param {text!r}: the range must go from low to high (low < high)")
    if option == "log" and low <= 0:
        raise ConfigError(f"--param {text!r}: a log range needs low > 0")
    for end in (low, high):
        try:
            setting.check([end] if setting.kind == "int_list" else end)
        except ConfigError as exc:
            raise ConfigError(f"--param {text!r}: {exc}") from None
    return ParamSpec(name=setting.name, low=low, high=high, log=option == "log",
                     integer=integer)


# ---------------------------------------------------------------------------- definition


@dataclass
class SweepDefinition:
    """What a sweep searches and how. ``base``: the settings every trial starts from (a
    preset, or the GUI's form); ``n_trials``: how many trials (a grid: its size)."""

    params: list[ParamSpec]
    base: dict = field(default_factory=dict)
    sampler: str = "tpe"
    n_trials: int = 20
    prune: str = "none"
    metric: str = "val"
    seeds: int = 1
    name: str = ""
    workers: int = 1

    def check(self) -> SweepDefinition:
        """Refuse, before anything starts, what cannot run (ConfigError)."""
        if not self.params:
            raise ConfigError("a sweep needs at least one --param NAME=SPEC")
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ConfigError(f"--param given twice for {', '.join(twice)}")
        if self.sampler not in SAMPLERS:
            raise ConfigError(f"--sampler {self.sampler!r}: expected one of {', '.join(SAMPLERS)}")
        if self.prune not in PRUNERS:
            raise ConfigError(f"--prune {self.prune!r}: expected one of {', '.join(PRUNERS)}")
        if self.metric not in METRICS:
            raise ConfigError(f"--metric {self.metric!r}: expected one of {', '.join(METRICS)}")
        if not 1 <= self.seeds <= 100:
            raise ConfigError(f"--seeds {self.seeds}: expected 1 to 100")
        if self.seeds > 1 and "seed" in names:
            raise ConfigError("--seeds and --param seed: sweep the seed or repeat seeds, not both")
        if not 1 <= self.workers <= 256:
            raise ConfigError(f"--workers {self.workers}: expected 1 to 256")
        if not 1 <= self.n_trials <= 100_000:
            raise ConfigError(f"--trials {self.n_trials}: expected 1 to 100000")
        base = self.base_config()
        if self.sampler == "grid":
            ranges = [p.describe() for p in self.params if p.is_range]
            if ranges:
                raise ConfigError(f"the grid sampler needs lists or choices, not ranges: "
                                  f"{', '.join(ranges)} (use --sampler random or tpe)")
            size = math.prod(len(p.values) for p in self.params)
            if size > MAX_GRID:
                raise ConfigError(f"the grid has {size:,} points; at most {MAX_GRID:,}")
            for point in self.grid():  # every point must be a valid configuration
                self.config_for(point)
            self.n_trials = size
        else:
            for param in self.params:  # each value (or end of a range) with the base
                ends = param.values if not param.is_range else [param.decode(param.low),
                                                                 param.decode(param.high)]
                for value in ends:
                    self.config_for({param.name: value})
        if self.metric == "val":
            validations = next((p for p in self.params if p.name == "validation"), None)
            values = ([base.validation] if validations is None else
                      list(validations.values) or [validations.low])
            if any(not v for v in values):
                raise ConfigError(
                    "choosing by validation accuracy (--metric val, the default) needs "
                    "validation images, and these settings hold out none: add "
                    "--param validation=5000 (chosen by test accuracy, the sweep would fit the "
                    "test set; see the README)")
        return self

    def hold_out_validation(self) -> bool:
        """Choosing by validation accuracy from settings that hold out no validation images
        (e.g. the fast preset): hold out DEFAULT_VALIDATION. True if it did."""
        if self.metric != "val" or any(p.name == "validation" for p in self.params) or \
                self.base.get("validation"):
            return False
        self.base = {**self.base, "validation": DEFAULT_VALIDATION}
        return True

    def base_config(self) -> TrainConfig:
        return TrainConfig.from_dict(self.base)

    def config_for(self, values: dict[str, Any]) -> TrainConfig:
        """The base settings with ``values`` (setting -> value), checked (ConfigError)."""
        config = self.base_config().updated(**values)
        if "hidden" in values and config.hidden_activations is not None and \
                len(config.hidden_activations) != len(config.hidden) and \
                "hidden_activations" not in values:
            config = config.updated(hidden_activations=None)  # per-layer names follow depth
        return config.check()

    def grid(self) -> list[dict[str, Any]]:
        """Every point of a grid, in order (the last parameter varies fastest)."""
        names = [p.name for p in self.params]
        return [dict(zip(names, combo)) for combo in
                itertools.product(*(p.values for p in self.params))]

    def to_json(self) -> dict:
        return {"format": SWEEP_FORMAT, "version": 1, "name": self.name, "base": self.base,
                "params": [p.to_json() for p in self.params], "sampler": self.sampler,
                "n_trials": self.n_trials, "prune": self.prune, "metric": self.metric,
                "seeds": self.seeds, "workers": self.workers}

    @classmethod
    def from_json(cls, data: dict) -> SweepDefinition:
        if not isinstance(data, dict) or data.get("format") != SWEEP_FORMAT:
            raise SweepError("this study is not an mnist-gui sweep")
        try:
            return cls(params=[ParamSpec.from_json(p) for p in data["params"]],
                       base=dict(data["base"]), sampler=data["sampler"],
                       n_trials=int(data["n_trials"]), prune=data["prune"],
                       metric=data["metric"], seeds=int(data["seeds"]),
                       name=str(data.get("name", "")), workers=int(data.get("workers", 1)))
        except (KeyError, TypeError, ValueError) as exc:
            raise SweepError(f"the sweep's definition cannot be read ({exc})") from None


def suggested_spec(setting: Setting, value: Any) -> str:
    """A first search for a setting, from its value in the form."""
    if setting.kind == "float":
        if value and value > 0:
            low = max(value / 10, setting.low or 0.0) or value / 10
            high = min(value * 10, setting.high) if setting.high is not None else value * 10
            return f"{low:.3g}..{high:.3g}:log" if low > 0 and high > low else f"{value:g}"
        return f"0..{setting.high:g}" if setting.high is not None and setting.high <= 1 else "0"
    if setting.kind == "int":
        value = int(value or 0)
        return f"{max(value // 2, int(setting.low or 0))},{value},{value * 2}" if value else "0"
    if setting.kind == "bool":
        return "true|false"
    if setting.kind == "choice":
        return "|".join(setting.choice_labels())
    if setting.kind == "int_list":
        width = (value or [128])[0]
        return ",".join(str(w) for w in (width // 2, width, width * 2) if w >= 1)
    if value is None:
        return "none"
    return ",".join(map(str, value))
