"""Checkers for the exercises of notebook 08: im2col, softmax with cross-entropy, the most confident mistakes.

im2col's images hold distinct values, so that a window read column by column, or windows taken in
the wrong order, show; the shapes are not square and include a 1 x 1 kernel and a kernel as large as
the image. The logits include rows of +-1000, where e^z overflows unless each row's largest logit is
subtracted first. The mistakes' probabilities are distinct, so that their order is one.
"""

import numpy as np

from cnnlib.checks import Exercise, Mistake
from cnnlib.checks.cases import distinct
from cnnlib.fast.layers import im2col
from cnnlib.fast.losses import softmax, softmax_cross_entropy
from cnnlib.metrics import confident_mistakes


def reference_im2col(image, kernel_size):
    """cnnlib.fast.layers.im2col for one image of one channel (h, w): (k k, h' w')."""
    return im2col(image[np.newaxis, np.newaxis], kernel_size)


def _windows(
    image, k, order=lambda rows, cols: [(r, c) for r in range(rows) for c in range(cols)], flat=np.ravel
):
    """A learner's loops: the windows taken in ``order``, each flattened by ``flat``, one column each."""
    rows, cols = image.shape[0] - k + 1, image.shape[1] - k + 1
    return np.stack([flat(image[r : r + k, c : c + k]) for r, c in order(rows, cols)], axis=1)


_rng = np.random.default_rng(8)
IM2COL_CASES = [(distinct(_rng, shape), k) for shape, k in [((3, 3), 2), ((3, 4), 2), ((4, 3), 1)]]
IM2COL_CASES += [
    (distinct(_rng, shape), k) for shape, k in [((4, 5), 3), ((3, 3), 3), ((5, 6), 2), ((6, 5), 4)]
]
IM2COL_MISTAKES = [
    Mistake(
        "one column per window, not one row: the kernels' matrix (depth, k k) multiplies the columns, so "
        "the result has k k rows and one column for each of the h' w' windows.",
        lambda x, k: reference_im2col(x, k).T,
    ),
    Mistake(
        "you read each window column by column; read it row by row (np.ravel, or window.reshape(-1)), "
        "the order in which the kernel is laid out as a row of the kernels' matrix.",
        lambda x, k: _windows(x, k, flat=lambda window: window.T.ravel()),
    ),
    Mistake(
        "your windows go down the columns first; take them row by row (the outer loop over rows), so "
        "that column row * w' + col is output (row, col), as a reshape to (h', w') reads it.",
        lambda x, k: _windows(
            x, k, order=lambda rows, cols: [(r, c) for c in range(cols) for r in range(rows)]
        ),
    ),
    Mistake(
        "one window too few along a side: a k-wide window fits h - k + 1 times in h pixels "
        "(range(h - k + 1)), the last one ending at the image's edge.",
        lambda x, k: _windows(x[:-1, :-1], k) if min(x.shape) > k else None,
    ),
]
# learner(image (h, w), kernel_size) -> (k k, (h - k + 1)(w - k + 1)): column row w' + col is that window
check_im2col = Exercise("im2col", reference_im2col, IM2COL_CASES, IM2COL_MISTAKES)


def _naive(logits, labels):
    """e^z without the shift: right until a logit is large."""
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    rows = np.arange(len(labels))
    gradient = p.copy()
    gradient[rows, labels] -= 1
    return float(-np.mean(np.log(p[rows, labels]))), gradient / len(labels)


def _slip(loss_scale=lambda n: 1, gradient_scale=lambda n: 1, one_hot=True):
    """The right loss and gradient, times a slip: a sum instead of a mean, no 1/N, no one-hot subtracted."""

    def answer(logits, labels):
        loss, gradient = softmax_cross_entropy(logits, labels)
        if not one_hot:
            gradient = softmax(logits) / len(labels)
        return loss * loss_scale(len(labels)), gradient * gradient_scale(len(labels))

    return answer


_rng = np.random.default_rng(9)
SOFTMAX_CASES = [
    (np.array([[1.0, 2.0, 0.5]]), np.array([1])),
    (np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]]), np.array([2, 0])),
    (_rng.integers(-8, 9, (4, 10)) / 4, np.array([3, 0, 9, 3])),
    # e^1000 overflows; the label's probability, e^-2000, is 0 in float64: log it and get -inf
    (np.array([[1000.0, -1000.0, 0.0], [2.0, 1.0, 0.5]]), np.array([1, 2])),
    (np.array([[-1000.0, -1001.0, -1002.0], [5.0, 1.0, 3.0]]), np.array([1, 1])),  # e^-1000 is 0
    (
        np.array([[800.0, 805.0, 790.0, 805.0], [0.5, 0.5, 0.5, 0.5], [-3.0, 7.0, 2.0, 1.0]]),
        np.array([2, 3, 1]),
    ),
]
_SHIFT = (
    "subtract each row's largest logit before np.exp: e^1000 is inf in floating point, and inf / inf is "
    "nan. Shifting every logit of a row by the same amount leaves its softmax unchanged, and after the "
    "shift the largest e^z is e^0 = 1. And take log p as shifted - log(sum(exp(shifted))): a probability "
    "too small for float64 is 0, and log(0) is -inf."
)
SOFTMAX_MISTAKES = [
    Mistake(_SHIFT, _naive),
    Mistake(
        "the loss is the mean over the batch, not the sum: divide by N (np.mean).",
        _slip(loss_scale=lambda n: n),
    ),
    Mistake(
        "divide the gradient by N too: the loss is a mean, so each logit's gradient is (p - one_hot) / N.",
        _slip(gradient_scale=lambda n: n),
    ),
    Mistake(
        "subtract 1 at each row's label: dE/dz is (softmax(z) - one_hot(label)) / N, the predicted "
        "probabilities minus the true ones.",
        _slip(one_hot=False),
    ),
]
# learner(logits (N, classes), labels (N,)) -> (the mean loss, dE/dlogits (N, classes)), without a warning
check_softmax_cross_entropy = Exercise(
    "softmax with cross-entropy",
    softmax_cross_entropy,
    SOFTMAX_CASES,
    SOFTMAX_MISTAKES,
    parts=("the loss", "dE/dlogits"),
    must_not_warn=_SHIFT,
)


def _probabilities(rng, n, classes=4):
    """Rows of distinct probabilities, each summing to 1: no tie decides an answer or an order."""
    values = rng.permutation(np.arange(1, n * classes + 1)).reshape(n, classes).astype(float) ** 2
    return values / values.sum(axis=1, keepdims=True)


_rng = np.random.default_rng(10)
MISTAKES_CASES = [
    (_probabilities(_rng, n), _rng.integers(0, 4, n), count) for n, count in [(3, 1), (5, 2), (8, 3)]
]
MISTAKES_CASES += [
    (_probabilities(_rng, n), _rng.integers(0, 4, n), count) for n, count in [(12, 4), (20, 30)]
]
_right = _probabilities(_rng, 4)
MISTAKES_CASES.append((_right, _right.argmax(axis=1), 2))  # no mistake at all: an empty answer
CONFIDENT_MISTAKES = [
    Mistake(
        "most confident first: sort by the wrong answer's probability from high to low "
        "(np.argsort(-confidence), or [::-1] after np.argsort).",
        lambda p, t, c: confident_mistakes(p, t, len(p))[::-1][:c],
    ),
    Mistake(
        "only wrong answers count: keep the images whose most probable class is not their label, "
        "then sort those.",
        lambda p, t, c: np.argsort(-p.max(axis=1), kind="stable")[:c],
    ),
    Mistake(
        "the confidence of a mistake is the probability of the answer it gave, p[i, answer], the largest "
        "of its row; you sorted by the probability of the true class.",
        lambda p, t, c: (lambda wrong: wrong[np.argsort(-p[wrong, t[wrong]], kind="stable")][:c])(
            np.flatnonzero(p.argmax(axis=1) != t)
        ),
    ),
    Mistake(
        "return the images' indices (into probabilities), not positions among the mistakes or the classes.",
        lambda p, t, c: np.argsort(-p[p.argmax(1) != t].max(axis=1), kind="stable")[:c],
    ),
]
# learner(probabilities (N, classes), labels (N,), count) -> up to ``count`` indices, most confident first
check_confident_mistakes = Exercise(
    "the most confident mistakes", confident_mistakes, MISTAKES_CASES, CONFIDENT_MISTAKES
)
