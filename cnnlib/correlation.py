"""2D cross-correlation and convolution, written as plain loops to read beside notebooks 01, 02 and 07.

``scipy.signal.correlate2d`` and ``convolve2d`` compute the same numbers much faster; the
layers use those, and the tests check these loops against them. ``mode`` says how many zeros
surround the image, as in SciPy and the frameworks: "valid" none, "same" (k - 1) / 2 (an odd
kernel then keeps the size), "full" k - 1, or a number; ``stride`` is how far the kernel jumps.
"""

import numpy as np

MODES = ("valid", "same", "full")


def padding_for(mode, kernel_size: int) -> int:
    """The zeros on each side for ``mode`` ("valid", "same", "full" or a number) and this kernel size."""
    if isinstance(mode, str):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES} or a number of zeros, got {mode!r}")
        if mode == "same" and kernel_size % 2 == 0:
            raise ValueError(f'"same" needs an odd kernel size, to pad both sides alike; got {kernel_size}')
        return {"valid": 0, "same": (kernel_size - 1) // 2, "full": kernel_size - 1}[mode]
    if isinstance(mode, bool) or not isinstance(mode, (int, np.integer)) or mode < 0:
        raise ValueError(f"padding must be {MODES} or a whole number of zeros, 0 or more; got {mode!r}")
    return int(mode)


def output_size(input_size: int, kernel_size: int, mode="valid", stride: int = 1) -> int:
    """How many places a kernel fits along one axis: ``floor((i + 2p - k) / s) + 1``.

    i input size, k kernel size, p the padding of ``mode``, s the stride. Refuses (ValueError) a
    kernel larger than the padded input, and a stride below 1.
    """
    padding = padding_for(mode, kernel_size)
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"stride must be a whole number, 1 or more; got {stride!r}")
    padded = input_size + 2 * padding
    if kernel_size > padded:
        raise ValueError(
            f"the kernel ({kernel_size}) is larger than the padded input "
            f"({input_size} + 2 x {padding} = {padded}): it fits nowhere"
        )
    return (padded - kernel_size) // stride + 1


def left_out(input_size: int, kernel_size: int, mode="valid", stride: int = 1) -> int:
    """How many of the padded input's last rows (or columns) no window reaches: ``(i + 2p - k) mod s``.

    A stride that does not fit the input skips them, silently in every framework.
    """
    output_size(input_size, kernel_size, mode, stride)  # refuses what cannot fit
    return (input_size + 2 * padding_for(mode, kernel_size) - kernel_size) % stride


def window_places(size: int, stride: int, out_h: int, out_w: int):
    """For each place (dy, dx) of a size x size window: the index, into the last two axes of an input,
    of what that place holds in every window at once (windows ``stride`` apart, out_h x out_w of them).

    Looping over the size² places instead of the out_h x out_w windows is how the pooling layers and
    the fast tier handle every window with one array operation.
    """
    for dy in range(size):
        for dx in range(size):
            reach = np.s_[
                dy : dy + stride * (out_h - 1) + 1 : stride, dx : dx + stride * (out_w - 1) + 1 : stride
            ]
            yield dy, dx, (Ellipsis, *reach)


def rotate180(kernel: np.ndarray) -> np.ndarray:
    """The kernel turned half a turn: flipped upside down and left to right."""
    return np.asarray(kernel)[::-1, ::-1]


def pad(image: np.ndarray, kernel_shape: tuple[int, int], mode="full") -> np.ndarray:
    """``image`` surrounded by the zeros that ``mode`` gives a kernel of ``kernel_shape``."""
    ph, pw = (padding_for(mode, k) for k in kernel_shape)
    return np.pad(image, ((ph, ph), (pw, pw)))


def pad_full(image: np.ndarray, kernel_shape: tuple[int, int]) -> np.ndarray:
    """Surround ``image`` with ``k - 1`` zeros on each side, so that a valid pass becomes full."""
    return pad(image, kernel_shape, "full")


def dilate(array: np.ndarray, stride: int) -> np.ndarray:
    """``stride - 1`` zeros between neighbouring entries of the last two axes: (h, w) -> (s(h-1)+1, s(w-1)+1).

    The gradient of a strided correlation is an ordinary one with the output gradient dilated.
    """
    array = np.asarray(array)
    *leading, h, w = array.shape
    dilated = np.zeros((*leading, stride * (h - 1) + 1, stride * (w - 1) + 1), dtype=array.dtype)
    dilated[..., ::stride, ::stride] = array
    return dilated


def correlate2d(image: np.ndarray, kernel: np.ndarray, mode="valid", stride: int = 1) -> np.ndarray:
    """Slide ``kernel`` over ``image`` padded as ``mode`` says, ``stride`` apart; at each place
    multiply element-wise and sum.

    image: (h, w); kernel: (kh, kw). Returns (output_size(h, kh, mode, stride), likewise for w):
    (h - kh + 1, w - kw + 1) in "valid" mode with stride 1, (h + kh - 1, w + kw - 1) in "full".
    """
    image, kernel = _check_arguments(image, kernel, mode, stride)
    padded, (kh, kw) = pad(image, kernel.shape, mode), kernel.shape
    out_h, out_w = (output_size(n, k, mode, stride) for n, k in zip(image.shape, kernel.shape))
    output = np.zeros((out_h, out_w), dtype=np.result_type(image, kernel, float))
    for row in range(out_h):
        for col in range(out_w):
            top, left = row * stride, col * stride
            window = padded[top : top + kh, left : left + kw]
            output[row, col] = np.sum(window * kernel)
    return output


def convolve2d(image: np.ndarray, kernel: np.ndarray, mode="valid", stride: int = 1) -> np.ndarray:
    """Convolution: cross-correlation with the kernel rotated by 180 degrees.

    Shapes as in ``correlate2d``.
    """
    _check_arguments(image, kernel, mode, stride)
    return correlate2d(image, rotate180(kernel), mode, stride)


def _check_arguments(image, kernel, mode, stride):
    """Turn both into 2D arrays, or raise an error that names what was expected and what came."""
    image, kernel = np.asarray(image), np.asarray(kernel)
    for name, array in (("image", image), ("kernel", kernel)):
        if array.ndim != 2:
            raise ValueError(f"{name} must be a 2D array (height, width), got shape {array.shape}")
        if array.size == 0:
            raise ValueError(f"{name} must not be empty, got shape {array.shape}")
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    try:
        for n, k in zip(image.shape, kernel.shape):
            output_size(n, k, mode, stride)
    except ValueError as error:
        raise ValueError(f"kernel shape {kernel.shape}, image shape {image.shape}: {error}") from None
    return image, kernel
