"""Layers: analytic gradients against central differences, shapes, and errors at the door."""

import numpy as np
import pytest
from scipy import signal

from cnnlib.activations import ReLU, Sigmoid, Tanh
from cnnlib.correlation import correlate2d, padding_for
from cnnlib.gradcheck import check_layer
from cnnlib.layers import Convolutional, Dense, Reshape

TOLERANCE = 1e-6


def assert_gradients_match(layer, x, seed):
    errors = check_layer(layer, x, rng=seed)
    assert errors and all(error < TOLERANCE for error in errors.values()), errors


@pytest.mark.parametrize("input_size, output_size", [(1, 1), (2, 3), (7, 4), (10, 1)])
def test_dense_gradients(input_size, output_size):
    rng = np.random.default_rng(input_size * 10 + output_size)
    layer = Dense(input_size, output_size, rng=rng)
    assert_gradients_match(layer, rng.standard_normal((input_size, 1)), rng)


@pytest.mark.parametrize(
    "input_shape, kernel_size, depth",
    [
        ((1, 3, 3), 2, 1),
        ((1, 5, 5), 3, 2),
        ((3, 6, 4), 3, 2),
        ((2, 4, 7), 2, 3),
        ((4, 5, 6), 5, 2),
        ((2, 3, 3), 1, 2),
    ],
)
def test_convolutional_gradients(input_shape, kernel_size, depth):
    rng = np.random.default_rng(sum(input_shape) + kernel_size + depth)
    layer = Convolutional(input_shape, kernel_size, depth, rng=rng)
    errors = check_layer(layer, rng.standard_normal(input_shape), rng=rng)
    assert set(errors) == {"input", "kernels", "biases"}
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize(
    "input_shape, kernel_size, depth, padding, stride",
    [
        ((1, 5, 5), 3, 2, 1, 2),
        ((2, 6, 7), 3, 2, 0, 2),  # a stride that leaves a row out
        ((2, 7, 6), 2, 3, 2, 3),
        ((1, 6, 6), 3, 1, "same", 1),
        ((1, 4, 5), 3, 2, "full", 2),
        ((3, 5, 5), 1, 2, 0, 4),
    ],
)
def test_padded_strided_convolutional_gradients_and_forward(input_shape, kernel_size, depth, padding, stride):
    rng = np.random.default_rng(sum(input_shape) + kernel_size + depth + stride)
    layer = Convolutional(input_shape, kernel_size, depth, rng=rng, padding=padding, stride=stride)
    x = rng.standard_normal(input_shape)
    p = padding_for(padding, kernel_size)
    expected = layer.biases + np.array(
        [
            sum(
                signal.correlate2d(np.pad(x[j], p), layer.kernels[i, j], "valid")[::stride, ::stride]
                for j in range(len(x))
            )
            for i in range(depth)
        ]
    )
    np.testing.assert_allclose(layer.forward(x), expected)
    errors = check_layer(layer, x, rng=rng)
    assert set(errors) == {"input", "kernels", "biases"}
    assert max(errors.values()) < TOLERANCE, errors


@pytest.mark.parametrize("activation", [Sigmoid, Tanh, ReLU])
@pytest.mark.parametrize("shape", [(4, 1), (2, 3, 5)])
def test_activation_gradients(activation, shape):
    rng = np.random.default_rng(len(shape))
    x = rng.standard_normal(shape)
    x[np.abs(x) < 0.01] = 0.5  # keep away from ReLU's kink, where no derivative exists
    assert_gradients_match(activation(), x, rng)


@pytest.mark.parametrize("input_shape, output_shape", [((5, 4, 4), (80, 1)), ((6, 1), (2, 3))])
def test_reshape_gradients_and_round_trip(input_shape, output_shape):
    rng = np.random.default_rng(0)
    layer, x = Reshape(input_shape, output_shape), rng.standard_normal(input_shape)
    assert layer.forward(x).shape == output_shape
    np.testing.assert_array_equal(layer.backward(layer.forward(x), 0.1), x)
    assert_gradients_match(layer, x, rng)


def test_convolutional_forward_equals_the_plain_loops():
    rng = np.random.default_rng(1)
    layer = Convolutional((3, 7, 5), 3, 4, rng=rng)
    x = rng.standard_normal((3, 7, 5))
    expected = np.array(
        [layer.biases[i] + sum(correlate2d(x[j], layer.kernels[i, j]) for j in range(3)) for i in range(4)]
    )
    output = layer.forward(x)
    assert output.shape == (4, 5, 3) == layer.output_shape
    np.testing.assert_allclose(output, expected)


def test_backward_steps_parameters_by_their_gradients():
    rng = np.random.default_rng(2)
    layer = Convolutional((2, 5, 4), 2, 3, rng=rng)
    x, upstream = rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 4, 3))
    before = {name: p.copy() for name, p in layer.parameters().items()}
    layer.forward(x)
    input_gradient, gradients = layer.gradients(upstream)
    for name, parameter in layer.parameters().items():
        np.testing.assert_array_equal(parameter, before[name])  # gradients() changes nothing
    returned = layer.backward(upstream, learning_rate=0.5)
    np.testing.assert_allclose(returned, input_gradient)
    for name, parameter in layer.parameters().items():
        np.testing.assert_allclose(parameter, before[name] - 0.5 * gradients[name])


def test_the_same_seed_gives_the_same_parameters():
    a, b, c = (
        Convolutional((1, 6, 6), 3, 2, rng=7),
        Convolutional((1, 6, 6), 3, 2, rng=7),
        Convolutional((1, 6, 6), 3, 2, rng=8),
    )
    np.testing.assert_array_equal(a.kernels, b.kernels)
    assert not np.array_equal(a.kernels, c.kernels)


def test_sigmoid_is_stable_at_extremes():
    # pytest turns any RuntimeWarning (overflow in exp) into an error here
    np.testing.assert_array_equal(Sigmoid().forward(np.array([[-1000.0], [1000.0]])), [[0.0], [1.0]])
    np.testing.assert_array_equal(
        Sigmoid().forward(np.array([[-1000.0], [1000.0]], dtype=np.float32)), [[0.0], [1.0]]
    )


@pytest.mark.parametrize(
    "make_layer, bad_input, message",
    [
        (lambda: Dense(3, 2), np.ones(3), r"Dense input: expected shape \(3, 1\), got \(3,\)"),
        (lambda: Dense(3, 2), np.ones((4, 1)), r"Dense input: expected shape \(3, 1\), got \(4, 1\)"),
        (
            lambda: Convolutional((1, 28, 28), 3, 5),
            np.ones((28, 28)),
            r"Convolutional input: expected shape \(1, 28, 28\), got \(28, 28\)",
        ),
        (
            lambda: Convolutional((2, 5, 5), 3, 1),
            np.ones((1, 5, 5)),
            r"expected shape \(2, 5, 5\), got \(1, 5, 5\)",
        ),
        (
            lambda: Reshape((5, 26, 26), (3380, 1)),
            np.ones((3380, 1)),
            r"Reshape input: expected shape \(5, 26, 26\), got \(3380, 1\)",
        ),
    ],
)
def test_wrong_input_shape_is_named(make_layer, bad_input, message):
    with pytest.raises(ValueError, match=message):
        make_layer().forward(bad_input)


@pytest.mark.parametrize(
    "layer, x, bad_gradient, message",
    [
        (
            Dense(3, 2),
            np.ones((3, 1)),
            np.ones((3, 1)),
            r"Dense output gradient: expected shape \(2, 1\), got \(3, 1\)",
        ),
        (
            Convolutional((1, 5, 5), 2, 3),
            np.ones((1, 5, 5)),
            np.ones((3, 5, 5)),
            r"expected shape \(3, 4, 4\), got \(3, 5, 5\)",
        ),
        (
            Tanh(),
            np.ones((2, 1)),
            np.ones((1, 2)),
            r"Tanh output gradient: expected shape \(2, 1\), got \(1, 2\)",
        ),
    ],
)
def test_wrong_output_gradient_shape_is_named(layer, x, bad_gradient, message):
    layer.forward(x)
    with pytest.raises(ValueError, match=message):
        layer.backward(bad_gradient, 0.1)


@pytest.mark.parametrize(
    "arguments, message",
    [
        (
            ((1, 4, 6), 5, 2),
            r"Convolutional on input \(1, 4, 6\): "
            r"the kernel \(5\) is larger than the padded input \(4 \+ 2 x 0 = 4\)",
        ),
        (((1, 4, 6), 0, 2), r"kernel_size must be a whole number, 1 or more; got 0"),
        (((1, 6, 6), 3, 2, None, 0, 0), r"stride must be a whole number, 1 or more; got 0"),
        (((1, 6, 6), 4, 2, None, "same"), r'"same" needs an odd kernel size'),
    ],
)
def test_impossible_layers_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        Convolutional(*arguments)


def test_reshape_of_different_sizes_is_refused():
    with pytest.raises(
        ValueError, match=r"cannot turn \(5, 26, 26\) \(3380 values\) into \(3000, 1\) \(3000 values\)"
    ):
        Reshape((5, 26, 26), (3000, 1))
