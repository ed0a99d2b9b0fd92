"""Losses: derivatives against central differences, the original code's clipping, and shape errors."""

import numpy as np
import pytest

from cnnlib.activations import sigmoid
from cnnlib.gradcheck import check_loss
from cnnlib.losses import (
    binary_cross_entropy,
    binary_cross_entropy_prime,
    mse,
    mse_prime,
    sigmoid_bce_gradient,
)


@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (10, 1), (3, 4)])
def test_mse_derivative(shape):
    rng = np.random.default_rng(shape[0])
    assert check_loss(mse, mse_prime, rng.standard_normal(shape), rng.standard_normal(shape)) < 1e-6


@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (10, 1), (3, 4)])
def test_binary_cross_entropy_derivative(shape):
    rng = np.random.default_rng(shape[0])
    y_true = rng.integers(0, 2, shape).astype(float)
    y_pred = rng.uniform(0.05, 0.95, shape)
    assert check_loss(binary_cross_entropy, binary_cross_entropy_prime, y_true, y_pred) < 1e-6


@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (10, 1), (3, 4)])
def test_sigmoid_bce_gradient_against_central_differences(shape):
    rng = np.random.default_rng(shape[0])
    y_true = rng.integers(0, 2, shape).astype(float)
    x = rng.uniform(-4, 4, shape)

    def loss(y_true, x):
        return binary_cross_entropy(y_true, sigmoid(x))

    assert check_loss(loss, sigmoid_bce_gradient, y_true, x) < 1e-6


def test_sigmoid_bce_gradient_stays_right_where_the_product_of_derivatives_fails():
    # s(40) rounds to 1: the clipped dE/dy times s'(40) = 0 gives 0, the simplified form the true 1
    y_true, x = np.array([[0.0]]), np.array([[40.0]])
    assert sigmoid_bce_gradient(y_true, x).item() == 1.0


def test_values_by_hand():
    assert mse(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])) == pytest.approx(0.25)
    assert binary_cross_entropy(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])) == pytest.approx(
        np.log(2)
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_confident_predictions_stay_finite(dtype):
    # a sigmoid can output exactly 0 or 1; the clip keeps log(0) and 1/0 away (warnings are errors)
    y_true = np.array([[1.0], [0.0]])
    y_pred = np.array([[0.0], [1.0]], dtype=dtype)
    loss = binary_cross_entropy(y_true, y_pred)
    assert np.isfinite(loss) and loss == pytest.approx(-np.log(1e-15), rel=1e-3)
    assert np.all(np.isfinite(binary_cross_entropy_prime(y_true, y_pred)))


@pytest.mark.parametrize(
    "function", [mse, mse_prime, binary_cross_entropy, binary_cross_entropy_prime, sigmoid_bce_gradient]
)
def test_shapes_must_agree(function):
    with pytest.raises(ValueError, match=r"y_true has shape \(2, 1\), y_pred has shape \(2,\)"):
        function(np.zeros((2, 1)), np.full(2, 0.5))
