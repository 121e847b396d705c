"""Small wordings shared by the window and its panels."""

from __future__ import annotations

import math


def plural(n: int, word: str, words: str | None = None) -> str:
    """``plural(1, "batch", "batches")`` -> "1 batch"; ``plural(3, "unit")`` -> "3 units"."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def duration(seconds: float) -> str:
    """A short human duration: "42s", "3m 05s", "2h 07m"."""
    seconds = max(0, int(seconds)) if math.isfinite(seconds) else 0
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
