"""Export a model as ONNX, so it runs anywhere (onnxruntime, browsers, phones).

The graph:

* input ``pixels``: float32 (N, 784), pixel values scaled to [0, 1] (ink = 1);
* ``(pixels - input_mean) / input_std`` inside the graph, so callers need not know them;
* the network's layers in order, each adding its own nodes (``Layer.onnx_nodes``): a dense
  layer ``MatMul`` + ``Add``, an activation its operator (``Relu``, ``LeakyRelu``,
  ``Sigmoid``, ``Tanh``), layer norm ``LayerNormalization``. Unit scales set in the lab are
  folded into the next layer's weights first, and a batch norm's inference map
  (x * s + t per unit) into the dense layer before it (W s, b s + t), so it costs nothing;
* output ``probabilities``: float32 (N, classes) from ``Softmax`` (axis 1), or (N, 1) from
  ``Sigmoid`` for a binary model (the probability of its second class).

Opset 17 (IR version 8): recent enough for every operator used, old enough for onnxruntime
1.12+ and most other runtimes. The model's metadata_props give ``classes`` (what each
output column stands for, JSON), ``input_mean``, ``input_std`` and the architecture.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .errors import ConfigError, ModelFileError
from .lab import baked
from .network import MLP
from .paths import check_output_path, write_atomically

OPSET = 17
IR_VERSION = 8
INPUT_NAME = "pixels"
OUTPUT_NAME = "probabilities"

def _onnx():  # -> the onnx module
    try:
        import onnx
    except ImportError:
        raise ConfigError("ONNX export needs the 'onnx' package: pip install onnx") from None
    return onnx


class GraphBuilder:
    """What a layer's ``onnx_nodes`` adds to: constants (initialisers) and nodes, named
    after the layer (``l3_W``, ``l3_MatMul``) so that the graph reads in layer order."""

    def __init__(self) -> None:
        from onnx import numpy_helper

        self._from_array = numpy_helper.from_array
        self.initializers: list = []
        self.nodes: list = []
        self.prefix = ""
        self._count = 0

    def constant(self, name: str, value: np.ndarray) -> str:
        """A float32 initialiser holding ``value``; returns its name."""
        name = f"{self.prefix}{name}"
        self.initializers.append(self._from_array(np.asarray(value, np.float32), name))
        return name

    def node(self, op: str, inputs: list[str], *, output: str | None = None, **attributes) -> str:
        """A node of operator ``op``; returns the name of its one output."""
        from onnx import helper

        self._count += 1
        name = f"{self.prefix}{op}{self._count}"
        output = output or name
        self.nodes.append(helper.make_node(op, inputs, [output], name=name, **attributes))
        return output


def folded(model: MLP) -> MLP:
    """A copy computing the same function at inference, with every per-unit affine layer
    that directly follows a dense layer (batch norm: x * s + t) folded into that dense
    layer's W and b; unit scales are folded too (``lab.baked``)."""
    model = baked(model)
    if not any(layer.kind == "batch_norm" for block in model.blocks for layer in block.transforms):
        return model
    specs = []
    for block in model.blocks:
        specs.append(block.dense.spec())
        specs += [t.spec() for t in block.transforms if t.kind != "batch_norm"]
        if block.activation is not None:
            specs.append(block.activation.spec())
    out = MLP.from_layers(specs, model.output_activation, classes=model.classes,
                          input_mean=model.input_mean, input_std=model.input_std, dtype=np.float64)
    for mine, theirs in zip(model.blocks, out.blocks):
        W = mine.dense.W.astype(np.float64)
        b = mine.dense.b.astype(np.float64)
        others = iter(theirs.transforms)
        for layer in mine.transforms:
            if layer.kind == "batch_norm":
                if layer is not mine.transforms[0]:
                    raise ConfigError("a batch norm after another normalisation has no ONNX "
                                      "export")
                s, t = (a.astype(np.float64) for a in layer.inference_affine())
                W, b = W * s, b * s + t
            else:
                target = next(others)
                for p, q in zip(layer.parameters, target.parameters):
                    q.value[...] = p.value
        theirs.dense.W[...] = W
        theirs.dense.b[...] = b
        if mine.activation is not None:
            theirs.activation.unit_scale = None
    return out


def to_onnx(model: MLP):  # -> onnx.ModelProto
    """The ONNX model of ``model`` (checked with onnx.checker)."""
    onnx = _onnx()
    from onnx import TensorProto, helper

    spec_sizes, spec_activations = model.layer_sizes, model.activations
    model = folded(model)
    graph = GraphBuilder()
    current = graph.node("Div", [graph.node("Sub", [INPUT_NAME, graph.constant(
        "input_mean", np.array(model.input_mean))]), graph.constant(
        "input_std", np.array(model.input_std))])
    for index, layer in enumerate(model.architecture, start=1):
        graph.prefix = f"l{index}_"
        try:
            current = layer.onnx_nodes(graph, current)
        except NotImplementedError as exc:
            raise ConfigError(str(exc)) from None
    graph.prefix = ""
    if model.output_activation == "softmax":
        graph.node("Softmax", [current], output=OUTPUT_NAME, axis=1)
    else:
        graph.node("Sigmoid", [current], output=OUTPUT_NAME)
    onnx_graph = helper.make_graph(
        graph.nodes, "mnist_gui_mlp",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", model.layer_sizes[0]])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", model.layer_sizes[-1]])],
        graph.initializers,
    )
    proto = helper.make_model(onnx_graph, producer_name="mnist-gui",
                              opset_imports=[helper.make_opsetid("", OPSET)])
    proto.ir_version = IR_VERSION
    proto.doc_string = (
        f"mnist-gui MLP {'-'.join(map(str, model.layer_sizes))}: input '{INPUT_NAME}' float32 "
        f"(N, {model.layer_sizes[0]}) pixels in [0, 1]; output '{OUTPUT_NAME}' "
        + ("(N, 1) sigmoid probability of class " + str(model.classes[1]) if model.is_binary
           else f"(N, {len(model.classes)}) softmax over classes {model.classes}"))
    helper.set_model_props(proto, {
        "classes": json.dumps(model.classes),
        "input_mean": repr(model.input_mean),
        "input_std": repr(model.input_std),
        "layer_sizes": json.dumps(spec_sizes),
        "activations": json.dumps(spec_activations),
    })
    onnx.checker.check_model(proto, full_check=True)
    return proto


#: Building, checking and serialising the graph holds about this many copies of the float32
#: weights at once (measured: 7.4 for a 784-20000-10 network).
EXPORT_COPIES = 8


def check_export_memory(model: MLP) -> None:
    """Refuse, before building anything, an export that needs more memory than is free."""
    from .config import available_memory

    needed = EXPORT_COPIES * 4 * model.n_parameters
    free = available_memory()
    if free is not None and needed > free:
        raise ConfigError(
            f"exporting {model.n_parameters:,} parameters needs about {needed / 2**30:.1f} GB "
            f"of memory; {free / 2**30:.1f} GB is available")


def export_onnx(model: MLP, path: str | Path) -> Path:
    """Write ``model`` as ONNX to ``path`` atomically (see ``core/paths.py``); raises
    ModelFileError if it cannot be written."""
    path = check_output_path(path, what="ONNX file")
    check_export_memory(model)
    data = to_onnx(model).SerializeToString()
    try:
        write_atomically(path, lambda fh: fh.write(data))
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return path
