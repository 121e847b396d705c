"""Time what the Inspect panel computes, for the largest preset's shape 784-800-800-10.

Random weights (timing does not depend on what the network learnt) and real test digits.
Reports medians (and the 90th percentile) of many runs against the issue's targets:
activations + gradient attribution + probabilities < 10 ms, integrated gradients (64 steps)
< 50 ms, counterfactual < 200 ms; and the neighbour index's build time and memory.

Run alone, taking turns with other benchmarks:
    flock /tmp/mnist-bench.lock python scripts/bench_inspect.py
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np


def timed(function, runs: int) -> list[float]:  # noqa: ANN001
    """Milliseconds per call, after two warm-up calls."""
    function()
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()

    from threadpoolctl import threadpool_info

    from mnist_gui.core import explain as ex
    from mnist_gui.core.data import load_raw
    from mnist_gui.core.network import build_mlp

    raw = load_raw()
    model = build_mlp(784, [800, 800], 10, input_mean=0.1307, input_std=0.3081)
    model.initialize(np.random.default_rng(0))
    digits = [raw.test_images[i].reshape(28, 28) / 255.0 for i in range(16)]
    turn = iter(range(10**9))

    def next_digit() -> np.ndarray:
        return digits[next(turn) % len(digits)]

    def fast_path() -> None:  # what the panel does on the GUI thread per refresh
        image = next_digit()
        seen = ex.forward(model, image)
        ex.attribute(model, image, "gradient", target=seen.predicted)

    def integrated() -> None:
        ex.attribute(model, next_digit(), "integrated-gradients", steps=64)

    def smoothgrad() -> None:
        ex.attribute(model, next_digit(), "smoothgrad", samples=32)

    def counterfactual() -> None:
        image = next_digit()
        predicted = ex.forward(model, image).predicted
        found = ex.counterfactual(model, image, (predicted + 3) % 10)
        steps.append(found.steps)

    steps: list[int] = []
    blas = [(i.get("internal_api"), i.get("architecture"), i.get("num_threads"))
            for i in threadpool_info() if i.get("user_api") == "blas"]
    print(f"784-800-800-10, random weights, float32; BLAS {blas}")
    rows = [
        ("activations + gradient + probabilities", fast_path, 10.0),
        ("integrated gradients, 64 steps", integrated, 50.0),
        ("SmoothGrad, 32 samples", smoothgrad, None),
        ("counterfactual (to predicted+3)", counterfactual, 200.0),
    ]
    for name, function, target in rows:
        times = timed(function, args.runs)
        median = statistics.median(times)
        p90 = float(np.percentile(times, 90))
        verdict = "" if target is None else f"  target < {target:g} ms: {'ok' if median < target else 'MISSED'}"
        print(f"{name:<42} median {median:7.2f} ms  p90 {p90:7.2f} ms{verdict}")
    print(f"counterfactual gradient steps: median {statistics.median(steps):g}, max {max(steps)}")

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    index = ex.NeighbourIndex.build(model, raw.train_images, raw.train_labels)
    build = time.perf_counter() - start
    held, peak = (v - before for v in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    query = timed(lambda: index.query(next_digit()), max(10, args.runs // 3))
    print(f"neighbour index: build {build:.2f} s over {len(index.rows):,} digits, holds "
          f"{held / 1e6:.0f} MB (peak while building {peak / 1e6:.0f} MB); query median "
          f"{statistics.median(query):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
