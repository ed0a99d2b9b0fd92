"""Checkers for the exercises of notebook 01 (valid cross-correlation).

Cases are small integer arrays, awkward ones included: non-square inputs and kernels, a kernel as
large as its input, a 1x1 kernel, a 1-row input; and images with pixels in [0, 1], as in MNIST.
Kernels are asymmetric, so a flipped kernel (convolution) never passes by luck.
"""

import numpy as np

from cnnlib.checks import Exercise, Mistake
from cnnlib.checks.cases import asymmetric_kernel, integers, pixels
from cnnlib.correlation import correlate2d, output_size, rotate180


def _pairs(shapes, seed=1, draw=integers, scale=1):
    """(image, kernel) pairs of these shapes: images of ``draw``, kernels of small integers / ``scale``."""
    rng = np.random.default_rng(seed)
    return [(draw(rng, s), asymmetric_kernel(rng, k, integers) / scale) for s, k in shapes]


# (image_shape, kernel_shape): non-square, a kernel as large as the input (it fits once), 1x1, one row
SHAPE_CASES = [((5, 5), (3, 3)), ((4, 6), (2, 3)), ((28, 28), (3, 3)), ((3, 3), (3, 3)), ((7, 4), (1, 1))]
SHAPE_CASES += [((1, 6), (1, 2)), ((6, 4), (3, 2))]
_TILES = (
    "the kernel slides one pixel at a time, it does not jump by its own size: count the places "
    "its corner can sit, not how many kernels tile the input."
)
_OWN_SIZE = "each axis uses its own kernel size: rows h - kh + 1, columns w - kw + 1."
SHAPE_MISTAKES = [
    Mistake(
        "off by one: the kernel's corner can sit at rows 0, 1, ..., h - k, which is h - k + 1 places "
        "(a kernel as large as the input still fits once).",
        lambda s, k: (s[0] - k[0], s[1] - k[1]),
    ),
    Mistake(
        "h + k - 1 is the size of the *full* cross-correlation (notebook 02); the valid one keeps "
        "only the places where the kernel lies entirely inside the input.",
        lambda s, k: (s[0] + k[0] - 1, s[1] + k[1] - 1),
    ),
    Mistake(_TILES, lambda s, k: (s[0] // k[0], s[1] // k[1])),
    Mistake(_TILES, lambda s, k: (s[0] / k[0], s[1] / k[1])),
    Mistake(
        "rows first: return (rows, columns), that is (h - kh + 1, w - kw + 1).",
        lambda s, k: (s[1] - k[1] + 1, s[0] - k[0] + 1),
    ),
    Mistake(_OWN_SIZE, lambda s, k: (s[0] - k[0] + 1, s[1] - k[0] + 1)),
    Mistake(_OWN_SIZE, lambda s, k: (s[0] - k[1] + 1, s[1] - k[1] + 1)),
]


# learner(image_shape, kernel_shape) -> the valid output's (rows, columns)
check_output_shape = Exercise(
    "output shape", lambda s, k: tuple(map(output_size, s, k)), SHAPE_CASES, SHAPE_MISTAKES
)

# the smallest case has a square kernel away from the corner, so that a matrix product, a centred window or
# a short one gives a wrong number rather than an error; seed 28 gives each known mistake a number of its own
_ELEMENT_SHAPES = [((3, 3), (2, 2)), ((1, 12), (1, 3)), ((3, 3), (3, 3)), ((4, 5), (1, 1)), ((5, 5), (3, 3))]
_ELEMENT_SHAPES += [((4, 6), (2, 3)), ((6, 5), (3, 2)), ((6, 7), (2, 3))]
_POSITIONS = [(1, 1), (0, 9), (0, 0), (2, 4), (1, 2), (2, 1), (3, 1), (4, 4)]  # the last ones included
ELEMENT_CASES = [(x, k, *at) for (x, k), at in zip(_pairs(_ELEMENT_SHAPES, seed=28), _POSITIONS)]


def _window(x, k, row, col, rows=0, cols=0):
    """The image's window at (row, col) (``rows`` and ``cols`` short), times the kernel, summed."""
    return np.sum(x[row : row + k.shape[0] - rows, col : col + k.shape[1] - cols] * k)


_SHORT = (
    "your window is one row or column short: a slice leaves out its end, so image[row : row + kh - 1] "
    "holds kh - 1 rows. Take image[row : row + kh, col : col + kw]. (NumPy stretched the smaller window "
    "over the kernel without complaint.)"
)
ELEMENT_MISTAKES = [
    Mistake(
        "you flipped the kernel: that is convolution (notebook 02). Cross-correlation multiplies "
        "each window value by the kernel value at the same place.",
        lambda x, k, r, c: _window(x, rotate180(k), r, c),
    ),
    Mistake(
        "multiply element by element, then sum: np.sum(window * kernel). You summed first, then multiplied.",
        lambda x, k, r, c: _window(x, np.ones_like(k), r, c) * np.sum(k),
    ),
    Mistake(
        "you summed the window alone: multiply it by the kernel element by element first.",
        lambda x, k, r, c: _window(x, np.ones_like(k), r, c),
    ),
    Mistake(
        "`window @ kernel` is a matrix product; cross-correlation multiplies elementwise: window * kernel.",
        lambda x, k, r, c: np.sum(x[r : r + k.shape[0], c : c + k.shape[1]] @ k),
    ),
    Mistake(
        "row and column swapped: the window starts at image[row, col] and spans kh rows and kw columns.",
        lambda x, k, r, c: _window(x, k, c, r),
    ),
    Mistake(
        "your window starts at (row - kh // 2, col - kw // 2), as if centred on (row, col); the window has "
        "its top-left corner at (row, col): image[row : row + kh, col : col + kw].",
        lambda x, k, r, c: _window(x, k, r - k.shape[0] // 2, c - k.shape[1] // 2),
    ),
    Mistake(_SHORT, lambda x, k, r, c: _window(x, k, r, c, rows=1)),
    Mistake(_SHORT, lambda x, k, r, c: _window(x, k, r, c, cols=1)),
    Mistake(_SHORT, lambda x, k, r, c: _window(x, k, r, c, rows=1, cols=1)),
]
# learner(image, kernel, row, col) -> the valid output's value at [row, col]
check_output_element = Exercise(
    "one output element", lambda x, k, r, c: correlate2d(x, k)[r, c], ELEMENT_CASES, ELEMENT_MISTAKES
)

_SHAPES = [((1, 5), (1, 2)), ((3, 4), (1, 1)), ((3, 3), (3, 3)), ((4, 6), (2, 3)), ((6, 4), (3, 2))]
CORRELATE_CASES = _pairs(_SHAPES + [((5, 5), (3, 3)), ((7, 5), (2, 4))])
# pixels in [0, 1], kernels in quarters: an output made to hold integers fails, on the second smallest case
CORRELATE_CASES += _pairs([((2, 3), (2, 2)), ((6, 6), (3, 3))], draw=pixels, scale=4)
_STOPS_EARLY = (
    "your loops stop one position early, so the last row or column of the output is missing: "
    "there are h - kh + 1 rows, so loop over range(h - kh + 1)."
)
CORRELATE_MISTAKES = [
    Mistake(
        "you flipped the kernel: that is convolution (notebook 02). Cross-correlation multiplies "
        "image[row + m, col + n] by kernel[m, n], unflipped.",
        lambda x, k: correlate2d(x, rotate180(k)),
    ),
    Mistake(
        "that is the *full* cross-correlation (notebook 02), with the input padded by zeros; the valid "
        "one keeps only places where the kernel lies entirely inside the input: (h - kh + 1, w - kw + 1).",
        lambda x, k: correlate2d(x, k, "full"),
    ),
    Mistake(
        "your result is transposed: output[row, col] belongs to the window whose top-left corner is "
        "image[row, col]; rows first.",
        lambda x, k: correlate2d(x, k).T,
    ),
    Mistake(_STOPS_EARLY, lambda x, k: correlate2d(x, k)[:-1, :-1]),
    Mistake(_STOPS_EARLY, lambda x, k: correlate2d(x, k)[:-1, :]),
    Mistake(_STOPS_EARLY, lambda x, k: correlate2d(x, k)[:, :-1]),
]
# learner(image, kernel) -> the valid cross-correlation, (h - kh + 1, w - kw + 1)
check_correlate2d = Exercise("valid cross-correlation", correlate2d, CORRELATE_CASES, CORRELATE_MISTAKES)
