"""Sweep specs (--param NAME=SPEC) and definitions: read against the settings schema, and
refused before anything starts."""

from __future__ import annotations

import pytest

from mnist_gui.core.config import SETTINGS, TrainConfig
from mnist_gui.core.errors import ConfigError
from mnist_gui.core.sweep_space import SweepDefinition, parse_param

BASE = TrainConfig(validation=200, train_subset=500, epochs=2, hidden=[16]).to_dict()


def test_a_list_a_choice_and_a_log_range_are_read_as_the_settings_values():
    hidden = parse_param("hidden=64,128,256")
    assert hidden.values == ([64], [128], [256]) and not hidden.is_range
    assert parse_param("activation=relu|tanh").values == ("relu", "tanh")
    lr = parse_param("lr=1e-3..1:log")
    assert (lr.low, lr.high, lr.log, lr.integer) == (1e-3, 1.0, True, False)
    batch = parse_param("batch-size=32..256")
    assert batch.name == "batch_size" and batch.integer and (batch.low, batch.high) == (32, 256)


def test_list_settings_take_one_layer_list_per_alternative():
    assert parse_param("hidden=256,128|512").values == ([256, 128], [512])
    assert parse_param("digits=all|8,7").values == (None, [8, 7])


def test_every_setting_of_the_schema_can_be_swept():
    config = TrainConfig()
    for item in SETTINGS:
        value = getattr(config, item.name)
        if item.kind in ("int_list", "digits", "choice_list"):
            text = "none" if value is None else ",".join(map(str, value))
            text += "|" + text  # a one-alternative list, given twice (kept once)
        else:
            text = str(value).lower() if item.kind == "bool" else str(value)
        spec = parse_param(f"{item.name}={text}")
        assert spec.values == (value,), item.name


@pytest.mark.parametrize("text, says", [
    ("nope=1,2", "unknown setting 'nope'"),
    ("lr", "expected NAME=SPEC"),
    ("lr=1..0.1", "low < high"),
    ("lr=0..1:log", "log range needs low > 0"),
    ("lr=0.001..1e9", "out of range"),
    ("lr=0.1..1:cubic", "unknown range option"),
    ("epochs=1.5..3", "whole numbers"),
    ("activation=relu|swish", "unknown 'swish'"),
    ("activation=relu..tanh", "a range needs a number setting"),
    ("dropout=0.2,1.5", "out of range"),
    ("shuffle=maybe", "cannot read 'maybe'"),
])
def test_bad_specs_are_refused_with_what_was_wrong(text, says):
    with pytest.raises(ConfigError, match=says):
        parse_param(text)


def test_a_grid_is_every_combination_and_refuses_ranges():
    definition = SweepDefinition([parse_param("lr=0.1,0.2,0.3"), parse_param(
        "activation=relu|tanh")], base=BASE, sampler="grid").check()
    assert definition.n_trials == 6
    assert {(p["lr"], p["activation"]) for p in definition.grid()} == {
        (lr, a) for lr in (0.1, 0.2, 0.3) for a in ("relu", "tanh")}
    with pytest.raises(ConfigError, match="grid sampler needs lists"):
        SweepDefinition([parse_param("lr=0.1..1")], base=BASE, sampler="grid").check()


def test_combinations_the_settings_refuse_are_refused_before_the_sweep_starts():
    # binary cross-entropy needs exactly two digits: the grid's bce points without them fail
    with pytest.raises(ConfigError, match="binary cross-entropy"):
        SweepDefinition([parse_param("loss=ce|bce")], base=BASE, sampler="grid").check()
    with pytest.raises(ConfigError, match="given twice"):
        SweepDefinition([parse_param("lr=0.1,0.2"), parse_param("lr=0.3,0.4")], base=BASE).check()
    with pytest.raises(ConfigError, match="sweep the seed or repeat seeds"):
        SweepDefinition([parse_param("seed=1,2")], base=BASE, seeds=3).check()


def test_choosing_by_validation_needs_validation_images():
    no_validation = {**BASE, "validation": 0}
    with pytest.raises(ConfigError, match="needs validation images"):
        SweepDefinition([parse_param("lr=0.1,0.2")], base=no_validation).check()
    # by test accuracy it runs (the README says why that overfits the test set)
    SweepDefinition([parse_param("lr=0.1,0.2")], base=no_validation, metric="test").check()
    held = SweepDefinition([parse_param("lr=0.1,0.2")], base=no_validation)
    assert held.hold_out_validation() and held.check().base["validation"] > 0


def test_a_definition_survives_its_json_round_trip():
    definition = SweepDefinition([parse_param("hidden=256,128|64"), parse_param(
        "lr=1e-3..1:log"), parse_param("digits=all|8,7")], base=BASE, sampler="tpe",
        n_trials=7, prune="median", seeds=2, name="x")
    again = SweepDefinition.from_json(definition.to_json())
    assert again == definition
