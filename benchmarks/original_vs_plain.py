"""Paired benchmark: the original code's MNIST run (restated) against cnnlib's plain tier.

Both train the original network on 100 zeros and 100 ones for 20 epochs at learning rate 0.1,
one sample at a time, from the same data; each pair runs back to back so both see the same
machine load. Prints the time per run, the ratio and the test accuracy side by side.

    CNNLIB_DATA_DIR=... python benchmarks/original_vs_plain.py [--seeds 3] [--epochs 20]
"""

import argparse
import time

import numpy as np
from scipy import signal

from cnnlib.activations import Sigmoid
from cnnlib.datasets import load_mnist, preprocess
from cnnlib.layers import Convolutional, Dense, Reshape
from cnnlib.losses import binary_cross_entropy, binary_cross_entropy_prime
from cnnlib.network import predict, train


class OriginalDense:
    """The original Dense, as The Independent Code wrote it."""

    def __init__(self, input_size, output_size, rng):
        self.weights = rng.standard_normal((output_size, input_size))
        self.bias = rng.standard_normal((output_size, 1))

    def forward(self, input):
        self.input = input
        return np.dot(self.weights, self.input) + self.bias

    def backward(self, output_gradient, learning_rate):
        weights_gradient = np.dot(output_gradient, self.input.T)
        input_gradient = np.dot(self.weights.T, output_gradient)
        self.weights -= learning_rate * weights_gradient
        self.bias -= learning_rate * output_gradient
        return input_gradient


class OriginalConvolutional:
    """The original Convolutional, as The Independent Code wrote it."""

    def __init__(self, input_shape, kernel_size, depth, rng):
        input_depth, input_height, input_width = input_shape
        self.depth, self.input_shape, self.input_depth = depth, input_shape, input_depth
        self.output_shape = (depth, input_height - kernel_size + 1, input_width - kernel_size + 1)
        self.kernels_shape = (depth, input_depth, kernel_size, kernel_size)
        self.kernels = rng.standard_normal(self.kernels_shape)
        self.biases = rng.standard_normal(self.output_shape)

    def forward(self, input):
        self.input = input
        self.output = np.copy(self.biases)
        for i in range(self.depth):
            for j in range(self.input_depth):
                self.output[i] += signal.correlate2d(self.input[j], self.kernels[i, j], "valid")
        return self.output

    def backward(self, output_gradient, learning_rate):
        kernels_gradient = np.zeros(self.kernels_shape)
        input_gradient = np.zeros(self.input_shape)
        for i in range(self.depth):
            for j in range(self.input_depth):
                kernels_gradient[i, j] = signal.correlate2d(self.input[j], output_gradient[i], "valid")
                input_gradient[j] += signal.convolve2d(output_gradient[i], self.kernels[i, j], "full")
        self.kernels -= learning_rate * kernels_gradient
        self.biases -= learning_rate * output_gradient
        return input_gradient


class OriginalSigmoid:
    """The original Sigmoid (overflow in exp silenced here; the original code printed the warnings)."""

    def forward(self, input):
        self.input = input
        with np.errstate(over="ignore"):
            self.output = 1 / (1 + np.exp(-input))
        return self.output

    def backward(self, output_gradient, learning_rate):
        return output_gradient * self.output * (1 - self.output)


def network(kind, seed):
    rng = np.random.default_rng(seed)
    if kind == "original":
        conv, dense, sigmoid = OriginalConvolutional, OriginalDense, OriginalSigmoid
    else:
        conv, dense, sigmoid = Convolutional, Dense, Sigmoid
    return [
        conv((1, 28, 28), 3, 5, rng),
        sigmoid(),
        Reshape((5, 26, 26), (5 * 26 * 26, 1)),
        dense(5 * 26 * 26, 100, rng),
        sigmoid(),
        dense(100, 2, rng),
        sigmoid(),
    ]


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
        print(
            f"{seed:>4} {times['original']:>11.2f} {times['cnnlib']:>9.2f} {times['cnnlib'] / times['original']:>6.2f}"
            f" {accuracies['original']:>13.1%} {accuracies['cnnlib']:>11.1%}"
        )


if __name__ == "__main__":
    main()
