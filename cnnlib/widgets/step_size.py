"""Notebook 05: the step h of a gradient check, and why float32 cannot be checked as finely as float64.

A central difference ``(f(x + h) - f(x - h)) / 2h`` errs in two ways. **Truncation**: Taylor's
series leaves out a term of about ``f''' h^2 / 6``, so a large h errs like ``h^2``. **Round-off**:
f's values carry a relative error of about eps (the dtype's machine epsilon); subtracting two
close values keeps that absolute error and dividing by 2h magnifies it, so a small h errs like
``eps / h``. The best h sits between, near ``eps^(1/3)``.

``GradientProblem`` is a small function with its exact gradient; ``errors(dtype, hs)`` gives the
relative error of central differences over many steps. ``StepSize`` plots that curve (log-log)
with a slider for h and a toggle for the dtype.
"""

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnnlib.activations import Sigmoid
from cnnlib.gradcheck import numerical_gradient, relative_error
from cnnlib.layers import Dense, Layer
from cnnlib.network import predict
from cnnlib.widgets.base import FigureWidget

SEED = 5
DTYPES = {"float64": np.float64, "float32": np.float32}
EXPONENTS = np.arange(-12, 0.01, 0.25)  # h from 1e-12 to 1, four steps a decade: the slider's stops
STEPS = 10.0**EXPONENTS
FLOOR = 1e-17  # a relative error of exactly 0 is drawn here (a log axis has no 0)
COLOURS = {"float64": "#1f77b4", "float32": "#d95f02"}
LINEAR_BELOW = 1e-8  # a fitted truncation constant this small means: no curvature, no truncation error


def _sigmoid_points(rng):
    return [Sigmoid()], np.linspace(-3, 3, 8).reshape(8, 1)


def _dense_sigmoid(rng):
    return [Dense(4, 3, rng=rng), Sigmoid()], rng.standard_normal((4, 1))


def _two_layers(rng):
    return [Dense(4, 3, rng=rng), Sigmoid(), Dense(3, 2, rng=rng), Sigmoid()], rng.standard_normal((4, 1))


def _dense(rng):
    return [Dense(4, 3, rng=rng)], rng.standard_normal((4, 1))


# name: builder(rng) -> (layers, x); each is checked for dE/dX with E = sum(R * output), R random
FUNCTIONS: dict[str, Callable] = {
    "sigmoid at 8 points in [-3, 3]": _sigmoid_points,
    "Dense(4, 3) → Sigmoid": _dense_sigmoid,
    "Dense(4, 3) → Sigmoid → Dense(3, 2) → Sigmoid": _two_layers,
    "Dense(4, 3) alone (linear)": _dense,
}


def _cast(network: Sequence[Layer], dtype) -> list[Layer]:
    """A copy of the layers with every parameter in ``dtype`` (cnnlib names attributes as parameters)."""
    network = copy.deepcopy(list(network))
    for layer in network:
        for name, parameter in layer.parameters().items():
            setattr(layer, name, parameter.astype(dtype))
    return network


@dataclass
class GradientProblem:
    """A function E(x) = sum(R * network(x)) and its exact gradient dE/dX, to test central differences on.

    network: the layers, float64; x: (inputs, 1) float64; upstream: R, shaped like the output;
    analytic: dE/dX from the layers' own ``gradients``, computed in float64 (shape of x).
    """

    name: str
    network: list
    x: np.ndarray
    upstream: np.ndarray
    analytic: np.ndarray

    def numerical(self, dtype, h: float) -> np.ndarray:
        """dE/dX by central differences with step h, every array (and so every operation) in ``dtype``."""
        return self.numerical_all(dtype, [h])[0]

    def numerical_all(self, dtype, hs: Sequence[float]) -> list[np.ndarray]:
        """The numerical gradient for each step in ``hs``; the network is cast once."""
        dtype = _dtype(dtype)
        network, x, upstream = _cast(self.network, dtype), self.x.astype(dtype), self.upstream.astype(dtype)
        return [numerical_gradient(lambda: np.sum(upstream * predict(network, x)), x, float(h)) for h in hs]

    def errors(self, dtype, hs: Sequence[float] = STEPS) -> np.ndarray:
        """Relative error |a - n| / (|a| + |n|) of the central difference at each step h: shape (len(hs),).

        Where x + h rounds back to x for every input, the difference is exactly 0 and so is the
        numerical gradient: the relative error is then 1 (never NaN).
        """
        return np.array(
            [
                relative_error(self.analytic, numeric.astype(np.float64))
                for numeric in self.numerical_all(dtype, hs)
            ]
        )

    def unmoved(self, dtype, h: float) -> int:
        """How many inputs x + h leaves unchanged in ``dtype``: too small a step to register."""
        x = self.x.astype(_dtype(dtype))
        return int(np.sum(x + float(h) == x))


def make_problem(name: str) -> GradientProblem:
    """The problem named ``name`` in FUNCTIONS, built from a fixed seed: the same numbers every time."""
    if name not in FUNCTIONS:
        raise ValueError(f"function must be one of {list(FUNCTIONS)}, got {name!r}")
    rng = np.random.default_rng(SEED)
    network, x = FUNCTIONS[name](rng)
    upstream = rng.standard_normal(np.shape(predict(network, x)))
    gradient = upstream
    for layer in reversed(network):  # forward has just run: each layer holds its input
        gradient, _ = layer.gradients(gradient)
    return GradientProblem(name, network, x, upstream, gradient)


def best_step(hs: Sequence[float], errors: Sequence[float]) -> tuple[float, float]:
    """The step with the smallest error on the curve, and that error."""
    index = int(np.argmin(errors))
    return float(hs[index]), float(errors[index])


def _dtype(dtype):
    if isinstance(dtype, str):
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}")
        return DTYPES[dtype]
    if np.dtype(dtype) not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype must be float64 or float32, got {np.dtype(dtype)}")
    return np.dtype(dtype).type


class StepSize(FigureWidget):
    """The relative error of a central-difference gradient check over the step h, log-log.

    function: a name in FUNCTIONS; dtype: "float64" or "float32"; h: the step marked at first,
    between 1e-12 and 1. State after each update: ``problem``, ``curves`` (dtype name -> errors over
    ``hs``), ``h``, ``numeric`` (the gradient at h), ``error`` (its relative error), ``best_h`` and
    ``best_error`` (the curve's minimum for the chosen dtype), ``truncation_constant`` (c in c h^2).
    """

    def __init__(
        self, function: str = "sigmoid at 8 points in [-3, 3]", dtype: str = "float64", h: float = 1e-5
    ):
        if function not in FUNCTIONS:
            raise ValueError(f"function must be one of {list(FUNCTIONS)}, got {function!r}")
        if dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {list(DTYPES)}, got {dtype!r}")
        if not (isinstance(h, (int, float)) and STEPS[0] <= h <= STEPS[-1]):
            raise ValueError(f"h must be a number between {STEPS[0]:g} and {STEPS[-1]:g}, got {h!r}")
        super().__init__(figsize=(10.5, 4.4))
        self.hs = STEPS
        self._cache: dict[tuple[str, str], np.ndarray] = {}
        self.function = widgets.Dropdown(
            options=list(FUNCTIONS),
            value=function,
            description="function",
            layout=widgets.Layout(width="460px"),
        )
        self.dtype = widgets.ToggleButtons(
            options=list(DTYPES),
            value=dtype,
            description="dtype",
            style={"description_width": "initial", "button_width": "90px"},
        )
        self.slider = widgets.FloatLogSlider(
            value=h,
            base=10,
            min=EXPONENTS[0],
            max=EXPONENTS[-1],
            step=0.25,
            description="step h",
            readout_format=".1e",
            continuous_update=True,
            layout=widgets.Layout(width="520px"),
        )
        self._build_figure()
        for control in (self.function, self.dtype, self.slider):
            control.observe(self.update, names="value")
        self.widget = widgets.VBox(
            [widgets.HBox([self.function, self.dtype]), self.slider, self.message, self.image]
        )
        self.update()  # laid out once (constrained), then frozen: moving the slider only redraws the data
        self.figure.set_layout_engine("none")

    def curve(self, function: str, dtype: str) -> np.ndarray:
        """The errors over ``hs`` for a function and dtype, computed once and kept."""
        key = (function, dtype)
        if key not in self._cache:
            problem = self.problem if self.problem.name == function else make_problem(function)
            self._cache[key] = problem.errors(dtype, self.hs)
        return self._cache[key]

    def _build_figure(self):
        self.problem = make_problem(self.function.value)
        self.ax, self.text_ax = self.figure.subplots(1, 2, width_ratios=[2.3, 1])
        ax = self.ax
        (self.other_line,) = ax.loglog([], [], "--", color="0.6", linewidth=1.2)
        (self.line,) = ax.loglog([], [], "-", linewidth=2)
        (self.truncation_guide,) = ax.loglog([], [], ":", color="0.25", linewidth=1.3)
        (self.round_off_guide,) = ax.loglog([], [], "-.", color="0.55", linewidth=1.2)
        (self.best_marker,) = ax.loglog(
            [], [], "*", color="gold", markersize=16, markeredgecolor="black", zorder=4
        )
        (self.marker,) = ax.loglog(
            [], [], "o", color="black", markersize=9, markerfacecolor="white", markeredgewidth=2, zorder=5
        )
        ax.set_xlim(10 ** (EXPONENTS[0] - 0.3), 10 ** (EXPONENTS[-1] + 0.3))
        ax.set_ylim(FLOOR / 3, 5)
        ax.set_xlabel("step h (log scale)")
        ax.set_ylabel("relative error of the numerical gradient")
        ax.grid(True, which="major", alpha=0.3)
        self.text_ax.axis("off")
        self.text = self.text_ax.text(
            0, 1, "", va="top", ha="left", family="monospace", fontsize=9, transform=self.text_ax.transAxes
        )

    def update(self, change=None):
        if change is not None and change["owner"] is self.function:
            self.problem = make_problem(self.function.value)
        name, dtype, other = (
            self.function.value,
            self.dtype.value,
            "float32" if self.dtype.value == "float64" else "float64",
        )
        self.h = float(self.slider.value)
        self.curves = {key: self.curve(name, key) for key in DTYPES}
        self.numeric = self.problem.numerical(dtype, self.h)
        self.error = relative_error(self.problem.analytic, self.numeric.astype(np.float64))
        self.best_h, self.best_error = best_step(self.hs, self.curves[dtype])
        # c in c h^2, fitted where float64's round-off is negligible: c h^2 at h = 0.01
        self.truncation_constant = float(self.curves["float64"][np.argmin(np.abs(EXPONENTS + 2))] / 1e-4)
        self.epsilon = float(np.finfo(DTYPES[dtype]).eps)

        drawn = lambda errors: np.maximum(errors, FLOOR)  # noqa: E731 (0 cannot sit on a log axis)
        self.line.set_data(self.hs, drawn(self.curves[dtype]))
        self.line.set_color(COLOURS[dtype])
        self.line.set_label(f"{dtype}: relative error")
        self.other_line.set_data(self.hs, drawn(self.curves[other]))
        self.other_line.set_label(f"{other}, for comparison")
        linear = self.truncation_constant < LINEAR_BELOW
        self.truncation_guide.set_data(self.hs, self.truncation_constant * self.hs**2)
        self.truncation_guide.set_visible(not linear)
        self.truncation_guide.set_label(f"truncation ≈ c·h², c = {self.truncation_constant:.2g}")
        self.round_off_guide.set_data(self.hs, self.epsilon / self.hs)
        self.round_off_guide.set_label(f"round-off ≈ ε/h, ε = {self.epsilon:.1e}")
        self.best_marker.set_data([self.best_h], [max(self.best_error, FLOOR)])
        self.best_marker.set_label(f"best h on the curve: {self.best_h:.1e}")
        self.marker.set_data([self.h], [max(self.error, FLOOR)])
        self.marker.set_label(f"h = {self.h:.1e} (slider)")
        handles = [self.line, self.other_line, self.round_off_guide, self.best_marker, self.marker]
        if not linear:
            handles.insert(2, self.truncation_guide)
        self.ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
        self.ax.set_title(
            f"{name}\ncentral differences in {dtype}: h = {self.h:.1e} gives error {self.error:.1e}"
        )
        self.text.set_text(self._numbers_text(dtype, linear))

        unmoved, size = self.problem.unmoved(dtype, self.h), self.problem.x.size
        if unmoved:
            which = "every input" if unmoved == size else f"{unmoved} of the {size} inputs"
            self.say(
                f"h = {self.h:.1e} is too small for {dtype} at {which}: x + h rounds back to x, "
                f"so f(x + h) - f(x - h) is exactly 0 there and so is the numerical gradient"
                + (" (relative error 1)." if unmoved == size else ".")
            )
        elif linear:
            self.say(
                "A linear function has no curvature, so the central difference has no truncation error: "
                "only round-off is left, and the larger h, the smaller it is."
            )
        else:
            self.say("")
        self.show_figure()

    def _numbers_text(self, dtype, linear):
        analytic, numeric = self.problem.analytic.ravel(), self.numeric.ravel().astype(np.float64)
        rows = [
            f"{dtype}, h = {self.h:.1e}",
            "",
            "dE/dx for the first inputs:",
            f"{'analytic':>14} {'numerical':>14}",
        ]
        rows += [f"{a:14.10f} {n:14.10f}" for a, n in zip(analytic[:4], numeric[:4])]
        rows += [
            "",
            f"relative error  {self.error:.1e}",
            f"best on curve   {self.best_error:.1e}",
            f"   at h =       {self.best_h:.1e}",
            "",
            f"ε^(1/3) = {self.epsilon ** (1 / 3):.0e}",
            f"ε^(2/3) = {self.epsilon ** (2 / 3):.0e}",
        ]
        if linear:
            rows.append("(linear: no h² term)")
        return "\n".join(rows)
