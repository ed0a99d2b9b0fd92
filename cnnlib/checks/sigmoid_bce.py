"""Checkers for notebook 05: sigmoid's and BCE's derivatives, Reshape's backward, and sigmoid + BCE at once.

The cases include the awkward ones: inputs far out (x = +-40, +-1000), where a naive exp overflows
and s(x) rounds to exactly 0 or 1; predictions exactly 0 and 1, where an unclipped loss divides by
zero; labels 0 and 1 mixed; blocks whose reshaping order matters. A function that gets the values
right but lets a RuntimeWarning out (overflow, division by zero) fails too, as in the course's tests.
"""

import numpy as np

from cnnlib.activations import sigmoid as s  # s(x), as in the hints
from cnnlib.activations import sigmoid_prime
from cnnlib.checks import CheckResult, Exercise, Mistake
from cnnlib.layers import Reshape
from cnnlib.losses import EPSILON, binary_cross_entropy_prime, sigmoid_bce_gradient

_LEN = (
    "n is the number of elements (np.size), not len, which counts rows only: for a (2, 3) block "
    "len gives 2 and np.size 6. E is a mean over all n outputs."
)
_MEAN = "the division by n is missing: E is a mean over the n outputs"


def _column(*values):
    return np.array(values, dtype=float).reshape(-1, 1)


def _bce(terms=lambda t, y: (1 - t) / (1 - y) - t / y, clip=EPSILON, n=np.size):
    """BCE's derivative, right or wrong: ``terms(y*, y) / n(y*)``, y clipped to [clip, 1 - clip]."""
    return lambda t, y: terms(t, np.clip(y, clip, 1 - clip)) / n(t)


_rng = np.random.default_rng(5)
SIGMOID_CASES = [(_column(0.5),), (_column(-2.0, 0.0, 1.0),), (_rng.uniform(-6, 6, (4, 1)),)]
# far out: e^-x overflows at -1000, e^x at 1000; s(40) rounds to 1
SIGMOID_CASES += [(_rng.uniform(-6, 6, (2, 5)),), (np.array([[-1000.0, -40.0, -10.0, 10.0, 40.0, 1000.0]]),)]
SIGMOID_MISTAKES = [
    Mistake("that is s(1 + s): the derivative is s(1 - s), with a minus.", lambda x: s(x) * (1 + s(x))),
    Mistake(
        "that is e^-x / (1 + e^-x) = 1 - s(x): the denominator is squared: e^-x / (1 + e^-x)^2 = s(1 - s).",
        lambda x: 1 - s(x),
    ),
    Mistake("that is x(1 - x): apply the formula to s(x), not to x: s(x)(1 - s(x)).", lambda x: x * (1 - x)),
    Mistake("that is s(x) itself; the exercise asks for its derivative, s(1 - s).", s),
    Mistake(
        "that is 1 - s^2, tanh's pattern (tanh' = 1 - tanh^2); sigmoid's derivative is s(1 - s).",
        lambda x: 1 - s(x) ** 2,
    ),
    Mistake("that is s^2 (1 - s): multiply s by (1 - s) once: s(1 - s).", lambda x: s(x) ** 2 * (1 - s(x))),
]
SIGMOID_ADVICE = (
    "np.exp overflows for large |x| on one side (e^-x below x = -709.78, e^x above 709.78, in "
    "float64), whichever way you write the formula. Compute s with a sigmoid that never warns "
    "(cnnlib.activations.sigmoid, which is scipy.special.expit), then return s * (1 - s)."
)
ROUNDED_TO_ONE = (
    "'expected' is s(1 - s) computed in float64: where s(x) rounds to exactly 1 (x > 36.7) it is "
    "exactly 0, though the true value is tiny, not 0 (4.2e-18 at x = 40). Either counts as right: "
    "values within 1e-8 of 'expected' pass."
)
_SIGMOID_PRIME = Exercise(
    "sigmoid derivative", sigmoid_prime, SIGMOID_CASES, SIGMOID_MISTAKES, (), SIGMOID_ADVICE
)


def check_sigmoid_prime(learner) -> CheckResult:
    """``learner(x)`` must return s'(x) = s(x)(1 - s(x)) element by element, shaped like x, warning-free.

    Values within 1e-8 pass, so a formula exact where s(x) rounds to 1 (e^-x / (1 + e^-x)^2 at x = 40:
    4.2e-18, against float64's s(1 - s) = 0) is right too; a failure on such a case says so.
    """
    result = _SIGMOID_PRIME(learner)
    if result.status == "failed" and np.any(s(np.asarray(result.case["args"][0], dtype=float)) == 1.0):
        result.message += f"\n  note: {ROUNDED_TO_ONE}"
    return result


_rng = np.random.default_rng(7)
# a confident wrong answer, exactly 1 (without the clip, 1/0); exact 0 and 1, right and wrong
BCE_CASES = [(_column(1), _column(0.3)), (_column(0), _column(1.0)), (_column(1, 0), _column(0.8, 0.4))]
BCE_CASES += [(_column(1, 0, 1), _column(0.9, 0.1, 0.25)), (_column(1, 1, 0, 0), _column(1.0, 0.0, 0.0, 1.0))]
BCE_CASES += [
    (_rng.integers(0, 2, sh).astype(float), _rng.uniform(0.01, 0.99, sh)) for sh in [(2, 3), (6, 1)]
]
BCE_MISTAKES = [
    Mistake(
        "the clip is missing: at y = 0 or 1 exactly (a saturated sigmoid gives them) 1/y or 1/(1 - y) "
        "divides by zero. Clip y to [1e-15, 1 - 1e-15] first: np.clip(y_pred, 1e-15, 1 - 1e-15).",
        _bce(clip=0),
    ),
    Mistake(f"{_MEAN}, so each term carries 1/n.", _bce(n=lambda t: 1)),
    Mistake(
        "the sign is flipped: E grows as y moves from y*, so for y* = 1 the derivative -1/y is negative.",
        _bce(lambda t, y: t / y - (1 - t) / (1 - y)),
    ),
    Mistake(
        "the (1 - y*) term is missing: E = -mean(y* log y + (1 - y*) log(1 - y)) has two terms, "
        "and the second, for label 0, gives + (1 - y*)/(1 - y).",
        _bce(lambda t, y: -t / y),
    ),
    Mistake("the y* term is missing: E's y* log y gives - y*/y.", _bce(lambda t, y: (1 - t) / (1 - y))),
    Mistake(
        "that is the loss, term by term; the exercise asks for its derivative.",
        _bce(lambda t, y: -(t * np.log(y) + (1 - t) * np.log(1 - y))),
    ),
    Mistake(
        "that is the MSE's derivative 2(y - y*)/n; differentiate the cross-entropy instead.",
        _bce(lambda t, y: 2 * (y - t), clip=0),
    ),
    Mistake(_LEN, _bce(n=len)),
    Mistake(
        "the course clips at 1e-15 (cnnlib.losses.EPSILON, the original code's value), not Keras's 1e-7: "
        "np.clip(y_pred, 1e-15, 1 - 1e-15).",
        _bce(clip=1e-7),
    ),
]
BCE_ADVICE = (
    "clip y_pred to [1e-15, 1 - 1e-15] before dividing by y and 1 - y: np.clip(y_pred, 1e-15, 1 - 1e-15)."
)
# learner(y_true, y_pred) -> dE/dy = ((1 - y*)/(1 - y) - y*/y) / n, y clipped, shaped like y_pred
check_bce_prime = Exercise(
    "BCE derivative", binary_cross_entropy_prime, BCE_CASES, BCE_MISTAKES, (), BCE_ADVICE
)

_rng = np.random.default_rng(8)
RESHAPE_CASES = [  # (output_gradient, input_shape, output_shape): halves, not integers; a column to a block
    (_rng.integers(-9, 10, o) / 2, i, o)
    for i, o in [((1, 2, 3), (6, 1)), ((2, 2, 3), (12, 1)), ((12, 1), (3, 4)), ((3, 4), (12, 1))]
    + [((2, 3, 4), (24, 1)), ((5, 26, 26), (3380, 1))]  # the last is the original network's
]
RESHAPE_MISTAKES = [
    Mistake(
        "that is the gradient in the layer's output shape; backward hands dE/dX to the layer before, "
        "which expects the layer's input shape: np.reshape(output_gradient, input_shape).",
        lambda g, i, o: np.reshape(g, o),
    ),
    Mistake(
        "you reshaped in column-major (Fortran) order; forward used NumPy's default row-major order, "
        "and backward must undo exactly that, in the same order.",
        lambda g, i, o: np.reshape(g, i, order="F"),
    ),
]
# learner(output_gradient, input_shape, output_shape) -> dE/dX, shaped input_shape
check_reshape_backward = Exercise(
    "Reshape backward",
    lambda g, i, o: Reshape(i, o).gradients(g)[0],
    RESHAPE_CASES,
    RESHAPE_MISTAKES,
    must_not_warn="reshaping needs no arithmetic: np.reshape(output_gradient, input_shape).",
)

_rng = np.random.default_rng(9)
COMBINED_CASES = [(_column(1), _column(0.5)), (_column(0), _column(40.0)), (_column(1), _column(-40.0))]
COMBINED_CASES += [(_column(1, 0), _column(2.0, -1.0)), (_column(1, 0, 0, 1), _column(36, 37, -50, 50))]
COMBINED_CASES += [(_rng.integers(0, 2, sh) * 1.0, _rng.uniform(-5, 5, sh)) for sh in [(2, 3), (5, 1)]]
# confidently wrong both ways: s(40) rounds to 1, s(-40) is below the clip
COMBINED_MISTAKES = [
    Mistake(
        "that is the original code's way, dE/dy times s'(x) with y clipped: right in exact arithmetic, but "
        "past |x| = 34.5 the clip and the rounding of s(x) to 1 break it (at x = 40 with label 0 it gives 0, "
        "not 1). Simplify the product by hand first: the result is (y - y*)/n.",
        lambda t, x: binary_cross_entropy_prime(t, s(x)) * sigmoid_prime(x),
    ),
    Mistake(
        "the sign is flipped: the gradient pushes y toward y*, so dE/dx = (y - y*)/n, positive when y > y*.",
        lambda t, x: (t - s(x)) / np.size(t),
    ),
    Mistake(f"{_MEAN}.", lambda t, x: s(x) - t),
    Mistake(_LEN, lambda t, x: (s(x) - t) / len(t)),
    Mistake("use the prediction y = s(x), not x itself: (s(x) - y*)/n.", lambda t, x: (x - t) / np.size(t)),
    Mistake(
        "there is an extra factor s'(x) = y(1 - y): it cancels BCE's denominators, leaving (y - y*)/n.",
        lambda t, x: sigmoid_prime(x) * (s(x) - t) / np.size(t),
    ),
]
# learner(y_true, x) -> dE/dx = (s(x) - y*) / n for BCE after a sigmoid, shaped like x
check_sigmoid_bce_gradient = Exercise(
    "sigmoid + BCE gradient",
    sigmoid_bce_gradient,
    COMBINED_CASES,
    COMBINED_MISTAKES,
    must_not_warn="compute s(x) with a stable sigmoid (cnnlib.activations.sigmoid).",
)
