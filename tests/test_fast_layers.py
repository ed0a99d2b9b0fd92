"""The fast tier against the plain tier, SciPy and central differences, in float64.

Every batched layer, given the plain layer's parameters, computes the plain layer's outputs and
gradients for each sample of the batch (to 1e-10); padding and stride are checked against
``scipy.signal.correlate2d`` on a padded input, sliced by the stride; every gradient against
central differences with a random upstream gradient.
"""

import numpy as np
import pytest
from scipy import signal

from cnnlib import activations, layers, pooling
from cnnlib.fast import layers as fast
from cnnlib.gradcheck import numerical_gradient, relative_error

F64 = np.float64


def batched_gradients(layer, x, rng):
    """dE/dX and each dE/d(parameter) for E = sum(R * layer(x)), R random; nothing steps."""
    upstream = rng.standard_normal(layer.forward(x).shape)
    input_gradient = layer.backward(upstream)
    return upstream, input_gradient, dict(getattr(layer, "gradients", {}))


def assert_matches_central_differences(layer, x, rng):
    upstream, input_gradient, gradients = batched_gradients(layer, x, rng)

    def loss():
        return float(np.sum(upstream * layer.forward(x)))

    assert relative_error(input_gradient, numerical_gradient(loss, x)) < 1e-6
    for name, parameter in layer.parameters.items():
        assert relative_error(gradients[name], numerical_gradient(loss, parameter)) < 1e-6, name


# channels, depth, size, kernel, padding, stride: the original layer, then notebook 07's padding and strides
SHAPES = [
    (1, 5, 28, 3, 0, 1),
    (3, 2, 7, 3, 0, 1),
    (2, 4, 6, 1, 0, 1),
    (2, 3, 5, 5, 0, 1),
    (2, 3, 7, 3, 1, 2),
    (1, 2, 8, 3, "same", 1),
    (2, 2, 9, 2, 0, 3),  # a stride that leaves a row out
    (1, 3, 5, 3, "full", 2),
]


@pytest.mark.parametrize("channels, depth, size, kernel, padding, stride", SHAPES)
def test_conv2d_equals_the_plain_layer_sample_by_sample(channels, depth, size, kernel, padding, stride):
    rng = np.random.default_rng(0)
    plain = layers.Convolutional((channels, size, size), kernel, depth, rng=1, padding=padding, stride=stride)
    batched = fast.Conv2D(channels, depth, kernel, padding=padding, stride=stride, rng=1, dtype=F64)
    batched.kernels[...] = plain.kernels
    plain.biases[...] = rng.standard_normal(depth)[:, None, None]  # the fast tier's bias: one per kernel
    batched.bias[...] = plain.biases[:, 0, 0]
    x = rng.standard_normal((4, channels, size, size))
    y = batched.forward(x)
    upstream = rng.standard_normal(y.shape)
    input_gradient = batched.backward(upstream)
    kernels_gradient = np.zeros_like(plain.kernels)
    for n in range(len(x)):
        np.testing.assert_allclose(y[n], plain.forward(x[n]), rtol=0, atol=1e-10)
        plain_input_gradient, plain_gradients = plain.gradients(upstream[n])
        np.testing.assert_allclose(input_gradient[n], plain_input_gradient, rtol=0, atol=1e-10)
        kernels_gradient += plain_gradients["kernels"]
    np.testing.assert_allclose(batched.gradients["kernels"], kernels_gradient, rtol=0, atol=1e-10)
    np.testing.assert_allclose(batched.gradients["bias"], upstream.sum(axis=(0, 2, 3)), rtol=0, atol=1e-10)


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 2), (3, 1), (2, 1), (2, 3)])
def test_max_pooling_equals_the_plain_layer_sample_by_sample_ties_included(size, stride):
    rng = np.random.default_rng(size * 10 + stride)
    x = rng.integers(0, 4, (3, 2, 7, 8)).astype(F64)  # few values: many ties
    plain, batched = pooling.MaxPool2D((2, 7, 8), size, stride), fast.MaxPool2D(size, stride)
    y = batched.forward(x)
    upstream = rng.standard_normal(y.shape)
    input_gradient = batched.backward(upstream)
    for n in range(len(x)):
        np.testing.assert_array_equal(y[n], plain.forward(x[n]))
        np.testing.assert_allclose(input_gradient[n], plain.gradients(upstream[n])[0], rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    "size, kernel, padding, stride",
    [(7, 3, 1, 2), (8, 3, "same", 1), (9, 2, 0, 3), (6, 4, 2, 2), (5, 5, "full", 1), (10, 3, 1, 4)],
)
def test_conv2d_with_padding_and_stride_equals_scipy_on_the_padded_input_sliced_by_the_stride(
    size, kernel, padding, stride
):
    rng = np.random.default_rng(size)
    layer = fast.Conv2D(2, 3, kernel, padding=padding, stride=stride, rng=2, dtype=F64)
    x = rng.standard_normal((2, 2, size, size))
    y = layer.forward(x)
    p = layer.padding
    for n in range(2):
        for d in range(3):
            expected = sum(
                signal.correlate2d(np.pad(x[n, c], p), layer.kernels[d, c], "valid")[::stride, ::stride]
                for c in range(2)
            )
            np.testing.assert_allclose(y[n, d], expected + layer.bias[d], rtol=0, atol=1e-10)


@pytest.mark.parametrize("padding, stride", [(0, 1), (1, 2), ("same", 1), (2, 3)])
def test_conv2d_gradients_match_central_differences(padding, stride):
    rng = np.random.default_rng(3)
    layer = fast.Conv2D(2, 3, 3, padding=padding, stride=stride, rng=4, dtype=F64)
    layer.bias[...] = rng.standard_normal(3)
    assert_matches_central_differences(layer, rng.standard_normal((2, 2, 8, 7)), rng)


@pytest.mark.parametrize("size, stride", [(2, 2), (3, 2), (3, 1), (2, 1)])
def test_max_pooling_overlapping_or_not_matches_central_differences(size, stride):
    rng = np.random.default_rng(5)
    layer = fast.MaxPool2D(size, stride)
    x = rng.standard_normal((2, 3, 7, 8))  # distinct values: no ties, so the max is differentiable
    y = layer.forward(x)
    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(2, 3))[:, :, ::stride, ::stride]
    np.testing.assert_array_equal(y, windows.max(axis=(-2, -1)))
    assert_matches_central_differences(layer, x, rng)


def test_max_pooling_sends_a_tie_to_the_first_largest_in_row_major_order():
    layer = fast.MaxPool2D(2)
    layer.forward(np.array([[[[1.0, 3.0], [3.0, 0.0]]]]))
    np.testing.assert_array_equal(layer.backward(np.ones((1, 1, 1, 1)))[0, 0], [[0, 1], [0, 0]])


@pytest.mark.parametrize("make", [lambda: fast.ReLU(), lambda: fast.Sigmoid(), lambda: fast.Flatten()])
def test_parameterless_layers_match_central_differences(make):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # away from ReLU's kink
    assert_matches_central_differences(make(), x, rng)


def test_dense_and_sigmoid_equal_the_plain_layers_sample_by_sample():
    rng = np.random.default_rng(7)
    plain, batched = layers.Dense(6, 4, rng=8), fast.Dense(6, 4, rng=8, dtype=F64)
    batched.weights[...], batched.bias[...] = plain.weights, plain.bias[:, 0]
    x = rng.standard_normal((5, 6))
    y = fast.Sigmoid().forward(batched.forward(x))
    for n in range(5):
        expected = activations.Sigmoid().forward(plain.forward(x[n][:, None]))
        np.testing.assert_allclose(y[n], expected[:, 0], rtol=0, atol=1e-10)
    assert_matches_central_differences(batched, x, rng)


@pytest.mark.parametrize(
    "layer, x, message",
    [
        (fast.Conv2D(3, 2, 3), np.zeros((2, 1, 5, 5)), "expected shape (N, 3, height, width), got (2, 1"),
        (fast.Conv2D(1, 2, 3), np.zeros((1, 5, 5)), "got (1, 5, 5)"),
        (fast.Conv2D(1, 2, 7), np.zeros((1, 1, 5, 5)), "larger than the padded input"),
        (fast.Dense(4, 2), np.zeros((3, 5)), "expected shape (N, 4), got (3, 5)"),
    ],
)
def test_wrong_input_is_refused_with_the_expected_and_received_shapes(layer, x, message):
    with pytest.raises(ValueError) as error:
        layer.forward(x)
    assert message in str(error.value)


def test_float32_by_default_and_float32_out():
    layer = fast.Conv2D(1, 2, 3, rng=0)
    y = layer.forward(np.zeros((1, 1, 5, 5), np.float32))
    assert layer.kernels.dtype == y.dtype == np.float32


@pytest.mark.parametrize("padding, stride", [(0, 1), (1, 2), (2, 3)])
def test_im2col_lays_each_window_out_as_a_column_in_the_documented_order(padding, stride):
    rng = np.random.default_rng(4)
    x, k = rng.standard_normal((2, 3, 7, 6)), 3
    columns = fast.im2col(x, k, padding, stride)
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out_h, out_w = (7 + 2 * padding - k) // stride + 1, (6 + 2 * padding - k) // stride + 1
    assert columns.shape == (3 * k * k, 2 * out_h * out_w)
    for n in range(2):
        for row in range(out_h):
            for col in range(out_w):
                top, left = row * stride, col * stride
                window = padded[n, :, top : top + k, left : left + k]
                np.testing.assert_array_equal(columns[:, (n * out_h + row) * out_w + col], window.ravel())


@pytest.mark.parametrize("padding, stride", [(0, 1), (1, 2), (2, 3)])
def test_col2im_is_im2cols_transpose(padding, stride):
    """<im2col(x), c> = <x, col2im(c)> for all x, c: col2im sends each value back where im2col took it."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 6))
    c = rng.standard_normal(fast.im2col(x, 3, padding, stride).shape)
    left = np.sum(fast.im2col(x, 3, padding, stride) * c)
    right = np.sum(x * fast.col2im(c, x.shape, 3, padding, stride))
    assert left == pytest.approx(right, rel=1e-12)
