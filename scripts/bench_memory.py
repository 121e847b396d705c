"""Where the window's memory goes: a real MainWindow, offscreen, through a session of use.

    python scripts/bench_memory.py                 # RSS table + JSON line
    python scripts/bench_memory.py --tracemalloc   # + Python-side growth by traceback
    python scripts/bench_memory.py --runs 2 --models 2 --long-epochs 3   # a shorter pass

The scenario (issue 16): ``--runs`` runs of the ``fast`` preset (10 by default) while every
view is brought to the front in turn, so each renders; one t-SNE map; ``--models`` saved
models opened (``open_model``, waiting for ``model_loaded``); then one long run (the
``fast`` network for ``--long-epochs`` epochs) during which RSS is sampled every
``--every`` seconds. RSS is VmRSS from /proc/self/status after each step (and the peak,
VmHWM), and glibc's own account of its heap (mallinfo2). The process sets the app's heap
policy first, as ``mnist-gui`` does (``--no-heap-policy`` leaves malloc as it is). The
window has its own scratch run store and settings file: nothing of the user's
is read or written.

Waiting is on the window's signals in a QEventLoop, with a QTimer as the deadline: never a
sleep. The target: at most 1 GB after the scenario, and no growth during a run beyond what
the run itself records (its epochs' results, kept for the curves and the history).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")


def proc_status_mb(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS, VmHWM) in MB."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def malloc_mb() -> dict[str, float]:
    """glibc's view of the C heap (mallinfo2, all arenas): ``heap`` the bytes its arenas
    hold, ``heap_free`` those of them free but not returned to the system, ``mmap`` the big
    blocks mapped on their own. Empty on another C library."""
    import ctypes

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost")]

    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = MallInfo2
    info = mallinfo2()
    return {"heap_mb": round(info.arena / 2**20, 1), "heap_free_mb": round(info.fordblks / 2**20, 1),
            "mmap_mb": round(info.hblkhd / 2**20, 1)}


class Waiter:
    """Run the event loop until a signal fires (or a deadline): the window keeps working."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        self._loop = QEventLoop()
        self._deadline = QTimer()
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._on_deadline)
        self._timed_out = False
        self.args: tuple = ()

    def _on_deadline(self) -> None:
        self._timed_out = True
        self._loop.quit()

    def wait(self, signal, start=None, timeout_s: float = 600.0, accept=None) -> tuple:
        """Call ``start()`` and run the loop until ``signal`` fires with args that
        ``accept(*args)`` takes (any, by default); its args."""

        def on_signal(*args: object) -> None:
            if accept is None or accept(*args):
                self.args = args
                self._loop.quit()

        self._timed_out, self.args = False, ()
        signal.connect(on_signal)
        try:
            self._deadline.start(int(timeout_s * 1000))
            if start is not None:
                start()
            self._loop.exec()
        finally:
            self._deadline.stop()
            signal.disconnect(on_signal)
        if self._timed_out:
            raise TimeoutError(f"no signal within {timeout_s:.0f} s")
        return self.args


class Recorder:
    """RSS after each step, and (with tracemalloc) the top growth by traceback."""

    def __init__(self, trace: bool, frames: int = 12) -> None:
        self.rows: list[dict] = []
        self.trace = trace
        if trace:
            import tracemalloc

            tracemalloc.start(frames)
            self._base = tracemalloc.take_snapshot()

    def step(self, name: str) -> dict:
        gc.collect()
        row = {"step": name, "rss_mb": round(proc_status_mb("VmRSS"), 1),
               "peak_mb": round(proc_status_mb("VmHWM"), 1),
               "t_s": round(time.perf_counter() - START, 1), **malloc_mb()}
        if self.trace:
            import tracemalloc

            current, _peak = tracemalloc.get_traced_memory()
            row["traced_mb"] = round(current / 2**20, 1)
        self.rows.append(row)
        print(f"  {name:<22} RSS {row['rss_mb']:8.1f} MB  peak {row['peak_mb']:8.1f} MB"
              + (f"  C heap {row['heap_mb']:7.1f} MB ({row['heap_free_mb']:.1f} free)"
                 f"  mmap {row['mmap_mb']:7.1f} MB" if "heap_mb" in row else "")
              + (f"  traced {row['traced_mb']:7.1f} MB" if self.trace else ""), flush=True)
        return row

    def top_growth(self, limit: int = 15) -> list[dict]:
        """The allocations still held that grew most since the start, by traceback."""
        if not self.trace:
            return []
        import tracemalloc

        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)])
        stats = snapshot.compare_to(self._base, "traceback")[:limit]
        out = []
        for stat in stats:
            # oldest frame first; the project's own frames, nearest the allocation
            frames = [f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback
                      if "mnist_gui" in f.filename or "pyqtgraph" in f.filename][-6:]
            out.append({"mb": round(stat.size_diff / 2**20, 2), "count": stat.count_diff,
                        "where": frames or [f"{Path(f.filename).name}:{f.lineno}"
                                            for f in stat.traceback][-3:]})
        return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--models", type=int, default=5)
    parser.add_argument("--long-epochs", type=int, default=10)
    parser.add_argument("--every", type=float, default=3.0, help="seconds between samples")
    parser.add_argument("--switch-ms", type=int, default=400, help="the next view every this often")
    parser.add_argument("--subset", type=int, default=0, help="train on this many images (0: all)")
    parser.add_argument("--no-tsne", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--no-heap-policy", action="store_true",
                        help="leave glibc's malloc as it is (the app sets it: gui/heap.py)")
    args = parser.parse_args(argv)
    if not args.no_heap_policy:
        from mnist_gui.gui.heap import limit_heap_retention

        limit_heap_retention()  # as the app's main() does, before any thread

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from mnist_gui.core.presets import PRESETS
    from mnist_gui.core.runs import RunStore
    from mnist_gui.gui import MainWindow

    recorder = Recorder(args.tracemalloc)
    tmp = tempfile.TemporaryDirectory(prefix="mnist-gui-bench-memory-")
    settings = QSettings(f"{tmp.name}/settings.ini", QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, run_store=RunStore(f"{tmp.name}/home"))
    window.resize(1500, 950)
    window.show()
    waiter = Waiter()
    print(f"mnist-gui memory: {args.runs} fast runs, t-SNE, {args.models} models, "
          f"a {args.long_epochs}-epoch run", flush=True)
    recorder.step("window shown")

    # every view in turn while a run trains (each renders when it is shown)
    views = [view for _title, view in window.views]
    turn = [0]

    def next_view() -> None:
        window.show_view(views[turn[0] % len(views)])
        turn[0] += 1

    switcher = QTimer()
    switcher.setInterval(args.switch_ms)
    switcher.timeout.connect(next_view)

    fast = PRESETS["fast"].config
    if args.subset:
        fast = fast.updated(train_subset=args.subset)
    saved: list[Path] = []

    def run(config, samples: list | None = None) -> object:
        window.config_panel.set_config(config, "custom")
        sampler = QTimer()
        t0 = time.perf_counter()
        if samples is not None:
            sampler.setInterval(int(args.every * 1000))
            sampler.timeout.connect(lambda: samples.append(
                (round(time.perf_counter() - t0, 2), round(proc_status_mb("VmRSS"), 1),
                 len(window.state.history))))
            sampler.start()
        switcher.start()
        try:
            (final,) = waiter.wait(window.training_finished, window.start_training, 1800)
        finally:
            switcher.stop()
            sampler.stop()
        if final.reason != "completed":
            raise RuntimeError(f"run ended: {final.reason}: {final.message}")
        return final

    for i in range(args.runs):
        run(fast)
        if len(saved) < args.models:
            path = Path(tmp.name) / f"model-{i + 1}.npz"
            window.save_model(str(path))
            saved.append(path)
        recorder.step(f"run {i + 1}")

    if not args.no_tsne:
        from mnist_gui.core.embedding import tsne_available

        if not tsne_available():
            print("openTSNE is not installed: no t-SNE step", flush=True)
        else:
            panel = window.map_panel
            if panel.coordinates() is None or not len(panel.coordinates()):
                waiter.wait(panel.map_shown, lambda: window.show_view(panel), 300)
            else:
                window.show_view(panel)
            waiter.wait(panel.map_shown, panel.tsne_button.click, 900,
                        accept=lambda kind: kind == "tsne")
            recorder.step("t-SNE map")

    for i, path in enumerate(saved):
        waiter.wait(window.model_loaded, lambda p=path: window.open_model(str(p)), 300)
        window.show_view(views[i % len(views)])
        recorder.step(f"model {i + 1} opened")

    # the long run: RSS every few seconds, against what the run itself keeps
    samples: list[tuple[float, float, int]] = []
    run(fast.updated(epochs=args.long_epochs), samples)
    end = recorder.step("long run")
    growth = per_minute(samples)
    top = recorder.top_growth()

    result = {
        "steps": recorder.rows,
        "long_run_samples": samples,
        "rss_end_mb": end["rss_mb"],
        "peak_rss_mb": end["peak_mb"],
        "long_run_growth_mb_per_min": growth,
        "long_run_epochs": args.long_epochs,
        "runs": args.runs,
        "heap_policy": not args.no_heap_policy,
        "models": len(saved),
        "tracemalloc_top": top,
    }
    print()
    print(table(result))
    for item in top:
        print(f"  {item['mb']:+8.2f} MB {item['count']:+7d} blocks  {' > '.join(item['where'])}")
    print(json.dumps({k: v for k, v in result.items() if k != "tracemalloc_top"}), flush=True)

    window.close()
    window.deleteLater()
    app.processEvents()
    tmp.cleanup()
    return result


def per_minute(samples: list[tuple[float, float, int]]) -> float | None:
    """RSS growth during the run in MB per minute: a least-squares slope over the samples
    after the first epoch (the first epoch allocates the run's buffers once)."""
    points = [(t, rss) for t, rss, epochs in samples if epochs >= 1]
    if len(points) < 3:
        return None
    import numpy as np

    t, rss = np.array(points).T
    return round(float(np.polyfit(t / 60, rss, 1)[0]), 1)


def table(result: dict) -> str:
    lines = ["| step | RSS (MB) | peak (MB) | C heap, of it free (MB) |", "|---|---|---|---|"]
    lines += [f"| {r['step']} | {r['rss_mb']:.0f} | {r['peak_mb']:.0f} | "
              f"{r.get('heap_mb', float('nan')):.0f}, {r.get('heap_free_mb', float('nan')):.0f} |"
              for r in result["steps"]]
    growth = result["long_run_growth_mb_per_min"]
    lines.append(f"| growth during the {result['long_run_epochs']}-epoch run | "
                 f"{'-' if growth is None else f'{growth:+.1f} MB/min'} | | |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
