"""The window's heap policy: big freed arrays go back to the system.

The window's large arrays (a run's prepared data, evaluation chunks, a map's activations,
robustness batches) are made and freed by worker threads, one thread per job. glibc's
malloc serves a block of 128 KB or more with its own mapping at first, but raises that
threshold to the size of any mapped block freed (up to 32 MB): from then on arrays of a few
MB come from its arenas (one per thread, up to 8 per core), where freed space stays in the
process. Measured with scripts/bench_memory.py on 10,000-image runs: 710 MB after two runs,
370 MB with a fixed 1 MB threshold and two arenas.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameters (malloc.h)
M_ARENA_MAX = -8
MMAP_THRESHOLD = 1 << 20  # blocks of 1 MB and more: their own mapping, unmapped when freed
ARENA_MAX = 2  # the GUI thread and the workers share at most two arenas


def limit_heap_retention() -> bool:
    """Fix glibc's mmap threshold at ``MMAP_THRESHOLD`` and its arenas at ``ARENA_MAX``
    for this process (call it before the first worker thread starts). True if set; False
    on another C library or platform, or when the user set MALLOC_MMAP_THRESHOLD_ /
    MALLOC_ARENA_MAX themselves (theirs stand)."""
    if not sys.platform.startswith("linux"):
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return False  # musl and others have no mallopt
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    fixed = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return mallopt(M_ARENA_MAX, ARENA_MAX) == 1 and fixed
