"""Losses and their derivatives with respect to the prediction, averaged over its elements."""

import numpy as np

from cnnlib.activations import sigmoid

EPSILON = 1e-15  # the original code's clip: keeps log and division away from 0


def mse(y_true, y_pred):
    """Mean squared error: mean((y* - y)^2)."""
    y_true, y_pred = _check_same_shape(y_true, y_pred)
    return np.mean((y_true - y_pred) ** 2)


def mse_prime(y_true, y_pred):
    """dE/dy = 2 (y - y*) / n, shaped like ``y_pred``."""
    y_true, y_pred = _check_same_shape(y_true, y_pred)
    return 2 * (y_pred - y_true) / np.size(y_true)


def binary_cross_entropy(y_true, y_pred):
    """-mean(y* log y + (1 - y*) log(1 - y)), with y clipped to [EPSILON, 1 - EPSILON]."""
    y_true, y_pred = _check_same_shape(y_true, y_pred)
    y_pred = _clip(y_pred)
    return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))


def binary_cross_entropy_prime(y_true, y_pred):
    """dE/dy = ((1 - y*) / (1 - y) - y* / y) / n, with y clipped as in the loss."""
    y_true, y_pred = _check_same_shape(y_true, y_pred)
    y_pred = _clip(y_pred)
    return ((1 - y_true) / (1 - y_pred) - y_true / y_pred) / np.size(y_true)


def sigmoid_bce_gradient(y_true, x):
    """dE/dx for E = BCE(y*, s(x)): (s(x) - y*) / n, shaped like x.

    dE/dy times s'(x), simplified by hand (notebook 05): never clipped, and never 0 by rounding where
    s(x) rounds to 1, as the product of the two derivatives is past |x| = 34.5.
    """
    y_true, x = _check_same_shape(y_true, x)
    return (sigmoid(x) - y_true) / np.size(y_true)


def _clip(y_pred):
    # in float64: 1 - 1e-15 rounds to 1.0 in float32, and log(0) would follow
    return np.clip(y_pred.astype(np.float64), EPSILON, 1 - EPSILON)


def _check_same_shape(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"labels and predictions must have the same shape: "
            f"y_true has shape {y_true.shape}, y_pred has shape {y_pred.shape}"
        )
    return y_true, y_pred
