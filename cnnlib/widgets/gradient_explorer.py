"""Explore the gradients of one kernel: what each output touches, and the sums behind dE/dK and dE/dX.

Used in notebook 04. ``GradientExplorer(x, kernel, output_gradient)`` shown as the last expression
of a cell gives three modes, each with its own pair of sliders and its own state class, which writes
out its sum: ``OutputPick`` (y[m, n]), ``KernelPick`` (dE/dk[p, q]) and ``InputPick`` (dE/dx[r, c]).
Each sum is an array laid on another at the element picked, multiplied cell by cell and added, as in
notebook 01; each value is shown beside a central difference for that one element and their agreement.
"""

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import ipywidgets as widgets
import numpy as np
from scipy import signal

from cnnlib import plotting
from cnnlib.correlation import correlate2d, pad_full, rotate180
from cnnlib.gradcheck import numerical_gradient, relative_error
from cnnlib.plotting import cell_fontsize, format_value, hatch, ink, show_array
from cnnlib.widgets.base import InteractiveFigure, View
from cnnlib.widgets.inputs import as_grid

MODES = {
    "output": "output y[m, n]: what it touches",
    "kernel": "kernel weight k[p, q]: ∂E/∂k",
    "input": "input x[r, c]: ∂E/∂x",
}
HELP = {
    "output": "Pick an output y[m, n]: its window on X (orange labels: the weight each input meets), "
    "the products, their sum, and the derivative of y[m, n] with respect to every input.",
    "kernel": "Pick a weight k[p, q]: it is used at every output, so ∂E/∂Y lies on X with its corner on "
    "(p, q); multiply and add to get ∂E/∂k[p, q], one entry of X ⋆ ∂E/∂Y.",
    "input": "Pick an input x[r, c]: the outputs whose window covers it (dashed), each times the weight that "
    "connected them: the kernel rotated 180° over ∂E/∂Y padded with zeros, one entry of ∂E/∂Y *full K.",
}
AGREE = 1e-6  # relative error below which the formula and the central difference agree
H = 1e-5  # the central difference's step
MAX_SIDE = 8  # the largest input this widget takes: every sum stays readable, every index one digit
# What is written in an array's cells, by its larger side; on a projector (True) letters are larger.
NAME_UP_TO = {False: 4, True: 3}  # the products and the kernels get names (x₁₂·k₀₁) above their values
PARTNER_UP_TO = {False: 8, True: 5}  # the array under the sliding one gets its partners' names (×k₀₁)
VALUES_UP_TO = 10  # every array gets its values (G padded reaches 15)
TERMS_IN_FIGURE = {False: 9, True: 6}  # a sum with more terms is summarised in the figure...
TERMS_IN_TEXT = 30  # ... and beyond this many, in the text below it too


class Example:
    """``GradientExplorer``'s arrays, checked, and the arrays the formulas give, computed once.

    The loss behind the checks is E = sum(G * Y) with Y = bias + X ⋆ K, so that dE/dY is exactly G.
    """

    def __init__(self, x, kernel, output_gradient, bias=None):
        self.x, self.kernel = as_grid(x, "x", MAX_SIDE), as_grid(kernel, "kernel")
        (h, w), (kh, kw) = self.x.shape, self.kernel.shape
        if kh > h or kw > w:
            raise ValueError(
                f"the kernel must fit inside x: its shape {(kh, kw)} is larger than x's {(h, w)}"
            )
        out, rule = (h - kh + 1, w - kw + 1), f" = ({h} - {kh} + 1, {w} - {kw} + 1)"
        self.output_gradient = as_grid(output_gradient, "output_gradient")
        self.bias = np.zeros(out) if bias is None else as_grid(bias, "bias")
        checks = [("output_gradient (dE/dY)", self.output_gradient, rule), ("bias", self.bias, "")]
        for name, array, why in checks:
            if array.shape != out:
                raise ValueError(f"{name} must have the output's shape {out}{why}, got {array.shape}")
        self.output = self.bias + correlate2d(self.x, self.kernel)  # Y = B + X ⋆ K
        self.kernel_gradient = correlate2d(self.x, self.output_gradient)  # dE/dK = X ⋆ G
        self.padded_gradient = pad_full(self.output_gradient, self.kernel.shape)
        self.input_gradient = correlate2d(self.padded_gradient, rotate180(self.kernel))  # G *full K

    def forward(self, x, kernel) -> np.ndarray:
        """Y = B + X ⋆ K by SciPy, not by the sums: the checks share no code with the formulas."""
        return self.bias + signal.correlate2d(x, kernel, "valid")

    def loss(self, x, kernel) -> float:
        return float(np.sum(self.output_gradient * self.forward(x, kernel)))


class Panel(NamedTuple):
    """A panel's static array, title, colour limit (default: its largest value), each cell's name
    (row-major, written above its value) and its padding (a bool mask, the array's shape)."""

    key: str
    array: np.ndarray
    title: str = ""
    limit: float | None = None
    names: list | None = None
    hatched: np.ndarray | None = None


@dataclass
class Pick:
    """One element picked in a mode, and its sum: one array laid on another at (row, col), multiplied.

    terms: the sum's products as (name, value, name, value) in the formula's order, a name being
    (letter, i, j); products: (the sliding array's shape), 0 over padding; names: each product's
    factors ("x₁₂·k₀₁"), row-major; padding: (products' shape) bool, over padding; partners: labels
    ((row, col), "×k₀₁") on the array underneath, what each of its cells is multiplied by; inputs,
    weights, outputs: the (row, col) cells of X, K and G the sum involves; total: the sum (y[m, n]
    with its bias); value: what the formula gives (total, or dy[m, n]/dX); numeric: the same by central
    differences; result: the array of the last panel.
    """

    example: Example
    row: int
    col: int
    terms: list
    products: np.ndarray
    names: list
    padding: np.ndarray
    partners: list
    inputs: list
    weights: list
    outputs: list
    total: float
    value: float | np.ndarray
    numeric: float | np.ndarray
    result: np.ndarray

    # A mode, as data: the Example's array it picks in, that array's index letters and its own letter;
    # the panels of the array underneath and of the sliding one; whether the formula names the sliding
    # factor first; the letter of the result's cells; its texts, written with ``words()``.
    array: ClassVar[str]
    indices: ClassVar[str]
    under, over, over_first, result_letter = "input", "kernel", False, "x"
    dashed: ClassVar[dict] = {}  # panel -> (top, left, rows, cols) outlined with a dashed line
    TITLES: ClassVar[dict]  # panel -> its title, for the titles that change with the pick
    CLAIM: ClassVar[str]  # the figure's title: a claim about the pick, then CHECK, its gradient checked
    CHECK = "central difference {numeric}, relative error {error:.0e}: {verdict}"
    LEFT, LATEX = "∂E/∂{name} = ", r"\frac{{\partial E}}{{\partial {letter}_{{{r}{c}}}}} = "
    LEAD = ASIDE = ""  # output mode: the bias before the numbers, the forward pass after the sum

    @classmethod
    def at(cls, ex: Example, row: int, col: int) -> "Pick":
        """The pick of (row, col): the products and their names, the cells involved, the gradient."""
        under, under_name, over, over_name = cls.factors(ex)
        terms, names, partners = [], [], []
        for (a, b), value in np.ndenumerate(over):
            here, name = (row + a, col + b), over_name(a, b)
            factors = [(under_name(*here), float(under[here])), (name, float(value))]
            factors = factors[::-1] if cls.over_first else factors
            if under_name(*here):  # a zero of padding adds no term
                terms.append((*factors[0], *factors[1]))
            names.append("·".join(_name(*factor) if factor else "0" for factor, _ in factors))
            partners.append((here, "×" + _name(*name)))
        (kh, kw), named = over.shape, [name for term in terms for name in term[::2]]
        padding = np.reshape([under_name(row + a, col + b) is None for a, b in np.ndindex(kh, kw)], (kh, kw))
        products = under[row : row + kh, col : col + kw] * over
        cells = [sorted((i, j) for n, i, j in named if n == letter) or [(row, col)] for letter in "xkg"]
        gradient = cls.gradient(ex, row, col, float(products.sum()))
        return cls(ex, row, col, terms, products, names, padding, partners, *cells, *gradient)

    @classmethod
    def gradient(cls, ex: Example, row: int, col: int, total: float) -> tuple:
        """(total, value, numeric, result): dE/d(the element picked), checked by nudging it in the loss."""
        x, kernel = ex.x.copy(), ex.kernel.copy()
        element = {"x": x, "kernel": kernel}[cls.array][row : row + 1, col : col + 1]  # a view: nudged
        numeric = float(numerical_gradient(lambda: ex.loss(x, kernel), element, H)[0, 0])
        return total, total, numeric, {"x": ex.input_gradient, "kernel": ex.kernel_gradient}[cls.array]

    @property
    def error(self) -> float:
        return relative_error(np.asarray(self.value), np.asarray(self.numeric))

    @property
    def agree(self) -> bool:
        return self.error < AGREE

    @property
    def boxes(self) -> dict:
        """Panel -> (top, left, rows, cols) outlined in orange: the cells involved, the window."""
        cells = {"input": self.inputs, "kernel": self.weights, "middle": self.outputs}
        cells |= {"result": {"x": self.inputs, "k": self.weights}[self.result_letter]}
        cells[self.over] = [cell for cell, padding in np.ndenumerate(self.padding) if not padding]
        window = {self.under: (self.row, self.col, *self.products.shape)}
        return {key: _bounds(cells) for key, cells in cells.items()} | window

    def words(self) -> dict:
        """The values the texts are written with."""
        r, c, letter, n = self.row, self.col, self.indices[2], len(self.outputs)
        words = {"r": r, "c": c, "letter": letter, "name": _name(letter, r, c), "inputs": len(self.inputs)}
        words |= {"total": format_value(self.total, 4), "value": format_value(self.total, 6)}
        words |= {"error": self.error, "verdict": "agree ✓" if self.agree else "DISAGREE ✗"}
        numeric = format_value(self.numeric, 6) if np.ndim(self.numeric) == 0 else ""  # dy/dX is an array
        return words | {"numeric": numeric, "touched": f"{n} output{'s' if n > 1 else ''}"}

    def equation(self, most: int = TERMS_IN_FIGURE[False]) -> str:
        """The sum written out, as the figure shows it below the panels (summarised beyond ``most`` terms)."""
        body = " + ".join(f"{_name(*a)}·{_name(*b)}" for a, _, b, _ in self.terms)
        if len(self.terms) > most:
            body = f"(a sum of {len(self.terms)} products)"
        words = self.words()
        return self.LEFT.format(**words) + body + f" = {words['total']}" + self.ASIDE.format(**words)

    def formula(self) -> str:
        """The whole sum in LaTeX, symbols then numbers, for the text below the figure."""
        terms = self.terms if len(self.terms) <= TERMS_IN_TEXT else [*self.terms[:3], None, self.terms[-1]]
        symbols = " + ".join(rf"{_tex(*t[0])}\,{_tex(*t[2])}" if t else r"\cdots" for t in terms)
        numbers = " + ".join(
            f"({format_value(t[1])})({format_value(t[3])})" if t else r"\cdots" for t in terms
        )
        if len(terms) < len(self.terms):
            symbols += f" \\quad \\text{{({len(self.terms)} products)}}"
        left, lead = self.LATEX.format(**self.words()), self.LEAD.format(**self.words())
        return f"$$ {left}{symbols} $$ $$ = {lead}{numbers} = {format_value(self.total, 6)} $$"

    def operands(self) -> list[Panel]:
        """The panels of X and K, as output and kernel modes draw them."""
        x, k = self.example.x, self.example.kernel
        return [Panel("input", x, f"input X {_shape(x)}"), Panel("kernel", k, f"kernel K {_shape(k)}")]


@dataclass
class OutputPick(Pick):
    """y[m, n] = b[m, n] + sum_pq x[m+p, n+q] k[p, q]: K laid on X at (m, n); value: dy[m, n]/dX (h, w)."""

    array, indices = "output", "mny"
    TITLES = {"products": "window × K\nsum + b = {total}", "result": "∂y[{r},{c}]/∂X: K on the window"}
    CLAIM = "y[{r},{c}] touches the {inputs} inputs of its window, each through one weight of K."
    CHECK = "∂y[{r},{c}]/∂X by central differences: relative error {error:.0e}: {verdict}"
    LEFT, LATEX = "{name} = {bias_name} + ", "y_{{{r}{c}}} = b_{{{r}{c}}} + "
    LEAD, ASIDE = "{bias} + ", "   (forward pass: {forward})"

    @staticmethod
    def factors(ex: Example) -> tuple:
        """The array underneath and its cells' names, the sliding array and its cells' names."""
        return ex.x, lambda i, j: ("x", i, j), ex.kernel, lambda p, q: ("k", p, q)

    @classmethod
    def gradient(cls, ex, m, n, total):
        """(y[m, n], dy[m, n]/dX, the same by central differences, dy[m, n]/dX): K on the window."""
        x, (kh, kw) = ex.x.copy(), ex.kernel.shape
        derivative = np.zeros_like(x)
        derivative[m : m + kh, n : n + kw] = ex.kernel
        numeric = numerical_gradient(lambda: ex.forward(x, ex.kernel)[m, n], x, H)
        return total + float(ex.bias[m, n]), derivative, numeric, derivative

    def words(self):
        r, c, ex = self.row, self.col, self.example
        extra = {"bias_name": _name("b", r, c), "bias": format_value(ex.bias[r, c], 4)}
        return super().words() | extra | {"forward": format_value(ex.output[r, c], 4)}

    def panels(self) -> list[Panel]:
        ex, limit = self.example, float(np.abs(self.example.kernel).max()) or 1.0
        middle = Panel("middle", ex.output, "output Y = B + X ⋆ K")
        result = Panel("result", np.zeros_like(ex.x), limit=limit)  # K moves over it with the window
        return [*self.operands(), middle, _products_panel(ex.x, ex.kernel), result]


@dataclass
class KernelPick(Pick):
    """dE/dk[p, q] = sum_mn g[m, n] x[m+p, n+q]: G laid on X with its corner on (p, q)."""

    array, indices, over, over_first, result_letter = "kernel", "pqk", "middle", True, "k"
    TITLES = {"products": "G × its block of X\nsum = {total}"}
    CLAIM = "∂E/∂k[{r},{c}] = {value}: G laid on X at ({r}, {c}), multiply, sum."

    @staticmethod
    def factors(ex: Example) -> tuple:
        return ex.x, lambda i, j: ("x", i, j), ex.output_gradient, lambda m, n: ("g", m, n)

    def panels(self) -> list[Panel]:
        ex = self.example
        middle = Panel("middle", ex.output_gradient, "∂E/∂Y (call it G)")
        result = Panel("result", ex.kernel_gradient, "∂E/∂K = X ⋆ G")
        return [*self.operands(), middle, _products_panel(ex.x, ex.output_gradient), result]


@dataclass
class InputPick(Pick):
    """dE/dx[r, c] = sum over the outputs y[m, n] that x[r, c] touched of g[m, n] k[r-m, c-n]:
    K rotated 180° laid on G padded with k - 1 zeros, its corner on (r, c)."""

    array, indices, under, over = "x", "rcx", "middle", "rotated"
    TITLES = {"products": "window × rotated K\nsum = {total}"}
    CLAIM = "∂E/∂x[{r},{c}] = {value}: x[{r},{c}] touched {touched}."

    @staticmethod
    def factors(ex: Example) -> tuple:
        (kh, kw), (out_h, out_w) = ex.kernel.shape, ex.output_gradient.shape

        def g(i, j):  # a cell of padded G: g[m, n], or None on padding
            m, n = i - kh + 1, j - kw + 1
            return ("g", m, n) if 0 <= m < out_h and 0 <= n < out_w else None

        return ex.padded_gradient, g, rotate180(ex.kernel), lambda a, b: ("k", kh - 1 - a, kw - 1 - b)

    @property
    def dashed(self):
        """On padded G, the outputs x[r, c] touched: the window's cells that are not padding."""
        touched = [(self.row + a, self.col + b) for (a, b), pad in np.ndenumerate(self.padding) if not pad]
        return {"middle": _bounds(touched)}

    def panels(self) -> list[Panel]:
        ex, (kh, kw) = self.example, self.example.kernel.shape
        # each weight named in K and in K rotated (the names reversed), so that k₁₁ can be found in both
        names = [_name("k", *w) for w in np.ndindex(kh, kw)]
        padding = pad_full(np.ones_like(ex.output_gradient), (kh, kw)) == 0
        limit = float(np.abs(ex.output_gradient).max()) or 1.0
        return [
            self.operands()[0],
            Panel("kernel", ex.kernel, f"K {_shape(ex.kernel)}", names=names),
            Panel("rotated", rotate180(ex.kernel), "K rotated 180°", names=names[::-1]),
            Panel("middle", ex.padded_gradient, "G padded with k - 1 zeros", limit, hatched=padding),
            _products_panel(ex.padded_gradient, rotate180(ex.kernel)),
            Panel("result", ex.input_gradient, "∂E/∂X = G *full K"),
        ]


PICKS = {"output": OutputPick, "kernel": KernelPick, "input": InputPick}


class ModeView(View):
    """One mode's panels, in a row (two rows on a projector), on a subfigure of its own.

    The arrays are drawn once; a pick sets the products, the outlines, the partner labels, the
    result's outlined cells (drawn over its array: in output mode K moves over zeros) and the texts.
    """

    def __init__(self, figure, state: Pick, presenting: bool = False):
        super().__init__(figure, state, presenting)
        panels = state.panels()
        self.axes = dict(zip([panel.key for panel in panels], _subplots(figure, panels, presenting)))
        images = {panel.key: _draw_panel(self.axes[panel.key], panel, presenting) for panel in panels}
        ax, cells = self.axes["products"], list(np.ndindex(state.products.shape))
        self.products, self.pads = images["products"], hatch(ax, cells)
        center, size = {"ha": "center", "va": "center"}, max(cell_fontsize(), 15 - max(state.products.shape))
        self.product_texts = [ax.text(col, row, "", fontsize=size, **center) for row, col in cells]  # large
        spines = plotting.frame(ax)
        result, (_, _, rows, cols) = self.axes["result"], state.boxes["result"]
        limits = result.get_xlim(), result.get_ylim()
        self.overlay = result.imshow(np.zeros((rows, cols)), cmap=plotting.SIGNED_CMAP)
        self.overlay.set_clim(images["result"].get_clim())
        result.set(xlim=limits[0], ylim=limits[1])
        self.overlay_texts = [
            result.text(0, 0, "", fontsize=cell_fontsize(), **center) for _ in range(rows * cols)
        ]
        orange = {"linewidth": 3, "zorder": 5, "clip_on": False}
        self.boxes = {key: plotting.outline(self.axes[key], **orange) for key in state.boxes}
        dashed = {"edgecolor": "black", "linewidth": 1.5, "linestyle": "--", "zorder": 6, "clip_on": False}
        self.dashed = {key: plotting.outline(self.axes[key], **dashed) for key in state.dashed}
        room = max(images[state.under].get_array().shape) <= PARTNER_UP_TO[presenting]
        self.partners = plotting.partner_labels(self.axes[state.under], len(state.partners) * room)
        self.title, self.equation = figure.suptitle(" "), figure.supxlabel(" ")  # room kept by the layout
        titles = [self.axes[key].title for key in state.TITLES]
        self.dynamic = [self.products, *self.pads, *self.product_texts, *spines, self.overlay]
        self.dynamic += [*self.overlay_texts, *titles, *self.boxes.values(), *self.dashed.values()]
        self.dynamic += [*self.partners, self.title, self.equation]

    def draw(self, state: Pick):
        self.products.set_data(state.products)
        limit, named = self.products.get_clim()[1], max(state.products.shape) <= NAME_UP_TO[self.presenting]
        cells = zip(self.product_texts, self.pads, state.names, state.products.flat, state.padding.flat)
        for text, pad, name, value, padding in cells:
            label = f"{name}\n{format_value(value)}" if named else "" if padding else format_value(value)
            text.set(text=label, color=ink(value, limit))
            pad.set_visible(padding)
        top, left, rows, cols = state.boxes["result"]
        self.overlay.set_extent((left - 0.5, left + cols - 0.5, top + rows - 0.5, top - 0.5))
        for text, (row, col) in zip(self.overlay_texts, np.ndindex(rows, cols)):
            text.set_position((left + col, top + row))
        cells, limit = state.result[top : top + rows, left : left + cols], self.overlay.get_clim()[1]
        plotting.update_array(self.overlay, self.overlay_texts, cells, limit)
        for patches, bounds in [(self.boxes, state.boxes), (self.dashed, state.dashed)]:
            for key, patch in patches.items():
                top, left, rows, cols = bounds[key]
                patch.set_bounds(left - 0.5, top - 0.5, cols, rows)
        for text, ((row, col), name) in zip(self.partners, state.partners):
            text.set(position=(col - 0.44, row - 0.44), text=name)
        words = state.words()  # the titles that change, the claim and its check, filled in
        for key, title in state.TITLES.items():
            self.axes[key].set_title(title.format(**words))
        headline = [state.CLAIM.format(**words), state.CHECK.format(**words)]
        self.title.set_text(("\n" if self.presenting else "   ").join(headline))
        self.equation.set_text(state.equation(TERMS_IN_FIGURE[self.presenting]))


class GradientView(View):
    """Every mode's panels, laid out once on subfigures that overlap: the mode picked shows its own,
    so that a mode change draws the background again but needs no new layout."""

    layout_passes = 2  # the first pass leaves the tallest square panel a little too tall
    backgrounds_kept = len(PICKS)  # a mode shown before is restored, not drawn again

    def __init__(self, figure, state: Pick, presenting: bool = False):
        super().__init__(figure, state, presenting)
        place, self.modes = figure.add_gridspec(1, 1)[0], {}
        for kind in PICKS.values():  # each mode drawn once, so that the layout keeps room for its texts
            pick = kind.at(state.example, 0, 0)
            self.modes[kind] = ModeView(figure.add_subfigure(place), pick, presenting)
            self.modes[kind].draw(pick)

    def background(self, state):
        return type(state)

    def draw(self, state: Pick):
        self.mode = self.modes[type(state)]
        self.axes, self.dynamic = self.mode.axes, self.mode.dynamic  # the mode's, as the widget reads them
        for view in self.modes.values():
            view.figure.set_visible(view is self.mode)
        self.mode.draw(state)


class GradientExplorer(InteractiveFigure):
    """One input map, one kernel, one upstream gradient: pick an element, see its sum and its check.

    x: (h, w) at most MAX_SIDE a side; kernel: (kh, kw) with kh <= h and kw <= w; output_gradient
    dE/dY: (h - kh + 1, w - kw + 1); bias: the output's shape (default zeros); mode: a key of MODES.
    ``state`` is the ``Pick`` shown (an ``OutputPick``, ``KernelPick`` or ``InputPick``). Each mode
    has its own pair of sliders, ``sliders[mode]``; a hidden mode's pick waits for its mode.
    """

    def __init__(self, x, kernel, output_gradient, bias=None, mode="output"):
        super().__init__(figsize=(14, 4.3), presentation_figsize=(11.1, 8.4), view_class=GradientView)
        self.example = Example(x, kernel, output_gradient, bias)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")
        options = [(label, key) for key, label in MODES.items()]
        self.mode_buttons = widgets.ToggleButtons(options=options, value=mode, description="pick")
        self.mode_buttons.style.button_width = "230px"
        self.sliders, self.slider_rows = {}, {}
        for key, kind in PICKS.items():
            names = [f"row {kind.indices[0]}", f"column {kind.indices[1]}"]
            shape = getattr(self.example, kind.array).shape
            self.sliders[key] = [widgets.IntSlider(0, 0, n - 1, description=d) for n, d in zip(shape, names)]
            self.slider_rows[key] = widgets.HBox(self.sliders[key])
        # the first mode's sliders first: the visible slider is the first one a page (or a test) finds
        rows = [self.slider_rows[mode], *(row for key, row in self.slider_rows.items() if key != mode)]
        self.show_controls(self.mode_buttons, *rows)
        self.formula = widgets.HTMLMath()
        self.widget.children += (self.formula,)
        self.watch(*(slider for pair in self.sliders.values() for slider in pair), handler=self._on_slider)
        self.watch(self.mode_buttons, handler=self._on_mode)
        self._on_mode()

    def compute(self) -> Pick:
        mode = self.mode_buttons.value
        return PICKS[mode].at(self.example, *(slider.value for slider in self.sliders[mode]))

    def refresh(self):
        super().refresh()
        self.formula.value = self.state.formula()

    def _on_slider(self, change):
        if change["owner"] in self.sliders[self.mode_buttons.value]:  # a hidden mode's pick waits
            self.refresh()

    def _on_mode(self, change=None):
        for key, row in self.slider_rows.items():
            row.layout.display = "" if key == self.mode_buttons.value else "none"
        self.say(HELP[self.mode_buttons.value])
        self.refresh()


def _products_panel(array, sliding) -> Panel:
    """The products of ``sliding`` laid on ``array``: coloured up to the largest product of any pick."""
    products = np.lib.stride_tricks.sliding_window_view(array, sliding.shape) * sliding
    return Panel("products", np.zeros(sliding.shape), limit=float(np.abs(products).max()) or 1.0)


def _subplots(figure, panels: list[Panel], presenting: bool) -> list:
    """The panels' axes in a row (in two on a projector: the operands above, what they make below)."""
    widths = []
    for key, array, _, _, names, _ in panels:  # wide enough for titles, and for names in cells
        named = (key == "products" or names) and max(array.shape) <= NAME_UP_TO[presenting]
        least = {"products": 1.5 * array.shape[1] if named else 2.4, "result": 2.6}
        widths.append(max(array.shape[1], 0.6 * array.shape[0], least.get(key, 2.2 if named else 1.6)))
    if not presenting:
        return figure.subplots(1, len(panels), width_ratios=widths)
    heights = [max(panel.array.shape[0] for panel in part) + 2 for part in (panels[:-3], panels[-3:])]
    above, below = figure.subfigures(2, 1, height_ratios=heights)
    top = above.subplots(1, len(panels) - 3, width_ratios=widths[:-3])
    return [*top, *below.subplots(1, 3, width_ratios=widths[-3:])]


def _draw_panel(ax, panel: Panel, presenting: bool):
    """Draw a panel's array, its values (or names and values) written in, its padding hatched."""
    names = panel.names if max(panel.array.shape) <= NAME_UP_TO[presenting] else None
    values = names is None and max(panel.array.shape) <= VALUES_UP_TO and panel.key != "products"
    image = show_array(ax, panel.array, panel.title, annotate=values, limit=panel.limit)
    if panel.hatched is not None:  # padded G, as K rotated 180° slides over it
        ax.set_xlabel(f"column{chr(10) if presenting else '   '}(K rotated 180° slides over it)")
        hatch(ax, zip(*np.nonzero(panel.hatched)))
        for text in ax.texts:
            text.set_zorder(3)
    font = {"ha": "center", "va": "center", "fontsize": cell_fontsize()}
    for name, ((row, col), value) in zip(names or [], np.ndenumerate(panel.array)):
        ax.text(col, row, f"{name}\n{format_value(value)}", color=ink(value, image.get_clim()[1]), **font)
    return image


def _bounds(cells) -> tuple[int, int, int, int]:
    """(top, left, rows, cols) of the rectangle the (row, col) cells span."""
    (top, left), (bottom, right) = np.min(cells, axis=0), np.max(cells, axis=0)
    return int(top), int(left), int(bottom - top + 1), int(right - left + 1)


def _name(letter: str, i: int, j: int) -> str:
    """x₁₂: an element's name in plain text (every index has one digit: MAX_SIDE)."""
    return letter + "₀₁₂₃₄₅₆₇₈₉"[i] + "₀₁₂₃₄₅₆₇₈₉"[j]


def _tex(letter: str, i: int, j: int) -> str:
    return f"{letter}_{{{i}{j}}}"


def _shape(array) -> str:
    return f"{array.shape[0]} x {array.shape[1]}"
