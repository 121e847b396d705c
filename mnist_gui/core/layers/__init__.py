"""The layer types, one file each, and their registry (see ``base.py`` for the interface).

Importing a file registers its layer types: a new type is a file here plus its import below
(or ``@register_layer`` anywhere before a network uses it).
"""

from __future__ import annotations

from .base import (
    DEFAULT_LEAKY_SLOPE,
    INITIALIZERS,
    LAYER_TYPES,
    Layer,
    Parameter,
    init_std,
    layer_from_spec,
    register_layer,
)
from .dense import Dense
from .activations import (
    ACTIVATION_TYPES,
    HIDDEN_ACTIVATIONS,
    OUTPUT_ACTIVATIONS,
    Activation,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Tanh,
    check_activation,
    make_activation,
    register_activation,
    sigmoid_,
)
from .dropout import Dropout
from .normalization import Normalization
from .batch_norm import BatchNorm
from .layer_norm import LayerNorm

#: the normalisation a network can put between each hidden dense layer and its activation
#: (the settings' ``normalization``): name -> layer kind ("none": no layer)
NORMALIZATIONS = {"none": None, "batch": BatchNorm.kind, "layer": LayerNorm.kind}

__all__ = [
    "ACTIVATION_TYPES", "DEFAULT_LEAKY_SLOPE", "HIDDEN_ACTIVATIONS", "INITIALIZERS",
    "LAYER_TYPES", "NORMALIZATIONS", "OUTPUT_ACTIVATIONS", "Activation", "BatchNorm", "Dense",
    "Dropout", "Layer", "LayerNorm", "LeakyReLU", "Normalization", "Parameter", "ReLU",
    "Sigmoid", "Tanh", "check_activation", "init_std", "layer_from_spec", "make_activation",
    "register_activation", "register_layer", "sigmoid_",
]
