"""Every output path (train --save, prune --save, export, runs export) is checked before any
work starts, by one function, and a write never replaces anything but a regular file, nor
the input it read."""

from __future__ import annotations

import os
import stat

import numpy as np
import pytest

from mnist_gui.cli import main
from mnist_gui.core.model_file import load_model, save_model
from mnist_gui.core.network import MLP
from mnist_gui.core.paths import OutputPathError, check_output_path, write_atomically


@pytest.fixture
def model_file(tmp_path):
    model = MLP([784, 4, 10], ["relu", "softmax"])
    model.params[:] = np.linspace(-1, 1, model.params.size, dtype=np.float32)
    return save_model(tmp_path / "m.npz", model, {}, {})


def command(kind: str, model: str, out: str) -> list[str]:
    """The argv of each writing command. --data points nowhere: a command that reached its
    work would fail on the data, not on the path."""
    return {
        "train": ["train", "--hidden", "4", "--epochs", "1", "--data", "/nonexistent-data",
                  "--no-record", "--save", out],
        "prune": ["prune", model, "--fraction", "0.5", "--data", "/nonexistent-data",
                  "--save", out],
        "export": ["export", model, out],
        "runs-export": ["runs", "export", "no-such-run", out],
    }[kind]


COMMANDS = ["train", "prune", "export", "runs-export"]


def refused(capsys, argv: list[str], message: str) -> str:
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "nonexistent-data" not in err and "no-such-run" not in err  # checked first
    return err


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_missing_folder(kind, model_file, tmp_path, capsys):
    refused(capsys, command(kind, str(model_file), str(tmp_path / "no" / "m.npz")),
            "does not exist")


@pytest.mark.parametrize("kind", COMMANDS)
@pytest.mark.parametrize("path", ["", "   ", "."])
def test_an_empty_path_or_dot(kind, path, model_file, capsys):
    refused(capsys, command(kind, str(model_file), path), "empty" if not path.strip() else "folder")


@pytest.mark.parametrize("kind", COMMANDS)
def test_an_existing_folder_is_an_error_not_folder_npz(kind, model_file, tmp_path, capsys):
    folder = tmp_path / "models"
    folder.mkdir()
    refused(capsys, command(kind, str(model_file), str(folder)), "is a folder")
    refused(capsys, command(kind, str(model_file), str(folder) + "/"), "is a folder")
    assert not (tmp_path / "models.npz").exists()


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_folder_named_like_the_final_file(kind, model_file, tmp_path, capsys):
    (tmp_path / "out.npz").mkdir()  # `--save out` would write out.npz, a folder
    argv = command(kind, str(model_file), str(tmp_path / ("out.npz" if kind == "export" else "out")))
    refused(capsys, argv, "is a folder")


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_file_as_the_folder(kind, model_file, tmp_path, capsys):
    refused(capsys, command(kind, str(model_file), str(model_file / "m.npz")), "not a folder")


@pytest.fixture
def device_node(tmp_path):
    """A private character device (the same as /dev/null) in tmp_path: a test of "never
    replace a device" must not risk the system's own, should the fix ever regress (as root,
    the old export replaced /dev/null with a regular file)."""
    path = tmp_path / "null.npz"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        pytest.skip("cannot create a device node here")
    return path


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_device_node_is_never_replaced(kind, model_file, device_node, capsys):
    before = os.lstat(device_node)
    refused(capsys, command(kind, str(model_file), str(device_node)), "device")
    after = os.lstat(device_node)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode,
                                                            before.st_rdev)
    assert stat.S_ISCHR(after.st_mode)


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_fifo_is_never_replaced(kind, model_file, tmp_path, capsys):
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    refused(capsys, command(kind, str(model_file), str(fifo)), "FIFO")
    assert fifo.is_fifo()


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_symlink_is_never_replaced_nor_followed(kind, model_file, tmp_path, capsys):
    target = tmp_path / "elsewhere.npz"
    target.write_bytes(b"keep me")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    refused(capsys, command(kind, str(model_file), str(link)), "symbolic link")
    assert link.is_symlink() and target.read_bytes() == b"keep me"
    dangling = tmp_path / "dangling.npz"
    dangling.symlink_to(tmp_path / "nowhere.npz")
    refused(capsys, command(kind, str(model_file), str(dangling)), "symbolic link")
    assert not (tmp_path / "nowhere.npz").exists()


@pytest.mark.parametrize("kind", ["prune", "export"])
def test_the_output_is_never_the_input(kind, model_file, tmp_path, capsys):
    before = model_file.read_bytes()
    refused(capsys, command(kind, str(model_file), str(model_file)), "is the input")
    # the same file by another name: a relative path, a hard link, `--save m` for m.npz
    os.link(model_file, tmp_path / "hard.npz")
    refused(capsys, command(kind, str(model_file), str(tmp_path / "hard.npz")), "is the input")
    if kind == "prune":
        refused(capsys, command(kind, str(model_file), str(tmp_path / "m")), "is the input")
    assert model_file.read_bytes() == before
    load_model(model_file)


def can_write_despite_permissions() -> bool:
    return os.geteuid() == 0


@pytest.mark.skipif(can_write_despite_permissions(), reason="root ignores folder permissions")
@pytest.mark.parametrize("kind", COMMANDS)
def test_a_read_only_folder(kind, model_file, tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        refused(capsys, command(kind, str(model_file), str(folder / "m.npz")), "read-only")
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("kind", COMMANDS)
def test_a_folder_nobody_may_write_even_root(kind, model_file, capsys):
    if os.access("/sys", os.W_OK) and os.geteuid() != 0:
        pytest.skip("/sys is writable here")
    refused(capsys, command(kind, str(model_file), "/sys/m.npz"), "cannot write in the folder /sys")


def test_the_check_appends_the_suffix_and_leaves_nothing_behind(tmp_path):
    assert check_output_path(tmp_path / "m", suffix=".npz") == tmp_path / "m.npz"
    assert check_output_path(tmp_path / "m.npz", suffix=".npz") == tmp_path / "m.npz"
    assert list(tmp_path.iterdir()) == []  # the write probe is gone


def test_an_atomic_write_that_fails_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(b"old")

    def fail(fh):
        fh.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_atomically(path, fail)
    assert path.read_bytes() == b"old" and list(tmp_path.iterdir()) == [path]


def test_a_link_put_in_place_after_the_check_is_still_not_replaced(tmp_path):
    target = tmp_path / "t"
    target.write_bytes(b"keep")
    (tmp_path / "m.npz").symlink_to(target)
    with pytest.raises(OutputPathError, match="symbolic link"):
        write_atomically(tmp_path / "m.npz", lambda fh: fh.write(b"new"))
    assert target.read_bytes() == b"keep"


def test_export_then_save_good_paths_still_work(model_file, tmp_path, capsys):
    assert main(["export", str(model_file), str(tmp_path / "m.onnx")]) == 0
    assert (tmp_path / "m.onnx").stat().st_size > 0
    capsys.readouterr()


def test_a_name_with_escape_sequences_is_printed_escaped(tmp_path, model_file, capsys):
    evil = tmp_path / "no\x1b[31mred\nfolder" / "m.npz"
    err = refused(capsys, command("export", str(model_file), str(evil)), "does not exist")
    assert "\x1b" not in err and "\\x1b[31mred\\nfolder" in err


def test_a_nul_byte_is_one_line():
    with pytest.raises(OutputPathError, match="NUL byte"):
        check_output_path("m\0.npz")
