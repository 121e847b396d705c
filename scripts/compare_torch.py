"""Train one configuration with our engine and with PyTorch, same data and settings, and
compare test accuracy per epoch: a check of the maths (not of speed) on configurations a unit
test cannot afford, e.g. sigmoid/tanh with dropout (which once trained to chance here).

    python scripts/compare_torch.py                       # the issue-8 cases
    python scripts/compare_torch.py --activation tanh --dropout 0.5 --epochs 3 --seeds 3
    python scripts/compare_torch.py --issue20             # 784-256-256-10 with batch norm

``--normalization batch|layer`` puts nn.BatchNorm1d / nn.LayerNorm (PyTorch's defaults:
eps 1e-5, momentum 0.1, gamma 1, beta 0) between each Linear and its activation, as ours.
Each run's training seconds per epoch (the epoch's batches only, not the evaluation) are
reported beside the accuracy: PyTorch runs with its default threads, ours with the
trainer's BLAS policy. Time it on a quiet machine.

PyTorch (``pip install '.[bench]'``): nn.Linear layers with the same initialiser (Xavier
normal, zero biases), nn.Dropout, SGD with momentum (PyTorch's form is our "classic"
v <- mu*v + g, p <- p - lr*v, the same maths), softmax cross-entropy, shuffled batches.
Accuracies are the mean over ``--seeds`` seeds (each framework its own random streams).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mnist_gui.core.data import DataSpec, load_raw, prepare  # noqa: E402
from mnist_gui.core.training import TrainConfig, Trainer  # noqa: E402


def ours(dataset, args, seed: int) -> tuple[list[float], float]:  # noqa: ANN001
    """(test accuracy per epoch, mean training seconds per epoch)."""
    config = TrainConfig(
        hidden=args.hidden, activation=args.activation, dropout=args.dropout, init="xavier",
        optimizer="momentum", momentum=0.9, lr=args.lr, batch_size=args.batch_size,
        epochs=args.epochs, seed=seed, normalization=args.normalization,
    )
    trainer = Trainer(config, dataset, copy_weights_each_epoch=False)
    trainer.train()
    seconds = statistics.mean(epoch.train_seconds for epoch in trainer.history)
    return [epoch.test_accuracy for epoch in trainer.history], seconds


def torch_run(dataset, args, seed: int) -> tuple[list[float], float]:  # noqa: ANN001
    """(test accuracy per epoch, mean training seconds per epoch)."""
    import time

    import torch

    torch.manual_seed(seed)
    sizes = [dataset.n_features, *args.hidden, len(dataset.classes)]
    activation = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}
    layers: list = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = torch.nn.Linear(a, b)
        torch.nn.init.xavier_normal_(linear.weight)
        torch.nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            if args.normalization == "batch":
                layers.append(torch.nn.BatchNorm1d(b))
            elif args.normalization == "layer":
                layers.append(torch.nn.LayerNorm(b))
            layers += [activation[args.activation](), torch.nn.Dropout(args.dropout)]
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(dataset.X_train), torch.from_numpy(dataset.y_train)
    X_test, y_test = torch.from_numpy(dataset.X_test), torch.from_numpy(dataset.y_test)
    accuracies, seconds = [], []
    for _ in range(args.epochs):
        model.train()
        t0 = time.perf_counter()
        order = torch.randperm(len(y))
        for start in range(0, len(y), args.batch_size):
            idx = order[start : start + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X[idx]), y[idx]).backward()
            optimizer.step()
        seconds.append(time.perf_counter() - t0)
        model.eval()
        with torch.no_grad():
            accuracies.append(float((model(X_test).argmax(1) == y_test).float().mean()))
    return accuracies, statistics.mean(seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activation", action="append", choices=("sigmoid", "tanh", "relu"))
    parser.add_argument("--hidden", type=lambda t: [int(p) for p in t.split(",")], default=[256])
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=0.015)
    parser.add_argument("--normalization", choices=("none", "batch", "layer"), default="none")
    parser.add_argument("--issue20", action="store_true",
                        help="issue 20's check: 784-256-256-10 ReLU and sigmoid with batch "
                        "norm, no dropout, 3 seeds, within 0.5 pp and no slower per epoch")
    parser.add_argument("--train-subset", type=int, default=0,
                        help="train on the first N images (0: all; a smoke run)")
    args = parser.parse_args()
    if args.issue20:
        args.hidden, args.normalization, args.dropout = [256, 256], "batch", 0.0
        args.activation = args.activation or ["relu", "sigmoid"]
        args.tolerance = 0.005
    activations = args.activation or ["sigmoid", "tanh"]
    dataset = prepare(load_raw(), DataSpec(train_subset=args.train_subset))
    failed = False
    print(f"784-{'-'.join(map(str, args.hidden))}-10, normalization {args.normalization}, "
          f"batch {args.batch_size}, lr {args.lr}, momentum 0.9, Xavier")
    print("| activation | dropout | epochs | ours (test acc., mean of seeds) | PyTorch | "
          "difference | s/epoch ours | s/epoch PyTorch | ours / PyTorch |")
    print("|---|---|---|---|---|---|---|---|---|")
    for activation in activations:
        args.activation = activation
        mine = [ours(dataset, args, seed) for seed in range(args.seeds)]
        theirs = [torch_run(dataset, args, seed) for seed in range(args.seeds)]
        mine_acc, theirs_acc = [m[0][-1] for m in mine], [t[0][-1] for t in theirs]
        a, b = statistics.mean(mine_acc), statistics.mean(theirs_acc)
        sa, sb = statistics.mean(m[1] for m in mine), statistics.mean(t[1] for t in theirs)
        failed |= abs(a - b) > args.tolerance
        if args.issue20:
            failed |= sa > sb
        print(f"| {activation} | {args.dropout} | {args.epochs} | {100 * a:.2f}% "
              f"({', '.join(f'{100 * m:.2f}' for m in mine_acc)}) | {100 * b:.2f}% "
              f"({', '.join(f'{100 * t:.2f}' for t in theirs_acc)}) | {100 * (a - b):+.2f} pp "
              f"| {sa:.2f} | {sb:.2f} | {sa / sb:.2f}x |", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
