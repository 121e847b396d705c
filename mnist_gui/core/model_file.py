"""Model files: a documented .npz that other tools can read, never pickled.

Layout (see README, "Model file format"):

* ``W1..WL``: float32 (fan_in, fan_out); ``b1..bL``: float32 (fan_out,), the dense layers
* version 2: the other layers' arrays, named ``{kind}_{name}{i}`` after the dense layer
  ``i`` they follow: ``batch_norm_gamma1``, ``batch_norm_beta1``,
  ``batch_norm_running_mean1``, ``batch_norm_running_var1``, ``layer_norm_gamma1``, ...
* ``meta``: a 0-d unicode array holding JSON with ``format`` = "mnist-gui-mlp",
  ``version`` = 2, ``layers`` (the layer list: each layer's ``kind`` and arguments, in
  order), ``output_activation``, ``layer_sizes``, ``activations`` (what the layers make,
  checked against them), ``classes``, ``input_mean``, ``input_std``, optional
  ``leaky_relu_slope``, ``config``, ``metrics`` and ``edits`` (the lab's changes to a
  trained model, in order, as ``core.lab`` records them; readers that do not know the field
  ignore it).

Version 1 (written before the layer list) has no ``layers``: the network is Dense and the
activation per entry of ``layer_sizes`` and ``activations``. Such files still open.

Reading uses ``np.load(..., allow_pickle=False)`` and validates every shape and value;
writing goes to a temporary file in the same folder that is renamed over the target, so a
failed save never leaves a half-written file where a good one was.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError, ModelFileError
from .network import MLP
from .paths import check_output_path, write_atomically

FORMAT = "mnist-gui-mlp"
VERSION = 2
#: the versions this reader opens (1: layer_sizes and activations only; 2: the layer list)
READABLE_VERSIONS = (1, 2)
MAX_META_CHARS = 1_000_000


def json_safe(value: Any) -> Any:
    """Make metrics JSON-serialisable (NaN/inf become null, numpy scalars plain)."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: Most epochs a model file's history keeps (its metrics are ~300 bytes an epoch).
MAX_HISTORY_EPOCHS = 100_000


def model_metadata(model: MLP, config: dict | None = None, metrics: dict | None = None,
                   edits: list[dict] | None = None, history: list[dict] | None = None) -> dict:
    meta: dict[str, Any] = {"format": FORMAT, "version": VERSION, **model.spec()}
    if config is not None:
        meta["config"] = json_safe(config)
    if metrics is not None:
        meta["metrics"] = json_safe(metrics)
    if edits:
        meta["edits"] = json_safe(edits)
    if history:
        meta["history"] = json_safe(history[-MAX_HISTORY_EPOCHS:])
    return meta


def history_in(meta: dict) -> list[dict]:
    """The per-epoch metrics a model file keeps (``meta["history"]``: one object per epoch,
    with an integer ``epoch`` that rises), or [] if it keeps none or they do not read as
    such: the history only draws the curves of an opened model, which opens without them."""
    history = meta.get("history") if isinstance(meta, dict) else None
    if not isinstance(history, list) or len(history) > MAX_HISTORY_EPOCHS:
        return []
    last = 0
    for row in history:
        if not isinstance(row, dict) or not isinstance(row.get("epoch"), int) \
                or isinstance(row["epoch"], bool) or row["epoch"] <= last:
            return []
        last = row["epoch"]
        if not all(value is None or isinstance(value, (int, float, str)) for value in row.values()):
            return []
    return history


def save_model(
    path: str | Path, model: MLP, config: dict | None = None, metrics: dict | None = None,
    edits: list[dict] | None = None, history: list[dict] | None = None,
) -> Path:
    """Write ``model`` to ``path`` (".npz" is appended if missing) atomically; ``edits``
    (JSON-safe dicts) and ``history`` (each epoch's metrics, as ``EpochFinished.metrics()``
    gives them) are recorded in the meta."""
    path = check_output_path(path, suffix=".npz", what="model")
    arrays = {
        name: np.ascontiguousarray(value, dtype=np.float32)
        for name, value in model.named_arrays().items()
    }
    arrays["meta"] = np.array(
        json.dumps(model_metadata(model, config, metrics, edits, history), allow_nan=False))
    write_npz_atomically(path, arrays)
    return path


def write_npz_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez to a temporary file in the same folder, fsync'd, renamed over ``path``: a
    reader sees the old file or the new one, never half of one. Raises ModelFileError (or
    OutputPathError for a target that is not a regular file)."""
    try:
        write_atomically(path, lambda fh: np.savez(fh, **arrays))
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot write ({exc.strerror or exc})") from None


#: What an .npz (a zip archive) or an .npy file starts with
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_NPY_MAGIC = b"\x93NUMPY"


def _fail(path: Path, why: str) -> ModelFileError:
    return ModelFileError(f"{path}: not a valid mnist-gui model: {why}")


def _array_header(npz: Any, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype of an array in an open .npz, read from its .npy header alone, so a
    member that claims a huge shape is refused before anything is allocated for it."""
    with npz.zip.open(f"{name}.npy") as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, _fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    return tuple(shape), np.dtype(dtype)


def load_model(path: str | Path) -> tuple[MLP, dict]:
    """Read and validate a model file; return (model, metadata). Raises ModelFileError.

    Order matters: the metadata is read and checked first, then every array's header is
    compared with the shape the metadata implies, and only then is its data read. Nothing
    is ever unpickled.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: file not found")
    try:
        with open(path, "rb") as fh:
            head = fh.read(6)
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not head.startswith(_ZIP_MAGIC):
        # anything else (a text file, an image, a pickle) is refused before NumPy sees it:
        # NumPy would call it "pickled data" and suggest allow_pickle, which we never use
        what = "a single .npy array" if head.startswith(_NPY_MAGIC) else (
            "an empty file" if not head else "not an .npz archive")
        raise _fail(path, f"{what}; an mnist-gui model is an .npz file saved by mnist-gui")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if not hasattr(npz, "files"):
                raise _fail(path, "a single .npy array, expected an .npz archive")
            names = set(npz.files)
            if "meta" not in names:
                raise _fail(path, "no 'meta' array")
            shape, dtype = _array_header(npz, "meta")
            if dtype.kind != "U" or shape != ():
                raise _fail(path, "'meta' must be a 0-d string array of JSON")
            if dtype.itemsize > 4 * MAX_META_CHARS:
                raise _fail(path, "'meta' is too long")
            meta_text = str(npz["meta"])
            try:
                meta = json.loads(meta_text)
            except json.JSONDecodeError as exc:
                raise _fail(path, f"'meta' is not JSON ({exc.msg})") from None
            _check_meta(path, meta)
            model = MLP.from_spec(meta)  # version 1 has no "layers" (refused in _check_meta)
            _check_sense(path, meta)
            targets = model.named_arrays()
            expected = set(targets) | {"meta"}
            if names != expected:
                missing, extra = sorted(expected - names), sorted(names - expected)
                raise _fail(path, f"arrays missing {missing} / unexpected {extra}")
            for name, target in targets.items():
                shape, dtype = _array_header(npz, name)
                if shape != target.shape:
                    raise _fail(path, f"{name} has shape {shape}, expected {target.shape}")
                if dtype.kind != "f":
                    raise _fail(path, f"{name} has dtype {dtype}, expected float")
                array = npz[name]
                if not np.isfinite(array).all():
                    raise _fail(path, f"{name} contains NaN or infinite values")
                target[...] = array
            _check_output_bound(path, model)
    except ModelFileError:
        raise
    except ConfigError as exc:
        raise _fail(path, str(exc)) from None
    except MemoryError:
        raise _fail(path, "an array is larger than the memory available") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise _fail(path, f"not a readable .npz file ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # noqa: BLE001 - a corrupt file can make NumPy's parser raise
        # anything (ValueError for object arrays, SyntaxError from a mangled .npy header...)
        first_line = str(exc).split("\n")[0]
        raise _fail(path, f"{type(exc).__name__}: {first_line}") from None
    return model, meta


#: The labels a dataset can hold (IDX labels are digits 0-9): a model's classes are among them.
LABELS = range(10)
#: The largest factor by which a model may scale a pixel in [0, 1] before its first layer,
#: max(|0 - input_mean|, |1 - input_mean|) / input_std (MNIST's own standardisation: 2.8).
MAX_INPUT_SCALE = 1e4


def _check_sense(path: Path, meta: dict) -> None:
    """What MLP.from_spec accepts as types must also make sense for pixel data: classes are
    labels the data can hold, and the input scaling keeps pixels finite (an input_std of
    1e-320 passes "positive and finite", then turns every pixel into inf and the accuracy
    into nan%)."""
    classes = meta["classes"]
    outside = [c for c in classes if c not in LABELS]
    if outside:
        shown = ", ".join(str(c) if abs(c) < 10**6 else f"{c:.3g}" for c in outside[:3])
        raise _fail(path, f"classes {shown} are not labels of the data "
                    f"(digits {LABELS.start}-{LABELS.stop - 1})")
    mean, std = float(meta["input_mean"]), float(meta["input_std"])
    scale = max(abs(mean), abs(1 - mean)) / std if std > 0 else math.inf
    if not scale <= MAX_INPUT_SCALE:
        raise _fail(path, f"input_mean {mean:g} and input_std {std:g} would scale pixels in "
                    f"[0, 1] by up to {scale:.3g} (at most {MAX_INPUT_SCALE:g}): not a "
                    "standardisation of pixel data")


def _check_output_bound(path: Path, model: MLP) -> None:
    """Refuse weights so large that some input could overflow float32 on the way to the
    output (finite weights of 1e38 load, then give inf logits and "accuracy nan%"): a bound
    on every layer's largest |value|, for pixels in [0, 1]; sigmoid and tanh reset it to 1,
    a layer norm to max|gamma| * sqrt(width) + max|beta| (a standardised row's entries are
    below sqrt(width)), a batch norm multiplies it by its largest inference factor."""
    bound = max(abs(model.input_mean), abs(1 - model.input_mean)) / model.input_std
    limit = float(np.finfo(np.float32).max) / 1e3

    def largest(a: np.ndarray) -> float:
        return float(np.abs(a, dtype=np.float64).max(initial=0.0))

    for l, block in enumerate(model.blocks, start=1):
        W, b = block.dense.W, block.dense.b
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            column = np.abs(W, dtype=np.float64).sum(axis=0).max(initial=0.0)
            bound = float(column * bound + largest(b))
            for layer in block.transforms:
                if layer.kind == "layer_norm":
                    bound = largest(layer.gamma) * math.sqrt(layer.size) + largest(layer.beta)
                elif layer.kind == "batch_norm":
                    if (layer.state["running_var"] < 0).any():
                        raise _fail(path, f"layer {l}'s batch norm has a negative running "
                                    "variance")
                    scale, shift = layer.inference_affine()
                    bound = bound * largest(scale) + largest(shift)
        if not bound <= limit:
            raise _fail(path, f"weights so large that layer {l}'s outputs could overflow "
                        f"float32 (up to {bound:.3g}): not a trained network")
        if block.activation is not None and block.activation.kind in ("sigmoid", "tanh"):
            bound = 1.0


def _check_meta(path: Path, meta: Any) -> None:
    """The file-level fields; the architecture is the network's to check (MLP.from_spec)."""
    if not isinstance(meta, dict):
        raise _fail(path, "'meta' JSON must be an object")
    if meta.get("format") != FORMAT:
        raise _fail(path, f"format is {meta.get('format')!r}, expected {FORMAT!r}")
    version = meta.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise _fail(path, f"version {version!r} is not supported (expected one of "
                    f"{', '.join(map(str, READABLE_VERSIONS))})")
    if version == 1 and "layers" in meta:
        raise _fail(path, "version 1 has no 'layers' (the layer list came with version 2)")
    if version >= 2 and "layers" not in meta:
        raise _fail(path, f"version {version} needs 'layers', the layer list")
