"""Small image files that claim huge sizes, or need fonts to render, are refused from their
header and content, before anything is decoded: predict and explain end in one line."""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

from mnist_gui.cli import main
from mnist_gui.core.model_file import save_model
from mnist_gui.core.network import MLP

SVG_TEXT = (b'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28">'
            b'<text x="4" y="24" font-size="24">7</text></svg>')
SVG_HUGE = (b'<svg xmlns="http://www.w3.org/2000/svg" width="8000" height="8000">'
            b'<rect width="8000" height="8000" fill="#fff"/></svg>')


def bmp(width: int, height: int, bits: int = 32, body: int = 900) -> bytes:
    """A BMP header claiming width x height (negative height: stored top-down), then
    ``body`` bytes of pixels: a truncated file of about 1 KB."""
    return (b"BM" + struct.pack("<IHHI", 54 + body, 0, 0, 54)
            + struct.pack("<IiiHHIIiiII", 40, width, height, 1, bits, 0, 0, 2835, 2835, 0, 0)
            + bytes(body))


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    m = MLP([784, 4, 10], ["relu", "softmax"])
    m.params[:] = np.linspace(-0.1, 0.1, m.params.size, dtype=np.float32)
    return save_model(tmp_path_factory.mktemp("m") / "m.npz", m, {}, {})


def refused(capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


@pytest.mark.parametrize("name,content", [
    ("huge.svg", SVG_HUGE),
    ("huge.png", SVG_HUGE),
    ("decl.png", b'<?xml version="1.0"?>\n' + SVG_HUGE),
    ("bom.jpg", b"\xef\xbb\xbf  \n" + SVG_HUGE),
    ("huge.svgz", gzip.compress(SVG_HUGE)),
    ("zipped.png", gzip.compress(SVG_HUGE)),
])
@pytest.mark.parametrize("command", ["predict", "explain"])
def test_vector_images_are_refused_by_content(model_file, tmp_path, capsys, name, content,
                                              command):
    path = tmp_path / name
    path.write_bytes(content)
    refused(capsys, [command, str(model_file), str(path)], "vector image")


@pytest.mark.parametrize("width,height", [
    (8000, -8000),  # a top-down BMP: Qt reports the height as negative
    (6000, -3000),
    (5000, 4000),  # each side fits, the pixel count does not
    (20000, 20),
])
def test_bmp_headers_claiming_too_many_pixels(model_file, tmp_path, capsys, width, height):
    path = tmp_path / "cut.bmp"
    path.write_bytes(bmp(width, height))
    refused(capsys, ["predict", str(model_file), str(path)], "too large")


@pytest.mark.parametrize("command", ["predict", "explain"])
def test_an_svg_with_text_named_png_does_not_abort(model_file, tmp_path, command):
    """Rendering <text> without a QGuiApplication aborts the process (exit 134): a real
    process is needed to see it."""
    path = tmp_path / "digit.png"
    path.write_bytes(SVG_TEXT)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "mnist_gui", command, str(model_file), str(path)],
                            capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1, result.stderr
    assert "vector image" in result.stderr and "Traceback" not in result.stderr


def test_a_raster_image_at_the_budget_is_read(tmp_path):
    from PySide6.QtGui import QImage

    from mnist_gui.imageio import MAX_IMAGE_PIXELS, read_grayscale

    side = int(MAX_IMAGE_PIXELS ** 0.5)
    image = QImage(side, side, QImage.Format.Format_Grayscale8)
    image.fill(255)
    path = tmp_path / "big.png"
    assert image.save(str(path))
    gray = read_grayscale(path)
    assert gray.shape == (side, side) and gray.min() == 255
