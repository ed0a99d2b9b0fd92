"""Notebook 05: the relative error of a central-difference gradient check over its step h, log-log.

``StepSize`` draws the curves of ``cnnlib.gradcheck``'s problems (``FUNCTIONS``) in float64 and float32,
with a slider for h, a menu for the function and a toggle for the dtype.
"""

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnnlib import gradcheck
from cnnlib.gradcheck import DTYPES, FUNCTIONS, STEPS, best_step, make_problem, relative_error
from cnnlib.plotting import EARLIER_RUN, cell_fontsize
from cnnlib.widgets.base import INLINE, InteractiveFigure, View

FLOOR = 1e-17  # a relative error of exactly 0 is drawn here (a log axis has no 0)
COLOURS = {"float64": "#1f77b4", "float32": "#d95f02"}
LINEAR_BELOW = 1e-8  # a fitted truncation constant this small means: no curvature, no truncation error
# the numbers beside the plot that h leaves alone; those it changes are written over the blank lines
NUMBERS = """


dE/dx at the first inputs
analytic
{analytic}

best on the curve {best_error:.1e}
           at h = {best_h:.1e}

ε^(1/3) = {third:.0e}
ε^(2/3) = {two_thirds:.0e}{linear}"""


@dataclass
class StepSizeCheck:
    """A central-difference check at step h, beside its curves: dtype name -> errors over STEPS.

    numeric: dE/dX at h in ``dtype``, shaped like problem.x; error: its relative error; best_h, best_error:
    the minimum of ``dtype``'s curve; truncation: c in c h^2, fitted on float64 at h = 0.01 (no round-off
    there); epsilon: ``dtype``'s machine epsilon; unmoved: how many inputs x + h leaves unchanged.
    """

    problem: gradcheck.GradientProblem
    dtype: str
    h: float
    curves: dict
    numeric: np.ndarray
    error: float
    best_h: float
    best_error: float
    truncation: float
    epsilon: float
    unmoved: int

    @property
    def linear(self) -> bool:
        """No curvature, so no truncation error: only round-off is left."""
        return self.truncation < LINEAR_BELOW


def step_size_check(problem: gradcheck.GradientProblem, dtype: str, h: float, curves: dict | None = None):
    """The check of ``problem`` in ``dtype`` at step h; ``curves`` are computed unless given."""
    curves = curves or {name: problem.errors(name) for name in DTYPES}
    numeric, (best_h, best_error) = problem.numerical(dtype, h), best_step(STEPS, curves[dtype])
    error = relative_error(problem.analytic, numeric.astype(np.float64))
    truncation = float(curves["float64"][np.argmin(np.abs(STEPS - 1e-2))] / 1e-4)
    epsilon, unmoved = float(np.finfo(DTYPES[dtype]).eps), problem.unmoved(dtype, h)
    found = (numeric, error, best_h, best_error, truncation, epsilon, unmoved)
    return StepSizeCheck(problem, dtype, h, curves, *found)


class StepSizeView(View):
    """The error curves with their guides c h^2 and eps/h, and the numbers at h beside them."""

    def __init__(self, figure, state: StepSizeCheck, presenting: bool = False):
        super().__init__(figure, state, presenting)
        self.ax, text_ax = figure.subplots(1, 2, width_ratios=[2.2, 1])
        plot, self.key = self.ax.loglog, None
        (self.other_line,) = plot([], [], "--", color=EARLIER_RUN, linewidth=1.2)
        (self.line,) = plot([], [], "-", linewidth=2)
        (self.truncation_guide,) = plot(STEPS, STEPS, ":", color="0.25", linewidth=1.3)
        (self.round_off_guide,) = plot(STEPS, STEPS, "-.", color="0.55", linewidth=1.2)
        (self.best_marker,) = plot([], [], "*", color="gold", markersize=16, markeredgecolor="black")
        style = {"color": "black", "markersize": 9, "markerfacecolor": "white", "markeredgewidth": 2}
        (self.marker,) = plot([], [], "o", label="h on the slider", **style)
        self.ax.set(xlim=(STEPS[0] / 2, STEPS[-1] * 2), ylim=(FLOOR / 3, 5), xlabel="step h (log scale)")
        self.ax.set(ylabel="relative error of the numerical gradient")
        self.ax.grid(True, which="major", alpha=0.3)
        text_ax.axis("off")
        style = dict(va="top", family="monospace", fontsize=cell_fontsize(), transform=text_ax.transAxes)
        self.numbers, self.at_h, self.numerical = (text_ax.text(x, 1, "", **style) for x in (0, 0, 0.52))
        self.dynamic = [self.marker, self.at_h, self.numerical]

    def background(self, state):
        return state.problem.name, state.dtype

    def draw(self, state):
        if self.background(state) != self.key:  # the curves, guides and legend of a function and dtype
            self.key, other = self.background(state), "float32" if state.dtype == "float64" else "float64"
            curve, compared = (np.maximum(state.curves[name], FLOOR) for name in (state.dtype, other))
            label = f"{state.dtype}: relative error"
            self.line.set(data=(STEPS, curve), color=COLOURS[state.dtype], label=label)
            self.other_line.set(data=(STEPS, compared), label=f"{other}, for comparison")
            truncation, c = f"truncation ≈ c·h², c = {state.truncation:.2g}", state.truncation
            self.truncation_guide.set(ydata=c * STEPS**2, label=truncation, visible=not state.linear)
            round_off = f"round-off ≈ ε/h, ε = {state.epsilon:.1e}"
            self.round_off_guide.set(ydata=state.epsilon / STEPS, label=round_off)
            best = f"best h on the curve: {state.best_h:.1e}"
            self.best_marker.set(data=([state.best_h], [max(state.best_error, FLOOR)]), label=best)
            guides = [self.round_off_guide] if state.linear else [self.truncation_guide, self.round_off_guide]
            handles = [self.line, self.other_line, *guides, self.best_marker, self.marker]
            self.ax.legend(handles=handles, loc="lower left", framealpha=0.9, fontsize="small")
            self.ax.set_title(f"{state.problem.name}\ncentral differences in {state.dtype}")
            analytic = "\n".join(f"{a: .10f}" for a in state.problem.analytic.ravel()[:4])
            linear = "\n(linear: no h² term)" if state.linear else ""
            powers = {"third": state.epsilon ** (1 / 3), "two_thirds": state.epsilon ** (2 / 3)}
            self.numbers.set_text(NUMBERS.format(**vars(state), analytic=analytic, linear=linear, **powers))
        self.at_h.set_text(f"h = {state.h:.1e}\nrelative error {state.error:.1e}")
        numeric = "\n".join(f"{n: .10f}" for n in state.numeric.ravel()[:4].astype(np.float64))
        self.numerical.set_text("\n" * 4 + "numerical\n" + numeric)  # a column beside the analytic one
        self.marker.set_data([state.h], [max(state.error, FLOOR)])


class StepSize(InteractiveFigure):
    """The relative error of a central-difference gradient check over the step h, log-log.

    function: a name in FUNCTIONS; dtype: "float64" or "float32"; h: the step marked at first,
    between 1e-12 and 1. ``state`` is the ``StepSizeCheck`` shown.
    """

    def __init__(self, function: str = "sigmoid at 8 points in [-3, 3]", dtype="float64", h: float = 1e-5):
        if not (isinstance(h, int | float) and STEPS[0] <= h <= STEPS[-1]):
            raise ValueError(f"h must be a number between {STEPS[0]:g} and {STEPS[-1]:g}, got {h!r}")
        self.problems = {}  # function name -> the problem and its curves, computed once
        self.check(function, dtype, h)  # refuses an unknown function or dtype, before any control is made
        super().__init__(figsize=(10.5, 4.4), presentation_figsize=(11, 6), view_class=StepSizeView)
        self.function = widgets.Dropdown(options=list(FUNCTIONS), value=function, description="function")
        self.function.layout.width = "460px"
        self.dtype = widgets.ToggleButtons(options=list(DTYPES), value=dtype, description="dtype")
        self.dtype.style = INLINE
        self.slider = widgets.FloatLogSlider(value=h, min=-12, max=0, step=0.25, description="step h")
        self.slider.readout_format, self.slider.layout.width = ".1e", "520px"
        self.show_controls([self.function, self.dtype], self.slider)
        self.watch(self.function, self.dtype, self.slider)
        self.refresh()

    def check(self, function: str, dtype: str, h: float) -> StepSizeCheck:
        """The state for these values; each function's problem and curves are computed once."""
        if function not in self.problems:
            problem = make_problem(function)
            self.problems[function] = problem, {name: problem.errors(name) for name in DTYPES}
        problem, curves = self.problems[function]
        return step_size_check(problem, dtype, h, curves)

    def compute(self) -> StepSizeCheck:
        state = self.check(self.function.value, self.dtype.value, self.slider.value)
        self.say(_note(state))
        return state


def _note(state: StepSizeCheck) -> str:
    """Why the numerical gradient is 0 (a step too small for the dtype), or why a linear curve has no V."""
    every, size = state.unmoved == state.problem.x.size, state.problem.x.size
    if state.unmoved:
        return (
            f"h = {state.h:.1e} is too small for {state.dtype} at "
            f"{'every input' if every else f'{state.unmoved} of the {size} inputs'}: x + h rounds back to x, "
            f"so f(x + h) - f(x - h) is exactly 0 there and so is the numerical gradient"
            f"{' (relative error 1)' if every else ''}."
        )
    if state.linear:
        return (
            "A linear function has no curvature, so the central difference has no truncation error: "
            "only round-off is left, and the larger h, the smaller it is."
        )
    return ""
