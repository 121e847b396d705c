"""Small wordings shared by the window and its panels, and numbers in the user's format.

Numbers the window shows go through ``number`` / ``percent`` / ``count``, which write them in
the format of the language in use (``QLocale()``, set by ``language.Translation``): "98.14%"
in English, "98,14%" in Italian. The command line keeps Python's English formats.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QCoreApplication, QLocale


def core_text(text: str) -> str:
    """A word of the Qt-free core (a setting's label or help, a preset's description) in the
    language in use; ``core_words.py`` marks them for translation."""
    return QCoreApplication.translate("core", text)


def plural(n: int, word: str, words: str | None = None) -> str:
    """``plural(1, "batch", "batches")`` -> "1 batch"; ``plural(3, "unit")`` -> "3 units".
    English only: translated text uses ``tr("%n unit(s)", "", n)`` instead."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def duration(seconds: float) -> str:
    """A short human duration: "42s", "3m 05s", "2h 07m" (the units translated)."""
    seconds = max(0, int(seconds)) if math.isfinite(seconds) else 0
    if seconds < 60:
        return QCoreApplication.translate("text", "{s}s").format(s=seconds)
    if seconds < 3600:
        return QCoreApplication.translate("text", "{m}m {s}s").format(
            m=seconds // 60, s=f"{seconds % 60:02d}")
    return QCoreApplication.translate("text", "{h}h {m}m").format(
        h=seconds // 3600, m=f"{seconds % 3600 // 60:02d}")


def number(value: float, decimals: int = 2) -> str:
    """``value`` with ``decimals`` digits after the point, in the language's format
    ("0.4213" / "0,4213"); "nan" and "inf" as Python writes them."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return QLocale().toString(value, "f", decimals)


def scientific(value: float, digits: int = 2) -> str:
    """``value`` in exponent notation ("1.00e-03" / "1,00e-03"), for learning rates and
    ratios that span decades."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return QLocale().toString(value, "e", digits)


def compact(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, exponent only when needed ("0.001",
    "2.5e-05"), in the language's format."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return QLocale().toString(value, "g", digits)


def percent(fraction: float, decimals: int = 2) -> str:
    """A fraction (0.9814) as a percentage in the language's format: "98.14%" / "98,14%"."""
    fraction = float(fraction)
    if not math.isfinite(fraction):
        return str(fraction)
    return QLocale().toString(100.0 * fraction, "f", decimals) + "%"


def count(n: int) -> str:
    """A whole number with the language's digit grouping: "60,000" / "60.000"."""
    return QLocale().toString(int(n))
