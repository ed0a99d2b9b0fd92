"""Optimisers: how a gradient becomes a step; apart from the layers, so that any layer trains with any.

``step(pairs)`` takes (parameter, gradient) pairs, always in the same order, and changes each
parameter in place; an optimiser's memory (velocity, moments) follows that order.
"""

import numpy as np


class SGD:
    """``v = momentum v - rate g``; ``w += v``. With momentum 0, the plain tier's step ``w -= rate g``."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0):
        self.learning_rate, self.momentum, self.velocity = learning_rate, momentum, None

    def step(self, pairs):
        if self.velocity is None:
            self.velocity = [np.zeros_like(parameter) for parameter, _ in pairs]
        for (parameter, gradient), velocity in zip(pairs, self.velocity):
            velocity *= self.momentum
            velocity -= self.learning_rate * gradient
            parameter += velocity


class Adam:
    """Adam (Kingma and Ba, 2015): a step from running means of the gradient and of its square,
    corrected for their start at zero; each weight gets a step size of its own."""

    def __init__(
        self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
    ):
        self.learning_rate, self.beta1, self.beta2, self.epsilon = learning_rate, beta1, beta2, epsilon
        self.moments, self.steps = None, 0

    def step(self, pairs):
        if self.moments is None:
            self.moments = [(np.zeros_like(p), np.zeros_like(p)) for p, _ in pairs]
        self.steps += 1
        correction1, correction2 = 1 - self.beta1**self.steps, 1 - self.beta2**self.steps
        for (parameter, gradient), (mean, square) in zip(pairs, self.moments):
            mean *= self.beta1
            mean += (1 - self.beta1) * gradient
            square *= self.beta2
            square += (1 - self.beta2) * gradient * gradient
            parameter -= (
                self.learning_rate * (mean / correction1) / (np.sqrt(square / correction2) + self.epsilon)
            )
