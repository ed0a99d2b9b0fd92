"""Notebook 05: the sigmoid and its derivative over x; binary cross-entropy and its derivative over y.

The values marked are cnnlib's own, with the original code's clip, for one output (n = 1).
"""

from dataclasses import dataclass
from numbers import Real

import ipywidgets as widgets
import numpy as np

from cnnlib.activations import sigmoid, sigmoid_prime
from cnnlib.losses import EPSILON, binary_cross_entropy, binary_cross_entropy_prime
from cnnlib.plotting import CLASS_COLOURS
from cnnlib.widgets.base import INLINE, InteractiveFigure, View

X_RANGE = (-10.0, 10.0)
SCALES = ("linear", "log")
LOSS_TOP = 5.0  # the loss axis stops here; beyond it the marker sits on the edge, its value in the title
LINEAR_LIMIT = 12.0  # the gradient's linear axis spans -12 to 12
LOG_LIMITS = (0.5, 1e16)  # |dE/dy| is at least 1, and the clip keeps it below 1/EPSILON, about 1e15
COLOURS = {"s": "#1f77b4", "s_prime": "#d95f02"}


def bce_each(label: int, ys) -> tuple[np.ndarray, np.ndarray]:
    """cnnlib's E and dE/dy for each prediction in ``ys`` alone (n = 1), clipped as in the original code.

    ys: (m,) predictions in [0, 1]; returns the losses and the derivatives, (m,) each.
    """
    cases = [([[label]], [[y]]) for y in ys]
    losses = np.array([binary_cross_entropy(*case) for case in cases], dtype=float)
    return losses, np.array([binary_cross_entropy_prime(*case)[0, 0] for case in cases], dtype=float)


def prediction_grid() -> np.ndarray:
    """Predictions y from 0 to 1, (m,): even steps, and points crowding both ends down to 1e-15 from them.

    The ends are where the loss and its derivative run off to infinity (and the clip stops them),
    so the grid reaches them through y = s(t) for t evenly spaced in [-34.5, 34.5].
    """
    ends = sigmoid(np.linspace(-34.5, 34.5, 231))
    return np.unique(np.concatenate([[0.0, 1.0], np.linspace(0, 1, 201), ends]))


@dataclass
class CurvePoints:
    """The points marked: x with s(x) and s'(x); a label y* and a prediction y with E and dE/dy (n = 1)."""

    x: float
    s: float
    s_prime: float
    label: int
    y: float
    loss: float
    gradient: float
    scale: str

    @property
    def clipped(self) -> bool:
        """y is exactly 0 or 1: the original code's clip decides E and dE/dy."""
        return self.y in (0.0, 1.0)


def curve_points(x: float, label: int, y: float, scale: str = "linear") -> CurvePoints:
    """The points for x in X_RANGE, label 0 or 1, y in [0, 1] and scale in SCALES; a clear error otherwise."""
    if not (_is_number(x) and X_RANGE[0] <= x <= X_RANGE[1]):
        raise ValueError(f"x must be a number between {X_RANGE[0]:g} and {X_RANGE[1]:g}, got {x!r}")
    if label not in (0, 1):
        raise ValueError(f"label must be 0 or 1 (the true class), got {label!r}")
    if not (_is_number(y) and 0 <= y <= 1):
        raise ValueError(f"y must be a prediction between 0 and 1, got {y!r}")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {list(SCALES)}, got {scale!r}")
    (loss,), (gradient,) = bce_each(label, [y])
    s, s_prime = float(sigmoid(x)), float(sigmoid_prime(x))
    return CurvePoints(float(x), s, s_prime, int(label), float(y), float(loss), float(gradient), scale)


class LossCurvesView(View):
    """Three panels in a row, or the sigmoid beside loss over gradient (two rows, for a projector).

    Both labels' curves are drawn thin, in their class colours; the true label's is drawn over, thick.
    """

    def __init__(self, figure, state: CurvePoints, presenting: bool = False):
        super().__init__(figure, state, presenting)
        layout = [["s", "loss"], ["s", "gradient"]] if presenting else [["s", "loss", "gradient"]]
        self.axes, self.key, self.marks, self.numbers = figure.subplot_mosaic(layout), None, {}, {}
        ys = prediction_grid()
        self.curves = {label: (ys, *bce_each(label, ys)) for label in (0, 1)}
        xs, ax = np.linspace(*X_RANGE, 401), self.axes["s"]
        ax.plot(xs, sigmoid(xs), color=COLOURS["s"], linewidth=2, label=r"$s(x) = 1/(1+e^{-x})$")
        ax.plot(xs, sigmoid_prime(xs), color=COLOURS["s_prime"], linewidth=2, label=r"$s'(x) = s(1-s)$")
        ax.axhline(0.25, color="0.6", linestyle=":", linewidth=1, label=r"$1/4$, the largest $s'$")
        ax.set(xlim=X_RANGE, xticks=range(-10, 11, 5), ylim=(-0.04, 1.04))
        ax.set(xlabel="$x$ (the input of the sigmoid)", title="the sigmoid and its derivative\n ")
        ax.legend(loc="upper left", fontsize="small")
        loss_ax, self.gradient_ax = self.axes["loss"], self.axes["gradient"]
        loss_ax.set(ylim=(0, LOSS_TOP), ylabel="loss $E$", title="binary cross-entropy\n ")
        self.gradient_ax.axhline(0, color="0.6", linewidth=0.8)
        self.gradient_lines, thin = {}, {"linewidth": 1.2, "alpha": 0.6}
        for label, (loss, derivative) in enumerate([("-\\log(1-y)", "1/(1-y)"), ("-\\log y", "-1/y")]):
            colour, name = CLASS_COLOURS[label], f"$y^* = {label}$: "
            loss_ax.plot(ys, self.curves[label][1], color=colour, label=f"{name}${loss}$", **thin)
            (line,) = self.gradient_ax.plot([], [], color=colour, label=f"{name}${derivative}$", **thin)
            self.gradient_lines[label] = line
        legend = {"fontsize": "small", "title": "thick: the true label", "title_fontsize": "small"}
        for ax in (loss_ax, self.gradient_ax):
            ax.set(xlim=(-0.02, 1.02), xlabel="prediction $y$")
            ax.legend(loc="upper center", **legend)
        (self.loss_line,) = loss_ax.plot([], [], linewidth=2.5)
        (self.gradient_line,) = self.gradient_ax.plot([], [], linewidth=2.5)
        # each mark: a stem from 0 (the bottom, on a log axis) up to a marker at the value
        style = dict(markevery=[1], color="0.4", linewidth=0.8, markersize=8, mec="black", clip_on=False)
        for name, panel in (("s", "s"), ("s_prime", "s"), ("loss", "loss"), ("gradient", "gradient")):
            (self.marks[name],) = self.axes[panel].plot([], [], "-o", mfc=COLOURS.get(name), **style)
        # under each static title, a line of numbers following the controls
        for name, ax in self.axes.items():
            ax.grid(True, alpha=0.3)
            at_title = {"transform": ax.title.get_transform(), "fontsize": ax.title.get_fontsize()}
            self.numbers[name] = ax.text(0.5, 1, "", ha="center", va="baseline", **at_title)
        self.dynamic = [self.loss_line, self.gradient_line, *self.marks.values(), *self.numbers.values()]

    def background(self, state):
        return state.scale

    def draw(self, state):
        (ys, losses, gradients), log = self.curves[state.label], state.scale == "log"
        if state.scale != self.key:  # the gradient's axis: its values, or their size on a log scale
            self.key, bars = state.scale, "|" * log
            for label, line in self.gradient_lines.items():
                line.set_data(ys, np.abs(self.curves[label][2]) if log else self.curves[label][2])
            # limits set before a log scale and after a linear one: a log axis has no room for (-12, 12)
            linear = {"yscale": "linear", "ylim": (-LINEAR_LIMIT, LINEAR_LIMIT)}
            self.gradient_ax.set(**({"ylim": LOG_LIMITS, "yscale": "log"} if log else linear))
            ylabel = rf"${bars}\partial E/\partial y{bars}${' (log scale)' * log}"
            self.gradient_ax.set(ylabel=ylabel, title=f"its derivative ({state.scale} axis)\n ")
        colour, loss = CLASS_COLOURS[state.label], min(state.loss, LOSS_TOP)
        gradient = abs(state.gradient) if log else float(np.clip(state.gradient, -LINEAR_LIMIT, LINEAR_LIMIT))
        self.loss_line.set(data=(ys, losses), color=colour)
        self.gradient_line.set(data=(ys, np.abs(gradients) if log else gradients), color=colour)
        x, y = [state.x] * 2, [state.y] * 2
        self.marks["s"].set_data(x, [0, state.s])
        self.marks["s_prime"].set_data(x, [0, state.s_prime])
        self.marks["loss"].set(data=(y, [0, loss]), mfc=colour)
        self.marks["gradient"].set(data=(y, [LOG_LIMITS[0] if log else 0, gradient]), mfc=colour)
        off, (s, s_prime, g) = "  (off the scale)", (state.s, state.s_prime, state.gradient)
        self.numbers["s"].set_text(f"x = {state.x:.1f}: s = {s:.4f},  s' = s(1 - s) = {s_prime:.4f}")
        self.numbers["loss"].set_text(f"y = {state.y:.2f}: E = {state.loss:.4g}{off * (state.loss > loss)}")
        self.numbers["gradient"].set_text(f"dE/dy = {g:.4g}{off * (abs(gradient) != abs(g))}")


class LossCurves(InteractiveFigure):
    """Sigmoid, binary cross-entropy and their derivatives, each with a marker at the chosen point.

    x: where the sigmoid is marked, in X_RANGE; label: the true label y*, 0 or 1; y: the prediction marked
    on the loss, in [0, 1] (0 and 1 included: the original code's clip then shows); scale: "linear" for
    dE/dy on a linear axis, or "log" for its size |dE/dy| on a log axis (its sign is the label's).
    ``state`` is the ``CurvePoints`` shown.
    """

    def __init__(self, x: float = 2.0, label: int = 1, y: float = 0.3, scale: str = "linear"):
        curve_points(x, label, y, scale)  # refuses bad values before any control is made
        super().__init__(figsize=(13, 4.3), presentation_figsize=(11, 7.6), view_class=LossCurvesView)
        wide = {"layout": widgets.Layout(width="420px"), "style": {"description_width": "initial"}}
        self.x_slider = widgets.FloatSlider(
            x, min=X_RANGE[0], max=X_RANGE[1], step=0.1, description="x", readout_format=".1f", **wide
        )
        self.y_slider = widgets.FloatSlider(y, min=0, max=1, step=0.01, description="prediction y", **wide)
        labels = [("y* = 0", 0), ("y* = 1", 1)]
        self.label_buttons = widgets.ToggleButtons(options=labels, value=label, description="true label")
        self.scale_buttons = widgets.ToggleButtons(options=SCALES, value=scale, description="dE/dy axis")
        self.label_buttons.style = self.scale_buttons.style = INLINE
        self.show_controls(self.x_slider, [self.y_slider, self.label_buttons], self.scale_buttons)
        self.watch(self.x_slider, self.label_buttons, self.y_slider, self.scale_buttons)
        self.refresh()

    def compute(self) -> CurvePoints:
        controls = (self.x_slider, self.label_buttons, self.y_slider, self.scale_buttons)
        state = curve_points(*(control.value for control in controls))
        self.say(_clip_note(state))
        return state


def _clip_note(state: CurvePoints) -> str:
    """What the clip did, when y is exactly 0 or 1; empty otherwise."""
    if not state.clipped:
        return ""
    y = int(state.y)
    when = "s(x) rounds to 1 for x > 36.7" if y == 1 else "s(x) is 0 for x below about -709"
    kept = f"{EPSILON:g}" if y == 0 else f"1 - {EPSILON:g}"
    if y == state.label:
        without = "the term that should vanish is 0 · log 0 = 0 · (-inf) = NaN, and dE/dy has 0/0 = NaN"
        outcome = f"E = {state.loss:.2g}, almost 0, and dE/dy = {state.gradient:.4g}"
    else:
        without = "E = -log 0 = inf, and dE/dy divides by 0"
        outcome = f"E = -log(1e-15) = {state.loss:.4g} and dE/dy = {state.gradient:.3g}"
    clip = f"cnnlib, like the original code, clips y to {kept}"
    return f"y = {y} exactly ({when} in float64). Without a clip, {without}. {clip}: {outcome}."


def _is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and bool(np.isfinite(value))
