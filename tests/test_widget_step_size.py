"""StepSize: its state checked on values, its controls driven without a browser, one picture.

The theory it draws (``GradientProblem``, ``best_step``) is tested in test_gradcheck.py.
"""

import numpy as np
import pytest

from cnnlib.gradcheck import FUNCTIONS, STEPS, best_step, make_problem
from cnnlib.widgets.step_size import StepSize, step_size_check

SIGMOID = "sigmoid at 8 points in [-3, 3]"
LINEAR = "Dense(4, 3) alone (linear)"


@pytest.fixture(scope="module")
def problems():
    return {name: make_problem(name) for name in FUNCTIONS}


@pytest.fixture
def widget():
    return StepSize()


def is_error(w):
    return "color:#b00020" in w.message.value


# --- the state -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("h", [1e-12, 1e-5, 1e-2, 1.0])
def test_the_check_at_h_is_a_point_of_its_curve(problems, dtype, h):
    problem = problems[SIGMOID]
    state = step_size_check(problem, dtype, h)
    assert state.numeric.dtype == np.dtype(dtype) and state.numeric.shape == problem.x.shape
    np.testing.assert_array_equal(state.numeric, problem.numerical(dtype, h))
    assert state.error == problem.errors(dtype, [h])[0]
    np.testing.assert_array_equal(state.curves[dtype], problem.errors(dtype, STEPS))
    assert (state.best_h, state.best_error) == best_step(STEPS, state.curves[dtype])
    assert state.epsilon == np.finfo(dtype).eps
    x = problem.x.astype(dtype)
    assert state.unmoved == np.sum(x + np.asarray(h, dtype) == x)


def test_the_truncation_constant_and_eps_predict_the_best_step(problems):
    state = step_size_check(problems[SIGMOID], "float64", 1e-5)
    c = state.truncation  # c h^2 fitted at h = 0.01, where round-off is negligible
    assert c == pytest.approx(state.curves["float64"][np.argmin(np.abs(STEPS - 1e-2))] / 1e-4)
    model_best = (state.epsilon / (2 * c)) ** (1 / 3)  # the minimum of c h^2 + eps / h
    assert 0.1 < state.best_h / model_best < 10 and not state.linear


def test_a_linear_function_has_no_truncation_constant(problems):
    state = step_size_check(problems[LINEAR], "float64", 1e-5)
    assert state.linear and state.truncation < 1e-8 and state.best_h == 1.0


# --- the controls --------------------------------------------------------------------------------


def test_the_default_widget(widget, problems):
    state = widget.state
    assert (widget.function.value, widget.dtype.value, state.h) == (SIGMOID, "float64", 1e-5)
    assert (widget.slider.min, widget.slider.max) == (-12, 0)  # exponents: h from 1e-12 to 1
    assert state.problem.name == SIGMOID and state.dtype == "float64" and state.error < 1e-9
    np.testing.assert_array_equal(state.curves["float32"], problems[SIGMOID].errors("float32"))
    assert widget.message.value == ""


@pytest.mark.parametrize("h", [1e-12, 1e-8, 1e-4, 1e-2, 1.0])
def test_the_slider_moves_the_step(widget, problems, h):
    widget.slider.value = h
    assert widget.state.h == h and widget.state.error == problems[SIGMOID].errors("float64", [h])[0]


def test_the_slider_stops_at_its_ends(widget):
    widget.slider.value = 1e-20
    assert widget.state.h == pytest.approx(1e-12)
    widget.slider.value = 10.0
    assert widget.state.h == 1.0


def test_float32_moves_the_curve_up_and_right(widget):
    best64 = (widget.state.best_h, widget.state.best_error)
    widget.dtype.value = "float32"
    state = widget.state
    assert state.dtype == "float32" and state.numeric.dtype == np.float32
    assert state.best_h > 100 * best64[0] and state.best_error > 1e4 * best64[1]
    assert state.error > 1e-3  # float64's good h = 1e-5 is a bad one here
    assert state.epsilon == np.finfo(np.float32).eps


def test_a_step_too_small_for_float32_is_explained(widget, problems):
    widget.dtype.value = "float32"
    widget.slider.value = 1e-12
    assert widget.state.error == 1.0 and np.all(widget.state.numeric == 0)
    assert (
        widget.state.unmoved == 8 and widget.message.value and not is_error(widget)
    )  # explained, not refused
    widget.slider.value = 10**-7.5  # ulp/2 of |x| >= 0.5 is above this h, of 0.43 below it
    x = problems[SIGMOID].x.astype(np.float32)
    assert 0 < widget.state.unmoved == np.sum(x + np.float32(10**-7.5) == x) < 8
    assert f"{widget.state.unmoved} of the 8" in widget.message.value  # the message counts them
    widget.slider.value = 1e-2
    assert widget.state.unmoved == 0 and widget.message.value == ""


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_function_can_be_chosen(widget, problems, name):
    first = widget.state.problem
    widget.function.value = name
    assert widget.state.problem.name == name
    np.testing.assert_array_equal(widget.state.curves["float32"], problems[name].errors("float32"))
    assert widget.state.linear is (name == LINEAR)
    assert bool(widget.message.value) is (name == LINEAR)  # a linear curve's missing V is explained
    widget.function.value = SIGMOID  # and back: the problem and its curves were kept
    assert widget.state.problem is first


@pytest.mark.parametrize(
    "kwargs, expected, received",
    [
        ({"function": "tanh"}, "function must be one of", "got 'tanh'"),
        ({"dtype": "float16"}, "dtype must be one of ['float64', 'float32']", "got 'float16'"),
        ({"h": 0}, "h must be a number between 1e-12 and 1", "got 0"),
        ({"h": 2.0}, "h must be a number between 1e-12 and 1", "got 2.0"),
        ({"h": "1e-5"}, "h must be a number between 1e-12 and 1", "got '1e-5'"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(kwargs, expected, received):
    with pytest.raises(ValueError) as raised:
        StepSize(**kwargs)
    assert expected in str(raised.value) and received in str(raised.value)


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_each_step(widget):
    first = bytes(widget.image.value)
    assert first.startswith(b"\x89PNG")
    widget.slider.value = 1e-3
    assert bytes(widget.image.value) != first
    widget.dtype.value = "float32"
    assert bytes(widget.image.value) != first
    widget.dtype.value = "float64"
    widget.slider.value = 1e-5
    assert bytes(widget.image.value) == first  # a step redraws what changed, and only that
