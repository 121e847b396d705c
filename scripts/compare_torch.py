"""Train one configuration with our engine and with PyTorch, same data and settings, and
compare test accuracy per epoch: a check of the maths (not of speed) on configurations a unit
test cannot afford, e.g. sigmoid/tanh with dropout (which once trained to chance here).

    python scripts/compare_torch.py                       # the issue-8 cases
    python scripts/compare_torch.py --activation tanh --dropout 0.5 --epochs 3 --seeds 3

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


def ours(dataset, args, seed: int) -> list[float]:  # noqa: ANN001
    config = TrainConfig(
        hidden=args.hidden, activation=args.activation, dropout=args.dropout, init="xavier",
        optimizer="momentum", momentum=0.9, lr=args.lr, batch_size=args.batch_size,
        epochs=args.epochs, seed=seed,
    )
    trainer = Trainer(config, dataset, copy_weights_each_epoch=False)
    trainer.train()
    return [epoch.test_accuracy for epoch in trainer.history]


def torch_run(dataset, args, seed: int) -> list[float]:  # noqa: ANN001
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
            layers += [activation[args.activation](), torch.nn.Dropout(args.dropout)]
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, y = torch.from_numpy(dataset.X_train), torch.from_numpy(dataset.y_train)
    X_test, y_test = torch.from_numpy(dataset.X_test), torch.from_numpy(dataset.y_test)
    accuracies = []
    for _ in range(args.epochs):
        model.train()
        order = torch.randperm(len(y))
        for start in range(0, len(y), args.batch_size):
            idx = order[start : start + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X[idx]), y[idx]).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            accuracies.append(float((model(X_test).argmax(1) == y_test).float().mean()))
    return accuracies


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
    args = parser.parse_args()
    activations = args.activation or ["sigmoid", "tanh"]
    dataset = prepare(load_raw(), DataSpec())
    failed = False
    print("| activation | dropout | epochs | ours (test acc., mean of seeds) | PyTorch | difference |")
    print("|---|---|---|---|---|---|")
    for activation in activations:
        args.activation = activation
        mine = [ours(dataset, args, seed)[-1] for seed in range(args.seeds)]
        theirs = [torch_run(dataset, args, seed)[-1] for seed in range(args.seeds)]
        a, b = statistics.mean(mine), statistics.mean(theirs)
        failed |= abs(a - b) > args.tolerance
        print(f"| {activation} | {args.dropout} | {args.epochs} | {100 * a:.2f}% "
              f"({', '.join(f'{100 * m:.2f}' for m in mine)}) | {100 * b:.2f}% "
              f"({', '.join(f'{100 * t:.2f}' for t in theirs)}) | {100 * (a - b):+.2f} pp |",
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
