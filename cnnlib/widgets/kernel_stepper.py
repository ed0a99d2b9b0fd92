"""Step a kernel across an input: the window, its products with the kernel, their sum, the map.

Used in notebook 01. ``KernelStepper(image, kernel)`` shown as the last expression of a cell
gives a position slider (and a Play button) over every output position in row-major order,
a preset menu and a text box for the kernel's values.
"""

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnnlib import plotting
from cnnlib.correlation import correlate2d
from cnnlib.plotting import HIGHLIGHT, cell_fontsize, format_value, show_array, update_array
from cnnlib.widgets.base import InteractiveFigure, View
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
CENTRED = {"ha": "center", "va": "center"}


@dataclass
class KernelStep:
    """The kernel at one output position of a valid cross-correlation.

    position: row-major index of the output cell; row, col: the window's top-left corner;
    window, products: (kh, kw); partial_sum: their sum, the output there; output: the whole
    map (h - kh + 1, w - kw + 1); output_so_far: the map with NaN where not computed yet.
    """

    image: np.ndarray
    kernel: np.ndarray
    output: np.ndarray
    position: int
    row: int
    col: int
    window: np.ndarray
    products: np.ndarray
    partial_sum: float
    output_so_far: np.ndarray

    @property
    def positions(self) -> int:
        return self.output.size


def kernel_step(
    image: np.ndarray, kernel: np.ndarray, position: int, output: np.ndarray | None = None
) -> KernelStep:
    """The state at ``position``; ``output`` (the whole map) is computed unless given."""
    output = correlate2d(image, kernel) if output is None else output
    row, col = divmod(position, output.shape[1])
    window = image[row : row + kernel.shape[0], col : col + kernel.shape[1]]
    products = window * kernel
    so_far = np.full(output.shape, np.nan)
    so_far.flat[: position + 1] = output.flat[: position + 1]
    total = float(products.sum())
    return KernelStep(image, kernel, output, position, row, col, window, products, total, so_far)


class KernelStepperView(View):
    """Input with the window, the kernel, window × kernel, the output so far (in a row, or 2 x 2)."""

    def __init__(self, figure, state: KernelStep, presenting: bool = False):
        super().__init__(figure, state, presenting)
        rows = 2 if presenting else 1
        self.shapes = (state.image.shape, state.kernel.shape)
        ax_in, ax_kernel, ax_products, ax_out = figure.subplots(rows, 4 // rows).flat
        self.axes = {"input": ax_in, "kernel": ax_kernel, "products": ax_products, "output": ax_out}
        image, (kh, kw) = state.image, state.kernel.shape
        low, high = min(0.0, float(image.min())), float(image.max())
        ax_in.imshow(image, cmap="gray", vmin=low, vmax=high if high > low else low + 1)
        ax_in.set(title=f"input {_shape(image.shape)}", xlabel="column", ylabel="row")
        if max(image.shape) <= ANNOTATE_UP_TO:
            ax_in.set(xticks=range(image.shape[1]), yticks=range(image.shape[0]))
            for (row, col), value in np.ndenumerate(image):
                ink = "black" if (value - low) > 0.5 * (high - low) else "white"  # on grey levels
                ax_in.text(col, row, format_value(value), color=ink, **CENTRED, fontsize=cell_fontsize())
        self.window_box = plotting.outline(ax_in, kh, kw, lw=3)
        self.kernel_artist = show_array(ax_kernel, state.kernel, title=f"kernel {_shape((kh, kw))}")
        self.products_artist = show_array(
            ax_products, np.zeros((kh, kw)), limit=1.0, annotate=max(kh, kw) <= ANNOTATE_UP_TO
        )
        self.product_texts, spines = list(ax_products.texts), plotting.frame(ax_products)
        # the whole map, values written, drawn once; a grey veil hides what is not computed yet
        annotate = max(state.output.shape) <= ANNOTATE_UP_TO
        self.output_artist = show_array(ax_out, state.output, annotate=annotate)
        self.output_texts = list(ax_out.texts)
        self.cover = ax_out.imshow(np.zeros((*state.output.shape, 4)), zorder=4)
        self.output_box, self.pointers = plotting.outline(ax_out, lw=3 if annotate else 1.2, zorder=5), []
        if not annotate:  # a cell is a few pixels wide: two pointers on the edges mark its row and column
            style = {"markersize": 9, "linestyle": "none", "clip_on": False, "zorder": 5, "color": HIGHLIGHT}
            style |= {"markeredgecolor": "black", "markeredgewidth": 0.6}
            self.pointers = [ax_out.plot([], [], marker=marker, **style)[0] for marker in ">v"]
            ax_out.set(xlim=(-0.5, state.output.shape[1] - 0.5), ylim=(state.output.shape[0] - 0.5, -0.5))
            figure.colorbar(self.output_artist, ax=ax_out, shrink=0.8)
        ax_out.set_title(" \n ", pad=14 if self.pointers else 6)
        self.title = figure.suptitle(" ")
        products = [self.products_artist, *self.product_texts, *spines, ax_products.title]
        self.dynamic = [self.window_box, *products, self.cover, self.output_box, *self.pointers]
        self.dynamic += [ax_out.title, self.title]

    def fits(self, state):
        return (state.image.shape, state.kernel.shape) == self.shapes

    def background(self, state):
        return state.kernel.tobytes()

    def draw(self, state):
        update_array(self.kernel_artist, self.axes["kernel"].texts, state.kernel)
        update_array(self.output_artist, self.output_texts, state.output)
        limit = float(np.max(np.abs(state.kernel)) * np.max(np.abs(state.image))) or 1.0
        update_array(self.products_artist, self.product_texts, state.products, limit)
        row, col, total = state.row, state.col, f"{state.partial_sum:.4g}"
        self.window_box.set_xy((col - 0.5, row - 0.5))
        self.cover.set_data(plotting.veil(np.isnan(state.output_so_far)))
        self.output_box.set_xy((col - 0.5, row - 0.5))
        if self.pointers:  # just outside the map's left and top edges
            self.pointers[0].set_data([-1.2], [row])
            self.pointers[1].set_data([col], [-1.2])
        self.axes["products"].set_title(f"window × kernel\nsum = {total}")
        self.axes["output"].set_title(f"output so far (grey: not yet)\noutput[{row}, {col}] = {total}")
        where = f"(of 0 to {state.positions - 1}): the kernel's top-left corner on row {row}, column {col}"
        self.title.set_text(f"position {state.position} {where}")


class KernelStepper(InteractiveFigure):
    """Slide a kernel over an input, one output position at a time (valid cross-correlation).

    image: (h, w) numbers; kernel: (kh, kw) numbers with kh <= h and kw <= w, or a name in PRESETS.
    ``state`` is the ``KernelStep`` shown.
    """

    def __init__(self, image, kernel="vertical edge (Sobel)"):
        super().__init__(figsize=(13, 3.9), presentation_figsize=(11, 8.2), view_class=KernelStepperView)
        self.input_image = as_grid(image, "image")
        if isinstance(kernel, str) and kernel not in PRESETS:
            raise ValueError(f"kernel must be an array or one of the presets {list(PRESETS)}, got {kernel!r}")
        kernel = parse_kernel(PRESETS[kernel]) if isinstance(kernel, str) else kernel
        self.kernel = as_grid(kernel, "kernel")
        if problem := self._does_not_fit(self.kernel):
            raise ValueError(problem)
        self.output = correlate2d(self.input_image, self.kernel)
        self.slider = widgets.IntSlider(0, 0, self.output.size - 1, description="position")
        self.slider.layout.width = "420px"
        self.play = widgets.Play(value=0, min=0, max=0, interval=300, description="play")
        self.preset = widgets.Dropdown(options=[*PRESETS, CUSTOM], description="kernel")
        self.preset.layout.width = "360px"
        self.kernel_text = widgets.Text(description="values", continuous_update=False, placeholder=EXAMPLE)
        self.kernel_text.layout.width = "420px"
        self.show_controls([self.play, self.slider], [self.preset, self.kernel_text])
        self.watch(self.slider)
        self.watch(self.preset, handler=self._on_preset)
        self.watch(self.kernel_text, handler=self._on_text)
        # Play advances one position at a time on a small map, one row at a time on a large one.
        self.link_play(self.play, self.slider, lambda: 1 if self.output.size <= 100 else self.output.shape[1])
        self.set_kernel(self.kernel)

    def compute(self) -> KernelStep:
        return kernel_step(self.input_image, self.kernel, self.slider.value, self.output)

    def set_kernel(self, kernel: np.ndarray) -> bool:
        """Use a new kernel if it fits inside the input; otherwise explain and keep the old one.

        The window keeps its row and column where it still fits (else the last that does).
        Returns whether the kernel was accepted; raises ValueError for a kernel that is not a
        non-empty 2D array of finite numbers (a mistake in code, not a value typed by the learner).
        """
        kernel = as_grid(kernel, "kernel")
        if problem := self._does_not_fit(kernel):
            self.say(f"{problem}. Kept the previous kernel {_shape(self.kernel.shape)}.", error=True)
            return False
        row, col = divmod(self.slider.value, self.output.shape[1])
        self.kernel, self.output = kernel, correlate2d(self.input_image, kernel)
        (out_h, out_w), (h, w) = self.output.shape, self.input_image.shape
        with self.quietly():
            self.slider.max = self.output.size - 1
            self.slider.value = min(row, out_h - 1) * out_w + min(col, out_w - 1)
        self._show_kernel_in_controls()
        rule = f"{h} - {kernel.shape[0]} + 1 = {out_h} rows, {w} - {kernel.shape[1]} + 1 = {out_w} columns"
        self.say(
            f"kernel {_shape(kernel.shape)} on input {_shape((h, w))}: output {_shape((out_h, out_w))} "
            f"({rule}), {self.output.size} positions."
        )
        self.refresh()
        return True

    def _does_not_fit(self, kernel) -> str:
        (h, w), (kh, kw) = self.input_image.shape, np.shape(kernel)
        if kh > h or kw > w:
            return f"expected a kernel at most {_shape((h, w))} (the input's size), got {_shape((kh, kw))}"
        return ""

    def _show_kernel_in_controls(self):
        """Write the kernel in use in the text box and select its preset (or 'custom')."""
        matching = [name for name, text in PRESETS.items() if np.array_equal(parse_kernel(text), self.kernel)]
        with self.quietly():
            self.preset.value = matching[0] if matching else CUSTOM
            self.kernel_text.value = PRESETS[matching[0]] if matching else format_kernel(self.kernel)

    def _on_preset(self, change):
        if change["new"] != CUSTOM and not self.set_kernel(parse_kernel(PRESETS[change["new"]])):
            self._show_kernel_in_controls()  # the menu goes back to the kernel in use

    def _on_text(self, change):
        try:
            kernel = parse_kernel(change["new"])
        except KernelTextError as error:
            self.say(f"{error}. Kept the previous kernel {_shape(self.kernel.shape)}.", error=True)
            return
        self.set_kernel(kernel)  # refuses a kernel larger than the input, with a message


def _shape(shape) -> str:
    return f"{shape[0]} x {shape[1]}"
