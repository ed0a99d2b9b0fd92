"""Data augmentation: more training images from the ones we have, by changes that keep the label.

A handwritten 3 moved by a pixel or two is still a 3. A network that sees each training digit in a
slightly different place every epoch cannot lean on exact pixel positions, and so reads digits it
has never seen a little better (notebook 08 uses it).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def shift_randomly(images: np.ndarray, rng: np.random.Generator, most: int = 2) -> np.ndarray:
    """Each image moved by its own random whole-pixel shift, from -most to most down and across;
    what moves in from outside is 0, MNIST's black paper.

    images: (N, ..., height, width), e.g. (N, 1, 28, 28). Returns a new array of the same shape.
    """
    images = np.asarray(images)
    if images.ndim < 3:
        raise ValueError(f"expected a batch of images (N, ..., height, width), got shape {images.shape}")
    if (
        isinstance(most, bool)
        or not isinstance(most, int | np.integer)
        or not 0 <= most < min(images.shape[-2:])
    ):
        raise ValueError(f"most must be a whole number of pixels from 0 to less than the image, got {most!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    height, width = images.shape[-2:]
    around = [(0, 0)] * (images.ndim - 2) + [(most, most), (most, most)]
    # every shifted copy of every image, as a view: (N, ..., 2 most + 1, 2 most + 1, height, width)
    shifted = sliding_window_view(np.pad(images, around), (height, width), axis=(-2, -1))
    shifted = np.moveaxis(shifted, (-4, -3), (1, 2))
    n = len(images)
    down, across = rng.integers(0, 2 * most + 1, n), rng.integers(0, 2 * most + 1, n)
    return shifted[np.arange(n), down, across]
