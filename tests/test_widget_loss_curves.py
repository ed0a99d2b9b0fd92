"""LossCurves: its values checked against the formulas, its controls driven without a browser, one picture."""

import numpy as np
import pytest
from scipy.special import expit

from cnnlib.losses import EPSILON
from cnnlib.widgets.loss_curves import LossCurves, bce_each, curve_points, prediction_grid


def loss_by_hand(label, y):
    y = np.clip(np.asarray(y, dtype=float), EPSILON, 1 - EPSILON)
    return -(label * np.log(y) + (1 - label) * np.log(1 - y))


def gradient_by_hand(label, y):
    y = np.clip(np.asarray(y, dtype=float), EPSILON, 1 - EPSILON)
    return (1 - label) / (1 - y) - label / y


@pytest.fixture
def curves():
    return LossCurves()


def is_error(w):
    return "color:#b00020" in w.message.value


# --- the values ----------------------------------------------------------------------------------


def test_the_grid_reaches_the_clip_at_both_ends():
    ys = prediction_grid()
    assert ys[0] == 0.0 and ys[-1] == 1.0 and ys[1] < 1e-14 and 1 - ys[-2] < 1e-14
    assert np.all(np.diff(ys) > 0)


@pytest.mark.parametrize("label", [0, 1])
def test_the_curves_are_cnnlibs_values_of_the_formulas(label):
    ys = prediction_grid()
    losses, gradients = bce_each(label, ys)
    np.testing.assert_allclose(losses, loss_by_hand(label, ys), rtol=1e-12)
    np.testing.assert_allclose(gradients, gradient_by_hand(label, ys), rtol=1e-12)
    assert np.all(np.abs(gradients) >= 1)  # |dE/dy| >= 1: all of it fits on the log axis


@pytest.mark.parametrize("x", [-10.0, -3.7, 0.0, 0.1, 5.0, 10.0])
def test_the_sigmoid_point(x):
    state = curve_points(x, 1, 0.3)
    assert state.x == x and state.s == pytest.approx(expit(x), rel=1e-15)
    assert state.s_prime == pytest.approx(expit(x) * (1 - expit(x)), rel=1e-12) and state.s_prime <= 0.25


@pytest.mark.parametrize(
    "label, y", [(1, 0.01), (1, 0.5), (1, 0.99), (0, 0.01), (0, 0.5), (0, 0.75), (0, 0.99)]
)
def test_the_loss_point(label, y):
    state = curve_points(2.0, label, y)
    assert (state.label, state.y, state.clipped) == (label, y, False)
    assert state.loss == pytest.approx(loss_by_hand(label, y)) and state.gradient == pytest.approx(
        gradient_by_hand(label, y)
    )
    assert state.gradient < 0 if label == 1 else state.gradient > 0  # the sign is the label's


@pytest.mark.parametrize(
    "label, y, loss, gradient",
    [
        (0, 1.0, -np.log(1 - (1 - 1e-15)), 1 / (1 - (1 - 1e-15))),  # the wrong end: E = -log(1e-15)
        (1, 0.0, -np.log(1e-15), -1e15),
        (1, 1.0, -np.log(1 - 1e-15), -1 / (1 - 1e-15)),  # the right end: almost 0, not 0 log 0 = NaN
        (0, 0.0, -np.log(1 - 1e-15), 1 / (1 - 1e-15)),
    ],
)
def test_exact_0_and_1_are_clipped_to_finite_values(label, y, loss, gradient):
    state = curve_points(2.0, label, y)
    assert state.clipped and np.isfinite(state.loss) and np.isfinite(state.gradient)
    assert state.loss == pytest.approx(loss) and state.gradient == pytest.approx(gradient)


# --- the controls --------------------------------------------------------------------------------


def test_the_default_state(curves):
    state = curves.state
    assert (state.x, state.label, state.y, state.scale) == (2.0, 1, 0.3, "linear")
    assert state.loss == pytest.approx(-np.log(0.3)) and state.gradient == pytest.approx(-1 / 0.3)
    assert curves.message.value == ""


def test_the_x_slider_moves_the_sigmoid_point_and_stops_at_its_ends(curves):
    curves.x_slider.value = -3.7
    assert curves.state == curve_points(-3.7, 1, 0.3)
    curves.x_slider.value = 50
    assert curves.state.x == 10 and curves.state.s_prime == pytest.approx(4.54e-5, rel=1e-3)
    curves.x_slider.value = -50
    assert curves.state.x == -10


def test_the_label_and_the_prediction_move_the_loss_point(curves):
    curves.label_buttons.value = 0
    assert curves.state.label == 0 and curves.state.loss == pytest.approx(-np.log(0.7))
    curves.y_slider.value = 0.75
    assert curves.state == curve_points(2.0, 0, 0.75)


def test_the_prediction_slider_stops_at_0_and_1_where_the_clip_is_explained(curves):
    curves.y_slider.value = 1.5
    assert curves.state.y == 1.0 and curves.state.clipped
    note = curves.message.value
    assert f"{EPSILON:g}" in note and f"{curves.state.loss:.2g}" in note  # what the clip kept, and E
    assert not is_error(curves)  # information, not a refusal
    curves.label_buttons.value = 0  # the wrong end now: E = -log(1e-15)
    assert curves.message.value != note and f"{curves.state.loss:.4g}" in curves.message.value
    curves.y_slider.value = -0.5
    assert curves.state.y == 0.0 and curves.state.clipped and curves.message.value
    curves.y_slider.value = 0.5
    assert not curves.state.clipped and curves.message.value == ""


def test_the_scale_toggle(curves):
    curves.scale_buttons.value = "log"
    assert curves.state.scale == "log" and curves.state == curve_points(2.0, 1, 0.3, "log")
    curves.scale_buttons.value = "linear"
    assert curves.state.scale == "linear"


@pytest.mark.parametrize(
    "kwargs, expected, received",
    [
        ({"x": 11}, "x must be a number between -10 and 10", "got 11"),
        ({"x": float("nan")}, "x must be a number between -10 and 10", "got nan"),
        ({"x": True}, "x must be a number between -10 and 10", "got True"),
        ({"label": 2}, "label must be 0 or 1 (the true class)", "got 2"),
        ({"y": -0.1}, "y must be a prediction between 0 and 1", "got -0.1"),
        ({"y": "0.5"}, "y must be a prediction between 0 and 1", "got '0.5'"),
        ({"scale": "symlog"}, "scale must be one of ['linear', 'log']", "got 'symlog'"),
    ],
)
def test_bad_values_raise_a_clear_error(kwargs, expected, received):
    for make in (LossCurves, lambda **k: curve_points(**{"x": 2.0, "label": 1, "y": 0.3, **k})):
        with pytest.raises(ValueError) as raised:
            make(**kwargs)
        assert expected in str(raised.value) and received in str(raised.value)


def test_constructor_values_are_shown():
    curves = LossCurves(x=-4.0, label=0, y=1.0, scale="log")
    assert curves.state == curve_points(-4.0, 0, 1.0, "log") and curves.message.value
    assert (curves.x_slider.value, curves.label_buttons.value, curves.scale_buttons.value) == (-4, 0, "log")


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_each_control(curves):
    first = bytes(curves.image.value)
    assert first.startswith(b"\x89PNG")
    for control, value in [(curves.x_slider, -3.0), (curves.y_slider, 0.9), (curves.label_buttons, 0)]:
        before = bytes(curves.image.value)
        control.value = value
        assert bytes(curves.image.value) != before
    curves.scale_buttons.value = "log"
    assert bytes(curves.image.value) != first
    curves.x_slider.value, curves.y_slider.value, curves.label_buttons.value = 2.0, 0.3, 1
    curves.scale_buttons.value = "linear"
    assert bytes(curves.image.value) == first  # back where it started: the same picture
