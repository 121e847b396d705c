"""MNIST-format data: a strict IDX reader, the bundled dataset, splits and subsets.

The IDX format (LeCun's): big-endian; images have magic 0x00000803, count, rows, cols and
then count*rows*cols bytes; labels have magic 0x00000801, count and count bytes. Every
check happens before anything is allocated from the header's numbers, so a file that
claims 2^31 images fails at once instead of asking for terabytes.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

from .errors import ConfigError, DataFormatError

IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801
#: The largest decompressed IDX file we read (the MNIST train images are 47 MB).
MAX_IDX_BYTES = 1 << 31

FILE_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}

#: SHA-256 of the uncompressed bundled files (the same on every MNIST mirror).
MNIST_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}


def resources_dir() -> Path:
    """The folder with bundled data: inside the installed package, or the checkout's."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "resources", package.parent / "resources"):
        if (candidate / "mnist").is_dir():
            return candidate
    raise DataFormatError(f"bundled resources not found next to {package}")


def bundled_mnist_dir() -> Path:
    return resources_dir() / "mnist"


# -------------------------------------------------------------------------------- IDX


def _declared_size(head: bytes) -> int | None:
    """Total file size an IDX header declares, or None if the header is not readable yet."""
    if len(head) >= 8 and struct.unpack(">I", head[:4])[0] == LABELS_MAGIC:
        return 8 + struct.unpack(">I", head[4:8])[0]
    if len(head) >= 16 and struct.unpack(">I", head[:4])[0] == IMAGES_MAGIC:
        count, rows, cols = struct.unpack(">III", head[4:16])
        return 16 + count * rows * cols
    return None


def _open(path: Path):  # noqa: ANN202 - a binary file object, decompressing .gz
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _read_up_to(fh, n: int) -> bytes:  # noqa: ANN001
    """Up to ``n`` bytes (fewer only at the end of the file)."""
    parts, got = [], 0
    while got < n:
        part = fh.read(n - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn the OS's and gzip's errors while reading ``path`` into one-line DataFormatErrors."""
    try:
        yield
    except FileNotFoundError:
        raise DataFormatError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise DataFormatError(f"{path}: is a folder, expected an IDX file") from None
    except PermissionError:
        raise DataFormatError(f"{path}: permission denied") from None
    except gzip.BadGzipFile:
        raise DataFormatError(f"{path}: named .gz but is not gzip data") from None
    except (EOFError, zlib.error) as exc:
        raise DataFormatError(f"{path}: truncated or corrupt gzip data ({exc})") from None
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_header(path: Path) -> bytes:
    """The first 16 (decompressed) bytes of an IDX file: enough to know what it declares
    without reading the rest."""
    with _reading(path), _open(path) as fh:
        return _read_up_to(fh, 16)


def _read_bytes(path: Path) -> bytes | bytearray:
    """The decompressed bytes of a .gz file, or the raw bytes of any other.

    Reads the header first and then exactly what it declares (one byte more, to tell a
    file with trailing bytes), into one buffer allocated once: neither a lying header, a
    gzip bomb nor an unknown magic number makes us read more than the file declares, and
    nothing past MAX_IDX_BYTES. A header we do not know is returned as it is, for
    ``parse_idx`` to name the problem.
    """
    with _reading(path), _open(path) as fh:
        head = _read_up_to(fh, 16)
        declared = _declared_size(head)
        if declared is None or len(head) > declared:
            return head
        if declared > MAX_IDX_BYTES:
            raise DataFormatError(
                f"{path}: header declares {declared:,} bytes, more than the "
                f"{MAX_IDX_BYTES:,} this app reads"
            )
        buffer = bytearray(declared + 1)
        buffer[: len(head)] = head
        view, filled = memoryview(buffer), len(head)
        try:
            while filled < len(buffer):
                # at most 1 MB a call: a gzip file's readinto reads into a temporary first
                n = fh.readinto(view[filled : filled + (1 << 20)])
                if not n:
                    break
                filled += n
        finally:
            view.release()
    del buffer[filled:]
    return buffer


def parse_idx(data: bytes, name: str = "<bytes>", n_classes: int | None = 10) -> np.ndarray:
    """Parse IDX bytes into uint8 images (N, rows, cols) or labels (N,).

    Raises DataFormatError naming ``name`` and the problem for anything but a well-formed
    ubyte IDX file whose declared sizes match its length exactly. Labels must lie in
    [0, n_classes) unless n_classes is None.
    """
    if len(data) < 8:
        raise DataFormatError(f"{name}: {len(data)} bytes is too short for an IDX header")
    magic = struct.unpack(">I", data[:4])[0]
    if magic == IMAGES_MAGIC:
        if len(data) < 16:
            raise DataFormatError(f"{name}: image file header truncated ({len(data)} bytes)")
        count, rows, cols = struct.unpack(">III", data[4:16])
        if rows == 0 or cols == 0:
            raise DataFormatError(f"{name}: images of {rows}x{cols} pixels")
        expected = 16 + count * rows * cols  # Python ints: cannot overflow
        shape: tuple[int, ...] = (count, rows, cols)
        offset = 16
    elif magic == LABELS_MAGIC:
        count = struct.unpack(">I", data[4:8])[0]
        expected = 8 + count
        shape = (count,)
        offset = 8
    else:
        kind = "gzip data (decompress it or name it .gz)" if data[:2] == b"\x1f\x8b" else ""
        raise DataFormatError(
            f"{name}: bad magic number 0x{magic:08x}, expected 0x{IMAGES_MAGIC:08x} (images) "
            f"or 0x{LABELS_MAGIC:08x} (labels){'; looks like ' + kind if kind else ''}"
        )
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataFormatError(
            f"{name}: header declares {count} items ({expected} bytes) but the file has "
            f"{len(data)} bytes ({what})"
        )
    array = np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape)
    if magic == LABELS_MAGIC and n_classes is not None and count and array.max() >= n_classes:
        bad = int(np.argmax(array >= n_classes))
        raise DataFormatError(
            f"{name}: label {int(array[bad])} at index {bad} is out of range 0-{n_classes - 1}"
        )
    return array


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of uint8 images (N, rows, cols) or labels (N,): ``parse_idx``'s
    inverse."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    if array.ndim == 3:
        header = struct.pack(">IIII", IMAGES_MAGIC, *array.shape)
    elif array.ndim == 1:
        header = struct.pack(">II", LABELS_MAGIC, array.shape[0])
    else:
        raise ValueError(f"IDX holds images (N, rows, cols) or labels (N,), not {array.shape}")
    return header + array.tobytes()


def read_idx(path: str | Path, n_classes: int | None = 10) -> np.ndarray:
    """Read an IDX file (.gz or raw); see ``parse_idx``."""
    path = Path(path)
    return parse_idx(_read_bytes(path), str(path), n_classes)


def _find_file(folder: Path, stem: str) -> Path:
    for candidate in (folder / f"{stem}.gz", folder / stem, folder / stem.replace("-idx", ".idx")):
        if candidate.is_file():
            return candidate
    raise DataFormatError(f"{folder}: missing {stem}.gz (or {stem})")


# ---------------------------------------------------------------------------- dataset


@dataclass
class RawMnist:
    """The four arrays of an MNIST-format folder, as stored: uint8 images (N, 784)."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    image_shape: tuple[int, int] = (28, 28)


#: The most image bytes (uint8, train and test together) a data folder may declare: 1.3
#: million 28x28 images (MNIST has 70,000; EMNIST's largest split 814,255). Training holds
#: a float32 copy too, so this is about 5 GB of memory at most.
MAX_DATA_BYTES = 1 << 30


def _check_declared_sizes(folder: Path, paths: dict[str, Path]) -> None:
    """From the four headers alone: each part's image and label counts agree, and the
    images fit MAX_DATA_BYTES and the memory available. A 2 MB gzip can honestly declare
    2 GiB of images; this is found before one image is read."""
    from .config import available_memory

    declared = {}
    for key, path in paths.items():
        head = read_header(path)
        magic = struct.unpack(">I", head[:4])[0] if len(head) >= 4 else None
        want = IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC
        if magic != want or len(head) < (16 if want == IMAGES_MAGIC else 8):
            return  # the full read names the problem (bad magic, swapped files, too short)
        if want == IMAGES_MAGIC:
            declared[key] = struct.unpack(">III", head[4:16])  # count, rows, cols
        else:
            declared[key] = struct.unpack(">I", head[4:8])  # count
    total = 0
    for part in ("train", "test"):
        (n_images, rows, cols), (n_labels,) = declared[f"{part}_images"], declared[f"{part}_labels"]
        if n_images != n_labels:
            raise DataFormatError(
                f"{paths[f'{part}_images']}: header declares {n_images:,} {part} images but "
                f"{n_labels:,} labels (in {paths[f'{part}_labels'].name})")
        total += n_images * rows * cols
    if total > MAX_DATA_BYTES:
        raise DataFormatError(
            f"{folder}: the headers declare {total:,} bytes of images, more than the "
            f"{MAX_DATA_BYTES:,} this app reads")
    free = available_memory()
    if free is not None and 5 * total > free:  # the bytes, then a float32 copy to train on
        raise DataFormatError(
            f"{folder}: {total / 2**30:.1f} GB of images need about {5 * total / 2**30:.1f} GB "
            f"of memory; {free / 2**30:.1f} GB is available")


def load_raw(data_dir: str | Path | None = None, verify: bool = True) -> RawMnist:
    """Read the four IDX files of ``data_dir`` (default: the bundled MNIST).

    With the bundled set and ``verify``, each file's SHA-256 is checked against MNIST's.
    """
    bundled = data_dir is None
    folder = bundled_mnist_dir() if bundled else Path(data_dir)
    if not folder.is_dir():
        raise DataFormatError(f"{folder}: not a folder (expected the four MNIST IDX files)")
    paths = {key: _find_file(folder, stem) for key, stem in FILE_NAMES.items()}
    _check_declared_sizes(folder, paths)
    arrays = {}
    for key, stem in FILE_NAMES.items():
        path = paths[key]
        data = _read_bytes(path)
        if bundled and verify and hashlib.sha256(data).hexdigest() != MNIST_SHA256[stem]:
            raise DataFormatError(f"{path}: SHA-256 mismatch, the bundled file is corrupt")
        arrays[key] = parse_idx(data, str(path))
    shapes = {k: v.shape for k, v in arrays.items()}
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or labels.ndim != 1:
            raise DataFormatError(
                f"{folder}: {part} images/labels files are swapped or of the wrong kind {shapes}"
            )
        if images.shape[0] != labels.shape[0]:
            raise DataFormatError(
                f"{folder}: {images.shape[0]} {part} images but {labels.shape[0]} labels"
            )
        if images.shape[0] == 0:
            raise DataFormatError(f"{folder}: the {part} set is empty")
    if arrays["train_images"].shape[1:] != arrays["test_images"].shape[1:]:
        raise DataFormatError(f"{folder}: train and test images differ in size {shapes}")
    rows, cols = arrays["train_images"].shape[1:]
    return RawMnist(
        train_images=arrays["train_images"].reshape(-1, rows * cols),
        train_labels=arrays["train_labels"],
        test_images=arrays["test_images"].reshape(-1, rows * cols),
        test_labels=arrays["test_labels"],
        source="bundled MNIST" if bundled else str(folder),
        image_shape=(rows, cols),
    )


@dataclass
class DataSpec:
    """How to cut and scale the raw data for one run (all fields optional)."""

    validation: int = 0  # last N of the training set held out
    train_subset: int = 0  # 0 = all of the rest
    subset_mode: str = "first"  # "first" or "random" N
    digits: list[int] | None = None  # e.g. [8, 7]: class index i stands for digits[i]
    standardize: bool = False  # (x - mean) / std with the training set's scalar mean/std
    seed: int = 0

    def check(self) -> None:
        if self.validation < 0 or self.train_subset < 0:
            raise ConfigError("validation and training subset sizes cannot be negative")
        if self.subset_mode not in ("first", "random"):
            raise ConfigError(f"subset mode {self.subset_mode!r}: expected first or random")
        if self.digits is not None:
            if len(self.digits) < 2 or len(set(self.digits)) != len(self.digits):
                raise ConfigError(f"digit subset {self.digits}: need 2 or more distinct digits")
            if any(not 0 <= d <= 9 for d in self.digits):
                raise ConfigError(f"digit subset {self.digits}: digits are 0-9")


@dataclass
class Dataset:
    """Float inputs ready for the network, and integer targets (indices into ``classes``).

    X_*: (N, 784) float32 = (pixel/255 - input_mean)/input_std; y_*: (N,) int64.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: list[int]
    input_mean: float = 0.0
    input_std: float = 1.0
    source: str = ""
    image_shape: tuple[int, int] = (28, 28)
    test_images: np.ndarray = field(default_factory=lambda: np.zeros((0, 784), np.uint8))

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    def describe(self) -> str:
        return (
            f"{self.source}: {len(self.y_train):,} train, {len(self.y_val):,} validation, "
            f"{len(self.y_test):,} test; classes {self.classes}"
        )


def _to_indices(labels: np.ndarray, digits: list[int]) -> np.ndarray:
    lookup = np.full(256, -1, np.int64)
    lookup[np.asarray(digits)] = np.arange(len(digits))
    return lookup[labels]


def prepare(
    raw: RawMnist,
    spec: DataSpec,
    dtype: type = np.float32,
    input_scaling: tuple[float, float] | None = None,
) -> Dataset:
    """Apply a DataSpec: digit filter, validation split, training subset, scaling.

    ``input_scaling`` = (mean, std): scale as X = (pixel/255 - mean)/std with these numbers
    (an existing model's, to fine-tune it) instead of ``spec.standardize``'s."""
    spec.check()
    digits = spec.digits if spec.digits is not None else sorted(set(range(10)))
    tr_img, tr_lab = raw.train_images, raw.train_labels
    te_img, te_lab = raw.test_images, raw.test_labels
    if spec.digits is not None:
        keep = np.isin(tr_lab, digits)
        tr_img, tr_lab = tr_img[keep], tr_lab[keep]
        keep = np.isin(te_lab, digits)
        te_img, te_lab = te_img[keep], te_lab[keep]
    n = len(tr_lab)
    if spec.validation >= n:
        raise ConfigError(f"validation split {spec.validation} leaves no training data (of {n})")
    split = n - spec.validation
    va_img, va_lab = tr_img[split:], tr_lab[split:]
    tr_img, tr_lab = tr_img[:split], tr_lab[:split]
    if spec.train_subset:
        if spec.train_subset > len(tr_lab):
            raise ConfigError(
                f"training subset {spec.train_subset} is larger than the {len(tr_lab)} "
                "training images available"
            )
        if spec.subset_mode == "random":
            pick = np.sort(
                np.random.default_rng(spec.seed).choice(len(tr_lab), spec.train_subset, False)
            )
            tr_img, tr_lab = tr_img[pick], tr_lab[pick]
        else:
            tr_img, tr_lab = tr_img[: spec.train_subset], tr_lab[: spec.train_subset]

    scale = np.float32(1 / 255)

    def to_float(images: np.ndarray) -> np.ndarray:
        out = images.astype(dtype)
        out *= scale
        return out

    X_train = to_float(tr_img)
    mean, std = 0.0, 1.0
    if input_scaling is not None:
        mean, std = (float(v) for v in input_scaling)
        if not (np.isfinite(mean) and np.isfinite(std) and std > 0):
            raise ConfigError(f"input scaling needs a finite mean and a positive std, got "
                              f"{input_scaling}")
    elif spec.standardize:
        mean = float(X_train.mean(dtype=np.float64))
        std = float(X_train.std(dtype=np.float64)) or 1.0
    X_val, X_test = to_float(va_img), to_float(te_img)
    if (mean, std) != (0.0, 1.0):
        for X in (X_train, X_val, X_test):
            X -= np.float32(mean)
            X /= np.float32(std)
    return Dataset(
        X_train=X_train,
        y_train=_to_indices(tr_lab, digits),
        X_val=X_val,
        y_val=_to_indices(va_lab, digits),
        X_test=X_test,
        y_test=_to_indices(te_lab, digits),
        classes=list(digits),
        input_mean=mean,
        input_std=std,
        source=raw.source,
        image_shape=raw.image_shape,
        test_images=te_img,
    )


def test_set_for(
    raw: RawMnist, classes: list[int], input_mean: float, input_std: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The test images a trained model can be scored on: (X (N, D) float32 scaled as the
    model expects, y (N,) indices into ``classes``, the raw uint8 images (N, D))."""
    keep = np.isin(raw.test_labels, classes)
    images, labels = raw.test_images[keep], raw.test_labels[keep]
    X = images.astype(np.float32) * np.float32(1 / 255)
    X -= np.float32(input_mean)
    X /= np.float32(input_std)
    return X, _to_indices(labels, classes), images
