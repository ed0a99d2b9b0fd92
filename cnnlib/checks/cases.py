"""The numbers exercise cases are made of, shared by the checker modules: small, readable in a failure
message, and awkward where it counts. Each takes a ``np.random.Generator`` and a shape."""

import numpy as np

from cnnlib.correlation import rotate180


def integers(rng, shape, low=-4, high=5):
    """Small integers in [low, high)."""
    return rng.integers(low, high, size=shape)


def pixels(rng, shape):
    """Fractions in (0, 1], as MNIST's pixels: integers lose them; and no 0 hides a misplaced 0 (padding)."""
    return rng.integers(1, 256, size=shape) / 255


def halves(rng, shape):
    """Small non-zero halves, +-0.5, 1 or 1.5: a zero could hide a term of a sum."""
    return rng.integers(1, 4, size=shape) * rng.choice([-1, 1], size=shape) / 2


def distinct(rng, shape):
    """Distinct halves (0.5, 1, 1.5, ...) in a random order: any transpose, flip or turn moves one of them."""
    return rng.permutation(np.arange(1, np.prod(shape) + 1)).reshape(shape) / 2


def asymmetric_kernel(rng, shape, draw=halves):
    """``draw(rng, shape)`` until it differs from each flip that moves anything (a half turn, rows, columns),
    so that any flip shows, and its sum is neither 0 nor 1, so that leaving the kernel out shows too."""
    index = np.arange(np.prod(shape)).reshape(shape)
    flips = [flip for flip in (rotate180, np.flipud, np.fliplr) if not np.array_equal(flip(index), index)]
    while True:
        kernel = draw(rng, shape)
        if kernel.sum() not in (0, 1) and not any(np.array_equal(flip(kernel), kernel) for flip in flips):
            return kernel


def layer_case(rng, input_shape, kernel_size, depth):
    """(x, kernels, biases) of a convolutional layer, in halves: x (n, h, w), asymmetric kernels (d, n, k, k),
    biases (d, h - k + 1, w - k + 1)."""
    (n, h, w), k, d = input_shape, kernel_size, depth
    kernels = np.array([[asymmetric_kernel(rng, (k, k)) for _ in range(n)] for _ in range(d)])
    return halves(rng, (n, h, w)), kernels, halves(rng, (d, h - k + 1, w - k + 1))
