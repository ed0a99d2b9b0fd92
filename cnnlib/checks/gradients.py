"""Checkers for notebook 04's exercises: the bias, kernel and input gradients, and a buggy layer to fix.

Cases are small halves, readable in a failure message, in awkward shapes: non-square inputs and
kernels, asymmetric kernels that expose a missing or an extra flip, a kernel as large as its input,
a 1x1 kernel and, for the layer, depth > 1 and several kernels. The upstream gradient dE/dY is
random, never ones: with ones, correlation and convolution give the same kernel gradient.
"""

import contextlib

import numpy as np
from scipy import signal

from cnnlib.checks import CheckResult, Exercise, Mistake
from cnnlib.checks.cases import asymmetric_kernel, halves, layer_case
from cnnlib.correlation import convolve2d, correlate2d, rotate180
from cnnlib.gradcheck import check_layer
from cnnlib.layers import Convolutional

AGREE = 1e-6  # the largest relative error check_layer may report on a correct layer


def _slid(kernel=np.copy, mode="full", operation=signal.correlate2d):
    """``operation(a, kernel(b), mode)``: dE/dY, K -> dE/dX (or X, dE/dY -> dE/dK), right or wrong."""
    return lambda a, b: operation(a, kernel(b), mode)


# (input shape, kernel shape) of the one-kernel exercises, smallest first: (2, 3) * (2, 2), where a flip
# along either axis shows; the notebook's example; a single row; non-square; a kernel as large as the input
# (dE/dY has one element); a 1x1 kernel (dE/dY as large as the input)
SHAPES = [((2, 3), (2, 2)), ((3, 3), (2, 2)), ((1, 5), (1, 2)), ((4, 5), (2, 3)), ((5, 4), (3, 2))]
SHAPES += [((3, 4), (3, 4)), ((4, 3), (1, 1)), ((6, 5), (3, 3))]
_rng = np.random.default_rng(4)
_TRIPLES = [  # (x, kernel, output_gradient)
    (halves(_rng, s), asymmetric_kernel(_rng, k), asymmetric_kernel(_rng, (s[0] - k[0] + 1, s[1] - k[1] + 1)))
    for s, k in SHAPES
]

_rng = np.random.default_rng(5)
BIAS_CASES = [(halves(_rng, s),) for s in [(1, 1, 1), (1, 2, 2), (2, 2, 3), (3, 2, 2), (2, 4, 1)]]
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
    Mistake(_SCALAR_BIAS, np.sum),
    Mistake(_SCALAR_BIAS, lambda g: np.full(np.shape(g), np.sum(g))),
    Mistake(_PER_KERNEL_BIAS, lambda g: np.sum(g, axis=(1, 2))),
    Mistake(_PER_KERNEL_BIAS, lambda g: np.sum(g, axis=(1, 2), keepdims=True)),
    Mistake(
        "you summed over the kernels: each kernel i has its own bias B_i, which reaches Y_i alone, "
        "so dE/dB_i = dE/dY_i; nothing is summed.",
        lambda g: np.sum(g, axis=0),
    ),
    Mistake(
        "dy_mn/db_mn = 1, but the chain rule multiplies it by dE/dy_mn: dE/db_mn = dE/dy_mn.", np.ones_like
    ),
]
# learner(output_gradient): dE/dY (d, h', w') -> dE/dB, the same shape (the original code's bias)
check_bias_gradient = Exercise("bias gradient", np.copy, BIAS_CASES, BIAS_MISTAKES)

KERNEL_CASES = [(x, output_gradient) for x, _, output_gradient in _TRIPLES]
_FULL_KERNEL = (
    "that is in *full* mode, larger than the kernel. dE/dK has the kernel's shape: h - (h - kh + 1) + 1 = "
    "kh, a valid correlation. (SciPy's correlate2d defaults to 'full': always say the mode.)"
)
KERNEL_MISTAKES = [
    Mistake(
        "you rotated dE/dY: that is a convolution. k_pq meets x_(m+p)(n+q) in y_mn, so dE/dk_pq = sum_mn "
        "dE/dy_mn x_(m+p)(n+q): the same m, n in both, a cross-correlation X ⋆ dE/dY with no rotation.",
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
# learner(x, output_gradient): X (h, w), dE/dY (h - kh + 1, w - kw + 1) -> dE/dK = X ⋆ dE/dY (kh, kw)
check_kernel_gradient = Exercise("kernel gradient", correlate2d, KERNEL_CASES, KERNEL_MISTAKES)

INPUT_CASES = [(output_gradient, kernel) for _, kernel, output_gradient in _TRIPLES]
_VALID_INPUT = (
    "valid mode shrinks: dE/dX needs the input's shape (h, w), and only a *full* convolution of "
    "dE/dY (h - kh + 1) with K (kh) gives it back: (h - kh + 1) + kh - 1 = h. Full mode: pad dE/dY "
    "with kh - 1 rows and kw - 1 columns of zeros on each side, then slide the rotated kernel."
)
_FLIPPED = (
    "the kernel ends up flipped {} only ({}); convolution turns it half a turn, flipping rows *and* columns: "
    "kernel[::-1, ::-1] (rotate180). With convolve2d, give it the kernel unflipped: it rotates it itself."
)
_ROWS_ONLY = _FLIPPED.format("upside down", "its rows: kernel[::-1], np.flipud")
_COLUMNS_ONLY = _FLIPPED.format("left to right", "its columns: kernel[:, ::-1], np.fliplr")
_PADDING = (
    "the padding is wrong for this kernel: full mode surrounds dE/dY with kh - 1 rows and kw - 1 "
    "columns of zeros on each side, so that every window that touches dE/dY is counted."
)
_TRANSPOSED = (
    "k.T swaps the kernel's rows and columns, as the dense layer's W^T does; here the kernel is "
    "*rotated* 180° (upside down and left to right: kernel[::-1, ::-1]), which is not its transpose: "
    "dE/dY *full K = convolve2d(output_gradient, kernel, 'full')."
)


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
        _slid(),
    ),
    Mistake(_VALID_INPUT, _slid(mode="valid", operation=signal.convolve2d)),
    Mistake(_VALID_INPUT, _slid(mode="valid")),
    Mistake(_ROWS_ONLY, _slid(np.flipud)),
    Mistake(_COLUMNS_ONLY, _slid(np.fliplr)),
    Mistake(
        "you rotated dE/dY instead of the kernel: slide K rotated 180° over dE/dY padded with zeros.",
        lambda g, k: signal.correlate2d(rotate180(g), k, "full"),
    ),
    Mistake(
        "the kernel index is r - m, not m - r: y_mn's window starts at (m, n), so x_rc sits at offset "
        "(r - m, c - n) inside it and meets k_(r-m)(c-n). Loop over the outputs (m, n) and use "
        "kernel[r - m, c - n] where both indices lie inside the kernel.",
        _minus_index,
    ),
    Mistake(_TRANSPOSED, _slid(np.transpose)),
    Mistake(_TRANSPOSED, _slid(np.transpose, operation=signal.convolve2d)),
    Mistake(_PADDING, lambda g, k: correlate2d(np.pad(g, 1), rotate180(k))),
    Mistake(
        _PADDING, lambda g, k: correlate2d(np.pad(g, k.shape[0] - 1), rotate180(k))
    ),  # kh - 1 on both axes
    Mistake(
        _PADDING, lambda g, k: correlate2d(np.pad(g, [[k.shape[1] - 1], [k.shape[0] - 1]]), rotate180(k))
    ),
]
# learner(output_gradient, kernel): dE/dY (h - kh + 1, w - kw + 1), K (kh, kw) -> dE/dX = dE/dY *full K (h, w)
check_input_gradient = Exercise("input gradient", _slid(operation=convolve2d), INPUT_CASES, INPUT_MISTAKES)

# (x, kernels, biases, output_gradient) of layers (input shape, kernel size, number of kernels): the
# notebook's example; a 1x1 kernel, where a missing rotation cannot show; depth 2 and three kernels,
# non-square; the kernel as large as the input
_rng = np.random.default_rng(6)
_LAYERS = [((1, 3, 3), 2, 1), ((2, 4, 3), 1, 2), ((2, 3, 4), 2, 3), ((3, 3, 3), 3, 2), ((2, 5, 4), 3, 3)]
LAYER_CASES = [layer_case(_rng, *layer) for layer in _LAYERS + [((3, 4, 6), 2, 2)]]
LAYER_CASES = [case + (halves(_rng, case[2].shape),) for case in LAYER_CASES]


def _build(layer_class, x, kernels, biases, output_gradient=None):
    """A layer of ``layer_class`` holding these kernels and biases, after a forward pass on x."""
    layer = layer_class(x.shape, kernels.shape[2], kernels.shape[0], rng=0)
    layer.kernels[...], layer.biases[...] = kernels, biases
    layer.forward(x)
    return layer


def _layer_gradients(layer_class):
    """(x, kernels, biases, output_gradient) -> (dE/dX, dE/dK, dE/dB) from ``layer_class.gradients``."""

    def gradients(x, kernels, biases, output_gradient):
        input_gradient, parameters = _build(layer_class, x, kernels, biases).gradients(output_gradient)
        return input_gradient, parameters["kernels"], parameters["biases"]

    return gradients


_CORRELATION = _slid(mode="valid")


def _loops(input_part, kernel_part=_CORRELATION, add=True):
    """A mistaken layer's gradients: two loops over kernels i and input slices j, with these 2D pieces."""

    def gradients(x, kernels, biases, output_gradient):
        input_gradient, kernels_gradient = np.zeros(x.shape), np.zeros(kernels.shape)
        for i, j in np.ndindex(kernels.shape[:2]):
            kernels_gradient[i, j] = kernel_part(x[j], output_gradient[i])
            piece = input_part(output_gradient[i], kernels[i, j])
            input_gradient[j] = input_gradient[j] + piece if add else piece
        return input_gradient, kernels_gradient, output_gradient

    return gradients


_VALID_LAYER = (
    "valid mode shrinks: each dE/dX_j needs the input slice's shape (h, w), and only a *full* convolution of "
    "dE/dY_i with K_ij gives it back. (NumPy silently stretched a smaller array over input_gradient[j].)"
)
LAYER_MISTAKES = [  # each returns all three gradients, as the layer does; the wrong one tells them apart
    Mistake(
        "that is still the planted bug: dE/dY_i correlated with K_ij in full mode. x_rc reaches y_mn "
        "through k_(r-m)(c-n), so the kernel must be rotated 180°: a full *convolution*, "
        "signal.convolve2d(output_gradient[i], kernel, 'full').",
        _loops(_slid()),
    ),
    Mistake(
        "X_j feeds every output map Y_i, so dE/dX_j is a sum over i: input_gradient[j] += ..., "
        "not = (which keeps only the last kernel's share).",
        _loops(_slid(operation=signal.convolve2d), add=False),
    ),
    Mistake(_ROWS_ONLY, _loops(_slid(np.flipud))),
    Mistake(_COLUMNS_ONLY, _loops(_slid(np.fliplr))),
    Mistake(_TRANSPOSED, _loops(_slid(np.transpose))),
    Mistake(_TRANSPOSED, _loops(_slid(np.transpose, operation=signal.convolve2d))),
    Mistake(_VALID_LAYER, _loops(_slid(mode="valid", operation=signal.convolve2d))),
    Mistake(_VALID_LAYER, _loops(_slid(mode="valid"))),
    Mistake(
        "a shape does not fit: each dE/dX_j must have the input slice's shape (h, w). dE/dY_i *full K_ij "
        "has it; a valid mode gives a smaller array.",
        raises=ValueError,
        match="broadcast",
    ),
    Mistake(
        "the kernels gradient was right before: X_j ⋆ dE/dY_i, a valid cross-correlation, not a convolution.",
        _loops(_slid(operation=signal.convolve2d), _slid(mode="valid", operation=signal.convolve2d)),
    ),
    Mistake(
        "the kernels gradient was right before: dE/dK_ij = X_j ⋆ dE/dY_i; you swapped the arguments, "
        "which rotates the result.",
        _loops(_slid(operation=signal.convolve2d), lambda x, g: signal.correlate2d(g, x, "valid")),
    ),
]  # dE/dB has none: the shape hint says enough
_PARTS = ("dE/dX (input_gradient)", "dE/dK (the 'kernels' gradient)", "dE/dB (the 'biases' gradient)")
_FIXED_LAYER = Exercise("fixed layer", _layer_gradients(Convolutional), LAYER_CASES, LAYER_MISTAKES, _PARTS)


def check_fixed_layer(layer_class) -> CheckResult:
    """``layer_class`` (a ``Convolutional`` with ``gradients`` fixed) must give cnnlib's gradients on every
    case, and agree with central differences of its own forward pass (``check_layer``)."""
    if not isinstance(layer_class, type):
        name = type(layer_class).__name__
        raise TypeError(f"fixed layer: expected your class (not an instance), got {name} {layer_class!r}")
    result = _FIXED_LAYER(_layer_gradients(layer_class))
    if result.status == "unanswered":
        result.message = "not answered yet: write your class's gradients, then run this cell again."
    elif result.status == "failed" and result.case["error"] is None:  # where it raised, check_layer would too
        with contextlib.suppress(Exception):  # a layer that cannot even run its check: the message says why
            result.message += f"\n  check_layer on this case: {_errors(layer_class, *result.case['args'])[1]}"
    for x, kernels, biases, _ in LAYER_CASES if result else []:
        largest, errors = _errors(layer_class, x, kernels, biases)
        if largest > AGREE:
            message = (
                "your gradients equal cnnlib's, but not the central differences of your own forward pass: "
            )
            message += (
                f"did you change forward? check_layer on input shape {x.shape}, {len(kernels)} kernels: "
            )
            return CheckResult("fixed layer", "failed", message + errors)
    if result:
        result.message += " check_layer agrees on each."
    return result


def _errors(layer_class, *case):
    """check_layer's largest relative error on a case (x, kernels, biases, ...), and all of them as text."""
    errors = check_layer(_build(layer_class, *case), case[0], rng=4)
    return max(errors.values()), ", ".join(f"{name} {error:.1e}" for name, error in errors.items())
