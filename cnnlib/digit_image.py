"""A picture of a handwritten digit made to look like an MNIST image, so a trained network can read it.

MNIST's own recipe: white ink on black; the digit's bounding box scaled, keeping its proportions, to
fit 20 x 20 pixels; then placed in a 28 x 28 image so that its centre of mass is the image's centre.
A photo or a scan of dark ink on light paper is inverted first. ``read_image`` opens a file (or its
bytes) and ``as_mnist`` does the rest; both say clearly what they could not use.
"""

import io
import os

import numpy as np
from PIL import Image, UnidentifiedImageError

SIZE, BOX = 28, 20  # the image's side, and the side of the box the digit is scaled into
CENTRE = 14  # where MNIST's centres of mass fall: (14.0, 14.0) on average, within 0.3 pixels
STROKE = 0.2  # a digit stands out from its paper by at least this much (after inverting, on 0 to 1)
EDGE = 0.05  # fainter pixels lie outside the digit's box (MNIST's box takes in its blurred edges)


def read_image(source) -> np.ndarray:
    """A greyscale image (h, w) in [0, 1] from a file path, bytes or a file object (PNG, JPEG, ...)."""
    name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "the uploaded file"
    try:
        image = Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source)
        image.load()
    except UnidentifiedImageError:  # its message names a file object, not the learner's file
        raise ValueError(
            f"could not read {name} as a picture: expected a PNG or JPEG of one digit, and it is neither "
            "(nor another picture format that PIL knows)"
        ) from None
    except OSError as error:  # a missing file, or a picture cut short
        raise ValueError(
            f"could not read {name} as a picture (expected a PNG or JPEG of one digit): {error}"
        ) from None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        background = Image.new("RGBA", image.size, "white")  # transparent means paper
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return np.asarray(image.convert("L"), dtype=float) / 255


def as_mnist(image) -> np.ndarray:
    """The digit in ``image`` (h, w, values 0 to 1 or 0 to 255) as MNIST shows one: (28, 28) in [0, 1]."""
    grey = np.asarray(image, dtype=float)
    if grey.ndim != 2 or min(grey.shape) < 2:
        raise ValueError(f"expected a greyscale image (height, width), got shape {grey.shape}")
    if not np.all(np.isfinite(grey)):
        raise ValueError("the image holds NaN or infinite values")
    grey = grey / 255 if grey.max() > 1 else grey
    if np.median(_border(grey)) > 0.5:  # light paper, dark ink: MNIST is the other way round
        grey = 1 - grey
    grey = np.clip(grey - np.median(_border(grey)), 0, None)  # the paper's own grey becomes black
    if grey.max() < STROKE:
        raise ValueError("found no digit: the image has no stroke that stands out from its background")
    grey = grey / grey.max()
    rows, cols = np.nonzero(grey >= EDGE)
    digit = grey[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = BOX / max(digit.shape)
    height, width = (max(1, round(side * scale)) for side in digit.shape)
    resized = Image.fromarray((digit * 255).astype(np.uint8)).resize(
        (width, height), Image.Resampling.LANCZOS
    )
    digit = np.asarray(resized, dtype=float) / 255
    # place it so that its centre of mass falls where MNIST's do: on pixel (14, 14)
    mass = digit.sum()
    centre = [np.sum(np.arange(n) * digit.sum(axis=1 - axis)) / mass for axis, n in enumerate(digit.shape)]
    top, left = (int(np.clip(round(CENTRE - c), 0, SIZE - n)) for c, n in zip(centre, digit.shape))
    placed = np.zeros((SIZE, SIZE))
    placed[top : top + height, left : left + width] = digit
    return np.clip(placed, 0, 1)


def _border(image: np.ndarray) -> np.ndarray:
    """The pixels of the outermost rows and columns: mostly paper, in a picture of one digit."""
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
