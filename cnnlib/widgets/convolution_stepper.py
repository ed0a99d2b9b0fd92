"""Step through a convolution: the kernel turned half a turn, the zeros of full mode, the slide.

Shown in notebook 02. The kernel is flipped upside down, then left to right (three steps a
toggle walks through); in "full" mode the input is surrounded by ``k - 1`` zeros; a slider
(or Play) moves the kernel, as it stands, over the input, and the output fills in.
"""

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from cnnlib import plotting
from cnnlib.correlation import output_size, pad_full
from cnnlib.plotting import format_value, show_array, show_padded, update_array
from cnnlib.widgets.base import InteractiveFigure, View
from cnnlib.widgets.inputs import EXAMPLE, as_grid, format_kernel, parse_kernel
from cnnlib.widgets.kernel_stepper import KernelStep, kernel_step

MAX_IMAGE, MAX_KERNEL = 10, 5  # largest sides
MODES = ("valid", "full")  # the two of notebook 02 ("same" and other paddings come in 07)
ROTATION_STEPS = ("K as given", "K flipped up-down", "K rotated 180°")
OUTPUT_NAMES = ("X ⋆ K: cross-correlation", "X ⋆ flipud(K): neither", "X * K: convolution")
LAYOUT = {  # on a screen (False) and on a projector (True): the panels (rows, widths, heights)
    False: ("K input products output; R input products output", [1, 2.4, 1.2, 2.4], None),
    True: ("K R products; input input output", [1, 1, 1.6], [1, 1.5]),
}
# What fits on a screen (False) and on a projector (True), in cells a side or in characters:
WRITTEN_UP_TO = {False: 18, True: 12}  # arrays with each value written in its cell
PARTNERS_UP_TO = {False: 8, True: 5}  # (padded) inputs whose window cells name the kernel value they meet
FORMULA_UP_TO = {False: 120, True: 80}  # the sum written out in the title
SPELLED_UP_TO = 21  # characters in a row of products spelled out (2×(-1) = -2); wider: the products only


def rotation_steps(kernel: np.ndarray) -> list[np.ndarray]:
    """The kernel (kh, kw) as given, flipped upside down, then also left to right (= rotated 180°)."""
    kernel = np.asarray(kernel)
    return [kernel, kernel[::-1, :], kernel[::-1, ::-1]]


@dataclass
class ConvolutionStep:
    """A step of a convolution: notebook 01's kernel step, with the kernel turned and the input padded.

    image: (h, w); kernel: (kh, kw) as given; rotation: its index in ROTATION_STEPS; mode: "valid" or
    "full"; slide: the ``KernelStep`` of the kernel at that rotation step over the image, padded in full
    mode (its ``image`` is the padded input, its ``kernel`` the kernel as it slides).
    """

    image: np.ndarray
    kernel: np.ndarray
    rotation: int
    mode: str
    slide: KernelStep


def convolution_step(
    image: np.ndarray, kernel: np.ndarray, rotation: int = 2, mode: str = "valid", position: int = 0
) -> ConvolutionStep:
    """The state with the kernel at ``rotation`` step, in ``mode``, at output ``position``."""
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    padded = pad_full(image, kernel.shape) if mode == "full" else image
    slide = kernel_step(padded, rotation_steps(kernel)[rotation], position)
    return ConvolutionStep(image, kernel, rotation, mode, slide)


class ConvolutionStepperView(View):
    """K and the kernel that slides, the input with the window, its products, the output so far.

    A new layout takes seconds: arrays of new shapes but the same proportions (a new mode on a square
    input) are drawn again in the panels as laid out.
    """

    layout_passes = 2  # one leaves K's tick labels under the title of the kernel that slides

    def __init__(self, figure, state: ConvolutionStep, presenting: bool = False):
        super().__init__(figure, state, presenting)
        rows, widths, heights = LAYOUT[presenting]
        mosaic = [row.split() for row in rows.split(";")]
        self.axes = figure.subplot_mosaic(mosaic, width_ratios=widths, height_ratios=heights)
        self.shapes, self.formula = None, figure.suptitle(" ")
        self.proportions = _proportions(state)

    def fits(self, state):
        return _proportions(state) == self.proportions

    def background(self, state):
        return state.kernel.shape, state.mode, state.kernel.tobytes(), state.rotation

    def fill(self, state: ConvolutionStep):
        """Make the artists for the kernel's shape and the mode."""
        self.shapes, ax = (state.kernel.shape, state.mode), self.axes
        for panel in ax.values():
            for artist in [*panel.images, *panel.texts, *panel.patches]:
                artist.remove()
        step, (kh, kw) = state.slide, state.kernel.shape
        size = " × ".join(map(str, step.image.shape))
        write = max(step.image.shape) <= WRITTEN_UP_TO[self.presenting]
        self.kernel_artist = show_array(ax["K"], state.kernel, "kernel K")
        self.sliding_artist = show_array(ax["R"], step.kernel)
        for name in "KR":
            ax[name].set(xlabel="", ylabel="")
        full = state.mode == "full"
        title = "input X padded with k - 1 zeros (hatched)" if full else "input X (valid: no padding)"
        pad = (kh, kw) if full else (1, 1)  # (1, 1): no padding
        show_padded(ax["input"], state.image, pad, f"{title}\n{size}", annotate=write)
        self.window_box = plotting.outline(ax["input"], kh, kw, lw=3.5, zorder=5)
        partners = max(step.image.shape) <= PARTNERS_UP_TO[self.presenting]
        self.partners = plotting.partner_labels(ax["input"], kh * kw if partners else 0)
        self.products_artist = show_array(ax["products"], step.products, annotate=True)
        self.product_texts, spines = list(ax["products"].texts), plotting.frame(ax["products"])
        # the whole map, values written, drawn once; a grey veil hides what is not computed yet
        self.output_artist = show_array(ax["output"], step.output, annotate=write)
        ax["output"].set(xticks=range(step.output.shape[1]), yticks=range(step.output.shape[0]))
        self.output_texts = list(ax["output"].texts)
        self.veil = ax["output"].imshow(np.zeros((*step.output.shape, 4)), zorder=4)
        self.output_box = plotting.outline(ax["output"], lw=3.5, zorder=5)
        products = [self.products_artist, *self.product_texts, *spines, ax["products"].title]
        self.dynamic = [self.window_box, *self.partners, *products, self.veil, self.output_box, self.formula]

    def draw(self, state):
        if (state.kernel.shape, state.mode) != self.shapes:
            self.fill(state)
        ax, step = self.axes, state.slide
        row, col = step.row, step.col
        update_array(self.kernel_artist, ax["K"].texts, state.kernel)
        update_array(self.sliding_artist, ax["R"].texts, step.kernel)
        update_array(self.output_artist, self.output_texts, step.output)
        ax["R"].set_title(f"{ROTATION_STEPS[state.rotation]}\n(slides)")
        shape = " × ".join(map(str, step.output.shape))
        ax["output"].set_title(f"{OUTPUT_NAMES[state.rotation]}\n{state.mode} mode, {shape} (grey: not yet)")
        self.window_box.set_xy((col - 0.5, row - 0.5))
        for text, (i, j) in zip(self.partners, np.ndindex(step.kernel.shape)):
            text.set(position=(col + j - 0.44, row + i - 0.44), text=f"×{format_value(step.kernel[i, j])}")
        limit = float(np.max(np.abs(state.image)) * np.max(np.abs(state.kernel))) or 1.0
        update_array(self.products_artist, self.product_texts, step.products, limit)
        terms = [_times(a, b) for a, b in zip(step.window.flat, step.kernel.flat)]
        widest = 3 + sum(max(len(format_value(v)) for v in a.flat) for a in (state.image, state.kernel))
        if widest * state.kernel.shape[1] <= SPELLED_UP_TO:  # the longest product, 'a×(b)', fits
            for text, term, product in zip(self.product_texts, terms, step.products.flat):
                text.set_text(f"{term}\n= {format_value(product)}")
        total = format_value(step.partial_sum, 4)
        ax["products"].set_title(f"products\nsum = {total}")
        self.veil.set_data(plotting.veil(np.isnan(step.output_so_far)))
        self.output_box.set_xy((col - 0.5, row - 0.5))
        sums = " + ".join(terms)
        sums = sums if len(sums) <= FORMULA_UP_TO[self.presenting] else f"the sum of {len(terms)} products"
        self.formula.set_text(f"output[{row}, {col}] = {sums} = {total}")


class ConvolutionStepper(InteractiveFigure):
    """Convolution step by step: rotate the kernel, pad in full mode, slide, multiply, sum.

    image: (h, w) with h, w <= 10; kernel: (kh, kw) fitting inside the image, at most 5 x 5;
    mode: "valid" or "full". ``state`` is the ``ConvolutionStep`` shown.
    """

    def __init__(self, image: np.ndarray, kernel: np.ndarray, mode: str = "valid"):
        super().__init__(figsize=(13, 4.6), presentation_figsize=(11, 8.2), view_class=ConvolutionStepperView)
        self.input_image = as_grid(image, "image", MAX_IMAGE)
        self.kernel = _as_kernel(kernel, self.input_image)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.kernel_text = widgets.Text(
            format_kernel(self.kernel), placeholder=EXAMPLE, description="kernel K", continuous_update=False
        )
        self.rotation = widgets.ToggleButtons(
            options=[(label, step) for step, label in enumerate(ROTATION_STEPS)], value=2, description="slide"
        )
        self.mode = widgets.ToggleButtons(options=list(MODES), value=mode, description="mode")
        self.slider = widgets.IntSlider(value=0, min=0, max=0, description="position")
        self.play = widgets.Play(value=0, min=0, max=0, interval=900, description="play")
        self.show_controls(self.kernel_text, self.rotation, self.mode, [self.play, self.slider])
        self.watch(self.slider, self.rotation)
        self.watch(self.mode, handler=self._fit_slider)
        self.watch(self.kernel_text, handler=self._on_text)
        self.link_play(self.play, self.slider)
        self._fit_slider()

    def compute(self) -> ConvolutionStep:
        return convolution_step(
            self.input_image, self.kernel, self.rotation.value, self.mode.value, self.slider.value
        )

    def _fit_slider(self, change=None):
        """The slider spans the output's positions (it keeps its value where it can); then refresh."""
        (h, w), (kh, kw), mode = self.input_image.shape, self.kernel.shape, self.mode.value
        with self.quietly():
            self.slider.max = output_size(h, kh, mode) * output_size(w, kw, mode) - 1
        self.refresh()

    def _on_text(self, change):
        """Take the typed kernel, or refuse it and keep the last good one."""
        try:
            self.kernel = _as_kernel(parse_kernel(change["new"]), self.input_image)
        except ValueError as error:
            self.say(f"{error}. Kept the last good kernel, {format_kernel(self.kernel)}.", error=True)
            return
        self.say()
        self._fit_slider()


def _proportions(state: ConvolutionStep) -> tuple[float, ...]:
    """Height over width of the kernel, of what it slides over and of the output: what the layout fits."""
    arrays = (state.kernel, state.slide.image, state.slide.output)
    return tuple(array.shape[0] / array.shape[1] for array in arrays)


def _times(a: float, b: float) -> str:
    """``"5×(-1)"``: a product written out, a negative factor on the right in parentheses."""
    right = format_value(b)
    return f"{format_value(a)}×({right})" if right.startswith("-") else f"{format_value(a)}×{right}"


def _as_kernel(kernel, image: np.ndarray) -> np.ndarray:
    """A kernel of finite numbers, at most 5 x 5, that fits inside the image; else a ValueError saying why."""
    kernel = as_grid(kernel, "kernel", MAX_KERNEL)
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"expected a kernel at most the input's shape {image.shape}, got {kernel.shape}")
    return kernel
