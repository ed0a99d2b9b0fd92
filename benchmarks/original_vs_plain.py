"""Paired benchmark: the original code's MNIST run (restated) against cnnlib's plain tier.

Both train the original network on 100 zeros and 100 ones for 20 epochs at learning rate 0.1,
one sample at a time, from the same data; each pair runs back to back so both see the same
machine load. Prints the time per run, the ratio and the test accuracy side by side.

    CNNLIB_DATA_DIR=... python benchmarks/original_vs_plain.py [--seeds 3] [--epochs 20]
"""

import argparse
import time

import numpy as np
from original_code import network

from cnnlib.datasets import load_mnist, preprocess
from cnnlib.losses import binary_cross_entropy, binary_cross_entropy_prime
from cnnlib.network import predict, train


def accuracy(net, x, y):
    return np.mean([np.argmax(predict(net, xi)) == np.argmax(yi) for xi, yi in zip(x, y)])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    (x_train, y_train), (x_test, y_test) = load_mnist()
    x_train, y_train = preprocess(x_train, y_train, (0, 1), 100, rng=0)
    x_test, y_test = preprocess(x_test, y_test, (0, 1), 100, rng=0)
    print(
        f"{'seed':>4} {'original s':>11} {'cnnlib s':>9} {'ratio':>6} {'original acc':>13} {'cnnlib acc':>11}"
    )
    for seed in range(args.seeds):
        times, accuracies = {}, {}
        for kind in ("original", "cnnlib"):
            net = network(kind, seed)
            start = time.perf_counter()
            train(net, binary_cross_entropy, binary_cross_entropy_prime, x_train, y_train, args.epochs, 0.1)
            times[kind] = time.perf_counter() - start
            accuracies[kind] = accuracy(net, x_test, y_test)
        ratio = times["cnnlib"] / times["original"]
        print(
            f"{seed:>4} {times['original']:>11.2f} {times['cnnlib']:>9.2f} {ratio:>6.2f}"
            f" {accuracies['original']:>13.1%} {accuracies['cnnlib']:>11.1%}"
        )


if __name__ == "__main__":
    main()
