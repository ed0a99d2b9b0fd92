"""Pooling layers: each window of each channel becomes one number, its largest or its mean (notebook 07).

Windows are ``size`` x ``size``, ``stride`` apart (``size`` by default: side by side). Both layers
loop over the size x size places of a window and handle every window at once, which reads almost
like the definition and costs size² steps instead of one per window. Windows may overlap (stride
smaller than size): then an input takes part in several, and its gradient is the sum of its shares.
"""

import numpy as np

from cnnlib.correlation import output_size, window_places
from cnnlib.layers import Layer, check_shape


class Pooling(Layer):
    """Shapes and window places of both poolings: (depth, h, w) -> (depth, output_size(h, size, 0, stride),
    output_size(w, size, 0, stride))."""

    def __init__(self, input_shape: tuple, size: int = 2, stride: int | None = None):
        depth, height, width = input_shape
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"size must be a whole number, 1 or more; got {size!r}")
        self.size, self.stride = size, size if stride is None else stride
        try:
            out_h, out_w = (output_size(n, size, 0, self.stride) for n in (height, width))
        except ValueError as error:
            raise ValueError(f"{type(self).__name__} on input {tuple(input_shape)}: {error}") from None
        self.input_shape, self.output_shape = tuple(input_shape), (depth, out_h, out_w)

    def places(self):
        """For each place (dy, dx) of a window: the index of the input at that place of every window."""
        _, out_h, out_w = self.output_shape
        return window_places(self.size, self.stride, out_h, out_w)


class MaxPool2D(Pooling):
    """The largest value of each window. Its gradient goes to that value's place only; in a tie,
    to the first of the tied places in reading order (row by row), as ``np.argmax`` picks."""

    def forward(self, x):
        check_shape(f"{type(self).__name__} input", x, self.input_shape)
        self.winner = np.zeros(self.output_shape, dtype=int)  # which place of each window holds its max
        output = np.full(self.output_shape, -np.inf)
        for dy, dx, every_window in self.places():
            # strictly larger: a tie keeps the earlier place; a NaN wins, so that it shows downstream
            larger = (x[every_window] > output) | np.isnan(x[every_window])
            output[larger] = x[every_window][larger]
            self.winner[larger] = dy * self.size + dx
        return output

    def gradients(self, output_gradient):
        check_shape(f"{type(self).__name__} output gradient", output_gradient, self.output_shape)
        input_gradient = np.zeros(self.input_shape)
        for dy, dx, every_window in self.places():
            input_gradient[every_window] += np.where(self.winner == dy * self.size + dx, output_gradient, 0.0)
        return input_gradient, {}


class AvgPool2D(Pooling):
    """The mean of each window; its gradient is shared equally by the window's size² inputs."""

    def forward(self, x):
        check_shape(f"{type(self).__name__} input", x, self.input_shape)
        output = np.zeros(self.output_shape)
        for _, _, every_window in self.places():
            output += x[every_window]
        return output / self.size**2

    def gradients(self, output_gradient):
        check_shape(f"{type(self).__name__} output gradient", output_gradient, self.output_shape)
        input_gradient = np.zeros(self.input_shape)
        for _, _, every_window in self.places():
            input_gradient[every_window] += output_gradient / self.size**2
        return input_gradient, {}
