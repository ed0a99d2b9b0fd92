"""The gradient checker itself: exact on known derivatives, and it catches planted bugs."""

import numpy as np
import pytest
from scipy import signal

from cnnlib.gradcheck import check_layer, numerical_gradient, relative_error
from cnnlib.layers import Convolutional, Dense


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    gradient = numerical_gradient(lambda: np.sum(x**3), x)
    np.testing.assert_allclose(gradient, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored after nudging


def test_numerical_gradient_needs_floats():
    with pytest.raises(TypeError, match="floating-point array .* got dtype int64"):
        numerical_gradient(lambda: 0.0, np.arange(3))


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0


class ConvolutionalWithoutFlip(Convolutional):
    """A plausible bug: dE/dX by full cross-correlation, forgetting to rotate the kernel."""

    def gradients(self, output_gradient):
        input_gradient, parameter_gradients = super().gradients(output_gradient)
        input_gradient = np.zeros(self.input_shape)
        for i in range(len(self.kernels)):
            for j in range(self.input_shape[0]):
                input_gradient[j] += signal.correlate2d(output_gradient[i], self.kernels[i, j], "full")
        return input_gradient, parameter_gradients


class DenseWithTransposedUpstream(Dense):
    """A plausible bug: dE/dW = X dE/dY^T, the transpose of the right answer."""

    def gradients(self, output_gradient):
        input_gradient, parameter_gradients = super().gradients(output_gradient)
        return input_gradient, {**parameter_gradients, "weights": np.outer(self.x, output_gradient)}


def test_check_layer_catches_a_missing_kernel_flip():
    rng = np.random.default_rng(0)
    errors = check_layer(
        ConvolutionalWithoutFlip((2, 5, 5), 3, 2, rng=rng), rng.standard_normal((2, 5, 5)), rng=rng
    )
    assert errors["input"] > 0.1 and errors["kernels"] < 1e-6


def test_check_layer_catches_a_wrong_weight_gradient():
    rng = np.random.default_rng(0)
    errors = check_layer(DenseWithTransposedUpstream(3, 3, rng=rng), rng.standard_normal((3, 1)), rng=rng)
    assert errors["weights"] > 0.1 and errors["input"] < 1e-6


def test_check_layer_changes_no_parameter():
    rng = np.random.default_rng(0)
    layer = Dense(4, 2, rng=rng)
    before = layer.weights.copy()
    check_layer(layer, rng.standard_normal((4, 1)), rng=rng)
    np.testing.assert_array_equal(layer.weights, before)
