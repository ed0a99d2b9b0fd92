"""Batched layers: convolution as one matrix product for the whole batch (im2col), pooling and activations
as array operations, with no Python loop over samples, positions or channels.

Every array has a leading batch axis N. A convolution copies each window of every image into a
column (``im2col``: a loop over the k x k places of a window, each copying that place of every
window at once) and multiplies the kernels, laid out as a matrix, by those columns. Its input
gradient runs the other way (``col2im``): each window's share, a matrix product, is added back where
the window came from; with a stride, the windows simply start s apart (notebook 07's dilated
gradient, without the zeros).
"""

import numpy as np
from scipy.special import expit

from cnnlib.correlation import output_size, padding_for, window_places


def initial_weights(rng, shape, fan_in: int, fan_out: int, init: str, dtype) -> np.ndarray:
    """He (for ReLU: variance 2 / fan_in), Glorot (for sigmoid: 2 / (fan_in + fan_out)), or the
    original code's standard normal; all from ``rng``."""
    scales = {"he": np.sqrt(2 / fan_in), "glorot": np.sqrt(2 / (fan_in + fan_out)), "normal": 1.0}
    if init not in scales:
        raise ValueError(f"init must be one of {list(scales)}, got {init!r}")
    return (scales[init] * rng.standard_normal(shape)).astype(dtype)


class Layer:
    """``forward(x)`` -> y; ``backward(dE/dY)`` -> dE/dX, with dE/d(parameter) left in ``gradients``."""

    parameters: dict = {}
    gradients: dict = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, output_gradient: np.ndarray, input_gradient: bool = True):
        """dE/dX (None when ``input_gradient`` is false: the first layer's is never used)."""
        raise NotImplementedError


class Conv2D(Layer):
    """``Y[n, d] = b[d] + sum_c X[n, c] ⋆ K[d, c]``, with zero padding and a stride.

    x: (N, channels, h, w); kernels: (depth, channels, k, k); bias: (depth,), one per kernel
    (the plain tier's layer has one per output position, as the original code); y: (N, depth, h', w').
    padding: zeros around each image ("valid", "same", "full" or a number); stride: the windows' step.

    im2col: ``columns`` holds one column per output position of every image and one row per
    (channel, dy, dx) of the window, so that the whole layer, for the whole batch, is one matrix
    product ``K (depth, C k k) @ columns (C k k, N h' w')``: one large product runs closer to the
    BLAS's full rate than a small product per image.
    """

    def __init__(
        self, channels, depth, kernel_size, padding=0, stride=1, rng=None, init="he", dtype=np.float32
    ):
        rng = np.random.default_rng(rng)
        fan_in, fan_out = channels * kernel_size**2, depth * kernel_size**2
        shape = (depth, channels, kernel_size, kernel_size)
        self.kernels = initial_weights(rng, shape, fan_in, fan_out, init, dtype)
        self.bias = np.zeros(depth, dtype)
        self.padding, self.stride = padding_for(padding, kernel_size), stride
        self.parameters = {"kernels": self.kernels, "bias": self.bias}

    def output_shape(self, height: int, width: int) -> tuple[int, int]:
        k, p, s = self.kernels.shape[-1], self.padding, self.stride
        return output_size(height, k, p, s), output_size(width, k, p, s)

    def forward(self, x):
        _check_images(x, self.kernels.shape[1], "Conv2D")
        depth, _, k, _ = self.kernels.shape
        self.x_shape = x.shape
        self.columns = im2col(x, k, self.padding, self.stride)
        y = self.kernels.reshape(depth, -1) @ self.columns + self.bias[:, None]  # (depth, N h' w')
        out_h, out_w = self.output_shape(*x.shape[2:])
        return y.reshape(depth, len(x), out_h, out_w).transpose(1, 0, 2, 3)

    def backward(self, output_gradient, input_gradient=True):
        depth, channels, k, _ = self.kernels.shape
        rows = output_gradient.transpose(1, 0, 2, 3).reshape(depth, -1)  # (depth, N h' w'), as y was
        kernels_gradient = rows @ self.columns.T  # sums over every image and position at once
        self.gradients = {"kernels": kernels_gradient.reshape(self.kernels.shape), "bias": rows.sum(axis=1)}
        if not input_gradient:
            return None
        shares = self.kernels.reshape(depth, -1).T @ rows  # each window's share of dE/dX, as columns
        return col2im(shares, self.x_shape, k, self.padding, self.stride)


def im2col(x: np.ndarray, kernel_size: int, padding: int = 0, stride: int = 1) -> np.ndarray:
    """Every k x k window of every image, each as a column: (channels k k, N h' w').

    x: (N, channels, h, w). Row ``(c k + dy) k + dx`` holds what the windows hold at (dy, dx) of
    channel c; column ``(n h' + row) w' + col`` is the window of output (row, col) of image n. A
    correlation with kernels K (depth, channels, k, k) is then ``K.reshape(depth, -1) @ columns``.
    """
    n, channels, h, w = x.shape
    k, p = kernel_size, padding
    out_h, out_w = output_size(h, k, p, stride), output_size(w, k, p, stride)
    padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
    by_channel = padded.transpose(1, 0, 2, 3)  # (channels, N, h, w): every image's windows side by side
    columns = np.empty((channels, k, k, n, out_h, out_w), x.dtype)
    for dy, dx, reach in window_places(k, stride, out_h, out_w):
        columns[:, dy, dx] = by_channel[reach]
    return columns.reshape(channels * k * k, n * out_h * out_w)


def col2im(columns: np.ndarray, x_shape, kernel_size: int, padding: int = 0, stride: int = 1) -> np.ndarray:
    """im2col run backwards: each column's values added back where its window came from, (N, channels,
    h, w). With the input gradient's shares of each window, this is dE/dX (notebook 04: an input's
    gradient sums over the outputs it fed); padding's part is cut away."""
    n, channels, h, w = x_shape
    k, p = kernel_size, padding
    out_h, out_w = output_size(h, k, p, stride), output_size(w, k, p, stride)
    shares = columns.reshape(channels, k, k, n, out_h, out_w)
    padded = np.zeros((channels, n, h + 2 * p, w + 2 * p), columns.dtype)
    for dy, dx, reach in window_places(k, stride, out_h, out_w):
        padded[reach] += shares[:, dy, dx]
    return padded[:, :, p : p + h, p : p + w].transpose(1, 0, 2, 3)


class MaxPool2D(Layer):
    """The largest value of each size x size window, ``stride`` apart (default: size, no overlap).

    x: (N, channels, h, w) -> (N, channels, h', w'). As cnnlib.pooling, it loops over the size x size
    places of a window and handles every window at once. The gradient goes to the window's arg-max,
    the first largest in reading order on a tie; a value that is the largest of several overlapping
    windows receives the sum of their gradients.
    """

    def __init__(self, size: int = 2, stride: int | None = None):
        self.size, self.stride = size, stride or size

    def forward(self, x):
        n, channels, h, w = _check_images(x, None, "MaxPool2D")
        out_h, out_w = output_size(h, self.size, 0, self.stride), output_size(w, self.size, 0, self.stride)
        self.x_shape, self.winner = x.shape, np.zeros((n, channels, out_h, out_w), np.int8)
        output = None
        for dy, dx, every_window in window_places(self.size, self.stride, out_h, out_w):
            place = dy * self.size + dx
            if output is None:
                output = x[every_window].copy()
                continue
            np.putmask(self.winner, x[every_window] > output, place)  # strictly: a tie keeps the earlier
            np.maximum(output, x[every_window], out=output)
        return output

    def backward(self, output_gradient, input_gradient=True):
        gradient = np.zeros(self.x_shape, output_gradient.dtype)
        for dy, dx, every_window in window_places(self.size, self.stride, *output_gradient.shape[2:]):
            share = output_gradient * (self.winner == dy * self.size + dx)
            if self.stride < self.size:  # windows overlap: an input may win several
                gradient[every_window] += share
            else:  # each input is in one window at most: writing is enough, and faster
                gradient[every_window] = share
        return gradient


class ReLU(Layer):
    def forward(self, x):
        self.positive = x > 0
        return np.maximum(x, 0)

    def backward(self, output_gradient, input_gradient=True):
        return output_gradient * self.positive


class Sigmoid(Layer):
    def forward(self, x):
        self.y = expit(x)
        return self.y

    def backward(self, output_gradient, input_gradient=True):
        return output_gradient * self.y * (1 - self.y)


class Flatten(Layer):
    """(N, channels, h, w) -> (N, channels * h * w), in the plain tier's Reshape order."""

    def forward(self, x):
        self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, output_gradient, input_gradient=True):
        return output_gradient.reshape(self.x_shape)


class Dense(Layer):
    """``Y = X W^T + b`` for rows X: (N, inputs); weights: (outputs, inputs), as in the plain tier."""

    def __init__(self, inputs: int, outputs: int, rng=None, init="glorot", dtype=np.float32):
        rng = np.random.default_rng(rng)
        self.weights = initial_weights(rng, (outputs, inputs), inputs, outputs, init, dtype)
        self.bias = np.zeros(outputs, dtype)
        self.parameters = {"weights": self.weights, "bias": self.bias}

    def forward(self, x):
        if x.ndim != 2 or x.shape[1] != self.weights.shape[1]:
            raise ValueError(f"Dense input: expected shape (N, {self.weights.shape[1]}), got {x.shape}")
        self.x = x
        return x @ self.weights.T + self.bias

    def backward(self, output_gradient, input_gradient=True):
        self.gradients = {"weights": output_gradient.T @ self.x, "bias": output_gradient.sum(0)}
        return output_gradient @ self.weights if input_gradient else None


def _check_images(x, channels, layer):
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        expected = f"(N, {channels}, height, width)" if channels else "(N, channels, height, width)"
        raise ValueError(f"{layer} input: expected shape {expected}, got {x.shape}")
    return x.shape
