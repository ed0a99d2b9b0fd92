"""The original code's layers as The Independent Code wrote them: a faithful reference for cnnlib.

Used by benchmarks/original_vs_plain.py (speed) and tests/test_original_code.py, which checks that
cnnlib's plain tier, from the same starting weights and data order, ends an epoch with the same
weights. Not part of cnnlib: a learner uses cnnlib's layers, which check shapes and never warn.
"""

import numpy as np
from scipy import signal

from cnnlib.activations import Sigmoid
from cnnlib.layers import Convolutional, Dense, Reshape


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


def network(kind: str, seed: int) -> list:
    """The original MNIST network, of the original layers (kind "original") or of cnnlib's (any
    other kind); the same random seed gives both the same starting weights."""
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
