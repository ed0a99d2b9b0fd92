"""Checkers for the exercises of notebook 02: rotate, size, pad, convolve.

Kernels are non-square with distinct values, so a transpose, a single flip or a quarter turn cannot
pass by luck; they include a 1x1 kernel and kernels as large as, or (in full mode) larger than, the
input. Kernels and images hold fractions, so that an output made to hold integers fails.
"""

import functools

import numpy as np

from cnnlib.checks import Exercise, Mistake
from cnnlib.checks.cases import distinct, pixels
from cnnlib.correlation import convolve2d, correlate2d, output_size, pad_full, rotate180

_rng = np.random.default_rng(2)
# 2x2 first: no two flips agree on it
_SHAPES = [(1, 1), (2, 2), (1, 4), (4, 1), (2, 3), (3, 2), (3, 3), (4, 5)]
ROTATE_CASES = [(distinct(_rng, s),) for s in _SHAPES]
ROTATE_MISTAKES = [
    Mistake(
        "that is the transpose (rows become columns); a half turn flips both ways: kernel[::-1, ::-1].",
        lambda k: k.T,
    ),
    Mistake("you flipped the rows only (upside down); also flip left to right.", lambda k: k[::-1, :]),
    Mistake("you flipped the columns only (left to right); also flip upside down.", lambda k: k[:, ::-1]),
    Mistake("that is a quarter turn (90°); a half turn is two of them: np.rot90(kernel, 2).", np.rot90),
    Mistake(
        "that is a quarter turn (90°) the other way; a half turn is two of them: np.rot90(kernel, 2).",
        lambda k: np.rot90(k, -1),
    ),
]
# learner(kernel) -> the kernel turned half a turn: (kh, kw) -> (kh, kw)
check_rotate180 = Exercise("rotate a kernel by 180°", rotate180, ROTATE_CASES, ROTATE_MISTAKES)

# (n, k): k = 3 before k = 2, where n + k = n + 2(k - 1)
SIZE_CASES = [(1, 1), (5, 1), (3, 3), (4, 3), (3, 2), (28, 3), (2, 5), (7, 7), (10, 4)]
SIZE_MISTAKES = [
    Mistake(
        "n - k + 1 is the valid size; full mode counts every place where kernel and input overlap at all.",
        lambda n, k: n - k + 1,
    ),
    Mistake(
        "one too many: the padded input is n + 2(k - 1) long; a valid pass over it gives that - k + 1.",
        lambda n, k: n + k,
    ),
    Mistake(
        "n + 2(k - 1) is the length of the padded input; the kernel then fits (n + 2(k - 1)) - k + 1 times.",
        lambda n, k: n + 2 * (k - 1),
    ),
    Mistake(
        "one too few: count the positions, from the kernel's last cell on the input's first to its first "
        "cell on the input's last.",
        lambda n, k: n + k - 2,
    ),
]
# learner(n, k) -> the full-mode output length n + k - 1
check_full_output_size = Exercise(
    "full-mode output size", functools.partial(output_size, mode="full"), SIZE_CASES, SIZE_MISTAKES
)


def _padded(x, k, before=True, after=True, more=0):
    """x with kh - 1 + ``more`` rows and kw - 1 + ``more`` columns of zeros, on the sides asked for."""
    rows, cols = k[0] - 1 + more, k[1] - 1 + more
    return np.pad(x, ((rows * before, rows * after), (cols * before, cols * after)))


_rng = np.random.default_rng(3)
_PAD_SHAPES = [((1, 1), (1, 1)), ((3, 3), (1, 1)), ((2, 3), (2, 2)), ((3, 4), (2, 3)), ((4, 3), (3, 2))]
PAD_CASES = [
    (pixels(_rng, s), k) for s, k in _PAD_SHAPES + [((3, 5), (3, 5)), ((2, 2), (4, 3)), ((5, 6), (3, 2))]
]
PAD_MISTAKES = [
    Mistake(
        "you padded with k zeros; k - 1 are enough: the kernel's last cell just reaches the input's first.",
        lambda x, k: _padded(x, k, more=1),
    ),
    Mistake(
        "you padded the top and left only; full mode pads both sides of each axis.",
        lambda x, k: _padded(x, k, after=False),
    ),
    Mistake(
        "you padded the bottom and right only; full mode pads both sides of each axis.",
        lambda x, k: _padded(x, k, before=False),
    ),
    Mistake(
        "rows and columns are swapped: pad the rows by kh - 1 (the kernel's height), the columns by kw - 1.",
        lambda x, k: _padded(x, k[::-1]),
    ),
    Mistake(
        "k - 1 in total is not enough: put k - 1 zeros on EACH side.",
        lambda x, k: np.pad(x, [((n - 1) // 2, (n - 1) - (n - 1) // 2) for n in k]),
    ),
]
# learner(image, kernel_shape) -> the image with kh - 1 rows and kw - 1 columns of zeros on each side
check_pad_full = Exercise("pad for full mode", pad_full, PAD_CASES, PAD_MISTAKES)

_rng = np.random.default_rng(4)
_SHAPES = [((3, 3), (1, 1)), ((3, 4), (2, 2)), ((4, 6), (2, 3)), ((5, 4), (3, 2))]
_SHAPES = [(s, k, mode) for s, k in _SHAPES for mode in ("valid", "full")]
_SHAPES += [
    ((3, 5), (3, 5), "valid"),
    ((2, 3), (3, 4), "full"),
]  # in full mode, a kernel larger than the input
CONVOLVE_CASES = [
    (_rng.integers(-4, 5, s).astype(float), distinct(_rng, k) - 3, mode) for s, k, mode in _SHAPES
]


def _turned(turn, before=True, after=True, more=0, image=np.copy):
    """A convolution with the kernel turned by ``turn`` (wrongly), the image padded in full mode as asked."""

    def answer(x, k, mode):
        padded = _padded(image(x), k.shape, before, after, more) if mode == "full" else image(x)
        return correlate2d(padded, turn(k))

    return answer


CONVOLVE_MISTAKES = [
    Mistake("no rotation: that is the cross-correlation; turn the kernel half a turn.", _turned(np.copy)),
    Mistake(
        "you rotated the image, not the kernel; turn the kernel half a turn and slide it over the image.",
        _turned(np.copy, image=rotate180),
    ),
    Mistake("you transposed the kernel; a half turn is kernel[::-1, ::-1].", _turned(np.transpose)),
    Mistake("you flipped the kernel upside down only; also flip it left to right.", _turned(np.flipud)),
    Mistake("you flipped the kernel left to right only; also flip it upside down.", _turned(np.fliplr)),
    Mistake(
        "that is a quarter turn (90°) of the kernel; a half turn is two of them: np.rot90(kernel, 2), or "
        "kernel[::-1, ::-1].",
        _turned(np.rot90),
    ),
    Mistake(
        "that is a quarter turn (90°) of the kernel the other way; a half turn is two of them: "
        "np.rot90(kernel, 2), or kernel[::-1, ::-1].",
        _turned(lambda k: np.rot90(k, -1)),
    ),
    Mistake(
        "in full mode you padded the top and left only; put k - 1 zeros on both sides of each axis.",
        _turned(rotate180, after=False),
    ),
    Mistake(
        "in full mode you padded the bottom and right only; put k - 1 zeros on both sides of each axis.",
        _turned(rotate180, before=False),
    ),
    Mistake(
        "that is the valid convolution; in full mode pad the image with k - 1 zeros on each side first.",
        lambda x, k, mode: convolve2d(x, k),
    ),
    Mistake(
        "you padded with k zeros on each side; full mode needs k - 1 (and valid mode none).",
        lambda x, k, mode: correlate2d(_padded(x, k.shape, more=1), rotate180(k)),
    ),
]
# learner(image, kernel, mode) -> cnnlib.correlation.convolve2d (= scipy.signal.convolve2d)
check_convolve2d = Exercise("convolve2d, valid and full", convolve2d, CONVOLVE_CASES, CONVOLVE_MISTAKES)
