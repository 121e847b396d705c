"""Benchmarks: our NumPy trainer side by side with PyTorch on the CPU, the GUI's throughput
and responsiveness, draw-to-prediction latency and the cost of augmentation.

    python scripts/bench.py              # everything (PyTorch from the 'bench' extra)
    python scripts/bench.py --quick      # fewer turns
    python scripts/bench.py --json out.json --markdown out.md
    python scripts/bench.py --versus /tmp/old-checkout --skip-gui   # A/B against another tree

Every figure is measured in this run; ratios compare runs made side by side (alternating
ours and PyTorch's epochs), and each cell is the median of several runs.

OpenBLAS kernels: these machines set OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE (a guard
for old OpenBLAS builds), which makes a current NumPy run its AVX2 kernels at about half the
speed of the native ones. A user's machine sets neither, so the headless rows run with both
unset in the benchmark's own processes ("native"; never in tests or CI) and report the
kernel OpenBLAS chose; ``--kernel set`` keeps the variables, for continuity with old tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from mnist_gui.core.data import DataSpec, load_raw, prepare  # noqa: E402
from mnist_gui.core.training import TrainConfig, Trainer  # noqa: E402


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def gemm_peak(repeats: int = 7) -> float:
    """float32 GEMM GFLOP/s at 2048^2 (median of ``repeats``)."""
    rng = np.random.default_rng(0)
    a = rng.random((2048, 2048), dtype=np.float32)
    b = rng.random((2048, 2048), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - t)
    return 2 * 2048**3 / median(times) / 1e9


def epoch_flops(sizes: list[int], n: int) -> float:
    """FLOPs of one epoch: forward 2*W, dW 2*W per layer, dX 2*W for all but the first."""
    weights = [a * b for a, b in zip(sizes[:-1], sizes[1:])]
    return n * (4 * sum(weights) + 2 * sum(weights[1:]))


# ---------------------------------------------------------------------------- headless


class OursRunner:
    def __init__(self, dataset, hidden: list[int], batch: int) -> None:  # noqa: ANN001
        config = TrainConfig(hidden=hidden, activation="relu", loss="ce", init="he",
                             optimizer="momentum", momentum=0.9, lr=0.01, batch_size=batch,
                             epochs=10_000)
        self.trainer = Trainer(config, dataset, copy_weights_each_epoch=False)
        self.events = self.trainer.run()
        next(self.events)  # TrainingStarted

    def epoch(self) -> tuple[float, float]:
        """(train seconds, evaluation seconds) of one more epoch."""
        from mnist_gui.core.training import EpochFinished

        for event in self.events:
            if isinstance(event, EpochFinished):
                return event.train_seconds, event.eval_seconds
        raise RuntimeError("training ended early")


class FloorRunner:
    """The GEMM floor: one epoch of only the matrix products our trainer computes, into
    preallocated outputs: per batch and dense layer the forward x @ W, dW = x.T @ dz and
    (all but the first layer) dx = dz @ W.T, with the epoch's batch sizes (the last one
    partial) and the trainer's BLAS thread policy. Nothing else: no bias, activation,
    softmax, optimiser step or batch gather. What a NumPy MLP cannot beat on this machine;
    our epoch over this is what the rest of the step costs."""

    def __init__(self, dataset, hidden: list[int], batch: int) -> None:  # noqa: ANN001
        from mnist_gui.core.training import SINGLE_THREAD_GEMM_WORK

        rng = np.random.default_rng(0)
        self.sizes = sizes = [dataset.n_features, *hidden, len(dataset.classes)]
        n = len(dataset.y_train)
        batch = batch or n
        self.batches = [batch] * (n // batch) + ([n % batch] if n % batch else [])
        f32 = np.float32
        self.W = [(rng.standard_normal((a, b)) * 0.01).astype(f32)
                  for a, b in zip(sizes[:-1], sizes[1:])]
        self.dW = [np.empty_like(W) for W in self.W]
        self.buffers = {}
        for rows in set(self.batches):
            x = [np.ascontiguousarray(dataset.X_train[:rows], f32)]  # layer inputs
            x += [rng.standard_normal((rows, b)).astype(f32) for b in sizes[1:-1]]
            z = [np.empty((rows, b), f32) for b in sizes[1:]]  # layer outputs
            dz = [rng.standard_normal((rows, b)).astype(f32) for b in sizes[1:]]
            dx = [np.empty((rows, a), f32) for a in sizes[:-1]]
            self.buffers[rows] = (x, z, dz, dx)
        work = batch * max(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        self.single_thread = work < SINGLE_THREAD_GEMM_WORK

    def epoch(self) -> tuple[float, float]:
        from threadpoolctl import threadpool_limits

        matmul = np.matmul
        limiter = threadpool_limits(limits=1, user_api="blas") if self.single_thread else None
        try:
            t = time.perf_counter()
            for rows in self.batches:
                x, z, dz, dx = self.buffers[rows]
                for l, W in enumerate(self.W):
                    matmul(x[l], W, out=z[l])
                for l in range(len(self.W) - 1, -1, -1):
                    matmul(x[l].T, dz[l], out=self.dW[l])
                    if l > 0:
                        matmul(dz[l], self.W[l].T, out=dx[l])
            return time.perf_counter() - t, 0.0
        finally:
            if limiter is not None:
                limiter.restore_original_limits()


class TorchRunner:
    def __init__(self, dataset, hidden: list[int], batch: int) -> None:  # noqa: ANN001
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        self.torch = torch
        sizes = [dataset.n_features, *hidden, len(dataset.classes)]
        layers = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(torch.nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=0.01, momentum=0.9)
        self.loss = torch.nn.CrossEntropyLoss()
        self.X = torch.from_numpy(dataset.X_train)
        self.y = torch.from_numpy(dataset.y_train)
        self.batch = batch
        self.gen = torch.Generator().manual_seed(0)

    def epoch(self) -> tuple[float, float]:
        torch = self.torch
        t = time.perf_counter()
        n = len(self.y)
        order = torch.randperm(n, generator=self.gen)
        total = 0.0
        for start in range(0, n, self.batch):
            idx = order[start : start + self.batch]
            xb, yb = self.X[idx], self.y[idx]
            self.opt.zero_grad(set_to_none=True)
            out = self.model(xb)
            loss = self.loss(out, yb)
            loss.backward()
            self.opt.step()
            total += loss.item() * len(yb)
        return time.perf_counter() - t, 0.0


def kernel_environment(native: bool) -> dict:
    """This process's environment with OpenBLAS left to pick its native kernels, or with
    the variables these machines set (Haswell kernels), whatever this shell has."""
    env = dict(os.environ)
    if native:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    else:
        env.update(OPENBLAS_CORETYPE="Haswell", OPENBLAS_L2_SIZE="512")
    return env


class EpochServer:
    """A process of its own that trains one framework and runs one more epoch each time it
    is asked (a line on stdin; it answers with a JSON line). Two of them, ours and
    PyTorch's, take turns epoch by epoch, so both see the machine in the same state: here
    its speed drifts by up to 2x within seconds, which separate runs cannot tell from a
    real difference. Separate processes, because each framework's BLAS/OpenMP threads spin
    after a call and would slow the other in a shared one."""

    CODE = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from scripts.bench import serve_epochs; "
        "serve_epochs(sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]))"
    )
    #: prints the OpenBLAS kernel and the GEMM peak of the process's own environment
    HELLO = (
        "import json, sys; from threadpoolctl import threadpool_info; "
        "sys.path.insert(0, sys.argv[1]); from scripts.bench import gemm_peak; "
        "blas = [i for i in threadpool_info() if i['user_api'] == 'blas']; "
        "print(json.dumps({'kernel': blas[0].get('architecture') if blas else None, "
        "'gemm_gflops': gemm_peak()}), flush=True)"
    )

    def __init__(self, kind: str, hidden: list[int], batch: int, native: bool = True,
                 root: Path = ROOT) -> None:
        env = kernel_environment(native)
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.CODE, str(root), kind, json.dumps(hidden), str(batch)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env,
            cwd=str(root),
        )

    @staticmethod
    def environment(native: bool) -> dict:
        """The kernel and GEMM peak a server process sees (measured in a process alike)."""
        env = kernel_environment(native)
        out = subprocess.run([sys.executable, "-c", EpochServer.HELLO, str(ROOT)], env=env,
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    def epoch(self) -> tuple[float, float]:
        self.process.stdin.write("epoch\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"epoch server exited with {self.process.wait()}")
        return tuple(json.loads(line))

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def serve_epochs(kind: str, hidden: list[int], batch: int) -> None:
    dataset = prepare(load_raw(), DataSpec())
    runner = {"ours": OursRunner, "torch": TorchRunner, "floor": FloorRunner}[kind](
        dataset, hidden, batch)
    for _ in sys.stdin:
        print(json.dumps(runner.epoch()), flush=True)


def bench_headless(cases, turns: int, native: bool = True,
                   versus: Path | None = None) -> list[dict]:  # noqa: ANN001
    """Ours, PyTorch's and (``versus``) another checkout's trainer, each in a process of its
    own, taking turns epoch by epoch; ratios are medians of adjacent-epoch ratios."""
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
        print("PyTorch not installed: pip install '.[bench]' (ratios will be missing)")
    environment = EpochServer.environment(native)
    print(f"OpenBLAS kernel {environment['kernel']}, GEMM peak "
          f"{environment['gemm_gflops']:.0f} GFLOP/s ({'native' if native else 'OPENBLAS_CORETYPE=Haswell'})",
          flush=True)
    rows = []
    for hidden, batch in cases:
        servers = {"ours": EpochServer("ours", hidden, batch, native),
                   "floor": EpochServer("floor", hidden, batch, native)}
        if have_torch:
            servers["torch"] = EpochServer("torch", hidden, batch, native)
        if versus is not None:
            servers["versus"] = EpochServer("ours", hidden, batch, native, root=versus)
        times: dict[str, list[float]] = {name: [] for name in servers}
        evals: list[float] = []
        try:
            for server in servers.values():  # warm-up: buffers, caches, thread pools
                server.epoch()
            for _ in range(turns):
                for name, server in servers.items():
                    time.sleep(0.3)  # lets the other side's spinning threads go to sleep
                    train_s, eval_s = server.epoch()
                    times[name].append(train_s)
                    if name == "ours":
                        evals.append(eval_s)
        finally:
            for server in servers.values():
                server.close()
        sizes = [784, *hidden, 10]
        flops = epoch_flops(sizes, 60_000)
        ours = times["ours"]
        ratios = [a / b for a, b in zip(ours, times.get("torch", []))]
        floor_ratios = [a / b for a, b in zip(ours, times["floor"])]
        row = {
            "network": "-".join(map(str, sizes)),
            "batch": batch,
            "kernel": environment["kernel"],
            "native": native,
            "ours_s": median(ours),
            "torch_s": median(times["torch"]) if "torch" in times else None,
            "eval_s": median(evals),
            "gflop": flops / 1e9,
            "runs": len(ours),
            "ratios": ratios,
            "ratio": median(ratios) if ratios else None,
            "floor_s": median(times["floor"]),
            "floor_ratios": floor_ratios,
            "floor_ratio": median(floor_ratios),
        }
        if versus is not None:
            versus_ratios = [a / b for a, b in zip(ours, times["versus"])]
            row["versus_s"] = median(times["versus"])
            row["versus_ratios"] = versus_ratios
            row["versus_ratio"] = median(versus_ratios)
        row["ours_gflops"] = flops / row["ours_s"] / 1e9
        row["gemm_gflops"] = environment["gemm_gflops"]
        row["peak_fraction"] = row["ours_gflops"] / environment["gemm_gflops"]
        row["eval_fraction"] = row["eval_s"] / row["ours_s"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


# --------------------------------------------------------------------------------- GUI

GUI_PROBE = r"""
import json, os, resource, sys, time
t_start = float(sys.argv[1])
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from mnist_gui.gui import MainWindow
settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
window = MainWindow(settings=settings)
window.resize(1500, 950)
window.show()
app.processEvents()
shown = time.time() - t_start
turns = int(sys.argv[3])
tab = int(sys.argv[4])
interleave = sys.argv[5] == "1"  # else the window trains alone (peak memory, waits)
import numpy as np
from mnist_gui.core.data import DataSpec, load_raw, prepare
from mnist_gui.core.training import EpochFinished, TrainConfig, Trainer
config = TrainConfig(hidden=[128], optimizer="momentum", momentum=0.9, lr=0.01, batch_size=64,
                     epochs=turns + 1)
panel = window.config_panel
panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("custom"))
panel.set_config(config)
window.tabs.setCurrentIndex(tab)
# The same run headless, in this process, taking turns with the window epoch by epoch: the
# machine's speed drifts by up to 2x within seconds, and adjacent epochs see the same state.
if interleave:
    headless = Trainer(config.updated(epochs=10_000), prepare(load_raw(), DataSpec()),
                       copy_weights_each_epoch=False)
    headless_events = headless.run()
def headless_epoch():
    for event in headless_events:
        if isinstance(event, EpochFinished):
            return event.train_seconds
if interleave:
    headless_epoch()  # warm-up
gaps, last, gui_s, headless_s = [], [None], [], []
def tick():
    now = time.perf_counter()
    if last[0] is not None:
        gaps.append(now - last[0])
    last[0] = now
probe = QTimer(); probe.setInterval(5); probe.timeout.connect(tick)
def take_turn():
    headless_s.append(headless_epoch())
    QTimer.singleShot(300, resume)
def resume():
    last[0] = None
    probe.start()
    window.toggle_pause()
def on_epoch(report):
    if not interleave:
        if report.epoch > 1:
            gui_s.append(report.train_seconds)
        else:
            probe.start()
        return
    probe.stop()
    if report.epoch == 1:  # the GUI's warm-up epoch
        window.toggle_pause()
        QTimer.singleShot(300, resume)
        return
    gui_s.append(report.train_seconds)
    if report.epoch < report.epochs:
        window.toggle_pause()
        QTimer.singleShot(300, take_turn)
window.epoch_finished.connect(on_epoch)
window.training_finished.connect(lambda f: app.quit())
window.start_training()
app.exec()
probe.stop()
# heatmap refresh of a 784x512 layer: new data in, and a complete render of the heatmaps
weights = [np.random.default_rng(0).standard_normal((784, 512)).astype(np.float32) * 0.05,
           np.random.default_rng(1).standard_normal((512, 10)).astype(np.float32) * 0.05]
window.tabs.setCurrentWidget(window.weights_panel)
window.weights_panel.show_weights(weights, 1.0)
app.processEvents()
refresh = []
for i in range(20):
    weights[0] *= 1.0001
    t = time.perf_counter()
    window.weights_panel.show_weights(weights, 1.0 + i)
    window.weights_panel.view.grab()  # renders the heatmap view completely, as a repaint would
    refresh.append(time.perf_counter() - t)
waits = np.array(gaps) * 1000
print(json.dumps({
    "shown_s": shown,
    "epoch_s": gui_s,
    "headless_epoch_s": headless_s[:len(gui_s)],
    "p99_wait_ms": float(np.percentile(waits, 99)) if len(waits) else None,
    "max_wait_ms": float(waits.max()) if len(waits) else None,
    "heatmap_refresh_ms": float(np.median(refresh) * 1000),
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}), flush=True)
# tear down in order: window (and its threads) first, then the timers, then the app; left
# to the interpreter's exit, module globals go in any order and Qt can crash
window.close()
window.deleteLater()
del window, probe
app.processEvents()
"""


def bench_gui(turns: int, tab: int, interleave: bool) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        # a scratch run store: the probe's runs must not land among the user's
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
               "MNIST_GUI_HOME": f"{tmp}/home"}
        result = subprocess.run(
            [sys.executable, "-c", GUI_PROBE, str(time.time()), f"{tmp}/s.ini", str(turns), str(tab),
             "1" if interleave else "0"],
            capture_output=True, text=True, env=env, timeout=900,
        )
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"GUI probe failed: {result.stderr[-2000:]}")
    return json.loads(lines[-1])


# The app as a user starts it (``mnist-gui``, no arguments), offscreen, in a fresh process:
# the time from the launch (the parent's clock just before it starts the process) to the end
# of the window's first paint. An application-wide event filter sees the first paint event of
# any widget of the main window; a zero timer then fires once that repaint (all the dirty
# widgets, painted and flushed in one go) has finished. The process's CPU time until then is
# reported beside it: on a machine shared with other work, the wall time is mostly waiting.
SHOWN_PROBE = r"""
import os, sys, time
t_launch = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(["mnist-gui"])
class FirstPaint(QObject):
    seen = False
    def eventFilter(self, obj, event):
        if (not self.seen and event.type() == QEvent.Type.Paint and hasattr(obj, "window")
                and isinstance(obj.window(), QMainWindow)):
            self.seen = True
            QTimer.singleShot(0, done)
        return False
def done():
    print("SHOWN_S", time.time() - t_launch, time.process_time(), flush=True)
    os._exit(0)  # the measurement is taken: no teardown, no settings written
first_paint = FirstPaint()
app.installEventFilter(first_paint)
from mnist_gui.__main__ import main
sys.argv = ["mnist-gui"]
main()
"""


def bench_window_shown(repeats: int = 5) -> dict:
    """Launch to the end of the first paint of the shown window, in a fresh process each
    time (offscreen, a scratch settings folder and run store); median of ``repeats``."""
    import tempfile

    times, cpu = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
                   "MNIST_GUI_HOME": f"{tmp}/home", "XDG_CONFIG_HOME": f"{tmp}/config"}
            t_launch = time.time()
            result = subprocess.run([sys.executable, "-c", SHOWN_PROBE, str(t_launch)],
                                    capture_output=True, text=True, env=env, timeout=120,
                                    check=False)
        lines = [ln for ln in result.stdout.splitlines() if ln.startswith("SHOWN_S ")]
        if result.returncode != 0 or not lines:
            raise RuntimeError(f"window-shown probe failed: {result.stderr[-2000:]}")
        times.append(float(lines[-1].split()[1]))
        cpu.append(float(lines[-1].split()[2]))
    # the CPU time the process spent until then: what a busy machine cannot inflate
    return {"window_shown_s": median(times), "window_shown_runs_s": times,
            "window_shown_cpu_s": median(cpu)}


def bench_memory(quick: bool = False) -> dict:
    """scripts/bench_memory.py's scenario in a fresh process: 10 ``fast`` runs with every
    view shown in turn, a t-SNE map, 5 opened models, then a long run (RSS sampled every
    3 s). Peak RSS, RSS at the end, and RSS growth per minute during the long run."""
    args = ["--runs", "2", "--models", "2", "--long-epochs", "4"] if quick else []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "bench_memory.py"), *args],
                               stdout=subprocess.PIPE, text=True, env=env)
    lines = []
    for line in process.stdout:  # its steps as they come: the scenario takes many minutes
        if line.startswith("{"):
            lines.append(line)
        else:
            print(f"  {line}", end="", flush=True)
    if process.wait() != 0 or not lines:
        raise RuntimeError(f"memory scenario failed (exit {process.returncode})")
    found = json.loads(lines[-1])
    return {"peak_rss_mb": found["peak_rss_mb"], "rss_end_mb": found["rss_end_mb"],
            "growth_mb_per_min": found["long_run_growth_mb_per_min"],
            "runs": found["runs"], "models": found["models"],
            "long_run_epochs": found["long_run_epochs"],
            "steps": {row["step"]: row["rss_mb"] for row in found["steps"]}}


def bench_draw(repeats: int = 200) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from mnist_gui.core.network import build_mlp
    from mnist_gui.gui.panels.draw_panel import DrawPanel

    panel = DrawPanel()
    panel.resize(900, 600)
    panel.show()
    model = build_mlp(784, [512], 10).initialize(np.random.default_rng(0))
    panel.set_model(model, "bench")
    canvas = panel.canvas
    latencies = []
    for i in range(repeats):
        t = time.perf_counter()
        canvas._draw_to(QPointF(50 + i % 180, 40 + (i * 7) % 200))  # one mouse-move's work
        latencies.append((time.perf_counter() - t) * 1000)
        app.processEvents()
    return {"draw_median_ms": median(latencies), "draw_p99_ms": float(np.percentile(latencies, 99))}


def bench_augmentation(raw, turns: int) -> dict:  # noqa: ANN001
    """Samples/s of the best-augmented preset's network with and without its distortions,
    on 10,000 images; the two trainers take turns epoch by epoch, as in bench_headless."""
    from mnist_gui.core.presets import PRESETS
    from mnist_gui.core.training import EpochFinished

    base = PRESETS["best-augmented"].config.updated(train_subset=10_000, epochs=10_000)
    runs = {}
    for kind in ("none", "elastic"):
        config = base.updated(augment=kind)
        trainer = Trainer(config, prepare(raw, config.data_spec()), copy_weights_each_epoch=False,
                          evaluate_test=False)
        events = trainer.run()

        def epoch(events=events) -> float:  # noqa: ANN001
            return next(e for e in events if isinstance(e, EpochFinished)).train_seconds

        epoch()  # warm-up
        runs[kind] = epoch
    plain, augmented = [], []
    for _ in range(turns):
        plain.append(10_000 / runs["none"]())
        augmented.append(10_000 / runs["elastic"]())
    costs = [1 - a / p for p, a in zip(plain, augmented)]
    return {"network": "-".join(map(str, base.layer_sizes())), "batch": base.batch_size,
            "plain_samples_s": median(plain), "augmented_samples_s": median(augmented),
            "augmentation_cost": median(costs), "costs": costs}


def markdown(report: dict) -> str:
    lines = [
        f"Measured {report['date']} on {report['machine']} by `python scripts/bench.py`"
        f"{' --quick' if report['quick'] else ''}. Headless: ours and PyTorch's each in a "
        f"process of its own, taking turns epoch by epoch ({report['turns']} turns after a "
        "warm-up epoch); times are medians, the ratio is the median of the ratios of "
        "adjacent epochs. The GEMM floor is the epoch's matrix products alone, in NumPy "
        "into preallocated outputs (scripts/bench.py FloorRunner), taking turns with them.",
        "",
        "",
        "| network | batch | OpenBLAS kernel | ours (s/epoch) | PyTorch (s/epoch) | ours / PyTorch "
        "| GEMM floor (s/epoch) | ours / floor "
        "| ours GFLOP/s (% of that kernel's GEMM peak) | evaluation / epoch | vs --versus tree |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    if not report["headless"]:  # --skip-headless, --only: no empty table
        lines = lines[:1]
    for r in report["headless"]:
        torch_s = f"{r['torch_s']:.3f}" if r["torch_s"] else "-"
        ratio = f"**{r['ratio']:.2f}**" if r["ratio"] else "-"
        versus = f"{r['versus_ratio']:.2f}" if r.get("versus_ratio") else "-"
        kernel = f"{r['kernel']} ({'native' if r['native'] else 'CORETYPE=Haswell'})"
        lines.append(
            f"| {r['network']} | {r['batch']} | {kernel} | {r['ours_s']:.3f} | {torch_s} | {ratio} | "
            f"{r['floor_s']:.3f} | **{r['floor_ratio']:.2f}** | "
            f"{r['ours_gflops']:.0f} ({100 * r['peak_fraction']:.0f}%) | "
            f"{100 * r['eval_fraction']:.1f}% | {versus} |"
        )
    if report.get("gui"):
        g = report["gui"]
        lines += [
            "",
            "| GUI (784-128-10, batch 64, curves tab live) | measured |",
            "|---|---|",
            f"| window shown after launch | {g['shown_s']:.2f} s |",
            f"| epoch in the GUI vs headless | {g['epoch_s']:.3f} s vs {g['headless_s']:.3f} s "
            f"(throughput {100 * g['throughput']:.0f}%) |",
            f"| event loop wait, 99th percentile / max | {g['p99_wait_ms']:.1f} ms / {g['max_wait_ms']:.1f} ms |",
            f"| the same with the Weights tab live | {g['weights_tab_p99_wait_ms']:.1f} ms / "
            f"{g['weights_tab_max_wait_ms']:.1f} ms |",
            f"| heatmap refresh, 784×512 layer | {g['heatmap_refresh_ms']:.1f} ms |",
            f"| peak memory of the whole run | {g['peak_rss_mb']:.0f} MB |",
        ]
    if report.get("draw"):
        d = report["draw"]
        lines.append(f"| draw-to-prediction latency, median / p99 | {d['draw_median_ms']:.1f} ms / {d['draw_p99_ms']:.1f} ms |")
    if report.get("augmentation"):
        a = report["augmentation"]
        lines.append(
            f"| augmentation (elastic) on {a['network']}, batch {a['batch']} | {a['augmented_samples_s']:,.0f} vs "
            f"{a['plain_samples_s']:,.0f} samples/s ({100 * a['augmentation_cost']:.0f}% slower, median of "
            f"adjacent epochs) |"
        )
    if report.get("shown") or report.get("memory"):
        lines += ["", "| the app | measured | target |", "|---|---|---|"]
    if report.get("shown"):
        w = report["shown"]
        runs = ", ".join(f"{t:.2f}" for t in w["window_shown_runs_s"])
        lines.append(f"| window shown in (launch to first paint, fresh process, median of "
                     f"{len(w['window_shown_runs_s'])}: {runs}) | {w['window_shown_s']:.2f} s "
                     f"({w['window_shown_cpu_s']:.2f} s of CPU) | <= 1.2 s |")
    if report.get("memory"):
        m = report["memory"]
        growth = m["growth_mb_per_min"]
        lines += [
            (f"| memory after {m['runs']} fast runs, a t-SNE map, {m['models']} opened models "
             f"and a {m['long_run_epochs']}-epoch run: peak / at the end | "
             f"{m['peak_rss_mb']:.0f} MB / {m['rss_end_mb']:.0f} MB | <= 1024 MB |"),
            (f"| memory growth during the {m['long_run_epochs']}-epoch run | "
             f"{'-' if growth is None else f'{growth:+.1f} MB/min'} | what the run records |"),
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--skip-gui", action="store_true")
    parser.add_argument("--only-first", action="store_true", help="only batch 64 and the big network")
    parser.add_argument("--skip-augmentation", action="store_true")
    parser.add_argument("--skip-headless", action="store_true", help="GUI, draw and augmentation only")
    parser.add_argument("--skip-shown", action="store_true", help="no 'window shown in' row")
    parser.add_argument("--skip-memory", action="store_true",
                        help="no memory scenario (10 fast runs, t-SNE, 5 models, a long run)")
    parser.add_argument("--only", choices=("shown", "memory"), action="append",
                        help="only these rows (repeat for both): 'window shown in', the memory "
                        "scenario")
    parser.add_argument("--kernel", choices=("native", "set", "both"), default="both",
                        help="headless rows with OPENBLAS_CORETYPE/L2_SIZE unset (native), set to "
                        "Haswell/512 as on these machines, or both (native rows, one row set)")
    parser.add_argument("--case", action="append", metavar="HIDDEN:BATCH",
                        help="headless rows to run instead of the default ones, e.g. "
                        "800,800:128 (repeat for more)")
    parser.add_argument("--turns", type=int, help="epochs per framework after the warm-up")
    parser.add_argument("--versus", type=Path,
                        help="another checkout (e.g. a git worktree of the previous commit) "
                        "whose trainer takes turns with ours: the 'vs' column is ours/theirs")
    args = parser.parse_args()
    turns = args.turns or (5 if args.quick else 9)
    if args.only:
        args.skip_headless = args.skip_gui = args.skip_augmentation = True
        args.skip_shown = "shown" not in args.only
        args.skip_memory = "memory" not in args.only
    raw = load_raw()
    report: dict = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}",
        "quick": args.quick,
        "turns": turns,
    }
    cases = [([128], 64), ([128], 8), ([128], 32), ([128], 256), ([128], 1000), ([512, 256], 64),
             ([512], 64), ([800, 800], 128)]
    if args.only_first:
        cases = [([128], 64), ([512], 64), ([800, 800], 128)]
    if args.case:
        cases = [([int(h) for h in hidden.split(",")], int(batch))
                 for hidden, batch in (case.split(":") for case in args.case)]
    report["headless"] = []
    if not args.skip_headless:
        if args.kernel in ("native", "both"):
            report["headless"] += bench_headless(cases, turns, True, args.versus)
        if args.kernel in ("set", "both"):
            report["headless"] += bench_headless(cases[:1], turns, False, args.versus)
    if not args.skip_gui:
        # the window alone: launch time, event-loop waits, heatmap refresh, peak memory
        gui = bench_gui(turns=turns, tab=0, interleave=False)
        # the heaviest tab to keep live: every layer's heatmap, mosaic and histograms
        weights_tab = bench_gui(turns=turns, tab=1, interleave=False)
        gui["weights_tab_p99_wait_ms"] = weights_tab["p99_wait_ms"]
        gui["weights_tab_max_wait_ms"] = weights_tab["max_wait_ms"]
        # throughput: the window and a headless trainer in one process take turns epoch by
        # epoch (see GUI_PROBE); the median ratio of adjacent epochs
        turns_run = bench_gui(turns=turns if args.quick else 15, tab=0, interleave=True)
        ratios = [h / g for h, g in zip(turns_run["headless_epoch_s"], turns_run["epoch_s"])]
        gui["epoch_s"] = median(turns_run["epoch_s"])
        gui["headless_s"] = median(turns_run["headless_epoch_s"])
        gui["throughputs"] = ratios
        gui["throughput"] = median(ratios)
        report["gui"] = gui
        print(json.dumps(gui), flush=True)
        report["draw"] = bench_draw()
        print(json.dumps(report["draw"]), flush=True)
    if not args.skip_shown:
        report["shown"] = bench_window_shown()
        print(json.dumps(report["shown"]), flush=True)
    if not args.skip_memory:
        report["memory"] = bench_memory(args.quick)
        print(json.dumps(report["memory"]), flush=True)
    if not args.skip_augmentation:
        report["augmentation"] = bench_augmentation(raw, turns)
        print(json.dumps(report["augmentation"]), flush=True)
    table = markdown(report)
    print(table)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    if args.markdown:
        args.markdown.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
