"""Checkers for the exercises of notebook 02: rotate, size, pad, convolve.

Kernels in the cases are non-square with distinct values, so a transpose, a single flip or a
quarter turn cannot pass by luck; the cases also hold a 1x1 kernel and kernels as large as,
or (in full mode) larger than, the input. Kernels and images hold fractions, so that an output
made to hold integers fails.
"""

import numpy as np

from cnnlib.checks import CheckResult, Mistake, check_function
from cnnlib.correlation import convolve2d, correlate2d, output_size, pad_full, rotate180

SEED = 2


def _kernel(rng, shape):
    """Distinct halves (0.5, 1, 1.5, ...) in a random order: any wrong flip moves at least one of them."""
    return rng.permutation(np.arange(1, shape[0] * shape[1] + 1)).reshape(shape) / 2


def check_rotate180(learner) -> CheckResult:
    """``learner(kernel)`` must return the kernel turned half a turn: (kh, kw) -> (kh, kw)."""
    rng = np.random.default_rng(SEED)
    shapes = [
        (1, 1),
        (2, 2),
        (1, 4),
        (4, 1),
        (2, 3),
        (3, 2),
        (3, 3),
        (4, 5),
    ]  # 2x2 first among size 4: no two wrong flips agree on it
    cases = [(_kernel(rng, shape),) for shape in shapes]
    mistakes = [
        Mistake(
            "that is the transpose (rows become columns); a half turn keeps the shape and flips both ways: kernel[::-1, ::-1].",
            lambda k: k.T,
        ),
        Mistake("you flipped the rows only (upside down); also flip left to right.", lambda k: k[::-1, :]),
        Mistake("you flipped the columns only (left to right); also flip upside down.", lambda k: k[:, ::-1]),
        Mistake(
            "that is a quarter turn (90°); a half turn is two of them: np.rot90(kernel, 2).",
            lambda k: np.rot90(k),
        ),
        Mistake(
            "that is a quarter turn (90°) the other way; a half turn is two of them: np.rot90(kernel, 2).",
            lambda k: np.rot90(k, -1),
        ),
    ]
    return check_function("rotate a kernel by 180°", learner, rotate180, cases, mistakes)


def check_full_output_size(learner) -> CheckResult:
    """``learner(n, k)`` must return the full-mode output length ``n + k - 1``."""
    cases = [
        (1, 1),
        (5, 1),
        (3, 3),
        (4, 3),
        (3, 2),
        (28, 3),
        (2, 5),
        (7, 7),
        (10, 4),
    ]  # k = 3 before k = 2, where n + k = n + 2(k - 1)
    mistakes = [
        Mistake(
            "n - k + 1 is the valid size; full mode counts every place where kernel and input overlap at all.",
            lambda n, k: n - k + 1,
        ),
        Mistake(
            "one too many: the padded input is n + 2(k - 1) long, and a valid pass over it gives (n + 2(k - 1)) - k + 1.",
            lambda n, k: n + k,
        ),
        Mistake(
            "n + 2(k - 1) is the length of the padded input; the kernel then fits (n + 2(k - 1)) - k + 1 times.",
            lambda n, k: n + 2 * (k - 1),
        ),
        Mistake(
            "one too few: count the positions, from the kernel's last cell on the input's first to its first cell on the input's last.",
            lambda n, k: n + k - 2,
        ),
    ]
    return check_function(
        "full-mode output size", learner, lambda n, k: output_size(n, k, "full"), cases, mistakes
    )


def check_pad_full(learner) -> CheckResult:
    """``learner(image, kernel_shape)`` must surround the image with kh - 1 rows and kw - 1 columns of zeros on each side."""
    rng = np.random.default_rng(SEED + 1)
    shapes = [
        ((1, 1), (1, 1)),
        ((3, 3), (1, 1)),
        ((2, 3), (2, 2)),
        ((3, 4), (2, 3)),
        ((4, 3), (3, 2)),
        ((3, 5), (3, 5)),
        ((2, 2), (4, 3)),
        ((5, 6), (3, 2)),
    ]
    cases = [
        (rng.integers(1, 10, image_shape) / 10, kernel_shape) for image_shape, kernel_shape in shapes
    ]  # pixels
    mistakes = [
        Mistake(
            "you padded with k zeros; k - 1 are enough, so that the kernel's last cell just reaches the input's first.",
            lambda x, s: np.pad(x, ((s[0], s[0]), (s[1], s[1]))),
        ),
        Mistake(
            "you padded the top and left only; full mode pads both sides of each axis.",
            lambda x, s: np.pad(x, ((s[0] - 1, 0), (s[1] - 1, 0))),
        ),
        Mistake(
            "you padded the bottom and right only; full mode pads both sides of each axis.",
            lambda x, s: np.pad(x, ((0, s[0] - 1), (0, s[1] - 1))),
        ),
        Mistake(
            "rows and columns are swapped: pad the rows by kh - 1 (the kernel's height) and the columns by kw - 1 (its width).",
            lambda x, s: np.pad(x, ((s[1] - 1, s[1] - 1), (s[0] - 1, s[0] - 1))),
        ),
        Mistake(
            "k - 1 in total is not enough: put k - 1 zeros on EACH side.",
            lambda x, s: np.pad(
                x,
                (
                    ((s[0] - 1) // 2, (s[0] - 1) - (s[0] - 1) // 2),
                    ((s[1] - 1) // 2, (s[1] - 1) - (s[1] - 1) // 2),
                ),
            ),
        ),
    ]
    return check_function("pad for full mode", learner, pad_full, cases, mistakes)


def check_convolve2d(learner) -> CheckResult:
    """``learner(image, kernel, mode)`` must equal ``cnnlib.correlation.convolve2d`` (= scipy.signal.convolve2d)."""
    rng = np.random.default_rng(SEED + 2)
    shapes = [
        ((3, 3), (1, 1), "valid"),
        ((3, 3), (1, 1), "full"),
        ((3, 4), (2, 2), "valid"),
        ((3, 4), (2, 2), "full"),
        ((4, 6), (2, 3), "valid"),
        ((4, 6), (2, 3), "full"),
        ((5, 4), (3, 2), "valid"),
        ((5, 4), (3, 2), "full"),
        ((3, 5), (3, 5), "valid"),
        ((2, 3), (3, 4), "full"),
    ]
    cases = [
        (rng.integers(-4, 5, image_shape).astype(float), _kernel(rng, kernel_shape) - 3, mode)
        for image_shape, kernel_shape, mode in shapes
    ]

    def padded(x, k, mode, before=True, after=True):
        """The image with k - 1 zeros in full mode, on the sides asked for; as it is in valid mode."""
        if mode != "full":
            return x
        rows, cols = k.shape[0] - 1, k.shape[1] - 1
        return np.pad(x, ((rows * before, rows * after), (cols * before, cols * after)))

    mistakes = [
        Mistake(
            "no rotation: that is the cross-correlation; turn the kernel half a turn first.",
            lambda x, k, mode: correlate2d(x, k, mode),
        ),
        Mistake(
            "you rotated the image, not the kernel; turn the kernel half a turn and slide it over the image as it is.",
            lambda x, k, mode: correlate2d(x[::-1, ::-1], k, mode),
        ),
        Mistake(
            "you transposed the kernel; a half turn flips both ways: kernel[::-1, ::-1].",
            lambda x, k, mode: correlate2d(x, k.T, mode),
        ),
        Mistake(
            "you flipped the kernel upside down only; also flip it left to right.",
            lambda x, k, mode: correlate2d(x, k[::-1, :], mode),
        ),
        Mistake(
            "you flipped the kernel left to right only; also flip it upside down.",
            lambda x, k, mode: correlate2d(x, k[:, ::-1], mode),
        ),
        Mistake(
            "that is a quarter turn (90°) of the kernel; a half turn is two of them: np.rot90(kernel, 2), or kernel[::-1, ::-1].",
            lambda x, k, mode: correlate2d(padded(x, k, mode), np.rot90(k)),
        ),
        Mistake(
            "that is a quarter turn (90°) of the kernel the other way; a half turn is two of them: np.rot90(kernel, 2), or kernel[::-1, ::-1].",
            lambda x, k, mode: correlate2d(padded(x, k, mode), np.rot90(k, -1)),
        ),
        Mistake(
            "in full mode you padded the top and left only; put k - 1 zeros on both sides of each axis.",
            lambda x, k, mode: correlate2d(padded(x, k, mode, after=False), rotate180(k)),
        ),
        Mistake(
            "in full mode you padded the bottom and right only; put k - 1 zeros on both sides of each axis.",
            lambda x, k, mode: correlate2d(padded(x, k, mode, before=False), rotate180(k)),
        ),
        Mistake(
            "that is the valid convolution; in full mode pad the image with k - 1 zeros on each side first.",
            lambda x, k, mode: convolve2d(x, k, "valid"),
        ),
        Mistake(
            "you padded with k zeros on each side; full mode needs k - 1 (and valid mode none).",
            lambda x, k, mode: correlate2d(np.pad(x, ((k.shape[0],) * 2, (k.shape[1],) * 2)), rotate180(k)),
        ),
    ]
    return check_function("convolve2d, valid and full", learner, convolve2d, cases, mistakes)
