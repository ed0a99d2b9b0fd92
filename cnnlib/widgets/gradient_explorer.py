"""Explore the gradients of one kernel: what each output touches, and the sums behind dE/dK and dE/dX.

Used in notebook 04. ``GradientExplorer(x, kernel, output_gradient)`` shown as the last expression
of a cell gives three modes, each with its own pair of sliders:

- **output y[m, n]**: the window of X and the kernel weights that make one output, and the
  derivative of that output with respect to X (the kernel laid on the window, zero elsewhere);
- **kernel weight k[p, q]**: dE/dk_pq = sum_mn dE/dy_mn x_(m+p)(n+q), dE/dY laid on X at (p, q),
  one entry of dE/dK = X ⋆ dE/dY;
- **input x[r, c]**: dE/dx_rc, the sum over the outputs that x_rc touched, each times the weight
  that connected them: the kernel rotated 180° (drawn beside K, each weight named) over dE/dY
  padded with zeros, one entry of dE/dX = dE/dY *full K.

Each value is shown beside a central difference for that one element and their agreement.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle
from scipy import signal

from cnnlib.correlation import correlate2d, pad_full, rotate180
from cnnlib.gradcheck import numerical_gradient, relative_error
from cnnlib.plotting import format_value, show_array
from cnnlib.widgets.base import FigureWidget
from cnnlib.widgets.inputs import as_grid

MODES = {
    "output": "output y[m, n]: what it touches",
    "kernel": "kernel weight k[p, q]: ∂E/∂k",
    "input": "input x[r, c]: ∂E/∂x",
}
HELP = {
    "output": "Pick an output y[m, n]: its window on X (orange labels: the weight each input meets), the products, "
    "their sum, and the derivative of y[m, n] with respect to every input.",
    "kernel": "Pick a weight k[p, q]: it is used at every output, so ∂E/∂Y lies on X with its corner on (p, q); "
    "multiply and add to get ∂E/∂k[p, q], one entry of X ⋆ ∂E/∂Y.",
    "input": "Pick an input x[r, c]: the outputs whose window covers it (dashed), each times the weight that "
    "connected them: the kernel rotated 180° over ∂E/∂Y padded with zeros, one entry of ∂E/∂Y *full K.",
}
AGREE = 1e-6  # relative error below which the formula and the central difference agree
H = 1e-5  # the central difference's step
HIGHLIGHT = "#ff9f1c"  # orange: visible on grey, red and blue
PARTNER = "#b35900"  # darker orange, for the small labels naming a cell's partner in a product
PADDING = "0.88"
NAME_UP_TO = 4  # products arrays with at most this many rows and columns get symbols (x₁₂·g₀₁) written in
PRODUCT_FONTSIZE = {
    1: 14,
    2: 13,
    3: 12,
    4: 11,
    5: 10,
    6: 9,
}  # the products' font by their larger side (8 beyond)
PARTNER_UP_TO = 8  # ... and the array under the sliding one gets its partners' names (×k₀₁) up to this size
VALUES_UP_TO = 10  # ... and values up to this size
MAX_SIDE = 8  # the largest input this widget takes: every sum stays small enough to read
TERMS_IN_FIGURE = 9  # a sum with more terms is summarised in the figure (the text below has it all)
TERMS_IN_TEXT = 30  # ... and beyond this many, in the text below it too


class GradientExplorer(FigureWidget):
    """One input map, one kernel, one upstream gradient: pick an element, see its sum and its check.

    x: (h, w); kernel: (kh, kw) with kh <= h and kw <= w; output_gradient dE/dY: (h - kh + 1, w - kw + 1);
    bias: the output's shape (default zeros). The loss behind the numerical checks is
    E = sum(dE/dY * Y) with Y = bias + X ⋆ K, so that dE/dY is exactly ``output_gradient``.

    State after each change: ``mode``, ``row`` and ``col`` (the element picked); ``terms``, the
    products of the sum as ``(name, value, name, value)``; ``products`` (as drawn); ``sum``, their sum
    (plus the bias in output mode: y[m, n]); ``value``, what the formula gives (dE/dk[p, q] or
    dE/dx[r, c]; in output mode the array dy[m, n]/dX); ``numeric``, the same by central
    differences; ``error``, their relative error; ``agree``; and the cells the sum involves:
    ``inputs``, ``weights``, ``outputs`` (lists of (row, col)).
    """

    def __init__(self, x, kernel, output_gradient, bias=None, mode="output", figsize=(14, 4.3)):
        super().__init__(figsize=figsize)
        self.x = as_grid(x, "x")
        self.kernel = as_grid(kernel, "kernel")
        (h, w), (kh, kw) = self.x.shape, self.kernel.shape
        if max(h, w) > MAX_SIDE:
            raise ValueError(
                f"x must be at most {MAX_SIDE} x {MAX_SIDE}, so that every sum stays readable; "
                f"got shape {self.x.shape}"
            )
        if kh > h or kw > w:
            raise ValueError(
                f"the kernel must fit inside x: kernel shape {self.kernel.shape} is larger than "
                f"x's shape {self.x.shape}"
            )
        out_shape = (h - kh + 1, w - kw + 1)
        self.output_gradient = as_grid(output_gradient, "output_gradient")
        if self.output_gradient.shape != out_shape:
            raise ValueError(
                f"output_gradient (dE/dY) must have the output's shape {out_shape} = "
                f"({h} - {kh} + 1, {w} - {kw} + 1), got {self.output_gradient.shape}"
            )
        self.bias = np.zeros(out_shape) if bias is None else as_grid(bias, "bias")
        if self.bias.shape != out_shape:
            raise ValueError(f"bias must have the output's shape {out_shape}, got {self.bias.shape}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {list(MODES)}, got {mode!r}")

        # the whole arrays, from the formulas, once
        self.output = self.bias + correlate2d(self.x, self.kernel)  # Y = B + X ⋆ K
        self.kernel_gradient = correlate2d(self.x, self.output_gradient)  # dE/dK = X ⋆ dE/dY
        self.padded_gradient = pad_full(self.output_gradient, self.kernel.shape)
        self.input_gradient = correlate2d(self.padded_gradient, rotate180(self.kernel))  # dE/dY *full K

        self.mode_buttons = widgets.ToggleButtons(
            options=[(label, key) for key, label in MODES.items()], value=mode, description="pick"
        )
        self.mode_buttons.style.button_width = "230px"
        shapes = {"output": out_shape, "kernel": (kh, kw), "input": (h, w)}
        letters = {"output": ("m", "n"), "kernel": ("p", "q"), "input": ("r", "c")}
        self.sliders, self.slider_rows = {}, {}
        for key, (rows, cols) in shapes.items():
            row_letter, col_letter = letters[key]
            pair = (
                widgets.IntSlider(value=0, min=0, max=rows - 1, description=f"row {row_letter}"),
                widgets.IntSlider(value=0, min=0, max=cols - 1, description=f"column {col_letter}"),
            )
            for slider in pair:
                slider.observe(self.update, names="value")
            self.sliders[key] = pair
            self.slider_rows[key] = widgets.HBox(list(pair))
        self.mode_buttons.observe(self._on_mode, names="value")
        self.formula = widgets.HTMLMath()
        # the first mode's sliders first: the visible slider is the first one a page (or a test) finds
        rows = [self.slider_rows[mode], *(box for key, box in self.slider_rows.items() if key != mode)]
        self.widget = widgets.VBox([self.mode_buttons, *rows, self.message, self.image, self.formula])
        self._on_mode()

    # --- controls ---------------------------------------------------------------------------
    def _on_mode(self, change=None):
        """Show the chosen mode's sliders (each mode keeps its own pick), rebuild the panels, redraw."""
        self.mode = self.mode_buttons.value
        for key, box in self.slider_rows.items():
            box.layout.display = "" if key == self.mode else "none"
        self.say(HELP[self.mode])
        self._compute_state()
        self._build_figure()
        self.show_figure()

    def update(self, change=None):
        """Move to the element the current mode's sliders pick, and redraw."""
        if change is not None and change["owner"] not in self.sliders[self.mode]:
            return  # a hidden mode's slider: its pick waits until that mode is shown
        self._compute_state()
        self._draw_selection()
        self.show_figure()

    # --- state ------------------------------------------------------------------------------
    def _compute_state(self):
        """The picked element's sum, its terms, the cells involved and the numerical check."""
        row_slider, col_slider = self.sliders[self.mode]
        self.row, self.col = row_slider.value, col_slider.value
        {"output": self._output_state, "kernel": self._kernel_state, "input": self._input_state}[self.mode]()
        self.error = relative_error(np.asarray(self.value), np.asarray(self.numeric))
        self.agree = self.error < AGREE

    def _output_state(self):
        """y_mn = b_mn + sum_pq x_(m+p)(n+q) k_pq; dy_mn/dX is K on the window, 0 elsewhere."""
        m, n = self.row, self.col
        kh, kw = self.kernel.shape
        window = self.x[m : m + kh, n : n + kw]
        self.products = window * self.kernel
        self.terms = [
            (("x", m + p, n + q), self.x[m + p, n + q], ("k", p, q), self.kernel[p, q])
            for p, q in np.ndindex(kh, kw)
        ]
        self.inputs = [(m + p, n + q) for p, q in np.ndindex(kh, kw)]
        self.weights = [(p, q) for p, q in np.ndindex(kh, kw)]
        self.outputs = [(m, n)]
        self.sum = float(self.bias[m, n] + np.sum(self.products))  # y_mn
        # the derivative of this one output with respect to every input: the kernel on the window
        self.derivative = np.zeros_like(self.x)
        self.derivative[m : m + kh, n : n + kw] = self.kernel
        self.value = self.derivative
        x = self.x.copy()
        self.numeric = numerical_gradient(lambda: self._forward(x, self.kernel)[m, n], x, H)

    def _kernel_state(self):
        """dE/dk_pq = sum_mn g_mn x_(m+p)(n+q): dE/dY laid on X with its corner on (p, q)."""
        p, q = self.row, self.col
        out_h, out_w = self.output_gradient.shape
        block = self.x[p : p + out_h, q : q + out_w]
        self.products = self.output_gradient * block
        self.terms = [
            (("g", m, n), self.output_gradient[m, n], ("x", m + p, n + q), self.x[m + p, n + q])
            for m, n in np.ndindex(out_h, out_w)
        ]
        self.inputs = [(m + p, n + q) for m, n in np.ndindex(out_h, out_w)]
        self.weights = [(p, q)]
        self.outputs = [(m, n) for m, n in np.ndindex(out_h, out_w)]
        self.sum = self.value = float(np.sum(self.products))
        kernel = self.kernel.copy()
        weight = kernel[p : p + 1, q : q + 1]  # a view: numerical_gradient nudges this one weight in place
        self.numeric = float(numerical_gradient(lambda: self._loss(self.x, kernel), weight, H)[0, 0])

    def _input_state(self):
        """dE/dx_rc = sum over the outputs y_mn that x_rc touched of g_mn k_(r-m)(c-n).

        The same sum: the kernel rotated 180° laid on dE/dY padded with k - 1 zeros, corner at (r, c).
        """
        r, c = self.row, self.col
        kh, kw = self.kernel.shape
        out_h, out_w = self.output_gradient.shape
        self.window = self.padded_gradient[r : r + kh, c : c + kw]
        self.products = self.window * rotate180(self.kernel)
        self.outputs = [
            (m, n) for m in range(out_h) for n in range(out_w) if 0 <= r - m < kh and 0 <= c - n < kw
        ]
        self.weights = sorted((r - m, c - n) for m, n in self.outputs)
        self.inputs = [(r, c)]
        self.terms = [
            (("g", m, n), self.output_gradient[m, n], ("k", r - m, c - n), self.kernel[r - m, c - n])
            for m, n in self.outputs
        ]
        self.sum = self.value = float(np.sum(self.products))
        x = self.x.copy()
        element = x[r : r + 1, c : c + 1]  # a view: numerical_gradient nudges this one input in place
        self.numeric = float(numerical_gradient(lambda: self._loss(x, self.kernel), element, H)[0, 0])

    def _forward(self, x, kernel):
        # SciPy's correlation, not the sums above: the check shares no code with the formula
        return self.bias + signal.correlate2d(x, kernel, "valid")

    def _loss(self, x, kernel):
        return float(np.sum(self.output_gradient * self._forward(x, kernel)))

    # --- drawing ----------------------------------------------------------------------------
    def _panels(self):
        """The panels of the mode, left to right: input mode adds K rotated 180° beside K."""
        if self.mode == "input":
            return ["input", "kernel", "rotated", "middle", "products", "result"]
        return ["input", "kernel", "middle", "products", "result"]

    def _build_figure(self):
        """Five panels for the mode (six for the input): X, K (and K rotated), Y or dE/dY, the products, the result."""
        self.figure.clear()
        self.figure.set_layout_engine(
            "constrained", h_pad=0.1
        )  # room between the figure title and the panels
        panels = self._panels()
        axes = self.figure.subplots(1, len(panels), width_ratios=self._width_ratios())
        self.axes = dict(zip(panels, axes))
        show_array(
            self.axes["input"], self.x, title=f"input X {_shape(self.x.shape)}", annotate=_small(self.x)
        )
        if self.mode == "input":  # K and K rotated 180°, each cell named, so that k₁₁ can be found in both
            self._show_named(
                self.axes["kernel"], self.kernel, lambda p, q: (p, q), f"K {_shape(self.kernel.shape)}"
            )
            kh, kw = self.kernel.shape
            self._show_named(
                self.axes["rotated"],
                rotate180(self.kernel),
                lambda a, b: (kh - 1 - a, kw - 1 - b),
                "K rotated 180°",
            )
        else:
            show_array(
                self.axes["kernel"],
                self.kernel,
                title=f"kernel K {_shape(self.kernel.shape)}",
                annotate=_small(self.kernel),
            )
        if self.mode == "output":
            show_array(
                self.axes["middle"], self.output, title="output Y = B + X ⋆ K", annotate=_small(self.output)
            )
            result, result_title = self.derivative, "∂y/∂X"
        elif self.mode == "kernel":
            show_array(
                self.axes["middle"],
                self.output_gradient,
                title="∂E/∂Y (call it G)",
                annotate=_small(self.output_gradient),
            )
            result, result_title = self.kernel_gradient, "∂E/∂K = X ⋆ G"
        else:
            self._show_padded(self.axes["middle"])
            result, result_title = self.input_gradient, "∂E/∂X = G *full K"
        limit = self._products_limit() or 1.0
        self.products_artist = show_array(
            self.axes["products"], np.zeros_like(self.products), annotate=False, limit=limit
        )
        fontsize = PRODUCT_FONTSIZE.get(max(self.products.shape), 8)  # large enough to read on a projector
        self.product_texts = [
            self.axes["products"].text(col, row, "", ha="center", va="center", fontsize=fontsize)
            for row, col in np.ndindex(self.products.shape)
        ]
        self.product_pads = []  # in input mode: hatched where the rotated kernel lies over padding
        if self.mode == "input":
            self.product_pads = [
                self.axes["products"].add_patch(
                    Rectangle(
                        (col - 0.5, row - 0.5),
                        1,
                        1,
                        facecolor=PADDING,
                        edgecolor="0.6",
                        hatch="///",
                        linewidth=0.5,
                        zorder=2,
                    )
                )
                for row, col in np.ndindex(self.products.shape)
            ]
            for text in self.product_texts:
                text.set_zorder(3)
        for spine in self.axes["products"].spines.values():
            spine.set(edgecolor=HIGHLIGHT, linewidth=3)
        self.result_artist = show_array(
            self.axes["result"], result, title=result_title, annotate=_small(result)
        )
        self.result_texts = list(self.axes["result"].texts)
        self.boxes = {}
        for panel in ("input", "kernel", "rotated", "middle", "result"):
            if panel not in self.axes:
                continue
            self.boxes[panel] = self.axes[panel].add_patch(
                Rectangle(
                    (-0.5, -0.5), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=3, zorder=5, clip_on=False
                )
            )
        if (
            self.mode == "input"
        ):  # on the padded dE/dY: the rotated kernel's window, and the outputs inside it
            self.boxes["touched"] = self.axes["middle"].add_patch(
                Rectangle(
                    (-0.5, -0.5),
                    1,
                    1,
                    fill=False,
                    edgecolor="black",
                    linewidth=1.5,
                    linestyle="--",
                    zorder=6,
                    clip_on=False,
                )
            )
        self.partner_texts = []  # small labels naming each cell's partner in its product
        self.text_line = self.figure.supxlabel(
            " ", fontsize=11
        )  # the sum written out; the layout keeps room for it
        self._draw_selection()
        # Lay the panels out once (twice: the first pass leaves the largest square panel a little
        # too tall), then keep them still: a new pick only changes data and text.
        self.figure.draw_without_rendering()
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine("none")

    def _width_ratios(self):
        h, w = self.x.shape
        kh, kw = self.kernel.shape
        middle = {
            "output": self.output.shape,
            "kernel": self.output.shape,
            "input": self.padded_gradient.shape,
        }
        shapes = {
            "input": (h, w),
            "kernel": (kh, kw),
            "rotated": (kh, kw),
            "middle": middle[self.mode],
            "products": self.products.shape,
            "result": self._result_shape(),
        }
        ratios = {panel: max(cols, 0.6 * rows, 1.6) for panel, (rows, cols) in shapes.items()}
        named = max(self.products.shape) <= NAME_UP_TO
        ratios["products"] = max(
            ratios["products"], 1.5 * self.products.shape[1] if named else 0, 2.4
        )  # names in cells
        ratios["result"] = max(ratios["result"], 2.6)  # room for the result's title
        if self.mode == "input":  # room for the titles of K and K rotated, side by side
            ratios["kernel"], ratios["rotated"] = max(ratios["kernel"], 2.2), max(ratios["rotated"], 2.2)
        return [ratios[panel] for panel in self._panels()]

    def _result_shape(self):
        return self.kernel.shape if self.mode == "kernel" else self.x.shape

    def _products_limit(self) -> float:
        """The colour limit of the products panel: the largest product over every pick of this mode."""
        view = np.lib.stride_tricks.sliding_window_view
        if self.mode == "output":
            return float(np.abs(view(self.x, self.kernel.shape) * self.kernel).max())
        if self.mode == "kernel":
            return float(np.abs(view(self.x, self.output_gradient.shape) * self.output_gradient).max())
        return float(np.abs(view(self.padded_gradient, self.kernel.shape) * rotate180(self.kernel)).max())

    def _show_named(self, ax, kernel, source, title):
        """A kernel with each cell's name (the weight of K it holds, ``source(row, col)``) above its value."""
        small = max(kernel.shape) <= NAME_UP_TO
        show_array(ax, kernel, title=title, annotate=_small(kernel) and not small)
        if not small:
            return
        limit = float(np.max(np.abs(kernel))) or 1.0
        for row, col in np.ndindex(kernel.shape):
            value = kernel[row, col]
            ax.text(
                col,
                row,
                f"{_name('k', *source(row, col))}\n{format_value(value)}",
                ha="center",
                va="center",
                fontsize=10,
                color="white" if abs(value) > 0.6 * limit else "black",
            )

    def _show_padded(self, ax):
        """dE/dY surrounded by k - 1 zeros (hatched grey), as the rotated kernel slides over it."""
        padded = self.padded_gradient
        limit = float(np.max(np.abs(self.output_gradient))) or 1.0
        show_array(ax, padded, title="G padded with k - 1 zeros", limit=limit, annotate=_small(padded))
        ax.set_xlabel("column   (K rotated 180° slides over it)")
        kh, kw = self.kernel.shape
        out_h, out_w = self.output_gradient.shape
        for row, col in np.ndindex(padded.shape):
            if not (kh - 1 <= row < kh - 1 + out_h and kw - 1 <= col < kw - 1 + out_w):
                ax.add_patch(
                    Rectangle(
                        (col - 0.5, row - 0.5),
                        1,
                        1,
                        facecolor=PADDING,
                        edgecolor="0.6",
                        hatch="///",
                        linewidth=0.5,
                        zorder=2,
                    )
                )
        for text in ax.texts:
            text.set_zorder(3)

    def _draw_selection(self):
        """Move the boxes, write the products, the partner labels, the titles and the sum."""
        kh, kw = self.kernel.shape
        self._box("input", self.inputs)
        self._box("kernel", self.weights)
        if self.mode == "output":
            self._box("middle", self.outputs)
            self._box("result", self.inputs)
            self.result_artist.set_data(self.derivative)  # the kernel, moved to this output's window
            for text, value in zip(self.result_texts, self.derivative.flat):
                text.set_text(format_value(value))
                text.set_color("white" if abs(value) > 0.6 * np.max(np.abs(self.kernel)) else "black")
        elif self.mode == "kernel":
            self._box("middle", self.outputs)
            self._box("result", self.weights)
        else:
            self._box("rotated", sorted((kh - 1 - p, kw - 1 - q) for p, q in self.weights))
            self._box("middle", [(self.row + a, self.col + b) for a, b in np.ndindex(kh, kw)])
            self._box("touched", [(m + kh - 1, n + kw - 1) for m, n in self.outputs])
            self._box("result", self.inputs)
        self.products_artist.set_data(self.products)
        limit = self.products_artist.get_clim()[1]
        for text, (row, col) in zip(self.product_texts, np.ndindex(self.products.shape)):
            text.set_text(self._product_label(row, col))
            text.set_color("white" if abs(self.products[row, col]) > 0.6 * limit else "black")
        for pad, (a, b) in zip(self.product_pads, np.ndindex(kh, kw)):
            pad.set_visible((self.row + a - (kh - 1), self.col + b - (kw - 1)) not in self.outputs)
        self._write_partners()
        self._write_titles()

    def _box(self, panel, cells):
        """Outline the rectangle of cells (they always form one) in the panel."""
        rows, cols = [cell[0] for cell in cells], [cell[1] for cell in cells]
        box = self.boxes[panel]
        box.set_xy((min(cols) - 0.5, min(rows) - 0.5))
        box.set_width(max(cols) - min(cols) + 1)
        box.set_height(max(rows) - min(rows) + 1)

    def box_cells(self, panel):
        """The (top, left, rows, columns) of a drawn box, read back from its rectangle (for tests)."""
        box = self.boxes[panel]
        x, y = box.get_xy()
        return (round(y + 0.5), round(x + 0.5), round(box.get_height()), round(box.get_width()))

    def _product_label(self, row, col):
        value = self.products[row, col]
        small = max(self.products.shape) <= NAME_UP_TO
        if self.mode == "output":
            p, q = row, col
            names = f"{_name('x', self.row + p, self.col + q)}·{_name('k', p, q)}"
        elif self.mode == "kernel":
            m, n = row, col
            names = f"{_name('g', m, n)}·{_name('x', m + self.row, n + self.col)}"
        else:
            kh, kw = self.kernel.shape
            m, n = self.row + row - (kh - 1), self.col + col - (kw - 1)
            p, q = kh - 1 - row, kw - 1 - col
            if (m, n) not in self.outputs:
                return f"0·{_name('k', p, q)}\n0" if small else ""  # over padding (hatched)
            names = f"{_name('g', m, n)}·{_name('k', p, q)}"
        if max(self.products.shape) > VALUES_UP_TO:
            return ""
        return f"{names}\n{format_value(value)}" if small else format_value(value)

    def _write_partners(self):
        """Small labels in the cells under the sliding array, naming what each one multiplies."""
        for text in self.partner_texts:
            text.remove()
        self.partner_texts = []
        kh, kw = self.kernel.shape
        if self.mode == "output":
            ax = self.axes["input"]
            cells = [((self.row + p, self.col + q), _name("k", p, q)) for p, q in np.ndindex(kh, kw)]
        elif self.mode == "kernel":
            ax = self.axes["input"]
            cells = [
                ((self.row + m, self.col + n), _name("g", m, n))
                for m, n in np.ndindex(self.output_gradient.shape)
            ]
        else:
            ax = self.axes["middle"]
            cells = [
                ((self.row + a, self.col + b), _name("k", kh - 1 - a, kw - 1 - b))
                for a, b in np.ndindex(kh, kw)
            ]
        if max(ax.get_images()[0].get_array().shape) > PARTNER_UP_TO:
            return
        for (row, col), name in cells:
            self.partner_texts.append(
                ax.text(
                    col - 0.44,
                    row - 0.44,
                    "×" + name,
                    ha="left",
                    va="top",
                    fontsize=8.5,
                    color=PARTNER,
                    fontweight="bold",
                    zorder=7,
                    bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none", alpha=0.85),
                )
            )

    def _write_titles(self):
        r, c = self.row, self.col
        verdict = "agree ✓" if self.agree else "DISAGREE ✗"
        if self.mode == "output":
            self.axes["products"].set_title(f"window × K\nsum + b = {format_value(self.sum, 4)}")
            self.axes["result"].set_title(f"∂y[{r},{c}]/∂X: K on the window")
            self.figure.suptitle(
                f"y[{r},{c}] touches the {len(self.inputs)} inputs of its window, each through one weight of K.   "
                f"∂y[{r},{c}]/∂X by central differences: relative error {self.error:.0e}: {verdict}"
            )
            left = f"$y_{{{_sub(r, c)}}} = b_{{{_sub(r, c)}}} + $"
            right = f" $= {format_value(self.sum, 4)}$   (forward pass: {format_value(self.output[r, c], 4)})"
        else:
            check = f"central difference {format_value(self.numeric, 6)}, relative error {self.error:.0e}: {verdict}"
            if self.mode == "kernel":
                self.axes["products"].set_title(f"G × its block of X\nsum = {format_value(self.value, 4)}")
                self.figure.suptitle(
                    f"∂E/∂k[{r},{c}] = {format_value(self.value, 6)}: G laid on X at ({r}, {c}), "
                    f"multiply, sum.   {check}"
                )
                left = f"$\\partial E/\\partial k_{{{_sub(r, c)}}} = $"
            else:
                touched = f"{len(self.outputs)} output{'s' if len(self.outputs) > 1 else ''}"
                self.axes["products"].set_title(f"window × rotated K\nsum = {format_value(self.value, 4)}")
                self.figure.suptitle(
                    f"∂E/∂x[{r},{c}] = {format_value(self.value, 6)}: x[{r},{c}] touched {touched}.   {check}"
                )
                left = f"$\\partial E/\\partial x_{{{_sub(r, c)}}} = $"
            right = f" $= {format_value(self.value, 4)}$"
        self.text_line.set_text(left + self._sum_text() + right)
        self.formula.value = self._formula_html()

    def _sum_text(self):
        """The sum written out in mathtext, or summarised when it is long."""
        if len(self.terms) > TERMS_IN_FIGURE:
            return f"(a sum of {len(self.terms)} products)"
        return " + ".join(f"${_tex(a)}\\,{_tex(b)}$" for a, _, b, _ in self.terms)

    def _formula_html(self):
        """The whole sum in LaTeX, symbols then numbers, below the figure."""
        r, c = self.row, self.col
        if self.mode == "output":
            left = f"y_{{{_sub(r, c)}}} = b_{{{_sub(r, c)}}} + "
            numbers = f"{format_value(self.bias[r, c], 4)} + "
            value = self.sum
        else:
            left = f"\\frac{{\\partial E}}{{\\partial {'k' if self.mode == 'kernel' else 'x'}_{{{_sub(r, c)}}}}} = "
            numbers, value = "", self.value
        terms = self.terms if len(self.terms) <= TERMS_IN_TEXT else [*self.terms[:3], None, self.terms[-1]]
        symbols = " + ".join(r"\cdots" if t is None else f"{_tex(t[0])}\\,{_tex(t[2])}" for t in terms)
        numbers += " + ".join(
            r"\cdots" if t is None else f"({format_value(t[1], 3)})({format_value(t[3], 3)})" for t in terms
        )
        if len(terms) < len(self.terms):
            symbols += f" \\quad \\text{{({len(self.terms)} products)}}"
        return f"$$ {left}{symbols} $$ $$ = {numbers} = {format_value(value, 6)} $$"


def _name(letter, i, j):
    """x₁₂ as plain text (x[1,12] when an index has two digits)."""
    if i > 9 or j > 9:
        return f"{letter}[{i},{j}]"
    digits = "₀₁₂₃₄₅₆₇₈₉"
    return f"{letter}{digits[i]}{digits[j]}"


def _sub(i, j):
    return f"{i}{j}" if i <= 9 and j <= 9 else f"{i},{j}"


def _tex(name):
    letter, i, j = name
    return f"{letter}_{{{_sub(i, j)}}}"


def _small(array):
    return max(np.shape(array)) <= VALUES_UP_TO


def _shape(shape):
    return f"{shape[0]} x {shape[1]}"
