"""Export a model as ONNX, so it runs anywhere (onnxruntime, browsers, phones).

The graph:

* input ``pixels``: float32 (N, 784), pixel values scaled to [0, 1] (ink = 1);
* ``(pixels - input_mean) / input_std`` inside the graph, so callers need not know them;
* per layer ``MatMul`` + ``Add`` and the activation (``Relu``, ``LeakyRelu``, ``Sigmoid``,
  ``Tanh``); unit scales set in the lab are folded into the next layer's weights first;
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

_ACTIVATION_OPS = {"relu": "Relu", "leaky_relu": "LeakyRelu", "sigmoid": "Sigmoid", "tanh": "Tanh"}


def _onnx():  # -> the onnx module
    try:
        import onnx
    except ImportError:
        raise ConfigError("ONNX export needs the 'onnx' package: pip install onnx") from None
    return onnx


def to_onnx(model: MLP):  # -> onnx.ModelProto
    """The ONNX model of ``model`` (checked with onnx.checker)."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    model = baked(model)
    for name in model.activations[:-1]:
        if name not in _ACTIVATION_OPS:
            raise ConfigError(f"the activation {name!r} has no ONNX export")
    initializers = [
        numpy_helper.from_array(np.array(model.input_mean, np.float32), "input_mean"),
        numpy_helper.from_array(np.array(model.input_std, np.float32), "input_std"),
    ]
    nodes = [
        helper.make_node("Sub", [INPUT_NAME, "input_mean"], ["centred"], name="centre"),
        helper.make_node("Div", ["centred", "input_std"], ["x0"], name="standardise"),
    ]
    current = "x0"
    for l, dense in enumerate(model.dense, start=1):
        W, b = f"W{l}", f"b{l}"
        initializers += [numpy_helper.from_array(np.asarray(dense.W, np.float32), W),
                         numpy_helper.from_array(np.asarray(dense.b, np.float32), b)]
        nodes += [helper.make_node("MatMul", [current, W], [f"xw{l}"], name=f"matmul{l}"),
                  helper.make_node("Add", [f"xw{l}", b], [f"z{l}"], name=f"add{l}")]
        current = f"z{l}"
        if l <= len(model.hidden):
            kind = model.activations[l - 1]
            extra = {"alpha": model.leaky_relu_slope} if kind == "leaky_relu" else {}
            nodes.append(helper.make_node(_ACTIVATION_OPS[kind], [current], [f"a{l}"],
                                          name=f"{kind}{l}", **extra))
            current = f"a{l}"
    if model.output_activation == "softmax":
        nodes.append(helper.make_node("Softmax", [current], [OUTPUT_NAME], name="softmax", axis=1))
    else:
        nodes.append(helper.make_node("Sigmoid", [current], [OUTPUT_NAME], name="sigmoid"))
    graph = helper.make_graph(
        nodes, "mnist_gui_mlp",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", model.layer_sizes[0]])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", model.layer_sizes[-1]])],
        initializers,
    )
    proto = helper.make_model(graph, producer_name="mnist-gui",
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
        "layer_sizes": json.dumps(model.layer_sizes),
        "activations": json.dumps(model.activations),
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
