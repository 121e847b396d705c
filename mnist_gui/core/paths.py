"""Output paths: checked before any work, written atomically, never onto what they read.

Every command that writes a file (``train --save``, ``prune``, ``export``, ``runs export``)
calls ``check_output_path`` before it loads or trains anything, so a bad path costs a second,
not a run. The rules: write only regular files, replace nothing that is not a regular file
(a folder, a device node, a FIFO, a socket, a symbolic link), never write onto an input, and
only into an existing folder we can create files in. ``write_atomically`` then writes to a
temporary file in the same folder and renames it over the target: a reader (and a failed
write) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

from .errors import ModelFileError

__all__ = ["OutputPathError", "check_output_path", "write_atomically"]


class OutputPathError(ModelFileError):
    """An output path (a model, an ONNX file) that cannot, or must not, be written."""


def _refuse_non_regular(path: Path, named: str) -> None:
    """OutputPathError if ``path`` exists and is not a regular file (``named``: how the
    message names it)."""
    try:
        problem = _describe(os.lstat(path).st_mode)
    except OSError:
        problem = None
    if problem:
        raise OutputPathError(f"{named}: {problem}")


def _describe(mode: int) -> str | None:
    """What a non-regular file is, for the message; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder"
    if stat.S_ISLNK(mode):
        return "is a symbolic link (mnist-gui replaces only regular files, never a link)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def shown(path: str | os.PathLike) -> str:
    """A path as a message may print it: a name with an escape sequence, a newline or
    another control character is quoted with escapes, never sent to the terminal raw."""
    text = os.fspath(path)
    return text if text.isprintable() else repr(text)


def check_output_path(
    path: str | os.PathLike | None, *, suffix: str | None = None,
    inputs: Iterable[str | os.PathLike] = (), what: str = "output",
) -> Path:
    """The path that will be written (``suffix``, e.g. ".npz", appended if missing), after
    checking it can be written without destroying anything. Raises OutputPathError naming
    the path and the reason; creates nothing (a probe file is made and removed)."""
    text = "" if path is None else os.fspath(path)
    if not text.strip():
        raise OutputPathError(f"{what}: the path is empty; give a file name such as model.npz")
    if "\0" in text:
        raise OutputPathError(f"{what} {text!r}: a path cannot contain a NUL byte")
    if text.endswith(("/", os.sep)) or Path(text).name in ("", ".", ".."):
        raise OutputPathError(f"{what} {shown(text)}: is a folder; give a file name inside it")
    final = Path(text)
    # what was named counts, not only the final name: `--save models` (a folder) or
    # `--save /dev/null` is an error, not models.npz or /dev/null.npz
    _refuse_non_regular(final, f"{what} {shown(final)}")
    if suffix and final.suffix != suffix:
        final = final.with_name(final.name + suffix)
    named = f"{what} {shown(final)}"
    try:
        info = os.lstat(final)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise OutputPathError(f"{named}: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise OutputPathError(f"{named}: cannot check it ({exc.strerror or exc})") from None
    if info is not None:
        problem = _describe(info.st_mode)
        if problem:
            raise OutputPathError(f"{named}: {problem}")
        for source in inputs:
            try:
                same = os.path.samefile(final, source)
            except OSError:
                same = False
            if same:
                raise OutputPathError(
                    f"{named}: is the input {shown(source)}; write to another file")
        if not os.access(final, os.W_OK):
            raise OutputPathError(f"{named}: the file is read-only")
    folder = final.parent
    try:
        folder_info = os.stat(folder)
    except FileNotFoundError:
        raise OutputPathError(f"{named}: the folder {shown(folder)} does not exist") from None
    except NotADirectoryError:
        raise OutputPathError(f"{named}: a part of the path is a file, not a folder") from None
    except OSError as exc:
        raise OutputPathError(f"{named}: cannot reach the folder {shown(folder)} "
                              f"({exc.strerror or exc})") from None
    if not stat.S_ISDIR(folder_info.st_mode):
        raise OutputPathError(f"{named}: {shown(folder)} is not a folder")
    # a real probe: permissions, ACLs, a read-only mount and root all answer truthfully
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{final.name[:64]}.", suffix=".probe", dir=folder)
    except OSError as exc:
        why = "it is read-only" if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else (
            exc.strerror or str(exc))
        raise OutputPathError(f"{named}: cannot write in the folder {shown(folder)} ({why})") from None
    os.close(fd)
    os.unlink(probe)
    return final


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(fh)`` on a temporary file in ``path``'s folder, fsync it and rename it
    over ``path``. Raises OSError (the temporary file is removed). The target is refused
    (OutputPathError) if it exists and is not a regular file: never replace a device, a
    FIFO, a folder or a link."""
    path = Path(path)
    _refuse_non_regular(path, str(path))
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name[:64]}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); a saved file gets the permissions any
        # other file the user saves would get (0666 less the umask)
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
        tmp_name = None
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)
