"""The shapes in a convolutional layer, drawn as blocks: input, kernels, biases, output.

Used in notebook 03. ``ShapesExplorer()`` shown as the last expression of a cell gives sliders
for the input's depth n, height h and width w, the kernel size k and the number of kernels d.
Each change builds a real ``cnnlib.layers.Convolutional`` layer, runs its forward pass, and
draws every array as a 3D block to scale (one pixel, one unit; each slice of depth, one step
back), with the shapes and the parameter count written below.
"""

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Polygon

from cnnlib.layers import Convolutional
from cnnlib.widgets.base import FigureWidget

MAX_SIZE = 32  # largest input height and width on the sliders (CIFAR's 32 x 32)
MAX_DEPTH = 8  # largest input depth on the slider
MAX_KERNELS = 8  # largest number of kernels d; one block is kept ready for each
SLICE_STEP = 1.6  # how far back (in pixels, along the diagonal) each slice of depth is drawn
PADDING = {"left": 22, "right": 36, "bottom": 44, "top": 32}  # screen pixels around the boxes for labels
COLOURS = {"input": "#bdbdbd", "kernel": "#f4a261", "biases": "#b39ddb", "output": "#6baed6"}


def _shade(colour: str, amount: float) -> tuple:
    """The colour mixed with white (amount > 0) or black (amount < 0)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    target = 1.0 if amount > 0 else 0.0
    return tuple(rgb + (target - rgb) * abs(amount))


def _slider(description: str, value: int, top: int, disabled: bool = False) -> widgets.IntSlider:
    """An integer slider from 1 to ``top`` (or to ``value``, if larger), updated on release."""
    return widgets.IntSlider(
        value=int(value),
        min=1,
        max=max(top, int(value)),
        description=description,
        disabled=disabled,
        continuous_update=False,
        style={"description_width": "120px"},
        layout=widgets.Layout(width="420px"),
    )


class Block:
    """One array drawn as a box: a front face (height x width), a top and a side face, slice lines.

    The front face is slice 1; slices 2, 3, ... lie behind it, each SLICE_STEP further up and right.
    """

    def __init__(self, ax, colour: str, zorder: float):
        style = dict(edgecolor="#333333", linewidth=0.8, zorder=zorder)
        self.front = Polygon(np.zeros((4, 2)), closed=True, facecolor=colour, **style)
        self.top = Polygon(np.zeros((4, 2)), closed=True, facecolor=_shade(colour, 0.35), **style)
        self.side = Polygon(np.zeros((4, 2)), closed=True, facecolor=_shade(colour, -0.25), **style)
        self.slices = LineCollection([], colors="#333333", linewidths=0.4, zorder=zorder + 0.1)
        for artist in (self.top, self.side, self.front):
            ax.add_patch(artist)
        ax.add_collection(self.slices)
        self.artists = (self.front, self.top, self.side, self.slices)

    def place(self, x0: float, y0: float, shape: tuple[int, int, int]):
        """Draw an array of ``shape`` (depth, height, width) with its front face's lower-left corner at (x0, y0)."""
        depth, height, width = shape
        back = depth * SLICE_STEP
        x1, y1 = x0 + width, y0 + height
        self.front.set_xy([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        self.top.set_xy([(x0, y1), (x1, y1), (x1 + back, y1 + back), (x0 + back, y1 + back)])
        self.side.set_xy([(x1, y0), (x1 + back, y0 + back), (x1 + back, y1 + back), (x1, y1)])
        steps = [s * SLICE_STEP for s in range(1, depth)]
        self.slices.set_segments(
            [[(x0 + s, y1 + s), (x1 + s, y1 + s)] for s in steps]
            + [[(x1 + s, y0 + s), (x1 + s, y1 + s)] for s in steps]
        )
        self.set_visible(True)
        return x1 + back, y1 + back  # the upper-right corner of the whole box

    def set_visible(self, visible: bool):
        for artist in self.artists:
            artist.set_visible(visible)


class ShapesExplorer(FigureWidget):
    """Input (n, h, w), kernels (d, n, k, k), biases and output (d, h - k + 1, w - k + 1), drawn to scale.

    height, width, input_depth: the input's shape (n, h, w), unless ``x`` is given: an input
    array (n, h, w) whose shape is then fixed and on which the forward pass runs.
    kernel_size: k, at most min(h, w); depth: the number of kernels d, at most MAX_KERNELS.
    seed: for the random layer (and the random input when ``x`` is None).

    The state after each change: ``input_shape``, ``kernel_size``, ``depth``, ``shapes`` (name ->
    shape for "input", "kernels", "biases", "output"), ``layer`` (a Convolutional), ``x`` and
    ``output`` (its forward pass), ``parameter_count``. A height or width smaller than the kernel
    is refused with a message; the sliders go back to the last good state.
    """

    def __init__(
        self,
        height: int = 28,
        width: int = 28,
        input_depth: int = 1,
        kernel_size: int = 3,
        depth: int = 5,
        x=None,
        seed: int = 0,
        figsize=(10, 6.2),
    ):
        super().__init__(figsize=figsize)
        self.seed = seed
        self.fixed_x = None
        if x is not None:
            x = np.asarray(x, dtype=float)
            if x.ndim != 3 or x.size == 0:
                raise ValueError(f"x must be an input block (depth, height, width), got shape {x.shape}")
            self.fixed_x = x
            input_depth, height, width = x.shape
        for name, value, top in (
            ("input_depth", input_depth, None),
            ("height", height, None),
            ("width", width, None),
            ("depth", depth, MAX_KERNELS),
        ):
            if int(value) != value or value < 1 or (top is not None and value > top):
                limit = f"from 1 to {top}" if top else "1 or more"
                raise ValueError(f"{name} must be a whole number {limit}, got {value!r}")
        if int(kernel_size) != kernel_size or not 1 <= kernel_size <= min(height, width):
            raise ValueError(
                f"kernel_size must be a whole number from 1 to min(height, width) = "
                f"{min(height, width)}, got {kernel_size!r}"
            )

        self._busy = False  # True while the widget moves its own sliders
        fixed = x is not None  # a given input fixes n, h and w
        self.input_depth_slider = _slider("input depth n", input_depth, MAX_DEPTH, fixed)
        self.height_slider = _slider("input height h", height, MAX_SIZE, fixed)
        self.width_slider = _slider("input width w", width, MAX_SIZE, fixed)
        self.kernel_slider = _slider("kernel size k", kernel_size, min(height, width))
        self.depth_slider = _slider("kernels d", depth, MAX_KERNELS)
        self.sliders = [
            self.input_depth_slider,
            self.height_slider,
            self.width_slider,
            self.kernel_slider,
            self.depth_slider,
        ]
        for control in self.sliders:
            control.observe(self.update, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HBox([widgets.VBox(self.sliders[:3]), widgets.VBox(self.sliders[3:])]),
                self.message,
                self.image,
            ]
        )
        self.input_shape = None  # no good state yet
        self._build_figure()
        self.update()

    # --- the state ------------------------------------------------------------------------------
    def update(self, change=None):
        """Read the sliders; refuse a kernel larger than the input, else rebuild the layer and redraw."""
        if self._busy:
            return
        n, h, w = self.input_depth_slider.value, self.height_slider.value, self.width_slider.value
        k, d = self.kernel_slider.value, self.depth_slider.value
        if k > h or k > w:
            good_h, good_w = self.input_shape[1:]
            self._set_sliders(self.input_shape, self.kernel_size, self.depth)
            self.say(
                f"A {k} x {k} kernel does not fit in a {h} x {w} input: the valid cross-correlation needs "
                f"k <= h and k <= w. Kept the input at {good_h} x {good_w}; make the kernel smaller first.",
                error=True,
            )
            return
        self.input_shape, self.kernel_size, self.depth = (n, h, w), k, d
        self._busy = True
        try:
            self.kernel_slider.max = min(h, w)  # the kernel slider cannot go past the input
        finally:
            self._busy = False
        self.layer = Convolutional(self.input_shape, k, d, rng=self.seed)
        if self.fixed_x is not None:
            self.x = self.fixed_x
        else:
            self.x = np.random.default_rng(self.seed).uniform(0, 1, self.input_shape)
        self.output = self.layer.forward(self.x)
        self.shapes = {
            "input": self.x.shape,
            "kernels": self.layer.kernels.shape,
            "biases": self.layer.biases.shape,
            "output": self.output.shape,
        }
        self.parameter_count = self.layer.kernels.size + self.layer.biases.size
        self.say()
        self._draw()
        self.show_figure()

    def _set_sliders(self, input_shape, kernel_size, depth):
        self._busy = True
        try:
            self.kernel_slider.max = min(input_shape[1:])
            for control, value in zip(self.sliders, (*input_shape, kernel_size, depth)):
                control.value = value
        finally:
            self._busy = False

    # --- the picture ------------------------------------------------------------------------------
    def _build_figure(self):
        """Create every artist once: a box per array (one per possible kernel), symbols, labels, the shapes text."""
        self.ax, self.text_ax = self.figure.subplots(2, 1, height_ratios=[3.2, 1])
        ax = self.ax
        ax.set_axis_off()
        self.text_ax.set_axis_off()
        self.blocks = {
            "input": Block(ax, COLOURS["input"], 2),
            "biases": Block(ax, COLOURS["biases"], 2),
            "output": Block(ax, COLOURS["output"], 2),
        }
        self.kernel_blocks = [Block(ax, COLOURS["kernel"], 3 + i) for i in range(MAX_KERNELS)]
        self.kernel_names = [
            ax.annotate(
                f"$K_{{{i + 1}}}$",
                (0, 0),
                xytext=(3, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=9,
            )
            for i in range(MAX_KERNELS)
        ]
        symbol = dict(ha="center", va="center", fontsize=22)
        self.symbols = [ax.text(0, 0, s, **symbol) for s in ("⋆", "+", "=")]
        self.symbols[0].set_fontsize(30)  # the star glyph is drawn small
        names = {"input": "input X", "kernels": "kernels K", "biases": "biases B", "output": "output Y"}
        self.names = {
            key: ax.text(
                0,
                0.01,
                name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=10,
                fontweight="bold",
            )
            for key, name in names.items()
        }
        dimension = dict(textcoords="offset points", fontsize=8.5, color="#222222")
        self.labels = {}  # (block, edge) -> annotation: the length of that edge
        for key in ("input", "kernel", "biases", "output"):
            # height on the left, width below starting at the left edge, depth above the diagonal edge:
            # placed so that they do not run into each other even on a 1 x 1 block
            self.labels[key, "height"] = ax.annotate(
                "", (0, 0), xytext=(-3, 0), ha="right", va="center", rotation=90, **dimension
            )
            self.labels[key, "width"] = ax.annotate(
                "", (0, 0), xytext=(0, -2), ha="left", va="top", **dimension
            )
            self.labels[key, "depth"] = ax.annotate(
                "", (0, 0), xytext=(2, 1), ha="left", va="bottom", **dimension
            )
        for edge in ("height", "depth"):
            self.labels["kernel", edge].set_visible(False)  # the count above the column says n x k x k
        self.count_label = ax.annotate(
            "", (0, 0), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom", fontsize=9
        )
        self.shapes_text = self.text_ax.text(
            0.0,
            1.0,
            "",
            transform=self.text_ax.transAxes,
            ha="left",
            va="top",
            family="monospace",
            fontsize=9.5,
            linespacing=1.5,
        )

    def _layout(self, gap: float, room: float) -> dict:
        """Where each box goes: the lower-left corner of its front face, in pixels of the arrays.

        Input, kernels (a column), biases and output side by side, each centred on y = 0;
        ``gap`` between boxes (the symbols sit in it), ``room`` right of the kernels for their names.
        """
        n, h, w = self.shapes["input"]
        d, _, k, _ = self.shapes["kernels"]
        _, out_h, out_w = self.shapes["output"]
        back_in, back_out = n * SLICE_STEP, d * SLICE_STEP
        kernel_gap = max(1.0, 0.3 * k)
        step = k + back_in + kernel_gap
        column_top = (d * step - kernel_gap) / 2
        kx = w + back_in + gap
        layout = {
            "input": (0.0, -h / 2),
            "symbols": [w + back_in + 0.42 * gap],
            "column_top": column_top,
            "kernels": [(kx, column_top - i * step - back_in - k) for i in range(d)],
        }
        right = kx + k + back_in + room
        for key in ("biases", "output"):
            layout["symbols"].append(right + 0.42 * gap)
            layout[key] = (right + gap, -out_h / 2)
            right += gap + out_w + back_out
        layout["bounds"] = (
            0.0,
            right,
            min(-h / 2, -out_h / 2, layout["kernels"][-1][1]),
            max(h / 2 + back_in, out_h / 2 + back_out, column_top),
        )
        return layout

    def _scale(self, bounds) -> float:
        """Screen pixels per array pixel once the boxes fill the drawing, leaving PADDING for the labels."""
        xmin, xmax, ymin, ymax = bounds
        width = self.figure.get_figwidth() * self.figure.dpi * 0.97
        height = self.figure.get_figheight() * self.figure.dpi * 0.93 * 3.2 / 4.2
        return min(
            (width - PADDING["left"] - PADDING["right"]) / (xmax - xmin),
            (height - PADDING["bottom"] - PADDING["top"]) / (ymax - ymin),
        )

    def _draw(self):
        n, h, w = self.shapes["input"]
        d, _, k, _ = self.shapes["kernels"]
        _, out_h, out_w = self.shapes["output"]
        back_in, back_out = n * SLICE_STEP, d * SLICE_STEP
        # gaps wide enough on screen for a symbol and a label, whatever the scale: settle it in a few rounds
        gap, room = 6 + 0.25 * max(h, w), 0.0
        for _ in range(3):
            layout = self._layout(gap, room)
            scale = self._scale(layout["bounds"])
            gap, room = max(6 + 0.25 * max(h, w), 60 / scale), 26 / scale

        x0, y0 = layout["input"]
        self.blocks["input"].place(x0, y0, (n, h, w))
        self._label("input", x0, y0, (n, h, w), ("n", "h", "w"))
        self.names["input"].set_x(x0 + (w + back_in) / 2)

        for i, (block, name) in enumerate(zip(self.kernel_blocks, self.kernel_names)):
            block.set_visible(i < d)
            name.set_visible(i < d)
            if i < d:
                kx, ky = layout["kernels"][i]
                block.place(kx, ky, (n, k, k))
                name.xy = (kx + k + back_in, ky + k / 2)
        self._label("kernel", kx, ky, (n, k, k), ("n", "k", "k"))  # under the last kernel
        self.count_label.xy = (kx + (k + back_in) / 2, layout["column_top"])
        self.count_label.set_text(f"d = {d} kernel{'s' if d > 1 else ''}\n{n} x {k} x {k} each")
        self.names["kernels"].set_x(kx + (k + back_in) / 2)

        for key in ("biases", "output"):
            bx, by = layout[key]
            self.blocks[key].place(bx, by, (d, out_h, out_w))
            self._label(key, bx, by, (d, out_h, out_w), ("d", "h'", "w'"))
            self.names[key].set_x(bx + (out_w + back_out) / 2)
        for symbol, x in zip(self.symbols, layout["symbols"]):
            symbol.set_position((x, 0))

        xmin, xmax, ymin, ymax = layout["bounds"]
        self.ax.set_xlim(xmin - PADDING["left"] / scale, xmax + PADDING["right"] / scale)
        self.ax.set_ylim(ymin - PADDING["bottom"] / scale, ymax + PADDING["top"] / scale)
        self.ax.set_aspect("equal", adjustable="box")
        self.shapes_text.set_text(self.describe())

    def _label(self, key, x0, y0, shape, letters):
        """Write each edge's length beside it: height on the left, width below, depth at the back corner."""
        depth, height, width = shape
        depth_letter, height_letter, width_letter = letters
        back = depth * SLICE_STEP
        self.labels[key, "height"].xy = (x0, y0 + height / 2)
        self.labels[key, "height"].set_text(f"{height_letter} = {height}")
        self.labels[key, "width"].xy = (x0, y0)
        self.labels[key, "width"].set_text(f"{width_letter} = {width}")
        self.labels[key, "depth"].xy = (x0 + width + back, y0 + height + back)
        self.labels[key, "depth"].set_text(f"{depth_letter} = {depth}")

    def describe(self) -> str:
        """Every array's shape, the parameter count, and the forward pass that checked the output's shape."""
        n, h, w = self.shapes["input"]
        d, _, k, _ = self.shapes["kernels"]
        weights, bias_values = self.layer.kernels.size, self.layer.biases.size
        call = f"Convolutional({self.input_shape}, {k}, {d}).forward(x).shape"
        return "\n".join(
            [
                f"input    X  (n, h, w)                = {self.shapes['input']}",
                f"kernels  K  (d, n, k, k)             = {self.shapes['kernels']}",
                f"biases   B  (d, h-k+1, w-k+1)        = {self.shapes['biases']}",
                f"output   Y  (d, h-k+1, w-k+1)        = {self.shapes['output']}   (what {call} gave)",
                f"parameters  d·n·k·k + d·(h-k+1)·(w-k+1) = {d}·{n}·{k}·{k} + {d}·{h - k + 1}·{w - k + 1}"
                f" = {weights} + {bias_values} = {self.parameter_count}",
            ]
        )
