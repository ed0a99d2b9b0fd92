"""Checkers for the exercises of notebook 07: the output size, a padded and strided cross-correlation, and
max pooling's backward pass.

Strides do not always divide (a floor, or a row no window reaches, shows there); images hold pixels in
(0, 1], with no 0 to hide a misplaced one of padding; kernels hold distinct values, so a flip shows. Pooling
windows overlap in some cases, where an input wins several windows and its gradient is the sum; and some
windows hold tied maxima, whose gradient goes to the first in reading order (row by row), as np.argmax picks.
"""

import math

import numpy as np

from cnnlib.checks import Exercise, Mistake
from cnnlib.checks.cases import distinct, integers, pixels
from cnnlib.correlation import correlate2d, output_size, rotate180
from cnnlib.pooling import MaxPool2D

# (i, k, p, s): stride 1, without padding and with; strides that do not divide i + 2p - k; a kernel as large
# as the padded input (it fits once); MNIST's 28 x 28
SIZE_CASES = [(5, 3, 0, 1), (5, 3, 1, 1), (5, 2, 0, 2), (5, 3, 0, 2), (7, 3, 1, 2), (28, 3, 1, 1)]
SIZE_CASES += [(28, 2, 0, 2), (28, 3, 0, 2), (4, 6, 1, 1), (3, 5, 1, 2), (6, 3, 2, 3), (28, 5, 2, 3)]
SIZE_CASES += [(10, 4, 1, 4)]
SIZE_MISTAKES = [
    Mistake(
        "`/` gives a fraction where the stride does not divide i + 2p - k; the last window that fits is "
        "floor((i + 2p - k) / s): use `//`.",
        lambda i, k, p, s: (i + 2 * p - k) / s + 1,
    ),
    Mistake(
        "round down, not up: a window that would reach past the padded input is left out, so it is "
        "(i + 2p - k) // s + 1.",
        lambda i, k, p, s: math.ceil((i + 2 * p - k) / s) + 1,
    ),
    Mistake(
        "padding goes on both sides: the padded input is i + 2p long.",
        lambda i, k, p, s: (i + p - k) // s + 1,
    ),
    Mistake(
        "you left the padding out: the kernel slides over the padded input, i + 2p long.",
        lambda i, k, p, s: (i - k) // s + 1,
    ),
    Mistake(
        "`//` comes before `-`: i + 2 * p - k // s divides k alone; write (i + 2 * p - k) // s + 1.",
        lambda i, k, p, s: i + 2 * p - k // s + 1,
    ),
    Mistake(
        "subtract k before you divide: the kernel's first place is 0, and (i + 2p - k) // s jumps follow.",
        lambda i, k, p, s: (i + 2 * p) // s - k + 1,
    ),
    Mistake(
        "one too few: (i + 2p - k) // s counts the jumps; the windows are one more, so add 1 after the "
        "division (a kernel as large as the padded input still fits once).",
        lambda i, k, p, s: (i + 2 * p - k) // s,
    ),
]
# learner(input_size, kernel_size, padding, stride) -> floor((i + 2p - k) / s) + 1, an int
check_output_size = Exercise("output size with padding and stride", output_size, SIZE_CASES, SIZE_MISTAKES)

_rng = np.random.default_rng(7)
# (image, kernel, padding, stride): a stride that leaves rows or columns out; a 1x1 kernel; a kernel as large
# as the padded input; non-square images and kernels
_SHAPES = [((3, 4), (2, 2), 1, 2), ((4, 5), (1, 1), 1, 2), ((5, 4), (2, 3), 0, 2), ((4, 6), (3, 2), 1, 1)]
_SHAPES += [((3, 3), (5, 5), 1, 1), ((6, 5), (3, 2), 2, 3), ((7, 6), (3, 3), 1, 2), ((8, 7), (2, 3), 2, 3)]
CORRELATE_CASES = [(pixels(_rng, s), distinct(_rng, k) - 2.25, p, stride) for s, k, p, stride in _SHAPES]


def _loops(pads=(1, 1), rounding=math.floor, step=None, turn=np.copy):
    """A learner's loops, with a slip: the image padded with pads[0] * p zeros on the top and left and
    pads[1] * p on the bottom and right; the output size rounded by ``rounding``; windows ``step`` apart (the
    stride unless given); the kernel turned by ``turn``. As in the learner's code, NumPy stretches a window
    past the edge over the kernel where it can (1 row or column left), and else raises: no answer then."""

    def answer(x, k, p, s):
        padded, k = np.pad(x, ((pads[0] * p, pads[1] * p),) * 2), turn(k)
        output = np.zeros([rounding((n + 2 * p - m) / s) + 1 for n, m in zip(x.shape, k.shape)])
        for row, col in np.ndindex(output.shape):
            top, left = row * (step or s), col * (step or s)
            output[row, col] = np.sum(padded[top : top + k.shape[0], left : left + k.shape[1]] * k)
        return output

    return answer


_PAST_THE_EDGE = (
    "a window ran past the edge of the padded image: the output has (h + 2p - kh) // stride + 1 rows, "
    "rounded down, so that every window fits; output[row, col]'s window starts at padded[row * stride, "
    "col * stride]; and pad the image before you slide the kernel over it."
)
_ONE_SIDE = "you padded the top and left only: put p zeros on each side, np.pad(image, padding)."
CORRELATE_MISTAKES = [
    Mistake(
        "you did not pad: surround the image with p zeros on each side first.",
        lambda x, k, p, s: correlate2d(x, k, 0, s),
    ),
    Mistake(_ONE_SIDE, _loops(pads=(1, 0))),
    Mistake(_ONE_SIDE, lambda x, k, p, s: correlate2d(np.pad(x, ((p, 0), (p, 0))), k, 0, s)),
    Mistake(
        "your image sits in the top-left corner of the padded array; it belongs in the middle, "
        "padded[p : p + h, p : p + w] = image, with p zeros on each side.",
        _loops(pads=(0, 2)),
    ),
    Mistake(
        "round the output size down, (h + 2p - kh) // stride + 1: a window that would reach past the "
        "padded image is left out. Rounded up, your last window ran past the edge, and NumPy stretched "
        "what was left of it over the kernel.",
        _loops(rounding=math.ceil),
    ),
    Mistake(
        "the stride only shrank your output: output[row, col]'s window starts at padded[row * stride, "
        "col * stride], not at padded[row, col].",
        _loops(step=1),
    ),
    Mistake(
        "you left the stride out: the kernel jumps `stride` pixels, so there are (h + 2p - kh) // stride "
        "+ 1 rows, and output[row, col]'s window starts at padded[row * stride, col * stride].",
        lambda x, k, p, s: correlate2d(x, k, p),
    ),
    Mistake(
        "you flipped the kernel: that is convolution. Cross-correlation multiplies each window value by "
        "the kernel value at the same place.",
        _loops(turn=rotate180),
    ),
    Mistake(_PAST_THE_EDGE, raises=ValueError, match="broadcast"),
    Mistake(_PAST_THE_EDGE, raises=IndexError, match="out of bounds"),
]
# learner(image, kernel, padding, stride) -> cnnlib.correlation.correlate2d(image, kernel, padding, stride)
check_correlate2d_padded_strided = Exercise(
    "cross-correlation with padding and stride", correlate2d, CORRELATE_CASES, CORRELATE_MISTAKES
)


def reference_maxpool_backward(x, output_gradient, size, stride):
    """cnnlib.pooling.MaxPool2D's input gradient, for one channel x (h, w)."""
    pool = MaxPool2D((1, *x.shape), size, stride)
    pool.forward(x[None])
    return pool.gradients(output_gradient[None])[0][0]


_rng = np.random.default_rng(7)
_POOLS = [  # (x, size, stride)
    (
        np.array([[1.0, 3, 2], [4, 9, 5], [8, 6, 7]]) / 2,
        2,
        1,
    ),  # overlapping: the middle 4.5 wins all 4 windows
    # tied maxima: the first in reading order is (0, 0) in the top-left window, (0, 1) in the top-right
    (np.array([[2.0, 1, 0, 3], [0, 2, 3, 1], [1, 4, 0, 5], [2, 3, 6, 4]]), 2, 2),
    (distinct(_rng, (4, 4)), 2, 2),  # side by side
    (distinct(_rng, (5, 5)), 2, 2),  # the last row and column in no window
    (distinct(_rng, (5, 5)), 3, 2),
    (integers(_rng, (4, 5), 0, 3), 2, 1),  # overlapping, and ties
    (integers(_rng, (6, 5)), 3, 2),
    (distinct(_rng, (6, 6)), 3, 1),
]
POOL_CASES = [  # output gradients: distinct, so that a sum differs from each of its terms
    (x, distinct(_rng, tuple(output_size(m, n, 0, t) for m in x.shape)), n, t) for x, n, t in _POOLS
]


def _one_at(place):
    """A share: 1 at ``place(window)``, a flat index, 0 elsewhere."""
    return lambda window: np.eye(window.size)[place(window)].reshape(window.shape)


def _backward(share, add=True, step=None):
    """A learner's loops: output_gradient[row, col] goes to its window's inputs in proportion to
    ``share(window)``, added (or assigned: ``add=False``); windows ``step`` apart (by default the stride)."""

    def answer(x, g, size, stride):
        grad, step_ = np.zeros(x.shape), step or stride
        for row, col in np.ndindex(g.shape):
            top, left = row * step_, col * step_
            weights = share(x[top : top + size, left : left + size])
            region, mine = grad[top : top + size, left : left + size], weights != 0
            region[mine] = weights[mine] * g[row, col] + (region[mine] if add else 0)
        return grad

    return answer


_first = _one_at(np.argmax)
_TIES = (
    "in a tie, the gradient goes to the first of the tied maxima in reading order (row by row), as np.argmax"
)
POOL_MISTAKES = [
    Mistake(
        "windows overlap here (stride < size): an input that is the largest of several windows receives "
        "the sum of their gradients. Add them, input_gradient[...] += ..., rather than assign (=).",
        _backward(_first, add=False),
    ),
    Mistake(f"{_TIES} picks; you gave it to every tied maximum.", _backward(lambda w: 1.0 * (w == w.max()))),
    Mistake(
        f"{_TIES} picks; you gave it to the last (`>=` keeps the last, `>` the first).",
        _backward(_one_at(lambda w: np.flatnonzero(w == w.max())[-1])),
    ),
    Mistake(
        f"{_TIES} picks; you went column by column (swap your two loops).",
        _backward(lambda w: _first(w.T).T),
    ),
    Mistake(
        "that spreads the gradient evenly over the window, as average pooling does; max pooling gives it "
        "all to the window's largest input, whose value alone reached the output.",
        _backward(lambda w: np.full(w.shape, 1 / w.size)),
    ),
    Mistake(
        "output_gradient[row, col] belongs to the window that starts at x[row * stride, col * stride]; "
        "yours start at x[row, col].",
        _backward(_first, step=1),
    ),
]
# learner(x, output_gradient, size, stride) -> the input gradient (h, w) of max pooling one channel x (h, w)
check_maxpool_backward = Exercise(
    "max pooling's backward pass", reference_maxpool_backward, POOL_CASES, POOL_MISTAKES
)
