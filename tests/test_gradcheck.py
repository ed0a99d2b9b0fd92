"""The gradient checker itself: exact on known derivatives, it catches planted bugs, and its step h."""

import numpy as np
import pytest
from scipy import signal
from scipy.special import expit

from cnnlib.gradcheck import (
    DTYPES,
    FUNCTIONS,
    STEPS,
    best_step,
    check_layer,
    make_problem,
    numerical_gradient,
    relative_error,
)
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


# --- the step h: truncation against round-off ----------------------------------------------------

SIGMOID = "sigmoid at 8 points in [-3, 3]"
LINEAR = "Dense(4, 3) alone (linear)"


@pytest.fixture(scope="module")
def problems():
    return {name: make_problem(name) for name in FUNCTIONS}


def test_the_sigmoid_problem_is_what_its_name_says(problems):
    problem = problems[SIGMOID]
    np.testing.assert_allclose(problem.x.ravel(), np.linspace(-3, 3, 8))
    np.testing.assert_allclose(problem.analytic, problem.upstream * expit(problem.x) * (1 - expit(problem.x)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("h", [1e-1, 1e-3, 1e-5])
def test_numerical_gradients_match_an_independent_central_difference(problems, dtype, h):
    problem = problems[SIGMOID]
    numeric = problem.numerical(dtype.__name__, h)
    assert numeric.dtype == dtype  # the whole computation in that dtype
    x, upstream = problem.x.astype(dtype), problem.upstream.astype(dtype)
    plus, minus = x + dtype(h), x - dtype(h)  # every element nudged at once: E is a sum of separate terms
    expected = (upstream * expit(plus) - upstream * expit(minus)) / dtype(2 * h)
    np.testing.assert_allclose(numeric, expected, rtol=50 * np.finfo(dtype).eps / h, atol=0)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_each_problem_has_its_analytic_gradient_right(problems, name):
    problem = problems[name]
    errors = problem.errors("float64", [1e-5])
    assert errors.shape == (1,) and errors[0] < 1e-8
    assert problem.analytic.shape == problem.x.shape
    assert make_problem(name).x.tobytes() == problem.x.tobytes()  # the same numbers every time


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_curves_are_finite_and_float32_at_a_tiny_step_gives_exactly_1(problems, name):
    problem = problems[name]
    for dtype in DTYPES:
        errors = problem.errors(dtype)  # over STEPS by default
        assert errors.shape == STEPS.shape and np.all((0 <= errors) & (errors <= 1))
    assert problem.errors("float32", [1e-12])[0] == 1.0  # x + h == x: a zero difference, not a NaN
    assert problem.unmoved("float32", 1e-12) == problem.x.size
    assert problem.unmoved("float64", 1e-12) == 0


@pytest.mark.parametrize("name", [name for name in FUNCTIONS if name != LINEAR])
def test_truncation_and_round_off_shape_the_curve(problems, name):
    problem = problems[name]
    h64, e64 = best_step(STEPS, problem.errors("float64"))
    h32, e32 = best_step(STEPS, problem.errors("float32"))
    assert 1e-6 <= h64 <= 1e-4 and e64 < 1e-9
    assert 1e-3 <= h32 <= 1e-1 and 1e-7 < e32 < 1e-3
    big = problem.errors("float64", [1.0, 0.1])  # truncation: a tenth of h, a hundredth of the error
    assert 50 < big[0] / big[1] < 200


def test_a_linear_function_has_no_truncation_error(problems):
    problem = problems[LINEAR]
    assert best_step(STEPS, problem.errors("float64"))[0] == 1.0
    assert problem.errors("float64", [1.0])[0] < 1e-14


def test_best_step():
    assert best_step([1e-3, 1e-2, 1e-1], [3.0, 1.0, 2.0]) == (1e-2, 1.0)


def test_problems_refuse_unknown_names_and_dtypes(problems):
    with pytest.raises(ValueError, match=r"function must be one of \[.*\], got 'relu'"):
        make_problem("relu")
    with pytest.raises(ValueError, match=r"dtype must be one of \['float64', 'float32'\], got 'float16'"):
        problems[SIGMOID].errors(np.float16, [1e-3])
    with pytest.raises(ValueError, match="dtype must be one of .* got 'half'"):
        problems[SIGMOID].numerical("half", 1e-3)
