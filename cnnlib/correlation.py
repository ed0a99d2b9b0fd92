"""2D cross-correlation and convolution, written as plain loops to read beside notebooks 01-02.

``scipy.signal.correlate2d`` and ``convolve2d`` compute the same numbers much faster; the
layers use those, and the tests check these loops against them.
"""

import numpy as np

MODES = ("valid", "full")


def output_size(input_size: int, kernel_size: int, mode: str = "valid") -> int:
    """Length of the output along one axis: ``n - k + 1`` (valid) or ``n + k - 1`` (full)."""
    return input_size - kernel_size + 1 if mode == "valid" else input_size + kernel_size - 1


def rotate180(kernel: np.ndarray) -> np.ndarray:
    """The kernel turned half a turn: flipped upside down and left to right."""
    return np.asarray(kernel)[::-1, ::-1]


def pad_full(image: np.ndarray, kernel_shape: tuple[int, int]) -> np.ndarray:
    """Surround ``image`` with ``k - 1`` zeros on each side, so that a valid pass becomes full."""
    kh, kw = kernel_shape
    return np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1)))


def correlate2d(image: np.ndarray, kernel: np.ndarray, mode: str = "valid") -> np.ndarray:
    """Slide ``kernel`` over ``image``; at each place multiply element-wise and sum.

    image: (h, w); kernel: (kh, kw).
    Returns (h - kh + 1, w - kw + 1) in "valid" mode, (h + kh - 1, w + kw - 1) in "full".
    """
    image, kernel = _check_arguments(image, kernel, mode)
    if mode == "full":
        image = pad_full(image, kernel.shape)
    kh, kw = kernel.shape
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    output = np.zeros((out_h, out_w), dtype=np.result_type(image, kernel, float))
    for row in range(out_h):
        for col in range(out_w):
            window = image[row : row + kh, col : col + kw]
            output[row, col] = np.sum(window * kernel)
    return output


def convolve2d(image: np.ndarray, kernel: np.ndarray, mode: str = "valid") -> np.ndarray:
    """Convolution: cross-correlation with the kernel rotated by 180 degrees.

    Shapes as in ``correlate2d``.
    """
    _check_arguments(image, kernel, mode)
    return correlate2d(image, rotate180(kernel), mode)


def _check_arguments(image, kernel, mode):
    """Turn both into 2D arrays, or raise an error that names what was expected and what came."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    image, kernel = np.asarray(image), np.asarray(kernel)
    for name, array in (("image", image), ("kernel", kernel)):
        if array.ndim != 2:
            raise ValueError(f"{name} must be a 2D array (height, width), got shape {array.shape}")
        if array.size == 0:
            raise ValueError(f"{name} must not be empty, got shape {array.shape}")
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if mode == "valid" and (kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]):
        raise ValueError(
            f"in valid mode the kernel must fit inside the image: "
            f"kernel shape {kernel.shape} is larger than image shape {image.shape}"
        )
    return image, kernel
