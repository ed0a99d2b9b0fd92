"""Numerical gradients by central differences, to check every derived gradient.

The check uses the loss ``E = sum(R * y)`` with a random R, so ``dE/dY = R``: a random
upstream gradient exposes transposes and flips that ``ones_like`` would hide.
"""

from collections.abc import Callable

import numpy as np

from cnnlib.layers import Layer


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """dF/dx by central differences ``(f(x + h) - f(x - h)) / 2h``, one element at a time.

    ``f`` takes no argument and reads ``x``, which is nudged in place and restored.
    Returns an array shaped like ``x``; error O(h^2) plus round-off O(eps / h).
    """
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a floating-point array to be nudged by h, got dtype {x.dtype}")
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f()
        x[index] = original - h
        f_minus = f()
        x[index] = original
        gradient[index] = (f_plus - f_minus) / (2 * h)
    return gradient


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """|a - n| / (|a| + |n|) in the Frobenius norm; 0 when both are zero."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def check_layer(layer: Layer, x: np.ndarray, rng=None, h: float = 1e-5) -> dict[str, float]:
    """Relative error between the layer's analytic gradients and central differences.

    x: one input of the layer's input shape, float64. Checks dE/dX (key "input") and
    dE/d(each parameter) (keys from ``layer.parameters()``). Changes no parameter.
    """
    x = np.array(x, dtype=np.float64)
    upstream = np.random.default_rng(rng).standard_normal(np.shape(layer.forward(x)))

    def loss():
        return np.sum(upstream * layer.forward(x))

    layer.forward(x)
    input_gradient, parameter_gradients = layer.gradients(upstream)
    errors = {"input": relative_error(input_gradient, numerical_gradient(loss, x, h))}
    for name, parameter in layer.parameters().items():
        errors[name] = relative_error(parameter_gradients[name], numerical_gradient(loss, parameter, h))
    return errors


def check_loss(loss: Callable, loss_prime: Callable, y_true, y_pred, h: float = 1e-6) -> float:
    """Relative error between ``loss_prime(y_true, y_pred)`` and central differences of ``loss``."""
    y_pred = np.array(y_pred, dtype=np.float64)
    numeric = numerical_gradient(lambda: loss(y_true, y_pred), y_pred, h)
    return relative_error(loss_prime(y_true, y_pred), numeric)
