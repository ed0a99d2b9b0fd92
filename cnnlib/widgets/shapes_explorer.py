"""The shapes in a convolutional layer, drawn as blocks: input, kernels, biases, output.

Used in notebook 03. Each move of a slider builds a real ``cnnlib.layers.Convolutional`` layer,
runs its forward pass, and draws every array as a block to scale (one pixel, one unit; each slice
of depth, one step back), with the shapes and the parameter count written below.
"""

from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb
from matplotlib.patches import Polygon

from cnnlib.layers import Convolutional
from cnnlib.widgets.base import InteractiveFigure, View

MAX_SIZE = 32  # largest input height and width on the sliders (CIFAR's 32 x 32)
MAX_DEPTH = 8  # largest input depth on the slider
MAX_KERNELS = 8  # largest number of kernels d; one block is kept ready for each
SLICE_STEP = 1.6  # how far back (in pixels, along the diagonal) each slice of depth is drawn
ROOM = {"left": 22, "right": 36, "bottom": 44, "top": 32}  # screen pixels for the labels, at 10 pt
COLOURS = {"input": "#bdbdbd", "kernels": "#f4a261", "biases": "#b39ddb", "output": "#6baed6"}
SLIDER = {"continuous_update": False, "style": {"description_width": "120px"}, "layout": {"width": "420px"}}
LETTERS = {"input": "nhw", "kernels": "nkk", "biases": ("d", "h'", "w'"), "output": ("d", "h'", "w'")}
NOTE = {"textcoords": "offset points", "fontsize": "small"}  # a label a few points from what it names
# each edge's length: height on the left, width below from the left corner, depth above the back corner
EDGES = {
    "depth": {"xytext": (2, 1), "ha": "left", "va": "bottom"},
    "height": {"xytext": (-3, 0), "ha": "right", "va": "center", "rotation": 90},
    "width": {"xytext": (0, -2), "ha": "left", "va": "top"},
}
SHAPES = """input    X  (n, h, w)                   =
kernels  K  (d, n, k, k)                =
biases   B  (d, h-k+1, w-k+1)           =
output   Y  (d, h-k+1, w-k+1)           =
            layer.forward(X).shape      =
parameters  d·n·k·k + d·(h-k+1)·(w-k+1) ="""


@dataclass
class LayerShapes:
    """A convolutional layer run on an input: x (n, h, w); layer.kernels (d, n, k, k);
    layer.biases and output (d, h - k + 1, w - k + 1), the output from ``layer.forward(x)``."""

    x: np.ndarray
    layer: Convolutional
    output: np.ndarray

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        arrays = (self.x, self.layer.kernels, self.layer.biases, self.output)
        return {name: array.shape for name, array in zip(("input", "kernels", "biases", "output"), arrays)}

    @property
    def parameter_count(self) -> int:
        """The weights d·n·k·k and the biases d·(h-k+1)·(w-k+1): what training adjusts."""
        return self.layer.kernels.size + self.layer.biases.size


def layer_shapes(x: np.ndarray, kernel_size: int, depth: int, seed: int = 0) -> LayerShapes:
    """Make ``Convolutional(x.shape, kernel_size, depth, rng=seed)`` and run it on x (n, h, w)."""
    layer = Convolutional(x.shape, kernel_size, depth, rng=seed)
    return LayerShapes(x, layer, layer.forward(x))


class Block:
    """One array drawn as a box: a front face (height x width), a top and a side face, a line between
    slices of depth (each SLICE_STEP further back), and the lengths of the ``edges`` written beside it."""

    def __init__(self, ax, colour: str, zorder: float, edges=tuple(EDGES)):
        rgb = np.array(to_rgb(colour))  # the front; the top lit (towards white), the side in shade
        style = {"edgecolor": "#333333", "linewidth": 0.8, "zorder": zorder}
        shades = (rgb, 1 - 0.65 * (1 - rgb), 0.75 * rgb)
        self.faces = [ax.add_patch(Polygon(np.zeros((4, 2)), facecolor=tuple(c), **style)) for c in shades]
        lines = LineCollection([], colors="#333333", linewidths=0.4, zorder=zorder + 0.1)  # between slices
        self.slices = ax.add_collection(lines)
        self.labels = {edge: ax.annotate("", (0, 0), **NOTE, **EDGES[edge]) for edge in edges}
        self.artists = [*self.faces, self.slices, *self.labels.values()]  # in drawing order

    def place(self, x0: float, y0: float, shape: tuple[int, int, int], letters):
        """Draw an array of ``shape`` (depth, height, width), the front face's lower-left corner at (x0, y0);
        ``letters`` name the three lengths."""
        depth, height, width = shape
        back, x1, y1 = depth * SLICE_STEP, x0 + width, y0 + height
        front, top, side = self.faces
        front.set_xy([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        top.set_xy([(x0, y1), (x1, y1), (x1 + back, y1 + back), (x0 + back, y1 + back)])
        side.set_xy([(x1, y0), (x1 + back, y0 + back), (x1 + back, y1 + back), (x1, y1)])
        steps = [s * SLICE_STEP for s in range(1, depth)]
        self.slices.set_segments(
            [[(x0 + s, y1 + s), (x1 + s, y1 + s)] for s in steps]
            + [[(x1 + s, y0 + s), (x1 + s, y1 + s)] for s in steps]
        )
        corners = {"depth": (x1 + back, y1 + back), "height": (x0, y0 + height / 2), "width": (x0, y0)}
        for edge, letter, length in zip(EDGES, letters, shape):
            if edge in self.labels:
                self.labels[edge].xy = corners[edge]
                self.labels[edge].set_text(f"{letter} = {length}")
        self.set_visible(True)

    def set_visible(self, visible: bool):
        for artist in self.artists:
            artist.set_visible(visible)


def _slider(description: str, value: int, top: int, disabled: bool = False) -> widgets.IntSlider:
    """An integer slider from 1 to ``top`` (or to ``value``, if larger), updated on release."""
    value = int(value)
    return widgets.IntSlider(value, 1, max(top, value), description=description, disabled=disabled, **SLIDER)


def _layout(shapes: dict, gap: float, room: float):
    """Where each block goes (its front face's lower-left corner, in array pixels), and the bounds of all.

    Input, the column of kernels, biases and output side by side, centred on y = 0: ``gap``
    between them (a symbol sits in each), ``room`` right of the kernels for their names.
    """
    (n, h, w), (d, _, k, _), (_, out_h, out_w) = shapes["input"], shapes["kernels"], shapes["output"]
    back_in, back_out, kernel_gap = n * SLICE_STEP, d * SLICE_STEP, max(1.0, 0.3 * k)
    step, kx = k + back_in + kernel_gap, w + back_in + gap
    top = (d * step - kernel_gap) / 2  # of the column of kernels
    place = {"input": (0.0, -h / 2), "top": top}
    place["kernels"] = [(kx, top - i * step - back_in - k) for i in range(d)]
    place["symbols"], right = [w + back_in + 0.42 * gap], kx + k + back_in + room
    for key in ("biases", "output"):
        place["symbols"].append(right + 0.42 * gap)
        place[key] = (right + gap, -out_h / 2)
        right += gap + out_w + back_out
    low = min(-h / 2, -out_h / 2, place["kernels"][-1][1])
    return place, (0.0, right, low, max(h / 2 + back_in, out_h / 2 + back_out, top))


class ShapesView(View):
    """Every array as a block to scale, each edge's length beside it; every shape written below.

    The limits make the drawing fill its axes at one scale both ways (the axes are never drawn again):
    a change redraws the blocks and the numbers, not the text that names the shapes.
    """

    def __init__(self, figure, state: LayerShapes, presenting: bool = False):
        super().__init__(figure, state, presenting)
        font = matplotlib.rcParams["font.size"]  # 10, or 13 when presenting: the labels' room grows with it
        self.zoom, below = font / 10, 7 * 1.5 * font / 72 / figure.get_figheight()  # the text's share
        figure.set_layout_engine("none")  # placed by hand: the drawing above the text, no axis to lay out
        self.ax = ax = figure.add_axes((0, below, 1, 1 - below))
        ax.set_axis_off()
        mono = {"va": "bottom", "family": "monospace", "linespacing": 1.5}
        names = figure.text(0.01, 0.02, SHAPES, **mono)  # static; the values are written on its right
        beside = {"xycoords": names, "xytext": (0.6 * font, 0), "textcoords": "offset points"}
        self.values = ax.annotate("", (1, 0), **beside, **mono)
        self.blocks = {key: Block(ax, COLOURS[key], 2) for key in ("input", "biases", "output")}
        self.kernel_blocks, self.kernel_names = [], []
        for i in range(MAX_KERNELS):  # each kernel's block, and its name beside it
            self.kernel_blocks.append(Block(ax, COLOURS["kernels"], 3 + i, edges=("width",)))
            self.kernel_names.append(ax.annotate(f"$K_{i + 1}$", (0, 0), xytext=(3, 0), va="center", **NOTE))
        self.count = ax.annotate("", (0, 0), xytext=(0, 4), ha="center", va="bottom", **NOTE)
        symbols = (("⋆", 3 * font), ("+", 2.2 * font), ("=", 2.2 * font))  # between the blocks, large
        self.symbols = [ax.text(0, 0, s, ha="center", va="center", fontsize=size) for s, size in symbols]
        bold = {"ha": "center", "va": "bottom", "fontweight": "bold"}  # below: "input X", "kernels K", ...
        self.titles = {key: ax.text(0, 0, f"{key} {letter}", **bold) for key, letter in zip(COLOURS, "XKBY")}
        blocks = [*self.blocks.values(), *self.kernel_blocks]
        self.dynamic = [artist for block in blocks for artist in block.artists]
        self.dynamic += [*self.kernel_names, self.count, *self.symbols, *self.titles.values(), self.values]
        self.pixels = figure.bbox.width, figure.bbox.height * (1 - below)

    def draw(self, state):
        shapes = state.shapes
        (n, h, w), (d, _, k, _) = shapes["input"], shapes["kernels"]
        (width, height), room = self.pixels, {side: pixels * self.zoom for side, pixels in ROOM.items()}
        gap, kernel_room, least = 0.0, 0.0, 6 + 0.25 * max(h, w)
        room_x, room_y = room["left"] + room["right"], room["bottom"] + room["top"]
        # scale: screen pixels per array pixel, with gaps wide enough on screen for a symbol and a label
        for _ in range(3):
            place, (xmin, xmax, ymin, ymax) = _layout(shapes, max(gap, least), kernel_room)
            scale = min((width - room_x) / (xmax - xmin), (height - room_y) / (ymax - ymin))
            gap, kernel_room = 60 * self.zoom / scale, 26 * self.zoom / scale
        for key in ("input", "biases", "output"):
            self.blocks[key].place(*place[key], shapes[key], LETTERS[key])
            self.titles[key].set_x(place[key][0] + (shapes[key][2] + shapes[key][0] * SLICE_STEP) / 2)
        for i, (block, name) in enumerate(zip(self.kernel_blocks, self.kernel_names)):
            block.set_visible(i < d)
            name.set_visible(i < d)
            if i < d:
                kx, ky = place["kernels"][i]
                block.place(kx, ky, (n, k, k), LETTERS["kernels"])
                block.labels["width"].set_visible(i == d - 1)  # under the last kernel only
                name.xy = (kx + k + n * SLICE_STEP, ky + k / 2)
        middle = place["kernels"][0][0] + (k + n * SLICE_STEP) / 2
        self.count.xy = (middle, place["top"])
        self.count.set_text(f"d = {d} kernel{'s' if d > 1 else ''}\n{n} x {k} x {k} each")
        self.titles["kernels"].set_x(middle)
        for title in self.titles.values():
            title.set_y(ymin - room["bottom"] / scale)
        for symbol, x in zip(self.symbols, place["symbols"]):
            symbol.set_position((x, 0))
        # limits that fill the axes, centred on the blocks and their room, the same scale both ways
        x = (xmin + xmax + (room["right"] - room["left"]) / scale) / 2
        y = (ymin + ymax + (room["top"] - room["bottom"]) / scale) / 2
        half_width, half_height = width / 2 / scale, height / 2 / scale
        self.ax.set(xlim=(x - half_width, x + half_width), ylim=(y - half_height, y + half_height))
        out_h, out_w = h - k + 1, w - k + 1
        weights, biases = state.layer.kernels.size, state.layer.biases.size
        count = f"{d}·{n}·{k}·{k} + {d}·{out_h}·{out_w} = {weights} + {biases} = {state.parameter_count}"
        rows = [*list(shapes.values())[:3], (d, out_h, out_w), state.output.shape, count]
        self.values.set_text("\n".join(map(str, rows)))


class ShapesExplorer(InteractiveFigure):
    """Input (n, h, w), kernels (d, n, k, k), biases and output (d, h - k + 1, w - k + 1), drawn to scale.

    height, width, input_depth: the input's shape (n, h, w), unless ``x`` is given: an input
    array (n, h, w) whose shape is then fixed and on which the forward pass runs.
    kernel_size: k, at most min(h, w); depth: the number of kernels d, at most MAX_KERNELS.
    seed: for the random layer (and the random input when ``x`` is None). ``state`` is the
    ``LayerShapes`` shown. A height or width smaller than the kernel is refused with a message,
    and the sliders go back to the state shown.
    """

    def __init__(self, height=28, width=28, input_depth=1, kernel_size=3, depth=5, x=None, seed: int = 0):
        self.seed, self.fixed_x = seed, None if x is None else np.asarray(x, dtype=float)
        if x is not None:
            if self.fixed_x.ndim != 3 or self.fixed_x.size == 0:
                raise ValueError(
                    f"x must be an input block (depth, height, width), got shape {self.fixed_x.shape}"
                )
            input_depth, height, width = self.fixed_x.shape
        sizes = {"input_depth": input_depth, "height": height, "width": width, "depth": depth}
        for name, value in sizes.items():
            top = MAX_KERNELS if name == "depth" else None
            if int(value) != value or value < 1 or (top is not None and value > top):
                limit = f"from 1 to {top}" if top else "1 or more"
                raise ValueError(f"{name} must be a whole number {limit}, got {value!r}")
        if int(kernel_size) != kernel_size or not 1 <= kernel_size <= min(height, width):
            limit = f"from 1 to min(height, width) = {min(height, width)}"
            raise ValueError(f"kernel_size must be a whole number {limit}, got {kernel_size!r}")
        super().__init__(figsize=(10, 6.2), presentation_figsize=(11, 7.4), view_class=ShapesView)
        fixed = x is not None  # a given input fixes n, h and w
        self.input_depth_slider = _slider("input depth n", input_depth, MAX_DEPTH, fixed)
        self.height_slider = _slider("input height h", height, MAX_SIZE, fixed)
        self.width_slider = _slider("input width w", width, MAX_SIZE, fixed)
        self.kernel_slider = _slider("kernel size k", kernel_size, min(height, width))
        self.depth_slider = _slider("kernels d", depth, MAX_KERNELS)
        inputs = [self.input_depth_slider, self.height_slider, self.width_slider]
        self.sliders = [*inputs, self.kernel_slider, self.depth_slider]
        self.show_controls([widgets.VBox(inputs), widgets.VBox(self.sliders[3:])])
        self.watch(*self.sliders, handler=self._on_change)
        self.refresh()

    def compute(self) -> LayerShapes:
        n, h, w, k, d = (s.value for s in self.sliders)
        rng = np.random.default_rng(self.seed)
        x = rng.uniform(0, 1, (n, h, w)) if self.fixed_x is None else self.fixed_x
        return layer_shapes(x, k, d, self.seed)

    def _on_change(self, change):
        """Refuse a kernel larger than the input (the sliders go back), else redraw; k follows the input."""
        n, h, w, k, d = (s.value for s in self.sliders)
        (n0, h0, w0), (d0, _, k0, _) = self.state.shapes["input"], self.state.shapes["kernels"]
        if k > min(h, w):
            with self.quietly():
                self.kernel_slider.max = min(h0, w0)
                for slider, value in zip(self.sliders, (n0, h0, w0, k0, d0)):
                    slider.value = value
            self.say(
                f"A {k} x {k} kernel does not fit in a {h} x {w} input: the valid cross-correlation needs "
                f"k <= h and k <= w. Kept the input at {h0} x {w0}; make the kernel smaller first.",
                error=True,
            )
            return
        with self.quietly():
            self.kernel_slider.max = min(h, w)  # the kernel slider cannot go past the input
        self.say()
        self.refresh()
