"""Step through a convolution: the kernel turned half a turn, the zeros of full mode, the slide.

Shown in notebook 02. The kernel is flipped upside down, then left to right (three steps a
toggle walks through); in "full" mode the input is surrounded by ``k - 1`` zeros; a slider
(or Play) moves the kernel, as it stands, over the input, and the output fills in.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from cnnlib.correlation import MODES, correlate2d, pad_full
from cnnlib.plotting import SIGNED_CMAP, format_value
from cnnlib.widgets.base import FigureWidget
from cnnlib.widgets.inputs import as_grid, format_kernel, parse_kernel

MAX_IMAGE = 10  # largest input side: every value stays readable, padded or not
MAX_KERNEL = 5
ROTATION_STEPS = ("K as given", "K flipped up-down", "K rotated 180°")
OUTPUT_NAMES = ("X ⋆ K: cross-correlation", "X ⋆ flipud(K): neither", "X * K: convolution")
WINDOW_COLOUR = "#ff8c00"  # orange: not a colour of the red-blue map
PADDING_COLOUR = "0.88"
NOT_YET_COLOUR = (
    "0.82"  # output cells not computed yet (NaN): grey, apart from zero's white, as in notebook 01
)


def rotation_steps(kernel: np.ndarray) -> list[np.ndarray]:
    """The kernel as given, flipped upside down, then also left to right (= rotated 180°).

    kernel: (kh, kw). Returns three (kh, kw) arrays.
    """
    kernel = np.asarray(kernel)
    return [kernel, kernel[::-1, :], kernel[::-1, ::-1]]


def show_padded(
    ax: Axes, image: np.ndarray, kernel_shape: tuple[int, int], title: str = "", fontsize: float = 9
):
    """Draw ``pad_full(image, kernel_shape)``: the image in red-blue, its padding zeros hatched grey.

    image: (h, w). Returns the padded array, (h + 2(kh - 1), w + 2(kw - 1)), and the image artist.
    """
    image = np.asarray(image, dtype=float)
    padded = pad_full(image, kernel_shape)
    pad_rows, pad_cols = kernel_shape[0] - 1, kernel_shape[1] - 1
    limit = float(np.max(np.abs(image))) or 1.0
    artist = ax.imshow(padded, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    h, w = image.shape
    for (row, col), value in np.ndenumerate(padded):
        inside = pad_rows <= row < pad_rows + h and pad_cols <= col < pad_cols + w
        if not inside:
            ax.add_patch(
                Rectangle(
                    (col - 0.5, row - 0.5),
                    1,
                    1,
                    facecolor=PADDING_COLOUR,
                    edgecolor="0.6",
                    hatch="///",
                    linewidth=0.5,
                )
            )
        colour = "white" if inside and abs(value) > 0.6 * limit else ("0.45" if not inside else "black")
        ax.text(col, row, format_value(value), ha="center", va="center", color=colour, fontsize=fontsize)
    if pad_rows or pad_cols:  # outline the image itself inside its padding
        ax.add_patch(
            Rectangle(
                (pad_cols - 0.5, pad_rows - 0.5),
                w,
                h,
                fill=False,
                edgecolor="black",
                linestyle="--",
                linewidth=1.2,
            )
        )
    ax.set_title(title)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_xticks(range(padded.shape[1]))
    ax.set_yticks(range(padded.shape[0]))
    return padded, artist


class ConvolutionStepper(FigureWidget):
    """Convolution step by step: rotate the kernel, pad in full mode, slide, multiply, sum.

    image: (h, w) with h, w <= 10; kernel: (kh, kw) fitting inside the image, at most 5 x 5.
    State after each update: ``kernel``, ``sliding_kernel`` (the kernel at the chosen rotation
    step), ``padded`` (what the kernel slides over), ``window`` (row, col of its top-left cell),
    ``products``, ``output`` (NaN where not computed yet) and ``result`` (the whole output).
    """

    def __init__(self, image: np.ndarray, kernel: np.ndarray, mode: str = "valid"):
        self.input_image = as_grid(image, "image", MAX_IMAGE)
        kernel = as_grid(kernel, "kernel", MAX_KERNEL)
        problem = _does_not_fit(kernel, self.input_image)
        if problem:
            raise ValueError(problem)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        super().__init__(figsize=(12, 4.6))
        self.kernel = kernel
        self.kernel_text = widgets.Text(
            value=format_kernel(kernel),
            description="kernel K",
            continuous_update=False,
            placeholder="rows separated by ;  e.g. 1 2; 3 4",
            layout=widgets.Layout(width="340px"),
        )
        self.rotation = widgets.ToggleButtons(
            options=[(label, step) for step, label in enumerate(ROTATION_STEPS)],
            value=2,
            description="slide",
        )
        self.mode = widgets.ToggleButtons(options=list(MODES), value=mode, description="mode")
        self.slider = widgets.IntSlider(value=0, min=0, max=0, description="position")
        self.play = widgets.Play(value=0, min=0, max=0, interval=900, description="play")
        widgets.link((self.play, "value"), (self.slider, "value"))
        self.widget = widgets.VBox(
            [
                self.kernel_text,
                self.rotation,
                self.mode,
                widgets.HBox([self.play, self.slider]),
                self.message,
                self.image,
            ]
        )
        self._updating = False
        self._built_for = None  # the (kernel, mode) the artists were made for
        for control in (self.kernel_text, self.rotation, self.mode, self.slider):
            control.observe(self.update, names="value")
        self.update()

    # ----- state -----

    def update(self, change=None):
        """Recompute the state from the controls, redraw, and send the picture."""
        if self._updating:  # a control this method itself moved (the slider's range)
            return
        self._updating = True
        try:
            if change is not None and change["owner"] is self.kernel_text and not self._read_kernel():
                return
            self._compute()
            self._draw()
            self.show_figure()
        finally:
            self._updating = False

    def _read_kernel(self) -> bool:
        """Take the typed kernel, or refuse it and keep the last good one."""
        try:
            kernel = parse_kernel(self.kernel_text.value)
            problem = _does_not_fit(kernel, self.input_image) or _too_large(kernel)
            if problem:
                raise ValueError(problem)
        except ValueError as error:
            self.say(
                f"{error}. Still showing the last good kernel, {format_kernel(self.kernel)}.", error=True
            )
            return False
        self.kernel = kernel
        self.say("")
        return True

    def _compute(self):
        kh, kw = self.kernel.shape
        self.rotation_step = self.rotation.value
        self.sliding_kernel = rotation_steps(self.kernel)[self.rotation_step]
        self.padded = (
            pad_full(self.input_image, self.kernel.shape) if self.mode.value == "full" else self.input_image
        )
        self.result = correlate2d(self.padded, self.sliding_kernel)  # all positions at once
        out_h, out_w = self.result.shape
        last = out_h * out_w - 1
        if self.slider.max != last:  # the output's size changed: the slider's range follows
            self.slider.max = self.play.max = max(last, 0)
        self.position = min(self.slider.value, last)
        self.window = divmod(self.position, out_w)
        row, col = self.window
        self.products = self.padded[row : row + kh, col : col + kw] * self.sliding_kernel
        self.output = np.full(self.result.shape, np.nan)
        self.output.flat[: self.position + 1] = self.result.flat[: self.position + 1]

    # ----- drawing -----

    def _draw(self):
        key = (self.kernel.tobytes(), self.kernel.shape, self.mode.value)
        rebuilt = self._built_for != key
        if rebuilt:
            self._build()
            self._built_for = key
        kh, kw = self.kernel.shape
        row, col = self.window
        sliding_limit = float(np.max(np.abs(self.kernel))) or 1.0
        self.sliding_artist.set_data(self.sliding_kernel)
        for (i, j), value in np.ndenumerate(self.sliding_kernel):
            self.sliding_texts[i, j].set_text(format_value(value))
            self.sliding_texts[i, j].set_color(_ink(value, sliding_limit))
        self.axes["R"].set_title(f"{ROTATION_STEPS[self.rotation_step]}\n(slides)")
        self.window_patch.set_xy((col - 0.5, row - 0.5))
        for (i, j), value in np.ndenumerate(self.sliding_kernel):
            self.multiplier_texts[i, j].set_position((col + j + 0.45, row + i + 0.45))
            self.multiplier_texts[i, j].set_text(f"×{format_value(value)}")
        self.products_artist.set_data(self.products)
        window = self.padded[row : row + kh, col : col + kw]
        for (i, j), value in np.ndenumerate(self.products):
            self.product_texts[i, j].set_text(
                f"{_times(window[i, j], self.sliding_kernel[i, j])}\n= {format_value(value)}"
            )
            self.product_texts[i, j].set_color(_ink(value, self.product_limit))
        total = self.result[row, col]
        self.axes["products"].set_title(f"products\nsum = {format_value(total, 4)}")
        self.output_artist.set_data(np.ma.masked_invalid(self.output))
        for (i, j), value in np.ndenumerate(self.output):
            self.output_texts[i, j].set_text("" if np.isnan(value) else format_value(value))
            self.output_texts[i, j].set_color(_ink(value, self.output_limit))
        self.output_patch.set_xy((col - 0.5, row - 0.5))
        name = OUTPUT_NAMES[self.rotation_step]
        self.axes["output"].set_title(
            f"{name}\n{self.mode.value} mode, {self.result.shape[0]} × {self.result.shape[1]} (grey: not yet)"
        )
        terms = [_times(a, b) for a, b in zip(window.ravel(), self.sliding_kernel.ravel())]
        sums = " + ".join(terms) if len(terms) <= 9 else f"the sum of {len(terms)} products"
        self.formula = f"output[{row}, {col}] = {sums} = {format_value(total, 4)}"
        self.formula_text.set_text(self.formula)
        if rebuilt:  # lay the panels out once for these shapes, then keep them still: a step is faster
            titles = {panel: self.axes[panel].get_title() for panel in ("R", "output")}
            self.axes["R"].set_title(f"{max(ROTATION_STEPS, key=len)}\n(slides)")  # room for the longest
            self.axes["output"].set_title(
                f"{max(OUTPUT_NAMES, key=len)}\n{self.mode.value} mode (grey: not yet)"
            )
            self.figure.draw_without_rendering()
            self.figure.draw_without_rendering()  # constrained layout settles in two passes
            self.figure.set_layout_engine("none")
            for panel, title in titles.items():
                self.axes[panel].set_title(title)

    def _build(self):
        """Create the axes and artists for the current kernel and mode; later updates only move them."""
        self.figure.clear()
        self.figure.set_layout_engine("constrained")
        self.axes = self.figure.subplot_mosaic(
            [["K", "input", "products", "output"], ["R", "input", "products", "output"]],
            width_ratios=[1.3, 2.6, 1.4, 2.2],
        )
        kh, kw = self.kernel.shape
        full = self.mode.value == "full"
        big = max(self.padded.shape) > 8
        fontsize = 7 if big else 9
        limit = float(np.max(np.abs(self.kernel))) or 1.0
        ax = self.axes["K"]
        ax.imshow(self.kernel, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
        for (i, j), value in np.ndenumerate(self.kernel):
            ax.text(j, i, format_value(value), ha="center", va="center", fontsize=9, color=_ink(value, limit))
        ax.set_title("kernel K")
        ax = self.axes["R"]
        self.sliding_artist = ax.imshow(self.kernel, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
        self.sliding_texts = np.array(
            [[ax.text(j, i, "", ha="center", va="center", fontsize=9) for j in range(kw)] for i in range(kh)]
        )
        for name in ("K", "R"):
            self.axes[name].set_xticks(range(kw))
            self.axes[name].set_yticks(range(kh))
        ax = self.axes["input"]
        if full:
            show_padded(
                ax,
                self.input_image,
                self.kernel.shape,
                f"input X padded with k - 1 zeros\n(hatched: padding), {self.padded.shape[0]} × {self.padded.shape[1]}",
                fontsize,
            )
        else:
            show_padded(
                ax,
                self.input_image,
                (1, 1),
                f"input X, {self.padded.shape[0]} × {self.padded.shape[1]}\n(valid: no padding)",
                fontsize,
            )
        self.window_patch = ax.add_patch(
            Rectangle((-0.5, -0.5), kw, kh, fill=False, edgecolor=WINDOW_COLOUR, linewidth=3.5)
        )
        self.multiplier_texts = np.array(
            [
                [
                    ax.text(
                        0,
                        0,
                        "",
                        ha="right",
                        va="bottom",
                        fontsize=max(fontsize - 1, 7),
                        color="black",
                        bbox=dict(
                            boxstyle="square,pad=0.05", facecolor=WINDOW_COLOUR, alpha=0.8, linewidth=0
                        ),
                    )
                    for j in range(kw)
                ]
                for i in range(kh)
            ]
        )
        ax = self.axes["products"]
        self.product_limit = float(np.max(np.abs(self.input_image)) * np.max(np.abs(self.kernel))) or 1.0
        self.products_artist = ax.imshow(
            np.zeros((kh, kw)), cmap=SIGNED_CMAP, vmin=-self.product_limit, vmax=self.product_limit
        )
        self.product_texts = np.array(
            [[ax.text(j, i, "", ha="center", va="center", fontsize=8) for j in range(kw)] for i in range(kh)]
        )
        ax.set_xticks(range(kw))
        ax.set_yticks(range(kh))
        for spine in ax.spines.values():
            spine.set_edgecolor(WINDOW_COLOUR)
            spine.set_linewidth(3)
        ax = self.axes["output"]
        self.output_limit = float(np.max(np.abs(self.result))) or 1.0
        self.output_artist = ax.imshow(
            np.ma.masked_invalid(self.output),
            cmap=SIGNED_CMAP,
            vmin=-self.output_limit,
            vmax=self.output_limit,
        )
        ax.set_facecolor(NOT_YET_COLOUR)  # shows through the masked (not yet computed) cells
        out_h, out_w = self.result.shape
        self.output_texts = np.array(
            [
                [ax.text(j, i, "", ha="center", va="center", fontsize=fontsize) for j in range(out_w)]
                for i in range(out_h)
            ]
        )
        self.output_patch = ax.add_patch(
            Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=WINDOW_COLOUR, linewidth=3.5)
        )
        ax.set_xlim(-0.5, out_w - 0.5)
        ax.set_ylim(out_h - 0.5, -0.5)
        ax.set_xticks(range(out_w))
        ax.set_yticks(range(out_h))
        for name in ("input", "products", "output"):
            self.axes[name].set_xlabel("column")
            self.axes[name].set_ylabel("row")
        ax.set_xticks(np.arange(out_w + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(out_h + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="0.8", linewidth=0.8)
        ax.tick_params(which="minor", length=0)
        self.formula_text = self.figure.suptitle("", fontsize=11)


def _ink(value: float, limit: float) -> str:
    """White on a dark cell, black on a light one (as ``show_array`` writes its values)."""
    return "white" if abs(value) > 0.6 * limit else "black"


def _times(a: float, b: float) -> str:
    """``"5×(-1)"``: a product written out, a negative factor on the right in parentheses."""
    right = format_value(b)
    return f"{format_value(a)}×({right})" if right.startswith("-") else f"{format_value(a)}×{right}"


def _does_not_fit(kernel: np.ndarray, image: np.ndarray) -> str:
    """The reason the kernel cannot slide over the image in valid mode, or ''."""
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        return f"the kernel must fit inside the input: kernel shape {kernel.shape} is larger than input shape {image.shape}"
    return ""


def _too_large(kernel: np.ndarray) -> str:
    if max(kernel.shape) > MAX_KERNEL:
        return f"the kernel must be at most {MAX_KERNEL} x {MAX_KERNEL}, got shape {kernel.shape}"
    return ""
