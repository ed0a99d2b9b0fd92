"""Checkers for the exercises of notebook 01 (valid cross-correlation).

Each ``check_*`` takes the learner's function and returns a ``CheckResult``. The cases are
fixed (seeded) small integer arrays, awkward ones included: non-square inputs and kernels, a
kernel as large as its input, a 1x1 kernel, a 1-row input; and images with pixels in [0, 1], as
in MNIST, where an output made to hold integers loses the fractions. Kernels are asymmetric, so a
flipped kernel (convolution) never passes by luck.
"""

import numpy as np

from cnnlib.checks import CheckResult, Mistake, check_function
from cnnlib.correlation import correlate2d, output_size, rotate180

SEED = 1


def _integers(rng, shape, low=-4, high=5):
    return rng.integers(low, high, size=shape)


def _asymmetric_kernel(rng, shape):
    """Small integers, never equal to their own 180° rotation (unless 1x1), so a flip shows.

    Their sum is neither 0 nor 1, so that summing the window then multiplying by the kernel's
    sum, or forgetting the kernel, do not pass by luck.
    """
    while True:
        kernel = _integers(rng, shape, -3, 4)
        if kernel.size == 1 and kernel.item() not in (0, 1):
            return kernel
        if kernel.size > 1 and kernel.sum() not in (0, 1) and not np.array_equal(kernel, rotate180(kernel)):
            return kernel


def _pairs(shapes, seed=SEED):
    """Image and kernel pairs of the given shapes, from a fixed seed."""
    rng = np.random.default_rng(seed)
    return [
        (_integers(rng, image_shape), _asymmetric_kernel(rng, kernel_shape))
        for image_shape, kernel_shape in shapes
    ]


def _pixel_pairs(shapes):
    """Images with pixels in [0, 1], as MNIST's, and kernels in quarters, from a fixed seed."""
    rng = np.random.default_rng(SEED)
    return [
        (rng.integers(0, 256, image_shape) / 255, _asymmetric_kernel(rng, kernel_shape) / 4)
        for image_shape, kernel_shape in shapes
    ]


# --- exercise 1: the output's shape --------------------------------------------------------


def _output_shape(image_shape, kernel_shape):
    return tuple(output_size(n, k) for n, k in zip(image_shape, kernel_shape))


SHAPE_CASES = [
    ((5, 5), (3, 3)),
    ((4, 6), (2, 3)),
    ((28, 28), (3, 3)),
    ((3, 3), (3, 3)),  # the kernel as large as the input: one position
    ((7, 4), (1, 1)),
    ((1, 6), (1, 2)),  # one row
    ((6, 4), (3, 2)),
]

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
    Mistake(
        "the kernel slides one pixel at a time, it does not jump by its own size: count the places "
        "its corner can sit, not how many kernels tile the input.",
        lambda s, k: (s[0] // k[0], s[1] // k[1]),
    ),
    Mistake(
        "the kernel slides one pixel at a time, it does not jump by its own size: count the places "
        "its corner can sit, not how many kernels tile the input.",
        lambda s, k: (s[0] / k[0], s[1] / k[1]),
    ),
    Mistake(
        "rows first: return (rows, columns), that is (h - kh + 1, w - kw + 1).",
        lambda s, k: (s[1] - k[1] + 1, s[0] - k[0] + 1),
    ),
    Mistake(
        "each axis uses its own kernel size: rows h - kh + 1, columns w - kw + 1.",
        lambda s, k: (s[0] - k[0] + 1, s[1] - k[0] + 1),
    ),
    Mistake(
        "each axis uses its own kernel size: rows h - kh + 1, columns w - kw + 1.",
        lambda s, k: (s[0] - k[1] + 1, s[1] - k[1] + 1),
    ),
]


def check_output_shape(learner) -> CheckResult:
    """``learner(image_shape, kernel_shape)`` must return the valid output's ``(rows, columns)``."""
    return check_function("output shape", learner, _output_shape, SHAPE_CASES, SHAPE_MISTAKES)


# --- exercise 2: one output element --------------------------------------------------------


def _output_element(image, kernel, row, col):
    return correlate2d(image, kernel)[row, col]


def _window(image, kernel, row, col):
    return image[row : row + kernel.shape[0], col : col + kernel.shape[1]]


ELEMENT_CASES = [
    (image, kernel, row, col)
    for (image, kernel), (row, col) in zip(
        # the smallest case has a square kernel away from the corner, so that a matrix product, a centred
        # window or a short one gives a wrong number rather than an error; seed 28 gives each known mistake a
        # number of its own there (under SEED, a window a row and a column short gave the centred one's)
        _pairs(
            [
                ((3, 3), (2, 2)),
                ((1, 12), (1, 3)),
                ((3, 3), (3, 3)),
                ((4, 5), (1, 1)),
                ((5, 5), (3, 3)),
                ((4, 6), (2, 3)),
                ((6, 5), (3, 2)),
                ((6, 7), (2, 3)),
            ],
            seed=28,
        ),
        [(1, 1), (0, 9), (0, 0), (2, 4), (1, 2), (2, 1), (3, 1), (4, 4)],  # last positions included
    )
]

_SHORT = (
    "your window is one row or column short: a slice leaves out its end, so image[row : row + kh - 1] "
    "holds kh - 1 rows. Take image[row : row + kh, col : col + kw]. (NumPy stretched the smaller window "
    "over the kernel without complaint.)"
)

ELEMENT_MISTAKES = [
    Mistake(
        "you flipped the kernel: that is convolution (notebook 02). Cross-correlation multiplies "
        "each window value by the kernel value at the same place.",
        lambda x, k, r, c: np.sum(_window(x, k, r, c) * rotate180(k)),
    ),
    Mistake(
        "multiply element by element, then sum: np.sum(window * kernel). You summed first, then multiplied.",
        lambda x, k, r, c: np.sum(_window(x, k, r, c)) * np.sum(k),
    ),
    Mistake(
        "you summed the window alone: multiply it by the kernel element by element first.",
        lambda x, k, r, c: np.sum(_window(x, k, r, c)),
    ),
    Mistake(
        "`window @ kernel` is a matrix product; cross-correlation multiplies element by element: window * kernel.",
        lambda x, k, r, c: np.sum(_window(x, k, r, c) @ k),
    ),
    Mistake(
        "row and column swapped: the window starts at image[row, col] and spans kh rows and kw columns.",
        lambda x, k, r, c: np.sum(x[c : c + k.shape[0], r : r + k.shape[1]] * k),
    ),
    Mistake(
        "your window starts at (row - kh // 2, col - kw // 2), as if centred on (row, col); the window has "
        "its top-left corner at (row, col): image[row : row + kh, col : col + kw].",
        lambda x, k, r, c: np.sum(
            x[
                r - k.shape[0] // 2 : r - k.shape[0] // 2 + k.shape[0],
                c - k.shape[1] // 2 : c - k.shape[1] // 2 + k.shape[1],
            ]
            * k
        ),
    ),
    Mistake(_SHORT, lambda x, k, r, c: np.sum(x[r : r + k.shape[0] - 1, c : c + k.shape[1]] * k)),
    Mistake(_SHORT, lambda x, k, r, c: np.sum(x[r : r + k.shape[0], c : c + k.shape[1] - 1] * k)),
    Mistake(_SHORT, lambda x, k, r, c: np.sum(x[r : r + k.shape[0] - 1, c : c + k.shape[1] - 1] * k)),
]


def check_output_element(learner) -> CheckResult:
    """``learner(image, kernel, row, col)`` must return the valid output's value at ``[row, col]``."""
    return check_function("one output element", learner, _output_element, ELEMENT_CASES, ELEMENT_MISTAKES)


# --- exercise 3: the whole valid cross-correlation -----------------------------------------

CORRELATE_CASES = _pairs(
    [
        ((1, 5), (1, 2)),
        ((3, 4), (1, 1)),
        ((3, 3), (3, 3)),
        ((4, 6), (2, 3)),
        ((6, 4), (3, 2)),
        ((5, 5), (3, 3)),
        ((7, 5), (2, 4)),
    ]
) + _pixel_pairs([((2, 3), (2, 2)), ((6, 6), (3, 3))])  # the first: second smallest of all

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


def check_correlate2d(learner) -> CheckResult:
    """``learner(image, kernel)`` must return the valid cross-correlation, (h - kh + 1, w - kw + 1)."""
    return check_function(
        "valid cross-correlation", learner, correlate2d, CORRELATE_CASES, CORRELATE_MISTAKES
    )
