"""Checkers for notebook 04's exercises: the bias, kernel and input gradients, and a buggy layer to fix.

Each ``check_*`` takes the learner's function (or class) and returns a ``CheckResult``. Cases are
seeded small halves, readable in a failure message (and fractions, so that an output made to hold
integers fails), in awkward shapes: non-square inputs and
kernels, asymmetric kernels that expose a missing or an extra flip, a kernel as large as its input,
a 1x1 kernel and, for the layer, depth > 1 and several kernels. The upstream gradient dE/dY is
random, never ones: with ones, correlation and convolution give the same kernel gradient.
"""

import numpy as np
from scipy import signal

from cnnlib.checks import CheckResult, Mistake, check_function
from cnnlib.correlation import convolve2d, correlate2d, rotate180
from cnnlib.gradcheck import check_layer
from cnnlib.layers import Convolutional

SEED = 4
AGREE = 1e-6  # the largest relative error check_layer may report on a correct layer


def _halves(rng, shape):
    """Small non-zero halves, +-0.5, 1 or 1.5: a zero could hide a term of a sum."""
    return rng.integers(1, 4, size=shape) * rng.choice([-1, 1], size=shape) / 2


def _asymmetric(rng, shape):
    """Halves that differ from their own 180° rotation and from each flip that moves anything, so any flip shows."""
    rows, cols = shape
    while True:
        kernel = _halves(rng, shape)
        flips = (
            [rotate180(kernel)] * (rows * cols > 1)
            + [kernel[::-1, :]] * (rows > 1)
            + [kernel[:, ::-1]] * (cols > 1)
        )
        if not any(np.array_equal(kernel, flipped) for flipped in flips):
            return kernel


# (input shape, kernel shape), for the one-kernel exercises
SHAPES = [
    (
        (2, 3),
        (2, 2),
    ),  # the smallest (with the single row, first among equals): a flip along either axis shows
    ((3, 3), (2, 2)),  # the notebook's example
    ((1, 5), (1, 2)),  # a single row
    ((4, 5), (2, 3)),  # non-square input and kernel
    ((5, 4), (3, 2)),
    ((3, 4), (3, 4)),  # the kernel as large as the input: dE/dY has one element
    ((4, 3), (1, 1)),  # a 1x1 kernel: dE/dY as large as the input
    ((6, 5), (3, 3)),
]


def _pairs():
    """(x, kernel, output_gradient) triples of the shapes above, from a fixed seed."""
    rng = np.random.default_rng(SEED)
    triples = []
    for (h, w), (kh, kw) in SHAPES:
        x, kernel = _halves(rng, (h, w)), _asymmetric(rng, (kh, kw))
        triples.append((x, kernel, _asymmetric(rng, (h - kh + 1, w - kw + 1))))
    return triples


# --- exercise 1: the bias gradient ---------------------------------------------------------

BIAS_CASES = [
    (_halves(np.random.default_rng(SEED + 1), shape),)
    for shape in [(1, 1, 1), (1, 2, 2), (2, 2, 3), (3, 2, 2), (2, 4, 1)]
]

_SCALAR_BIAS = (
    "you summed dE/dY to one number: that would be the gradient of a single bias shared by every "
    "output. The original code's layer has a bias matrix B_i with the output's shape; b_mn is added "
    "to y_mn alone, so dE/db_mn = dE/dy_mn: dE/dB is dE/dY itself."
)
_PER_KERNEL_BIAS = (
    "one number per kernel is the gradient of the bias in PyTorch or Keras (one number per kernel, "
    "added at every position). The original code's B_i has the output's shape: one bias per output "
    "element, so dE/dB_i = dE/dY_i, shape (d, h - k + 1, w - k + 1)."
)

BIAS_MISTAKES = [
    Mistake(_SCALAR_BIAS, lambda g: np.sum(g)),
    Mistake(_SCALAR_BIAS, lambda g: np.full(np.shape(g), np.sum(g))),
    Mistake(_PER_KERNEL_BIAS, lambda g: np.sum(g, axis=(1, 2))),
    Mistake(_PER_KERNEL_BIAS, lambda g: np.sum(g, axis=(1, 2), keepdims=True)),
    Mistake(
        "you summed over the kernels: each kernel i has its own bias B_i, which reaches Y_i alone, "
        "so dE/dB_i = dE/dY_i; nothing is summed.",
        lambda g: np.sum(g, axis=0),
    ),
    Mistake(
        "dy_mn/db_mn = 1, but the chain rule multiplies it by dE/dy_mn: dE/db_mn = dE/dy_mn × 1.",
        lambda g: np.ones_like(g),
    ),
]


def reference_bias_gradient(output_gradient):
    """dE/dB = dE/dY, from cnnlib's Convolutional (its bias has the output's shape)."""
    d, out_h, out_w = np.shape(output_gradient)
    layer = Convolutional((1, out_h, out_w), 1, d, rng=0)
    layer.forward(np.zeros(layer.input_shape))
    return layer.gradients(output_gradient)[1]["biases"]


def check_bias_gradient(learner) -> CheckResult:
    """``learner(output_gradient)``: dE/dY (d, h', w') -> dE/dB, the same shape (the original code's bias)."""
    return check_function("bias gradient", learner, reference_bias_gradient, BIAS_CASES, BIAS_MISTAKES)


# --- exercise 2: the kernel gradient -------------------------------------------------------

KERNEL_CASES = [(x, output_gradient) for x, _, output_gradient in _pairs()]

_FULL_KERNEL = (
    "that is in *full* mode, larger than the kernel. dE/dK has the kernel's shape: "
    "h - (h - kh + 1) + 1 = kh, a valid correlation. (SciPy's correlate2d defaults to 'full': "
    "always say the mode.)"
)

KERNEL_MISTAKES = [
    Mistake(
        "you rotated dE/dY: that is a convolution. k_pq meets x_(m+p)(n+q) in y_mn, so "
        "dE/dk_pq = sum_mn dE/dy_mn x_(m+p)(n+q): the same indices m, n in both, a cross-correlation "
        "X ⋆ dE/dY with no rotation.",
        lambda x, g: signal.convolve2d(x, g, "valid"),
    ),
    Mistake(
        "the arguments are swapped: dE/dY ⋆ X is (X ⋆ dE/dY) rotated 180°. Slide dE/dY over X: "
        "correlate2d(x, output_gradient).",
        lambda x, g: signal.correlate2d(g, x, "valid"),
    ),
    Mistake(_FULL_KERNEL, lambda x, g: signal.correlate2d(x, g, "full")),
    Mistake(_FULL_KERNEL, lambda x, g: signal.convolve2d(x, g, "full")),
]


def reference_kernel_gradient(x, output_gradient):
    """dE/dK = X ⋆ dE/dY, valid: (h, w) and (h - kh + 1, w - kw + 1) -> (kh, kw)."""
    return correlate2d(x, output_gradient)


def check_kernel_gradient(learner) -> CheckResult:
    """``learner(x, output_gradient)``: X (h, w), dE/dY (h - kh + 1, w - kw + 1) -> dE/dK = X ⋆ dE/dY (kh, kw)."""
    return check_function(
        "kernel gradient", learner, reference_kernel_gradient, KERNEL_CASES, KERNEL_MISTAKES
    )


# --- exercise 3: the input gradient --------------------------------------------------------

INPUT_CASES = [(output_gradient, kernel) for _, kernel, output_gradient in _pairs()]

_VALID_INPUT = (
    "valid mode shrinks: dE/dX needs the input's shape (h, w), and only a *full* convolution of "
    "dE/dY (h - kh + 1) with K (kh) gives it back: (h - kh + 1) + kh - 1 = h. Full mode: pad dE/dY "
    "with kh - 1 rows and kw - 1 columns of zeros on each side, then slide the rotated kernel."
)
_ROWS_ONLY = (
    "the kernel ends up flipped upside down only (its rows: kernel[::-1], np.flipud); convolution turns "
    "it half a turn, flipping rows *and* columns: kernel[::-1, ::-1] (rotate180). With convolve2d, give "
    "it the kernel unflipped: it rotates the kernel itself."
)
_COLUMNS_ONLY = (
    "the kernel ends up flipped left to right only (its columns: kernel[:, ::-1], np.fliplr); "
    "convolution turns it half a turn, flipping rows *and* columns: kernel[::-1, ::-1] (rotate180). "
    "With convolve2d, give it the kernel unflipped: it rotates the kernel itself."
)
_PADDING = (
    "the padding is wrong for this kernel: full mode surrounds dE/dY with kh - 1 rows and kw - 1 "
    "columns of zeros on each side, so that every window that touches dE/dY is counted."
)


_TRANSPOSED = (
    "k.T swaps the kernel's rows and columns, as the dense layer's W^T does; here the kernel is "
    "*rotated* 180° (upside down and left to right: kernel[::-1, ::-1]), which is not its transpose: "
    "dE/dY *full K = convolve2d(output_gradient, kernel, 'full')."
)
_MINUS_INDEX = (
    "the kernel index is r - m, not m - r: y_mn's window starts at (m, n), so x_rc sits at offset "
    "(r - m, c - n) inside it and meets k_(r-m)(c-n). Loop over the outputs (m, n) and use "
    "kernel[r - m, c - n] where both indices lie inside the kernel."
)


def _padded_by(rows, cols):
    return lambda g, k: correlate2d(np.pad(g, ((rows(k), rows(k)), (cols(k), cols(k)))), rotate180(k))


def _minus_index(g, k):
    """dE/dx_rc summed with k_(m-r)(n-c), the index the wrong way round (where it lies inside the kernel)."""
    (out_h, out_w), (kh, kw) = g.shape, k.shape
    result = np.zeros((out_h + kh - 1, out_w + kw - 1))
    for r, c in np.ndindex(result.shape):
        for m, n in np.ndindex(out_h, out_w):
            if 0 <= m - r < kh and 0 <= n - c < kw:
                result[r, c] += g[m, n] * k[m - r, n - c]
    return result


INPUT_MISTAKES = [
    Mistake(
        "that is a full cross-correlation: the kernel is missing its rotation. x_rc reaches y_mn through "
        "k_(r-m)(c-n): as m grows the kernel's index falls, so K appears rotated 180°, a full "
        "convolution: convolve2d(output_gradient, kernel, 'full').",
        lambda g, k: signal.correlate2d(g, k, "full"),
    ),
    Mistake(_VALID_INPUT, lambda g, k: signal.convolve2d(g, k, "valid")),
    Mistake(_VALID_INPUT, lambda g, k: signal.correlate2d(g, k, "valid")),
    Mistake(_ROWS_ONLY, lambda g, k: signal.correlate2d(g, k[::-1, :], "full")),
    Mistake(_COLUMNS_ONLY, lambda g, k: signal.correlate2d(g, k[:, ::-1], "full")),
    Mistake(
        "you rotated dE/dY instead of the kernel: slide K rotated 180° over dE/dY padded with zeros.",
        lambda g, k: signal.correlate2d(rotate180(g), k, "full"),
    ),
    Mistake(_MINUS_INDEX, _minus_index),
    Mistake(_TRANSPOSED, lambda g, k: signal.correlate2d(g, k.T, "full")),
    Mistake(_TRANSPOSED, lambda g, k: signal.convolve2d(g, k.T, "full")),
    Mistake(_PADDING, _padded_by(lambda k: 1, lambda k: 1)),
    Mistake(_PADDING, _padded_by(lambda k: k.shape[0] - 1, lambda k: k.shape[0] - 1)),
    Mistake(_PADDING, _padded_by(lambda k: k.shape[1] - 1, lambda k: k.shape[0] - 1)),
]


def reference_input_gradient(output_gradient, kernel):
    """dE/dX = dE/dY *full K: (h - kh + 1, w - kw + 1) and (kh, kw) -> (h, w)."""
    return convolve2d(output_gradient, kernel, "full")


def check_input_gradient(learner) -> CheckResult:
    """``learner(output_gradient, kernel)``: dE/dY (h - kh + 1, w - kw + 1), K (kh, kw) -> dE/dX (h, w)."""
    return check_function("input gradient", learner, reference_input_gradient, INPUT_CASES, INPUT_MISTAKES)


# --- exercise 4: find the bug, fix the layer -----------------------------------------------

# (input shape, kernel size, number of kernels)
LAYERS = [
    ((1, 3, 3), 2, 1),  # the notebook's example
    ((2, 4, 3), 1, 2),  # a 1x1 kernel: there a missing rotation cannot show
    ((2, 3, 4), 2, 3),  # depth 2, three kernels, non-square
    ((3, 3, 3), 3, 2),  # the kernel as large as the input
    ((2, 5, 4), 3, 3),
    ((3, 4, 6), 2, 2),
]


def _layer_cases():
    rng = np.random.default_rng(SEED + 2)
    cases = []
    for (n, h, w), k, d in LAYERS:
        x = _halves(rng, (n, h, w))
        kernels = np.array([[_asymmetric(rng, (k, k)) for _ in range(n)] for _ in range(d)])
        cases.append(
            (x, kernels, _halves(rng, (d, h - k + 1, w - k + 1)), _halves(rng, (d, h - k + 1, w - k + 1)))
        )
    return cases


LAYER_CASES = _layer_cases()  # (x, kernels, biases, output_gradient)


def _build(layer_class, x, kernels, biases):
    """A layer of ``layer_class`` holding these kernels and biases, after a forward pass on x."""
    d, n, k, _ = kernels.shape
    layer = layer_class(x.shape, k, d, rng=0)
    layer.kernels[...] = kernels
    layer.biases[...] = biases
    layer.forward(x)
    return layer


def _layer_gradients(layer_class):
    """(x, kernels, biases, output_gradient) -> (dE/dX, dE/dK, dE/dB) from ``layer_class.gradients``."""

    def gradients(x, kernels, biases, output_gradient):
        input_gradient, parameter_gradients = _build(layer_class, x, kernels, biases).gradients(
            output_gradient
        )
        return input_gradient, parameter_gradients["kernels"], parameter_gradients["biases"]

    return gradients


def _loops(kernel_part, input_part, add=True):
    """The layer's gradients as two loops over kernels i and input slices j, with the given 2D pieces."""

    def gradients(x, kernels, biases, output_gradient):
        input_gradient, kernels_gradient = np.zeros(x.shape), np.zeros(kernels.shape)
        for i in range(kernels.shape[0]):
            for j in range(kernels.shape[1]):
                kernels_gradient[i, j] = kernel_part(x[j], output_gradient[i])
                piece = input_part(output_gradient[i], kernels[i, j])
                if add:
                    input_gradient[j] += piece
                else:
                    input_gradient[j] = piece
        return input_gradient, kernels_gradient, output_gradient

    return gradients


def _correlation(x, g):
    return signal.correlate2d(x, g, "valid")


def _convolution_full(g, k):
    return signal.convolve2d(g, k, "full")


_VALID_LAYER = (
    "valid mode shrinks: each dE/dX_j must have the input slice's shape (h, w), and only a *full* "
    "convolution of dE/dY_i with K_ij gives it back. (Here NumPy stretched a smaller array over "
    "input_gradient[j] without complaint.)"
)
LAYER_MISTAKES = [  # each returns all three gradients, as the layer does; the wrong one tells them apart
    Mistake(
        "that is still the planted bug: dE/dY_i correlated with K_ij in full mode. x_rc reaches y_mn "
        "through k_(r-m)(c-n), so the kernel must be rotated 180°: a full *convolution*, "
        "signal.convolve2d(output_gradient[i], kernel, 'full').",
        _loops(_correlation, lambda g, k: signal.correlate2d(g, k, "full")),
    ),
    Mistake(
        "X_j feeds every output map Y_i, so dE/dX_j is a sum over i: input_gradient[j] += ..., "
        "not = (which keeps only the last kernel's share).",
        _loops(_correlation, _convolution_full, add=False),
    ),
    Mistake(_ROWS_ONLY, _loops(_correlation, lambda g, k: signal.correlate2d(g, k[::-1, :], "full"))),
    Mistake(_COLUMNS_ONLY, _loops(_correlation, lambda g, k: signal.correlate2d(g, k[:, ::-1], "full"))),
    Mistake(_TRANSPOSED, _loops(_correlation, lambda g, k: signal.correlate2d(g, k.T, "full"))),
    Mistake(_TRANSPOSED, _loops(_correlation, lambda g, k: signal.convolve2d(g, k.T, "full"))),
    Mistake(_VALID_LAYER, _loops(_correlation, lambda g, k: signal.convolve2d(g, k, "valid"))),
    Mistake(_VALID_LAYER, _loops(_correlation, lambda g, k: signal.correlate2d(g, k, "valid"))),
    Mistake(
        "the kernels gradient was right before: dE/dK_ij = X_j ⋆ dE/dY_i, a valid cross-correlation, "
        "not a convolution.",
        _loops(lambda x, g: signal.convolve2d(x, g, "valid"), _convolution_full),
    ),
    Mistake(
        "the kernels gradient was right before: dE/dK_ij = X_j ⋆ dE/dY_i; you swapped the arguments, "
        "which rotates the result.",
        _loops(lambda x, g: signal.correlate2d(g, x, "valid"), _convolution_full),
    ),
]  # dE/dB has none: the shape hint says enough
_PART_NAMES = ("dE/dX (input_gradient)", "dE/dK (the 'kernels' gradient)", "dE/dB (the 'biases' gradient)")
_BROADCAST = (
    "a shape does not fit: each dE/dX_j must have the input slice's shape (h, w). dE/dY_i *full K_ij "
    "has it; a valid mode gives a smaller array."
)


def check_fixed_layer(layer_class) -> CheckResult:
    """``layer_class`` (a ``Convolutional`` with ``gradients`` fixed) must give cnnlib's gradients on every case,
    and agree with central differences of its own forward pass (``check_layer``)."""
    if not isinstance(layer_class, type):
        raise TypeError(
            f"fixed layer: expected your class (not an instance), got {type(layer_class).__name__} "
            f"{layer_class!r}"
        )
    result = check_function(
        "fixed layer",
        _layer_gradients(layer_class),
        _layer_gradients(Convolutional),
        LAYER_CASES,
        LAYER_MISTAKES,
        parts=_PART_NAMES,
    )
    if result.status == "unanswered":
        return CheckResult(
            "fixed layer",
            "unanswered",
            "not answered yet: write your class's gradients, then run this cell again.",
        )
    if result.status == "failed":
        return _layer_failure(layer_class, result)
    for args in LAYER_CASES:
        x, kernels, biases, _ = args
        errors = check_layer(_build(layer_class, x, kernels, biases), x, rng=SEED)
        if max(errors.values()) > AGREE:
            return CheckResult(
                "fixed layer",
                "failed",
                f"your gradients equal cnnlib's, but not the central differences of your own forward "
                f"pass: did you change forward? check_layer on input shape {x.shape} with "
                f"{kernels.shape[0]} kernels: {_errors_text(errors)}",
            )
    return CheckResult(
        "fixed layer",
        "passed",
        f"all three gradients correct on all {len(LAYER_CASES)} layers (depth up to 3, up to 3 "
        f"kernels, a 1x1 kernel and one as large as the input), and check_layer agrees on each.",
    )


def _layer_failure(layer_class, result):
    """The failure, with a hint when the layer raised on shapes, or else the check_layer errors on that case."""
    x, kernels, biases, _ = result.case["args"]
    message, got = result.message, result.case["got"]
    if isinstance(got, str):  # the layer raised, or never returned: check_layer would do the same
        if "broadcast" in got and "hint:" not in message:
            message += f"\n  hint: {_BROADCAST}"
    else:
        try:
            errors = check_layer(_build(layer_class, x, kernels, biases), x, rng=SEED)
            message += f"\n  check_layer on this case: {_errors_text(errors)}"
        except Exception:  # the layer cannot even run its check: the message above says why
            pass
    return CheckResult("fixed layer", "failed", message, result.case)


def _errors_text(errors):
    return ", ".join(f"{name} {error:.1e}" for name, error in errors.items())
