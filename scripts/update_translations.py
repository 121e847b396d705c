"""Refresh the translations from the code, then compile them.

    python scripts/update_translations.py            # lupdate -> .ts, lrelease -> .qm
    python scripts/update_translations.py --release  # only compile the .ts into .qm

``pyside6-lupdate`` reads every ``tr(...)`` / ``QCoreApplication.translate(...)`` in
``mnist_gui/gui`` and adds new source strings to ``resources/i18n/mnist_gui_<code>.ts``
(unfinished) and marks vanished ones obsolete (kept, so a reworded string can reuse its old
translation; ``--drop-obsolete`` removes them). Translate the unfinished entries (Qt
Linguist: ``pyside6-linguist resources/i18n/mnist_gui_it.ts``, or any text editor), then
run this again: ``pyside6-lrelease`` writes the ``.qm`` files the app loads and the wheel
ships. Both tools come with PySide6-Essentials.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "mnist_gui" / "gui"
I18N = ROOT / "resources" / "i18n"
# English is the source language: its file holds only the plural forms ("%n unit(s)")
LANGUAGES = {"en": "en_US", "it": "it_IT"}


def tool(name: str) -> str:
    """The path of ``pyside6-<name>`` (next to this Python first: a venv's scripts)."""
    for candidate in (Path(sys.executable).parent / f"pyside6-{name}", shutil.which(f"pyside6-{name}")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise SystemExit(f"pyside6-{name} not found: install PySide6-Essentials")


def source_files() -> list[Path]:
    return sorted(SOURCES.rglob("*.py"))


def ts_path(code: str) -> Path:
    return I18N / f"mnist_gui_{code}.ts"


def qm_path(code: str) -> Path:
    return I18N / f"mnist_gui_{code}.qm"


def update(code: str, ts: Path, drop_obsolete: bool = False) -> None:
    """Run lupdate over the gui sources into ``ts`` (paths in it relative to the repo)."""
    args = [tool("lupdate"), *(str(p.relative_to(ROOT)) for p in source_files()),
            "-ts", str(ts), "-target-language", LANGUAGES[code], "-locations", "none", "-silent"]
    if code == "en":
        args.append("-pluralonly")
    if drop_obsolete:
        args.append("-no-obsolete")
    subprocess.run(args, check=True, cwd=ROOT)


def release(ts: Path, qm: Path) -> None:
    subprocess.run([tool("lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="only compile .ts into .qm")
    parser.add_argument("--drop-obsolete", action="store_true",
                        help="remove translations whose source string is gone")
    args = parser.parse_args(argv)
    I18N.mkdir(parents=True, exist_ok=True)
    for code in LANGUAGES:
        if not args.release:
            update(code, ts_path(code), args.drop_obsolete)
        release(ts_path(code), qm_path(code))
        print(f"{ts_path(code).relative_to(ROOT)} -> {qm_path(code).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
