"""What the window lets go of: memory checked by counting what stays alive, never by time.

scripts/bench_memory.py measures the same scenario in MB (RSS after each step)."""

from __future__ import annotations

import gc


from mnist_gui.core.session import TrainingSession

from .helpers import quick_settings

TRAIN_TIMEOUT = 120_000


class _Payload:
    """Stands for what a job's generator holds (a run's session, trainer and dataset)."""


def test_runs_that_ended_leave_no_session_behind(window, qtbot):
    """Each run's session holds its trainer and dataset (over 200 MB for full MNIST): after
    two runs none is alive (each was kept by its never-deleted worker)."""
    quick_settings(window, epochs=1, subset=1000)
    for _ in range(2):
        with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT):
            window.start_training()
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, TrainingSession)] == []


HEAP_PROBE = r"""
import ctypes, json, sys
from mnist_gui.gui.heap import limit_heap_retention
class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = MallInfo2
policy = limit_heap_retention() if sys.argv[1] == "1" else False
libc.free(libc.malloc(16 << 20))  # a 16 MB array freed: glibc would now keep 4 MB ones
before = libc.mallinfo2().hblkhd
block = libc.malloc(4 << 20)
mapped = libc.mallinfo2().hblkhd - before
libc.free(block)
print(json.dumps({"policy": policy, "mapped": mapped}))
"""


def _heap_probe(policy: bool) -> dict:
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run([sys.executable, "-c", HEAP_PROBE, "1" if policy else "0"], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_after_a_big_array_is_freed_a_4_mb_one_still_gets_its_own_mapping():
    """The window's heap policy (gui/heap.py): a freed block of 1 MB or more goes back to
    the system, whatever was freed before it, so the worker threads' arrays do not pile up
    in malloc's arenas."""
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("a glibc policy")
    without = _heap_probe(False)
    if without["mapped"] >= 4 << 20:
        pytest.skip("this C library does not raise its mmap threshold")
    found = _heap_probe(True)
    assert found["policy"] is True
    assert found["mapped"] >= 4 << 20


def test_the_shown_run_keeps_its_epochs_without_their_weight_copies(window, qtbot):
    """The window's history of the run (curves, learning history, export) keeps each
    epoch's numbers and per-digit results; the weight copies went to Weights with the event
    (kept, they grew the window by one model per epoch: 1.6 MB for the fast preset)."""
    quick_settings(window, epochs=2, subset=1000)
    seen = []
    window.epoch_finished.connect(lambda event: seen.append(event.weights is not None))
    with qtbot.waitSignal(window.training_finished, timeout=TRAIN_TIMEOUT):
        window.start_training()
    assert seen == [True, True]
    assert [e.epoch for e in window.state.history] == [1, 2]
    assert all(e.weights is None and e.biases is None for e in window.state.history)
    assert all(e.test_p_true is not None for e in window.state.history)
    window.show_view(window.weights_panel)  # a hidden view renders when shown
    epochs, _changes = zip(*window.weights_panel.relative_changes()[0])
    assert list(epochs) == [1, 2]
