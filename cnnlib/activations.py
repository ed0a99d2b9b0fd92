"""Activations: a function applied element by element, and its derivative for the chain rule."""

from collections.abc import Callable

import numpy as np
from scipy.special import expit

from cnnlib.layers import Layer, check_shape


class Activation(Layer):
    """Y = f(X) element-wise; dE/dX = dE/dY * f'(X). No parameters."""

    def __init__(self, activation: Callable, activation_prime: Callable):
        self.activation = activation
        self.activation_prime = activation_prime

    def forward(self, x):
        self.x = np.asarray(x)
        return self.activation(self.x)

    def gradients(self, output_gradient):
        check_shape(f"{type(self).__name__} output gradient", output_gradient, self.x.shape)
        return output_gradient * self.activation_prime(self.x), {}


def sigmoid(x):
    """1 / (1 + e^-x), computed without overflow for large |x| (scipy's expit)."""
    return expit(x)


def sigmoid_prime(x):
    s = sigmoid(x)
    return s * (1 - s)


def tanh_prime(x):
    return 1 - np.tanh(x) ** 2


def relu(x):
    return np.maximum(x, 0)


def relu_prime(x):
    return (x > 0).astype(np.result_type(x, float))


class Sigmoid(Activation):
    def __init__(self):
        super().__init__(sigmoid, sigmoid_prime)


class Tanh(Activation):
    def __init__(self):
        super().__init__(np.tanh, tanh_prime)


class ReLU(Activation):
    def __init__(self):
        super().__init__(relu, relu_prime)
