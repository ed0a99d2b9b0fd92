"""Step a kernel across an input: the window, its products with the kernel, their sum, the map.

Used in notebook 01. ``KernelStepper(image, kernel)`` shown as the last expression of a cell
gives a position slider (and a Play button) over every output position in row-major order,
a preset menu and a text box for the kernel's values.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from cnnlib.correlation import correlate2d
from cnnlib.plotting import format_value, show_array
from cnnlib.widgets.base import FigureWidget
from cnnlib.widgets.inputs import EXAMPLE, KernelTextError, as_grid, format_kernel, parse_kernel

# Kernels as the learner would type them: rows separated by ';', numbers by spaces.
PRESETS = {
    "identity": "0 0 0; 0 1 0; 0 0 0",
    "vertical edge (Sobel)": "-1 0 1; -2 0 2; -1 0 1",
    "horizontal edge (Sobel)": "-1 -2 -1; 0 0 0; 1 2 1",
    "vertical edge (difference, 1 x 2)": "-1 1",
    "blur (box)": "1/9 1/9 1/9; 1/9 1/9 1/9; 1/9 1/9 1/9",
    "blur (Gaussian)": "1/16 2/16 1/16; 2/16 4/16 2/16; 1/16 2/16 1/16",
    "sharpen": "0 -1 0; -1 5 -1; 0 -1 0",
}
CUSTOM = "custom (type below)"
ANNOTATE_UP_TO = 12  # arrays with at most this many rows and columns get their values written in
HIGHLIGHT = "#ff9f1c"  # orange: visible on grey, red and blue


class KernelStepper(FigureWidget):
    """Slide a kernel over an input, one output position at a time (valid cross-correlation).

    image: (h, w) numbers; kernel: (kh, kw) numbers with kh <= h and kw <= w, or a name in PRESETS.
    The state after each step: ``row, col`` (the window's top-left corner), ``window`` and
    ``products`` (kh, kw), ``partial_sum`` (their sum, the output at this position), ``output``
    (the whole feature map, (h - kh + 1, w - kw + 1)) and ``output_so_far`` (NaN where not yet computed).
    """

    def __init__(self, image, kernel="vertical edge (Sobel)", figsize=(13, 3.9)):
        super().__init__(figsize=figsize)
        self.input_image = as_grid(image, "image")
        if isinstance(kernel, str):
            if kernel not in PRESETS:
                raise ValueError(
                    f"kernel must be an array or one of the presets {list(PRESETS)}, got {kernel!r}"
                )
            kernel = parse_kernel(PRESETS[kernel])
        kernel = as_grid(kernel, "kernel")
        problem = self._does_not_fit(kernel)
        if problem:
            raise ValueError(problem)

        self._busy = False  # True while the widget moves its own controls
        self.slider = widgets.IntSlider(
            value=0,
            min=0,
            max=0,
            description="position",
            continuous_update=True,
            layout=widgets.Layout(width="420px"),
        )
        self.play = widgets.Play(value=0, min=0, max=0, interval=300, description="play")
        self.preset = widgets.Dropdown(
            options=[*PRESETS, CUSTOM], description="kernel", layout=widgets.Layout(width="360px")
        )
        self.kernel_text = widgets.Text(
            description="values",
            continuous_update=False,
            placeholder=EXAMPLE,
            layout=widgets.Layout(width="420px"),
        )
        self.slider.observe(self.update, names="value")
        self.play.observe(self._on_play, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.kernel_text.observe(self._on_text, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.play, self.slider]),
                widgets.HBox([self.preset, self.kernel_text]),
                self.message,
                self.image,
            ]
        )
        self.kernel = None
        self.set_kernel(kernel)

    # --- the kernel -------------------------------------------------------------------------
    def set_kernel(self, kernel: np.ndarray) -> bool:
        """Use a new kernel if it fits inside the input; otherwise explain and keep the old one.

        The window keeps its row and column where it still fits (else the last that does).
        Returns whether the kernel was accepted; raises ValueError for a kernel that is not a
        non-empty 2D array of finite numbers (a mistake in code, not a value typed by the learner).
        """
        kernel = as_grid(kernel, "kernel")
        problem = self._does_not_fit(kernel)
        if problem:
            self.say(f"{problem}. Kept the previous kernel {_shape_text(self.kernel.shape)}.", error=True)
            return False
        row, col = (self.row, self.col) if self.kernel is not None else (0, 0)
        self.kernel = np.array(kernel, dtype=float)
        self.output = correlate2d(self.input_image, self.kernel)
        out_h, out_w = self.output.shape
        self.positions = out_h * out_w
        # Play advances one position at a time on a small map, one row at a time on a large one.
        self.play_step = 1 if self.positions <= 100 else out_w
        position = min(row, out_h - 1) * out_w + min(col, out_w - 1)
        self._busy = True
        try:
            self.slider.max = self.positions - 1
            self.slider.value = position
            self.play.max = -(-self.positions // self.play_step) - 1
            self._show_kernel_in_controls()
        finally:
            self._busy = False
        h, w = self.input_image.shape
        self.say(
            f"kernel {_shape_text(self.kernel.shape)} on input {_shape_text((h, w))}: output "
            f"{_shape_text(self.output.shape)} ({h} - {self.kernel.shape[0]} + 1 = {out_h} rows, "
            f"{w} - {self.kernel.shape[1]} + 1 = {out_w} columns), {self.positions} positions."
        )
        self._compute_state()
        self._build_figure()
        self.show_figure()
        return True

    def _does_not_fit(self, kernel) -> str:
        (h, w), (kh, kw) = self.input_image.shape, np.shape(kernel)
        if kh > h or kw > w:
            return (
                f"expected a kernel at most {_shape_text((h, w))} (the input's size), "
                f"got {_shape_text((kh, kw))}"
            )
        return ""

    def _show_kernel_in_controls(self):
        """Write the kernel in the text box and select its preset (or 'custom')."""
        matching = [name for name, text in PRESETS.items() if np.array_equal(parse_kernel(text), self.kernel)]
        self.preset.value = matching[0] if matching else CUSTOM
        self.kernel_text.value = PRESETS[matching[0]] if matching else format_kernel(self.kernel)

    def _on_preset(self, change):
        if self._busy or change["new"] == CUSTOM:
            return
        if not self.set_kernel(parse_kernel(PRESETS[change["new"]])):
            self._busy = True
            try:
                self._show_kernel_in_controls()  # the menu goes back to the kernel in use
            finally:
                self._busy = False

    def _on_text(self, change):
        if self._busy:
            return
        try:
            kernel = parse_kernel(change["new"])
        except KernelTextError as error:
            self.say(f"{error}. Kept the previous kernel {_shape_text(self.kernel.shape)}.", error=True)
            return
        self.set_kernel(kernel)  # refuses a kernel larger than the input, with a message

    # --- the position -----------------------------------------------------------------------
    def _on_play(self, change):
        if self._busy:
            return
        self.slider.value = min((change["new"] + 1) * self.play_step - 1, self.positions - 1)

    def update(self, change=None):
        """Move the window to the slider's position and redraw."""
        if self._busy:
            return
        self._compute_state()
        self._draw_position()
        self.show_figure()

    def _compute_state(self):
        """The window, products, sum and output so far at the slider's position."""
        out_h, out_w = self.output.shape
        kh, kw = self.kernel.shape
        self.position = self.slider.value
        self.row, self.col = divmod(self.position, out_w)
        self.window = self.input_image[self.row : self.row + kh, self.col : self.col + kw]
        self.products = self.window * self.kernel
        self.partial_sum = float(np.sum(self.products))
        self.output_so_far = np.full(self.output.shape, np.nan)
        self.output_so_far.flat[: self.position + 1] = self.output.flat[: self.position + 1]
        self._busy = True
        try:
            self.play.value = self.position // self.play_step
        finally:
            self._busy = False

    # --- drawing ----------------------------------------------------------------------------
    def _build_figure(self):
        """Create the four panels and their artists; called when the kernel (and so every shape) changes."""
        self.figure.clear()
        self.figure.set_layout_engine("constrained")
        ax_in, ax_kernel, ax_products, ax_out = self.figure.subplots(1, 4)
        image = self.input_image
        low, high = min(0.0, float(image.min())), float(image.max())
        ax_in.imshow(image, cmap="gray", vmin=low, vmax=high if high > low else low + 1)
        ax_in.set_title(f"input {_shape_text(image.shape)}")
        ax_in.set_xlabel("column")
        ax_in.set_ylabel("row")
        if max(image.shape) <= ANNOTATE_UP_TO:
            ax_in.set_xticks(range(image.shape[1]))
            ax_in.set_yticks(range(image.shape[0]))
            for (row, col), value in np.ndenumerate(image):
                bright = (value - low) > 0.5 * (high - low)
                ax_in.text(
                    col,
                    row,
                    f"{value:.3g}",
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="black" if bright else "white",
                )
        kh, kw = self.kernel.shape
        self.window_box = Rectangle((-0.5, -0.5), kw, kh, fill=False, edgecolor=HIGHLIGHT, linewidth=3)
        ax_in.add_patch(self.window_box)

        show_array(ax_kernel, self.kernel, title=f"kernel {_shape_text(self.kernel.shape)}")

        product_limit = float(np.max(np.abs(self.kernel)) * np.max(np.abs(image))) or 1.0
        self.products_artist = show_array(
            ax_products,
            np.zeros_like(self.kernel),
            limit=product_limit,
            annotate=max(kh, kw) <= ANNOTATE_UP_TO,
        )
        self.product_texts = list(ax_products.texts)  # row-major, one per cell
        for spine in ax_products.spines.values():
            spine.set(edgecolor=HIGHLIGHT, linewidth=3)

        output_limit = float(np.max(np.abs(self.output))) or 1.0
        annotate_output = max(self.output.shape) <= ANNOTATE_UP_TO
        self.output_artist = show_array(ax_out, self.output, limit=output_limit, annotate=annotate_output)
        self.output_texts = list(ax_out.texts)
        ax_out.set_facecolor("0.82")  # not computed yet (NaN) shows as grey, apart from zero's white
        # On a large map a cell is a few pixels wide: a thick outline would cover it, so the outline is
        # thin and two pointers on the edges mark the current cell's row and column.
        self.output_box = Rectangle(
            (-0.5, -0.5), 1, 1, fill=False, edgecolor=HIGHLIGHT, linewidth=3 if annotate_output else 1.2
        )
        ax_out.add_patch(self.output_box)
        self.output_pointers = []
        if not annotate_output:
            out_h, out_w = self.output.shape
            style = {
                "markersize": 9,
                "linestyle": "none",
                "clip_on": False,
                "zorder": 5,
                "color": HIGHLIGHT,
                "markeredgecolor": "black",
                "markeredgewidth": 0.6,
            }
            self.output_pointers = [
                ax_out.plot([], [], marker=">", **style)[0],  # left of the map, pointing at the row
                ax_out.plot([], [], marker="v", **style)[0],  # above the map, pointing at the column
            ]
            ax_out.set_xlim(-0.5, out_w - 0.5)
            ax_out.set_ylim(out_h - 0.5, -0.5)
            self.figure.colorbar(self.output_artist, ax=ax_out, shrink=0.8)
        self.axes = {"input": ax_in, "kernel": ax_kernel, "products": ax_products, "output": ax_out}
        # Lay the panels out once, then keep them still: steps only change data and text, and
        # skipping the layout halves the time of each step.
        self._draw_position()
        self.figure.draw_without_rendering()
        self.figure.set_layout_engine("none")

    def _draw_position(self):
        """Update the artists for the current position: window box, products, output so far."""
        self.window_box.set_xy((self.col - 0.5, self.row - 0.5))
        self.products_artist.set_data(self.products)
        for text, value in zip(self.product_texts, self.products.flat):
            text.set_text(format_value(value))
        self.output_artist.set_data(self.output_so_far)
        for text, value in zip(self.output_texts, self.output_so_far.flat):
            text.set_text("" if np.isnan(value) else format_value(value))
        self.output_box.set_xy((self.col - 0.5, self.row - 0.5))
        if self.output_pointers:  # just outside the map's left and top edges
            row_pointer, col_pointer = self.output_pointers
            row_pointer.set_data([-1.2], [self.row])
            col_pointer.set_data([self.col], [-1.2])
        self.axes["products"].set_title(f"window × kernel\nsum = {self.partial_sum:.4g}")
        self.axes["output"].set_title(
            f"output so far (grey: not yet)\noutput[{self.row}, {self.col}] = {self.partial_sum:.4g}",
            pad=14 if self.output_pointers else 6,
        )
        self.figure.suptitle(
            f"position {self.position} (of 0 to {self.positions - 1}): the kernel's top-left "
            f"corner on row {self.row}, column {self.col}"
        )


def _shape_text(shape) -> str:
    return f"{shape[0]} x {shape[1]}"
