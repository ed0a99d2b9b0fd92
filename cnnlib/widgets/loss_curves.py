"""Notebook 05: the sigmoid and its derivative over x; binary cross-entropy and its derivative over y.

``LossCurves`` shows three panels, each with a marker that follows a control:
the sigmoid s(x) and s'(x) = s(1 - s) with a slider for x; the loss E(y) for one prediction y of a
true label y* (0 or 1), with a slider for y; and dE/dy, on a linear axis or its size on a log axis. The
values are cnnlib's own (``cnnlib.activations``, ``cnnlib.losses``, with the original code's clip), for one
output (n = 1).
"""

import ipywidgets as widgets
import numpy as np

from cnnlib.activations import sigmoid, sigmoid_prime
from cnnlib.losses import EPSILON, binary_cross_entropy, binary_cross_entropy_prime
from cnnlib.widgets.base import FigureWidget

X_RANGE = (-10.0, 10.0)
LOSS_TOP = 5.0  # the loss axis stops here; beyond it the marker sits on the edge, its value in the title
LINEAR_LIMIT = 12.0  # the gradient's linear axis spans -12 to 12
LOG_LIMITS = (0.5, 1e16)  # |dE/dy| is at least 1, and the clip keeps it below 1/EPSILON, about 1e15
INLINE = {"description_width": "initial", "button_width": "90px"}  # names at their own width, compact buttons
COLOURS = {"s": "#1f77b4", "s_prime": "#d95f02", "loss": "#7b3294", "gradient": "#008837"}


def bce(label: float, y: float) -> float:
    """cnnlib's binary cross-entropy of one prediction y for the label y* (n = 1), clipped as in the original code."""
    return float(binary_cross_entropy(np.array([[label]], dtype=float), np.array([[y]], dtype=float)))


def bce_prime(label: float, y: float) -> float:
    """cnnlib's dE/dy for one prediction (n = 1), clipped as in the original code."""
    return float(
        binary_cross_entropy_prime(np.array([[label]], dtype=float), np.array([[y]], dtype=float))[0, 0]
    )


def prediction_grid() -> np.ndarray:
    """Predictions y from 0 to 1: even steps, plus points crowding both ends (down to 1e-15 from 0 and 1).

    The ends are where the loss and its derivative run off to infinity (and the clip stops them),
    so the grid reaches them through y = s(t) for t evenly spaced in [-34.5, 34.5].
    """
    return np.unique(
        np.concatenate([[0.0, 1.0], np.linspace(0, 1, 201), sigmoid(np.linspace(-34.5, 34.5, 231))])
    )


class LossCurves(FigureWidget):
    """Sigmoid, binary cross-entropy and their derivatives, each with a marker at the chosen point.

    x: where the sigmoid is marked, in X_RANGE; label: the true label y*, 0 or 1; y: the prediction
    marked on the loss, in [0, 1] (0 and 1 included: the original code's clip then shows); scale: "linear" for
    dE/dy on a linear axis, or "log" for its size |dE/dy| on a log axis (its sign is the label's). State after each update: ``x``, ``s``, ``s_prime``,
    ``label``, ``y``, ``loss``, ``gradient`` (cnnlib's values, n = 1) and ``clipped`` (y was 0 or 1).
    """

    SCALES = ("linear", "log")

    def __init__(self, x: float = 2.0, label: int = 1, y: float = 0.3, scale: str = "linear"):
        if not (_is_number(x) and X_RANGE[0] <= x <= X_RANGE[1]):
            raise ValueError(f"x must be a number between {X_RANGE[0]:g} and {X_RANGE[1]:g}, got {x!r}")
        if label not in (0, 1):
            raise ValueError(f"label must be 0 or 1 (the true class), got {label!r}")
        if not (_is_number(y) and 0 <= y <= 1):
            raise ValueError(f"y must be a prediction between 0 and 1, got {y!r}")
        if scale not in self.SCALES:
            raise ValueError(f"scale must be one of {list(self.SCALES)}, got {scale!r}")
        super().__init__(figsize=(13, 4.1))
        self.x_slider = widgets.FloatSlider(
            value=x,
            min=X_RANGE[0],
            max=X_RANGE[1],
            step=0.1,
            description="x",
            readout_format=".1f",
            layout=widgets.Layout(width="420px"),
        )
        self.label_buttons = widgets.ToggleButtons(
            options=[("y* = 0", 0), ("y* = 1", 1)], value=int(label), description="true label", style=INLINE
        )
        self.y_slider = widgets.FloatSlider(
            value=y,
            min=0.0,
            max=1.0,
            step=0.01,
            description="prediction y",
            readout_format=".2f",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.scale_buttons = widgets.ToggleButtons(
            options=list(self.SCALES), value=scale, description="dE/dy axis", style=INLINE
        )
        self._build_figure()
        for control in (self.x_slider, self.label_buttons, self.y_slider, self.scale_buttons):
            control.observe(self.update, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.x_slider]),
                widgets.HBox([self.y_slider, self.label_buttons]),
                self.scale_buttons,
                self.message,
                self.image,
            ]
        )
        self.update()  # laid out once (constrained), then frozen: moving a slider only redraws the data
        self.figure.set_layout_engine("none")

    def _build_figure(self):
        self.sigmoid_ax, self.loss_ax, self.gradient_ax = self.figure.subplots(1, 3)
        xs = np.linspace(*X_RANGE, 401)
        ax = self.sigmoid_ax
        ax.plot(xs, sigmoid(xs), color=COLOURS["s"], linewidth=2, label=r"$s(x) = 1/(1+e^{-x})$")
        ax.plot(xs, sigmoid_prime(xs), color=COLOURS["s_prime"], linewidth=2, label=r"$s'(x) = s(1-s)$")
        ax.axhline(0.25, color="0.6", linestyle=":", linewidth=1, label=r"$1/4$, the largest $s'$")
        self.x_line = ax.axvline(0, color="0.4", linewidth=0.8)
        (self.s_marker,) = ax.plot([], [], "o", color=COLOURS["s"], markersize=8, markeredgecolor="black")
        (self.s_prime_marker,) = ax.plot(
            [], [], "o", color=COLOURS["s_prime"], markersize=8, markeredgecolor="black"
        )
        ax.set(xlim=X_RANGE, ylim=(-0.04, 1.04), xlabel="$x$ (the input of the sigmoid)")
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(True, alpha=0.3)

        self.ys = prediction_grid()
        self.curves = {
            label: (
                np.array([bce(label, y) for y in self.ys]),
                np.array([bce_prime(label, y) for y in self.ys]),
            )
            for label in (0, 1)
        }
        ax = self.loss_ax
        (self.other_loss_line,) = ax.plot([], [], "--", color="0.65", linewidth=1.2)
        (self.loss_line,) = ax.plot([], [], color=COLOURS["loss"], linewidth=2)
        self.y_line_loss = ax.axvline(0, color="0.4", linewidth=0.8)
        (self.loss_marker,) = ax.plot(
            [], [], "o", color=COLOURS["loss"], markersize=8, markeredgecolor="black", clip_on=False, zorder=5
        )
        ax.set(xlim=(-0.02, 1.02), ylim=(0, LOSS_TOP), xlabel="prediction $y$", ylabel="loss $E$")
        ax.grid(True, alpha=0.3)

        ax = self.gradient_ax
        ax.axhline(0, color="0.6", linewidth=0.8)
        (self.gradient_line,) = ax.plot([], [], color=COLOURS["gradient"], linewidth=2)
        self.y_line_gradient = ax.axvline(0, color="0.4", linewidth=0.8)
        (self.gradient_marker,) = ax.plot(
            [],
            [],
            "o",
            color=COLOURS["gradient"],
            markersize=8,
            markeredgecolor="black",
            clip_on=False,
            zorder=5,
        )
        ax.set(xlim=(-0.02, 1.02), xlabel="prediction $y$", ylabel=r"$\partial E/\partial y$")
        ax.grid(True, alpha=0.3)

    def update(self, change=None):
        self.x = float(self.x_slider.value)
        self.s, self.s_prime = float(sigmoid(self.x)), float(sigmoid_prime(self.x))
        self.label, self.y = int(self.label_buttons.value), float(self.y_slider.value)
        self.loss, self.gradient = bce(self.label, self.y), bce_prime(self.label, self.y)
        self.clipped = self.y in (0.0, 1.0)
        self.scale = self.scale_buttons.value

        self.x_line.set_xdata([self.x])
        self.s_marker.set_data([self.x], [self.s])
        self.s_prime_marker.set_data([self.x], [self.s_prime])
        self.sigmoid_ax.set_title(
            f"sigmoid at x = {self.x:.1f}\ns = {self.s:.4f},  s' = s(1 - s) = {self.s_prime:.4f}", fontsize=10
        )

        loss_curve, gradient_curve = self.curves[self.label]
        self.loss_line.set_data(self.ys, loss_curve)
        self.loss_line.set_label(
            f"$y^* = {self.label}$: " + ("$-\\log y$" if self.label else "$-\\log(1-y)$")
        )
        self.other_loss_line.set_data(self.ys, self.curves[1 - self.label][0])
        self.other_loss_line.set_label(f"$y^* = {1 - self.label}$, for comparison")
        self.loss_ax.legend(loc="upper center", fontsize=8)
        self.y_line_loss.set_xdata([self.y])
        self.loss_marker.set_data([self.y], [min(self.loss, LOSS_TOP)])
        off = "  (off the scale)" if self.loss > LOSS_TOP else ""
        self.loss_ax.set_title(
            f"binary cross-entropy, label y* = {self.label}\ny = {self.y:.2f}: E = {self.loss:.4g}{off}",
            fontsize=10,
        )

        if self.scale == "linear":
            self.gradient_line.set_data(self.ys, gradient_curve)
            self.gradient_ax.set_yscale("linear")
            self.gradient_ax.set_ylim(-LINEAR_LIMIT, LINEAR_LIMIT)
            self.gradient_ax.set_ylabel(r"$\partial E/\partial y$")
            shown = float(np.clip(self.gradient, -LINEAR_LIMIT, LINEAR_LIMIT))
        else:  # the sign is the label's (negative for y* = 1, positive for y* = 0): plot the size
            self.gradient_line.set_data(self.ys, np.abs(gradient_curve))
            self.gradient_ax.set_ylim(LOG_LIMITS)  # limits before scale: no autoscaling over the line at 0
            self.gradient_ax.set_yscale("log")
            self.gradient_ax.set_ylabel(r"$|\partial E/\partial y|$ (log scale)")
            shown = abs(self.gradient)
        self.y_line_gradient.set_xdata([self.y])
        self.gradient_marker.set_data([self.y], [shown])
        off = "  (off the scale)" if abs(shown) != abs(self.gradient) else ""
        formula = "-1/y" if self.label else "1/(1-y)"
        self.gradient_ax.set_title(
            f"its derivative, {formula}  ({self.scale} axis)\ndE/dy = {self.gradient:.4g}{off}", fontsize=10
        )
        self.say(self._clip_note())
        self.show_figure()

    def _clip_note(self) -> str:
        """What the clip did, when y is exactly 0 or 1; empty otherwise."""
        if not self.clipped:
            return ""
        y, label = int(self.y), self.label
        when = (
            "s(x) rounds to 1 for x > 36.7 in float64"
            if y == 1
            else "s(x) is 0 for x below about -709 in float64"
        )
        kept = f"{EPSILON:g}" if y == 0 else f"1 - {EPSILON:g}"
        if y == label:
            without = "the term that should vanish is 0 · log 0 = 0 · (-inf) = NaN, and dE/dy has 0/0 = NaN"
            outcome = f"E = {self.loss:.2g}, almost 0, and dE/dy = {self.gradient:.4g}"
        else:
            without = "E = -log 0 = inf, and dE/dy divides by 0"
            outcome = f"E = -log(1e-15) = {self.loss:.4g} and dE/dy = {self.gradient:.3g}"
        return (
            f"y = {y} exactly ({when}). Without a clip, {without}. "
            f"cnnlib, like the original code, clips y to {kept}: {outcome}."
        )


def _is_number(value) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, bool)
        and np.isfinite(value)
    )
