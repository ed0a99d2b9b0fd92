"""The step-size widget of notebook 05 and its gradient problems, driven without a browser."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.special import expit  # noqa: E402

from cnnlib.widgets.step_size import (
    EXPONENTS,
    FLOOR,
    FUNCTIONS,
    STEPS,
    StepSize,
    best_step,  # noqa: E402
    make_problem,
)

SIGMOID = "sigmoid at 8 points in [-3, 3]"
LINEAR = "Dense(4, 3) alone (linear)"
CURVED = [name for name in FUNCTIONS if name != LINEAR]


def png(widget) -> bytes:
    return bytes(widget.image.value)


@pytest.fixture(scope="module")
def problems():
    return {name: make_problem(name) for name in FUNCTIONS}


@pytest.fixture
def widget():
    return StepSize()


def central_difference_by_hand(problem, dtype, h):
    """An independent central difference for the sigmoid problem: E = sum(R * s(x)), all in ``dtype``."""
    x, upstream = problem.x.astype(dtype), problem.upstream.astype(dtype)
    plus, minus = x + dtype(h), x - dtype(h)  # each element nudged at once: E is a sum of separate terms
    return (upstream * expit(plus) - upstream * expit(minus)) / dtype(2 * h)


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
    expected = central_difference_by_hand(problem, dtype, h)
    np.testing.assert_allclose(numeric, expected, rtol=50 * np.finfo(dtype).eps / h, atol=0)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_each_problem_has_its_analytic_gradient_right(problems, name):
    problem = problems[name]
    errors = problem.errors("float64", [1e-5])
    assert errors.shape == (1,) and errors[0] < 1e-8
    assert problem.analytic.shape == problem.x.shape


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_curves_are_finite_and_float32_at_a_tiny_step_gives_exactly_1(problems, name):
    problem = problems[name]
    for dtype in ("float64", "float32"):
        errors = problem.errors(dtype, STEPS)
        assert (
            errors.shape == STEPS.shape
            and np.all(np.isfinite(errors))
            and np.all((0 <= errors) & (errors <= 1))
        )
    assert problem.errors("float32", [1e-12])[0] == 1.0  # x + h == x: a zero difference, not a NaN
    assert problem.unmoved("float32", 1e-12) == problem.x.size
    assert problem.unmoved("float64", 1e-12) == 0


@pytest.mark.parametrize("name", CURVED)
def test_truncation_and_round_off_shape_the_curve(problems, name):
    problem = problems[name]
    h64, e64 = best_step(STEPS, problem.errors("float64", STEPS))
    h32, e32 = best_step(STEPS, problem.errors("float32", STEPS))
    assert 1e-6 <= h64 <= 1e-4 and e64 < 1e-9
    assert 1e-3 <= h32 <= 1e-1 and 1e-7 < e32 < 1e-3
    big = problem.errors("float64", [1.0, 0.1])  # truncation: a tenth of h, a hundredth of the error
    assert 50 < big[0] / big[1] < 200


def test_a_linear_function_has_no_truncation_error(problems):
    problem = problems[LINEAR]
    assert best_step(STEPS, problem.errors("float64", STEPS))[0] == 1.0
    assert problem.errors("float64", [1.0])[0] < 1e-14


def test_best_step():
    assert best_step([1e-3, 1e-2, 1e-1], [3.0, 1.0, 2.0]) == (1e-2, 1.0)


def test_the_default_widget(widget, problems):
    assert (widget.function.value, widget.dtype.value, widget.h) == (SIGMOID, "float64", 1e-5)
    assert widget.slider.min == EXPONENTS[0] == -12 and widget.slider.max == EXPONENTS[-1] == 0
    assert widget.error == pytest.approx(problems[SIGMOID].errors("float64", [1e-5])[0])
    np.testing.assert_array_equal(widget.curves["float64"], problems[SIGMOID].errors("float64", STEPS))
    assert widget.line.get_data()[1] == pytest.approx(np.maximum(widget.curves["float64"], FLOOR))
    assert widget.marker.get_data() == ([1e-5], [widget.error])
    assert (widget.best_h, widget.best_error) == best_step(STEPS, widget.curves["float64"])
    assert widget.best_marker.get_data() == ([widget.best_h], [widget.best_error])
    assert widget.message.value == ""
    assert png(widget).startswith(b"\x89PNG")
    assert "h = 1.0e-05 gives error" in widget.ax.get_title()
    assert f"relative error  {widget.error:.1e}" in widget.text.get_text()


def test_the_guides_are_eps_over_h_and_c_h_squared(widget):
    np.testing.assert_allclose(widget.round_off_guide.get_ydata(), np.finfo(np.float64).eps / STEPS)
    c = widget.truncation_constant
    assert c == pytest.approx(widget.curves["float64"][np.argmin(np.abs(EXPONENTS + 2))] / 1e-4)
    np.testing.assert_allclose(widget.truncation_guide.get_ydata(), c * STEPS**2)
    assert widget.truncation_guide.get_visible()
    # the model c h^2 + eps/h has its minimum within a factor 10 of the measured best step
    model_best = (np.finfo(np.float64).eps / (2 * c)) ** (1 / 3)
    assert 0.1 < widget.best_h / model_best < 10


@pytest.mark.parametrize("h", [1e-12, 1e-8, 1e-4, 1e-2, 1.0])
def test_the_slider_moves_the_marker(widget, problems, h):
    before = png(widget)
    widget.slider.value = h
    assert widget.h == h
    expected = problems[SIGMOID].errors("float64", [h])[0]
    assert widget.error == expected
    assert widget.marker.get_data() == ([h], [max(expected, FLOOR)])
    assert f"h = {h:.1e}" in widget.ax.get_title() and f"h = {h:.1e}" in widget.text.get_text()
    if h != 1e-5:
        assert png(widget) != before


def test_the_slider_stops_at_its_ends(widget):
    widget.slider.value = 1e-20
    assert widget.h == pytest.approx(1e-12)
    widget.slider.value = 10.0
    assert widget.h == 1.0


def test_float32_moves_the_curve_up_and_right(widget):
    best64 = (widget.best_h, widget.best_error)
    before = png(widget)
    widget.dtype.value = "float32"
    assert widget.numeric.dtype == np.float32
    assert widget.line.get_color() != widget.other_line.get_color()
    assert widget.line.get_data()[1] == pytest.approx(np.maximum(widget.curves["float32"], FLOOR))
    assert widget.other_line.get_data()[1] == pytest.approx(np.maximum(widget.curves["float64"], FLOOR))
    assert widget.best_h > 100 * best64[0] and widget.best_error > 1e4 * best64[1]
    assert widget.error > 1e-3  # float64's good h = 1e-5 is a bad one here
    np.testing.assert_allclose(widget.round_off_guide.get_ydata(), np.finfo(np.float32).eps / STEPS)
    assert "float32" in widget.ax.get_title()
    assert png(widget) != before


def test_a_step_too_small_for_float32_is_explained(widget):
    widget.dtype.value = "float32"
    widget.slider.value = 1e-12
    assert widget.error == 1.0 and np.all(widget.numeric == 0)
    assert "too small for float32 at every input" in widget.message.value
    assert "(relative error 1)" in widget.message.value
    assert "color:#b00020" not in widget.message.value  # an explanation, not a refusal
    widget.slider.value = 10**-7.5  # ulp/2 of |x| >= 0.5 is above this h, of 0.43 below it
    x = make_problem(SIGMOID).x.astype(np.float32)
    unmoved = int(np.sum(x + np.float32(10**-7.5) == x))
    assert 0 < unmoved < 8
    assert f"at {unmoved} of the 8 inputs" in widget.message.value
    widget.slider.value = 1e-2
    assert widget.message.value == ""


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_every_function_can_be_chosen(widget, problems, name):
    widget.function.value = name
    assert widget.problem.name == name
    np.testing.assert_array_equal(widget.curves["float32"], problems[name].errors("float32", STEPS))
    assert name in widget.ax.get_title()
    linear = name == LINEAR
    assert widget.truncation_guide.get_visible() is not linear
    assert ("no truncation error" in widget.message.value) is linear
    assert ("(linear: no h² term)" in widget.text.get_text()) is linear


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"function": "tanh"}, "function must be one of"),
        ({"dtype": "float16"}, "dtype must be one of ['float64', 'float32'], got 'float16'"),
        ({"h": 0}, "h must be a number between 1e-12 and 1, got 0"),
        ({"h": 2.0}, "h must be a number between 1e-12 and 1, got 2.0"),
        ({"h": "1e-5"}, "h must be a number between 1e-12 and 1, got '1e-5'"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(kwargs, message):
    with pytest.raises(ValueError) as error:
        StepSize(**kwargs)
    assert message in str(error.value)


def test_problems_refuse_unknown_names_and_dtypes(problems):
    with pytest.raises(ValueError, match="function must be one of"):
        make_problem("relu")
    with pytest.raises(ValueError, match="dtype must be float64 or float32, got float16"):
        problems[SIGMOID].errors(np.float16, [1e-3])
    with pytest.raises(ValueError, match="dtype must be one of"):
        problems[SIGMOID].numerical("half", 1e-3)
