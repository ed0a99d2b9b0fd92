"""The sigmoid and cross-entropy curves of notebook 05, driven without a browser."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.special import expit  # noqa: E402

from cnnlib.widgets.loss_curves import LINEAR_LIMIT, LOSS_TOP, X_RANGE, LossCurves, prediction_grid  # noqa: E402


def png(widget) -> bytes:
    return bytes(widget.image.value)


def clipped(y):
    return np.clip(y, 1e-15, 1 - 1e-15)


def loss_by_hand(label, y):
    y = clipped(np.asarray(y, dtype=float))
    return -(label * np.log(y) + (1 - label) * np.log(1 - y))


def gradient_by_hand(label, y):
    y = clipped(np.asarray(y, dtype=float))
    return (1 - label) / (1 - y) - label / y


@pytest.fixture
def curves():
    return LossCurves()


def test_the_default_state_and_drawing(curves):
    assert (curves.x, curves.label, curves.y, curves.scale) == (2.0, 1, 0.3, "linear")
    assert curves.s == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert curves.s_prime == pytest.approx(curves.s * (1 - curves.s))
    assert curves.loss == pytest.approx(-np.log(0.3)) and curves.gradient == pytest.approx(-1 / 0.3)
    assert not curves.clipped and curves.message.value == ""
    assert png(curves).startswith(b"\x89PNG")
    assert curves.s_marker.get_data() == ([2.0], [curves.s])
    assert curves.loss_marker.get_data() == ([0.3], [curves.loss])
    assert "s = 0.8808" in curves.sigmoid_ax.get_title() and "0.1050" in curves.sigmoid_ax.get_title()
    assert "E = 1.204" in curves.loss_ax.get_title() and "dE/dy = -3.333" in curves.gradient_ax.get_title()


def test_the_drawn_curves_are_the_formulas(curves):
    xs, s = curves.sigmoid_ax.lines[0].get_data()
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-xs)))
    _, s_prime = curves.sigmoid_ax.lines[1].get_data()
    np.testing.assert_allclose(s_prime, expit(xs) * (1 - expit(xs)))
    ys = prediction_grid()
    assert ys[0] == 0.0 and ys[-1] == 1.0 and ys[1] < 1e-14 and 1 - ys[-2] < 1e-14  # reaches the clip
    for label in (0, 1):
        curves.label_buttons.value = label
        np.testing.assert_allclose(curves.loss_line.get_ydata(), loss_by_hand(label, ys), rtol=1e-12)
        np.testing.assert_allclose(curves.gradient_line.get_ydata(), gradient_by_hand(label, ys), rtol=1e-12)
        np.testing.assert_allclose(
            curves.other_loss_line.get_ydata(), loss_by_hand(1 - label, ys), rtol=1e-12
        )


@pytest.mark.parametrize("x", [-10.0, -3.7, 0.0, 0.1, 5.0, 10.0])
def test_the_x_slider_moves_the_sigmoid_markers(curves, x):
    before = png(curves)
    curves.x_slider.value = x
    s = 1 / (1 + np.exp(-x))
    assert curves.x == x and curves.s == pytest.approx(s) and curves.s_prime == pytest.approx(s * (1 - s))
    assert curves.s_marker.get_data() == ([x], [curves.s])
    assert curves.s_prime_marker.get_data() == ([x], [curves.s_prime])
    assert list(curves.x_line.get_xdata()) == [x]
    assert f"x = {x:.1f}" in curves.sigmoid_ax.get_title()
    assert png(curves) != before
    assert curves.s_prime <= 0.25


def test_the_x_slider_stops_at_its_ends(curves):
    curves.x_slider.value = 50
    assert curves.x == X_RANGE[1] == 10 and curves.s_prime == pytest.approx(4.54e-5, rel=1e-3)
    curves.x_slider.value = -50
    assert curves.x == X_RANGE[0] == -10


@pytest.mark.parametrize(
    "label, y", [(1, 0.01), (1, 0.5), (1, 0.99), (0, 0.01), (0, 0.5), (0, 0.75), (0, 0.99)]
)
def test_label_and_prediction_give_the_loss_and_its_gradient(curves, label, y):
    curves.label_buttons.value = label
    curves.y_slider.value = y
    assert (curves.label, curves.y) == (label, y)
    assert curves.loss == pytest.approx(loss_by_hand(label, y))
    assert curves.gradient == pytest.approx(gradient_by_hand(label, y))
    assert curves.gradient < 0 if label == 1 else curves.gradient > 0
    assert curves.loss_marker.get_data() == ([y], [min(curves.loss, LOSS_TOP)])
    assert curves.gradient_marker.get_data()[1][0] == pytest.approx(
        np.clip(curves.gradient, -LINEAR_LIMIT, LINEAR_LIMIT)
    )
    assert f"label y* = {label}" in curves.loss_ax.get_title()
    assert ("-1/y" if label else "1/(1-y)") in curves.gradient_ax.get_title()


def test_the_label_toggle_swaps_the_curves(curves):
    one = curves.loss_line.get_ydata().copy()
    before = png(curves)
    curves.label_buttons.value = 0
    np.testing.assert_allclose(curves.other_loss_line.get_ydata(), one)  # label 1's curve, now for comparison
    np.testing.assert_allclose(curves.loss_line.get_ydata(), loss_by_hand(0, prediction_grid()), rtol=1e-12)
    assert "-\\log(1-y)" in curves.loss_line.get_label()
    assert curves.loss == pytest.approx(-np.log(0.7))
    assert png(curves) != before


@pytest.mark.parametrize(
    "label, y, loss, gradient, without",
    [
        (0, 1.0, -np.log(1 - (1 - 1e-15)), 1 / (1 - (1 - 1e-15)), "E = -log 0 = inf"),
        (1, 0.0, -np.log(1e-15), -1e15, "E = -log 0 = inf"),
        (1, 1.0, -np.log(1 - 1e-15), -1 / (1 - 1e-15), "0 · log 0 = 0 · (-inf) = NaN"),
        (0, 0.0, -np.log(1 - 1e-15), 1 / (1 - 1e-15), "0 · log 0 = 0 · (-inf) = NaN"),
    ],
)
def test_exact_0_and_1_show_the_clip(curves, label, y, loss, gradient, without):
    curves.label_buttons.value = label
    curves.y_slider.value = y
    assert curves.clipped
    assert np.isfinite(curves.loss) and np.isfinite(curves.gradient)
    assert curves.loss == pytest.approx(loss) and curves.gradient == pytest.approx(gradient)
    message = curves.message.value
    assert f"y = {int(y)} exactly" in message and without in message and "clips y to" in message
    assert "color:#b00020" not in message  # information, not an error
    if loss > LOSS_TOP:
        assert (
            curves.loss_marker.get_data()[1] == [LOSS_TOP] and "off the scale" in curves.loss_ax.get_title()
        )
    curves.y_slider.value = 0.5
    assert not curves.clipped and curves.message.value == ""


def test_the_prediction_slider_stops_at_0_and_1(curves):
    curves.y_slider.value = 1.5
    assert curves.y == 1.0 and curves.clipped
    curves.y_slider.value = -0.5
    assert curves.y == 0.0 and curves.clipped


def test_the_log_scale_shows_the_size_of_the_gradient(curves):
    curves.y_slider.value = 0.0  # label 1, y = 0: dE/dy = -1e15 after the clip
    assert curves.gradient_marker.get_data()[1] == [-LINEAR_LIMIT]  # off the linear scale, on its edge
    assert "off the scale" in curves.gradient_ax.get_title()
    before = png(curves)
    curves.scale_buttons.value = "log"
    assert curves.gradient_ax.get_yscale() == "log"
    assert curves.gradient_marker.get_data()[1][0] == pytest.approx(1e15, rel=1e-3)
    assert (
        "off the scale" not in curves.gradient_ax.get_title() and "log axis" in curves.gradient_ax.get_title()
    )
    np.testing.assert_allclose(
        curves.gradient_line.get_ydata(), np.abs(gradient_by_hand(1, prediction_grid()))
    )
    assert np.all(curves.gradient_line.get_ydata() >= 1)  # |dE/dy| >= 1: all of it on the log axis
    assert png(curves) != before
    curves.scale_buttons.value = "linear"
    assert curves.gradient_ax.get_yscale() == "linear" and curves.gradient_ax.get_ylim() == (
        -LINEAR_LIMIT,
        LINEAR_LIMIT,
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"x": 11}, "x must be a number between -10 and 10, got 11"),
        ({"x": float("nan")}, "x must be a number between -10 and 10"),
        ({"x": True}, "x must be a number between -10 and 10, got True"),
        ({"label": 2}, "label must be 0 or 1 (the true class), got 2"),
        ({"y": -0.1}, "y must be a prediction between 0 and 1, got -0.1"),
        ({"y": "0.5"}, "y must be a prediction between 0 and 1, got '0.5'"),
        ({"scale": "symlog"}, "scale must be one of ['linear', 'log'], got 'symlog'"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(kwargs, message):
    with pytest.raises(ValueError) as error:
        LossCurves(**kwargs)
    assert message in str(error.value)


def test_constructor_values_are_shown():
    curves = LossCurves(x=-4.0, label=0, y=1.0, scale="log")
    assert (curves.x, curves.label, curves.y, curves.scale) == (-4.0, 0, 1.0, "log")
    assert curves.clipped and curves.gradient_ax.get_yscale() == "log"
