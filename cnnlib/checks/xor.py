"""Checkers for notebook 00's exercises: the dense layer's gradients, MSE's derivative, tanh's.

Layers come in every awkward shape: 1x1, square (where a transpose still runs but gives the
wrong values) and non-square (where it gives the wrong shape).
"""

import numpy as np

from cnnlib.activations import tanh_prime
from cnnlib.checks import Exercise, Mistake
from cnnlib.layers import Dense
from cnnlib.losses import mse_prime


def reference_dense_gradients(weights, x, output_gradient):
    """(dE/dX, dE/dW) from cnnlib's Dense; its bias plays no part in either."""
    layer = Dense(len(x), len(weights), rng=0)
    layer.weights[...] = weights
    layer.forward(x)
    input_gradient, parameter_gradients = layer.gradients(output_gradient)
    return input_gradient, parameter_gradients["weights"]


_rng = np.random.default_rng(1)
# (weights, x, output_gradient) of layers (input_size, output_size), smallest first: the square 2x2 comes
# before the non-square ones, so a transpose is first caught by its values (and named by a hint)
DENSE_CASES = [
    (_rng.standard_normal((j, i)), _rng.standard_normal((i, 1)), _rng.standard_normal((j, 1)))
    for i, j in [(1, 1), (2, 2), (1, 4), (4, 1), (3, 2), (2, 3), (5, 3)]
]
DENSE_MISTAKES = [  # each returns both values, as the learner's function does; the wrong one tells them apart
    Mistake(
        "that is W dE/dY: x_i reaches every y_j through w_ji, so dE/dx_i = sum_j w_ji dE/dy_j: W^T dE/dY.",
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
        "that is dE/dY^T X, a dot product, a number; dE/dW has one per weight: the outer product dE/dY X^T.",
        lambda w, x, g: (w.T @ g, g.T @ x),
    ),
    Mistake("dE/dw_ji = dE/dy_j x_i involves the input x: dE/dY X^T.", lambda w, x, g: (w.T @ g, g @ w)),
]
DENSE_PARTS = (
    "dE/dX (input_gradient, the first value returned)",
    "dE/dW (weights_gradient, the second value returned)",
)
# learner(weights (j, i), x (i, 1), output_gradient (j, 1)) -> (dE/dX = W^T dE/dY, dE/dW = dE/dY X^T)
check_dense_gradients = Exercise(
    "Dense gradients", reference_dense_gradients, DENSE_CASES, DENSE_MISTAKES, DENSE_PARTS
)

_rng = np.random.default_rng(2)
MSE_CASES = [(_rng.integers(0, 2, s).astype(float), _rng.uniform(-1, 1, s)) for s in [(1, 1), (2, 1), (3, 1)]]
MSE_CASES += [(_rng.integers(0, 2, s).astype(float), _rng.uniform(-1, 1, s)) for s in [(4, 1), (2, 3)]]
MSE_MISTAKES = [
    Mistake("the factor 2 is missing: d/dy (y - y*)^2 = 2 (y - y*).", lambda t, p: (p - t) / np.size(t)),
    Mistake("the division by n is missing: E is a mean, so each term carries 1/n.", lambda t, p: 2 * (p - t)),
    Mistake(
        "the sign is flipped: E grows as y leaves y*, so dE/dy = 2 (y - y*) / n, not 2 (y* - y) / n.",
        lambda t, p: 2 * (t - p) / np.size(t),
    ),
    Mistake("that is the loss term by term, (y* - y)^2 / n.", lambda t, p: (t - p) ** 2 / np.size(t)),
    Mistake("len counts rows; use np.size for n, the number of elements.", lambda t, p: 2 * (p - t) / len(t)),
]
# learner(y_true, y_pred) -> dE/dy = 2 (y - y*) / n, shaped like y_pred
check_mse_prime = Exercise("MSE derivative", mse_prime, MSE_CASES, MSE_MISTAKES)

_rng = np.random.default_rng(3)
TANH_CASES = [(np.array([[0.5]]),), (np.array([[-2.0], [0.0], [1.0]]),), (_rng.uniform(-3, 3, (4, 1)),)]
TANH_CASES += [(_rng.uniform(-3, 3, (2, 5)),), (np.array([[-20.0, -0.1, 0.1, 20.0]]),)]
TANH_MISTAKES = [
    Mistake("that is 1 - tanh(x): the square is missing, 1 - tanh(x)^2.", lambda x: 1 - np.tanh(x)),
    Mistake("that is tanh(x)^2: the derivative is one minus that, 1 - tanh(x)^2.", lambda x: np.tanh(x) ** 2),
    Mistake("that is 1 - x^2: apply tanh first, then square: 1 - tanh(x)^2.", lambda x: 1 - x**2),
    Mistake("that is 1 - tanh(x^2): square tanh's value, not x: 1 - tanh(x)^2.", lambda x: 1 - np.tanh(x**2)),
    Mistake("that is 1 / cosh(x); the derivative is 1/cosh(x)^2 = 1 - tanh(x)^2.", lambda x: 1 / np.cosh(x)),
    Mistake("that is tanh(x) itself; the exercise asks for its derivative, 1 - tanh(x)^2.", np.tanh),
    Mistake("`^` is XOR in Python, not a power; use `**`: np.tanh(x) ** 2.", raises=TypeError, match="xor"),
]
# learner(x) -> tanh'(x) = 1 - tanh(x)^2, element by element, shaped like x
check_tanh_prime = Exercise("tanh derivative", tanh_prime, TANH_CASES, TANH_MISTAKES)
