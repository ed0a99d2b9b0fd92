"""Checkers for notebook 00's exercises: the dense layer's gradients, MSE's derivative, tanh's.

Layers come in every awkward shape: 1x1, square (where a transpose still runs but gives the
wrong values) and non-square (where it gives the wrong shape).
"""

import numpy as np

from cnnlib.activations import tanh_prime
from cnnlib.checks import CheckResult, Mistake, check_function
from cnnlib.layers import Dense
from cnnlib.losses import mse_prime

# (input_size, output_size), smallest first: the square 2x2 comes before the non-square ones, so
# a transpose is first caught by its values (and named by a hint) rather than by a shape error
LAYER_SIZES = [(1, 1), (2, 2), (1, 4), (4, 1), (3, 2), (2, 3), (5, 3)]


def reference_dense_gradients(weights, x, output_gradient):
    """(dE/dX, dE/dW) from cnnlib's Dense; its bias plays no part in either."""
    layer = Dense(len(x), len(weights), rng=0)
    layer.weights[...] = weights
    layer.forward(x)
    input_gradient, parameter_gradients = layer.gradients(output_gradient)
    return input_gradient, parameter_gradients["weights"]


def check_dense_gradients(learner) -> CheckResult:
    """``learner(weights, x, output_gradient)`` must return ``(input_gradient, weights_gradient)``.

    weights (j, i), x (i, 1), output_gradient dE/dY (j, 1) -> dE/dX = W^T dE/dY (i, 1),
    dE/dW = dE/dY X^T (j, i). At each case, smallest first, dE/dX is checked, then dE/dW.
    """
    rng = np.random.default_rng(1)
    cases = [
        (
            rng.standard_normal((output_size, input_size)),
            rng.standard_normal((input_size, 1)),
            rng.standard_normal((output_size, 1)),
        )
        for input_size, output_size in LAYER_SIZES
    ]
    mistakes = [  # each returns both values, as the learner's function does; the wrong one tells them apart
        Mistake(
            "that is W dE/dY: x_i reaches every y_j through w_ji, so dE/dx_i = sum_j w_ji dE/dy_j, "
            "which is W^T dE/dY.",
            lambda w, x, g: (w @ g, g @ x.T),
        ),
        Mistake(
            "dE/dX is a column like X (i, 1), you returned a row: dE/dX = W^T dE/dY.",
            lambda w, x, g: ((w.T @ g).T, g @ x.T),
        ),
        Mistake(
            "your first value is the weights gradient; return (input_gradient, weights_gradient), in that order.",
            lambda w, x, g: (g @ x.T, w.T @ g),
        ),
        Mistake(
            "that is X dE/dY^T, the transpose: dE/dW has W's shape (outputs, inputs), so dE/dW = dE/dY X^T.",
            lambda w, x, g: (w.T @ g, x @ g.T),
        ),
        Mistake(
            "that is dE/dY^T X, a dot product, one number; dE/dW needs one entry per weight: the outer "
            "product dE/dY X^T.",
            lambda w, x, g: (w.T @ g, g.T @ x),
        ),
        Mistake(
            "dE/dw_ji = dE/dy_j x_i involves the input x, not the weights: dE/dW = dE/dY X^T.",
            lambda w, x, g: (w.T @ g, g @ w),
        ),
    ]
    return check_function(
        "Dense gradients",
        learner,
        reference_dense_gradients,
        cases,
        mistakes,
        parts=(
            "dE/dX (input_gradient, the first value returned)",
            "dE/dW (weights_gradient, the second value returned)",
        ),
    )


def check_mse_prime(learner) -> CheckResult:
    """``learner(y_true, y_pred)`` must return dE/dy = 2 (y - y*) / n, shaped like y_pred."""
    rng = np.random.default_rng(2)
    cases = [
        (rng.integers(0, 2, shape).astype(float), rng.uniform(-1, 1, shape))
        for shape in [(1, 1), (2, 1), (3, 1), (4, 1), (2, 3)]
    ]
    mistakes = [
        Mistake(
            "the factor 2 is missing: the derivative of (y - y*)^2 is 2 (y - y*).",
            lambda t, p: (p - t) / np.size(t),
        ),
        Mistake(
            "the division by n is missing: E is a mean over the n outputs, so each term carries 1/n.",
            lambda t, p: 2 * (p - t),
        ),
        Mistake(
            "the sign is flipped: E grows when y moves away from y*, so dE/dy = 2 (y - y*) / n, not 2 (y* - y) / n.",
            lambda t, p: 2 * (t - p) / np.size(t),
        ),
        Mistake(
            "that is the loss term by term, (y* - y)^2 / n; the exercise asks for its derivative.",
            lambda t, p: (t - p) ** 2 / np.size(t),
        ),
        Mistake(
            "len counts rows; use np.size (the number of elements) for n.", lambda t, p: 2 * (p - t) / len(t)
        ),
    ]
    return check_function("MSE derivative", learner, mse_prime, cases, mistakes)


def check_tanh_prime(learner) -> CheckResult:
    """``learner(x)`` must return tanh'(x) = 1 - tanh(x)^2, element by element, shaped like x."""
    rng = np.random.default_rng(3)
    cases = [
        (np.array([[0.5]]),),
        (np.array([[-2.0], [0.0], [1.0]]),),
        (rng.uniform(-3, 3, (4, 1)),),
        (rng.uniform(-3, 3, (2, 5)),),
        (np.array([[-20.0, -0.1, 0.1, 20.0]]),),
    ]
    mistakes = [
        Mistake(
            "that is 1 - tanh(x): the derivative of tanh is 1 - tanh(x)^2, the square matters.",
            lambda x: 1 - np.tanh(x),
        ),
        Mistake(
            "that is tanh(x)^2: the derivative is one minus that, 1 - tanh(x)^2.", lambda x: np.tanh(x) ** 2
        ),
        Mistake("that is 1 - x^2: apply tanh first, then square: 1 - tanh(x)^2.", lambda x: 1 - x**2),
        Mistake(
            "that is 1 - tanh(x^2): square tanh's value, not x: 1 - tanh(x)^2.", lambda x: 1 - np.tanh(x**2)
        ),
        Mistake(
            "that is 1 / cosh(x); the derivative is 1 / cosh(x)^2 = 1 - tanh(x)^2.", lambda x: 1 / np.cosh(x)
        ),
        Mistake(
            "that is tanh(x) itself; the exercise asks for its derivative, 1 - tanh(x)^2.",
            lambda x: np.tanh(x),
        ),
    ]
    result = check_function("tanh derivative", learner, tanh_prime, cases, mistakes)
    if result.status == "failed" and "bitwise_xor" in str(result.case["got"]):  # x ^ 2 on floats raises
        result.message += (
            "\n  hint: `^` is XOR in Python (fitting, here), not a power; use `**`: np.tanh(x) ** 2."
        )
    return result
