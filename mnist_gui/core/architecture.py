"""The network as data: a list of layer specs, cut into blocks, and the checks that make
any list (it may come from a file) a network the app can run.

A block is a dense layer, any transforms (normalisation), and in a hidden block one
activation; the last block is a lone dense layer, whose output activation is fused with
the loss. ``mlp_layers`` writes the list of an MLP from the settings' terms
(``layer_sizes``, ``activations``, ``normalization``), ``read_spec`` checks a model file's
fields. ``core/network.py`` builds and runs the layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError
from .layers import (
    ACTIVATION_TYPES,
    DEFAULT_LEAKY_SLOPE,
    LAYER_TYPES,
    NORMALIZATIONS,
    Activation,
    Dense,
    Layer,
    layer_from_spec,
)

#: The largest parameter count we accept, to train or to load (200 MB of float32; the
#: presets' largest network has 1.3 million, and one epoch of 50 million takes hours on a
#: CPU). Checked from a file's metadata before its arrays are read: a 2 MB file of zeros
#: can claim 477 million (1.9 GB, and 10 GB to evaluate).
MAX_PARAMETERS = 50_000_000
#: The most layers a network may list (a file claiming a million is refused before any is
#: built).
MAX_LAYERS = 200


def parameter_count(layer_sizes: list[int], normalization: str = "none") -> int:
    """Parameters of the MLP ``layer_sizes`` (weights and biases, plus a scale and a shift
    per hidden unit with a normalisation)."""
    dense = sum((a + 1) * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return dense + (0 if normalization == "none" else 2 * sum(layer_sizes[1:-1]))


def mlp_layers(
    layer_sizes: list[int],
    activations: list[str],
    normalization: str = "none",
    leaky_relu_slope: float = DEFAULT_LEAKY_SLOPE,
) -> list[dict[str, Any]]:
    """The layer list of an MLP: per hidden layer Dense, the normalisation if any, the
    activation; then the output Dense (its activation, ``activations[-1]``, is the loss's).

    ``normalization``: "none", "batch" or "layer" (``layers.NORMALIZATIONS``)."""
    if normalization not in NORMALIZATIONS:
        raise ConfigError(f"unknown normalization {normalization!r}; expected one of "
                          f"{', '.join(NORMALIZATIONS)}")
    norm = NORMALIZATIONS[normalization]
    specs: list[dict[str, Any]] = []
    for l, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
        specs.append({"kind": "dense", "fan_in": int(fan_in), "fan_out": int(fan_out)})
        if l < len(layer_sizes) - 2:
            if norm is not None:
                specs.append({"kind": norm, "size": int(fan_out)})
            name = activations[l]
            specs.append({"kind": name, "slope": float(leaky_relu_slope)}
                         if name == "leaky_relu" else {"kind": name})
    return specs


@dataclass
class Block:
    """One dense layer and what follows it up to the next: ``transforms`` (normalisation)
    and, in a hidden block, its ``activation``, whose output is the block's units."""

    dense: Dense
    transforms: list[Layer]
    activation: Activation | None

    @property
    def layers(self) -> list[Layer]:
        """The block's layers in forward order (no dropout: that is the trainer's)."""
        tail = [] if self.activation is None else [self.activation]
        return [self.dense, *self.transforms, *tail]

    @property
    def normalization(self) -> str | None:
        """The kinds of its transforms ("batch_norm"), or None."""
        return "+".join(layer.kind for layer in self.transforms) or None


def check_number(where: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where} must be a finite number, got {value!r}")


def layer_from_file(index: int, spec: Any) -> Layer:
    """A layer from one entry of a spec's ``layers`` (which may come from a file): the kind
    known, every argument a finite number, the constructor's own checks."""
    where = f"layer {index + 1}"
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: expected an object with a 'kind', got {spec!r}")
    kind = spec.get("kind")
    if kind not in LAYER_TYPES or kind == "dropout":
        raise ConfigError(f"{where}: unknown layer kind {kind!r}; expected one of "
                          f"{', '.join(k for k in LAYER_TYPES if k != 'dropout')}")
    for key, value in spec.items():
        if key != "kind":
            check_number(f"{where} ({kind}) {key}", value)
    try:
        return layer_from_spec(spec)
    except TypeError as exc:  # an argument the layer does not take
        raise ConfigError(f"{where} ({kind}): {exc}") from None


def cut_blocks(arch: list[Layer]) -> list[Block]:
    """Cut the layer list into blocks, checking the shape rules and the widths."""
    if arch[0].role != "dense":
        raise ConfigError("layer 1: a network starts with a dense layer")
    blocks: list[Block] = []
    width = None
    for i, layer in enumerate(arch):
        where = f"layer {i + 1} ({layer.kind})"
        if layer.role == "dense":
            if blocks and blocks[-1].activation is None:
                raise ConfigError(f"{where}: the dense layer before it has no activation")
            blocks.append(Block(layer, [], None))
        elif blocks[-1].activation is not None:
            raise ConfigError(f"{where}: only a dense layer may follow an activation")
        elif layer.role == "activation":
            blocks[-1].activation = layer
        elif layer.role == "transform":
            if any(t.kind == layer.kind for t in blocks[-1].transforms):
                raise ConfigError(f"{where}: two {layer.kind} layers in one block")
            blocks[-1].transforms.append(layer)
        else:
            raise ConfigError(f"{where}: a {layer.role} layer cannot be listed in a network")
        try:
            width = layer.output_size(width if width is not None else layer.fan_in)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    last = blocks[-1]
    if last.activation is not None or last.transforms:
        raise ConfigError("the last layer must be a dense layer (the output activation is "
                          "the loss's)")
    return blocks


def read_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The architecture fields of ``MLP.spec()`` (or a model file's meta), each checked:
    raises ConfigError naming the field, whatever the spec holds. Returns ``layer_sizes``,
    ``activations``, ``classes``, ``input_mean``, ``input_std``, ``leaky_relu_slope`` and,
    from version 2, ``layers`` and ``output_activation`` (checked when built)."""
    sizes = spec.get("layer_sizes")
    if (
        not isinstance(sizes, list)
        or not 2 <= len(sizes) <= 50
        or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in sizes)
    ):
        raise ConfigError(f"layer_sizes must be a list of 2+ positive integers, got {sizes!r}")
    if parameter_count(sizes) > MAX_PARAMETERS:
        raise ConfigError(f"layer_sizes {sizes} make {parameter_count(sizes):,} parameters, "
                          f"more than the {MAX_PARAMETERS:,} this app accepts")
    activations = spec.get("activations")
    if not isinstance(activations, list) or len(activations) != len(sizes) - 1:
        raise ConfigError(
            f"activations must list one name per weight layer, got {activations!r}")
    if any(a not in ACTIVATION_TYPES for a in activations[:-1]) or (
        activations[-1] not in ("softmax", "sigmoid")
    ):
        raise ConfigError(f"unknown activation in {activations}")
    classes = spec.get("classes")
    want = 2 if sizes[-1] == 1 else sizes[-1]
    if (
        not isinstance(classes, list)
        or len(classes) != want
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in classes)
        or len(set(classes)) != len(classes)
    ):
        raise ConfigError(f"classes must be {want} distinct integers, got {classes!r}")
    numbers = {}
    for key, default in (("input_mean", None), ("input_std", None),
                         ("leaky_relu_slope", DEFAULT_LEAKY_SLOPE)):
        value = spec.get(key, default)
        check_number(key, value)
        numbers[key] = float(value)
    if numbers["input_std"] <= 0:
        raise ConfigError("input_std must be positive")
    if not 0 <= numbers["leaky_relu_slope"] <= 1:
        raise ConfigError(f"leaky_relu_slope must be in [0, 1], got {numbers['leaky_relu_slope']!r}")
    fields = {"layer_sizes": sizes, "activations": activations, "classes": classes, **numbers}
    if "layers" in spec:
        output = spec.get("output_activation", activations[-1])
        if output != activations[-1]:
            raise ConfigError(f"output_activation {output!r} is not the last of activations "
                              f"{activations}")
        fields.update(layers=spec["layers"], output_activation=output)
    return fields
