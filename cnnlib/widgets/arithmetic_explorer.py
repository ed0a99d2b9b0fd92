"""Padding, stride and pooling as sizes: where the kernel lands, what it leaves out, how big the output is.

Used in notebook 07. ``ArithmeticExplorer()`` gives sliders for the input size i, kernel size k, padding p
and stride s, a pooling choice (none, 2 x 2 or 3 x 3, moved by its size), and a position slider with Play
that walks the kernel over its places. Sizes only, no values; a combination that cannot work is
explained in the picture instead of drawn.
"""

import re
import textwrap
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.patches import Patch, Rectangle

from cnnlib.correlation import left_out, output_size
from cnnlib.plotting import ERROR_TEXT, HIGHLIGHT, PADDING, hatch
from cnnlib.widgets.base import InteractiveFigure, View

RANGES = {"input_size": (1, 12), "kernel_size": (1, 7), "padding": (0, 4), "stride": (1, 4)}  # the sliders'
POOLS = {"none": 0, "2 × 2": 2, "3 × 3": 3}  # pooling windows, each moved by its own size
LEFT_OUT, LEFT_OUT_TEXT = "#b2abd2", "#5e3c99"  # purple: rows and columns no window reaches
WINDOW = {"facecolor": to_rgba(HIGHLIGHT, 0.2), "edgecolor": HIGHLIGHT, "linewidth": 3}
CELL = {"facecolor": HIGHLIGHT, "edgecolor": "black", "linewidth": 1}


@dataclass
class ArithmeticState:
    """The sizes along one side (all square) of a cross-correlation with padding and stride, then pooling.

    padded_size: i + 2p. output_size: o, the places of the kernel along a side; left_out: the padded
    input's last rows (and as many columns) that no window reaches; skipped: the rows (and columns)
    between windows that none reaches (a stride larger than the kernel); corners: the rows (and columns)
    where the kernel's top-left corner lands, 0, s, ..., s(o - 1). position: the row-major index of the
    output cell shown, at (output_row, output_col); window_rows, window_cols: the padded input's rows and
    columns under the kernel there. pooled_size, pool_left_out: the same for the pooling window
    ``pool`` (its stride too) over the output, None without pooling. problem: why the combination cannot
    work, else None; the sizes it prevents are then None.
    """

    input_size: int
    kernel_size: int
    padding: int
    stride: int
    pool: int
    padded_size: int
    output_size: int | None = None
    left_out: int | None = None
    skipped: tuple[int, ...] = ()
    corners: tuple[int, ...] = ()
    position: int = 0
    output_row: int = 0
    output_col: int = 0
    window_rows: range = range(0)
    window_cols: range = range(0)
    pooled_size: int | None = None
    pool_left_out: int | None = None
    problem: str | None = None

    @property
    def positions(self) -> int:
        return (self.output_size or 0) ** 2


def arithmetic(input_size, kernel_size, padding, stride, pool=0, position=0) -> ArithmeticState:
    """The state for these sizes (pool 0: none), the kernel at output ``position`` (clamped to the output).

    A size that is not a whole number (at least 1; padding and pool at least 0) raises a ValueError; a
    combination that cannot work gives a state with its ``problem``.
    """
    sizes = {"input_size": input_size, "kernel_size": kernel_size, "padding": padding, "stride": stride}
    for name, value in {**sizes, "pool": pool}.items():
        least = 0 if name in ("padding", "pool") else 1
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ValueError(f"{name} must be a whole number, {least} or more; got {value!r}")
    state = ArithmeticState(*sizes.values(), pool, input_size + 2 * padding)
    try:
        o = state.output_size = output_size(input_size, kernel_size, padding, stride)
    except ValueError as error:  # the kernel is larger than the padded input
        why = str(error)
        state.problem = (
            f"{why[:1].upper()}{why[1:]}. Make the kernel smaller, or the input or its padding larger."
        )
        return state
    state.left_out = left_out(input_size, kernel_size, padding, stride)
    state.corners = tuple(range(0, stride * o, stride))
    last = stride * (o - 1) + kernel_size  # the rows up to the end of the last window
    state.skipped = tuple(
        row for row in range(last) if row % stride >= kernel_size
    )  # past one, before the next
    state.position = min(max(int(position), 0), o * o - 1)
    state.output_row, state.output_col = row, col = divmod(state.position, o)
    state.window_rows, state.window_cols = (range(stride * n, stride * n + kernel_size) for n in (row, col))
    if pool:
        try:
            state.pooled_size, state.pool_left_out = output_size(o, pool, 0, pool), left_out(o, pool, 0, pool)
        except ValueError:
            state.problem = (
                f"The pooling window ({pool} × {pool}) is larger than the output ({o} × {o}): it fits "
                "nowhere. Choose a smaller window or none, or make the output larger."
            )
    return state


class Grid:
    """n x n cells on an axes: their lines, a box (the window or a cell), the left-out rows and columns
    shaded, and a window too large to fit (red, dashed, reaching past the grid, named)."""

    def __init__(self, ax, box_style: dict):
        self.ax = ax
        ax.set(aspect="equal", anchor="N")  # the panels' titles in line
        self.lines = ax.add_collection(LineCollection([], colors="0.6", linewidths=0.6, zorder=3))
        self.shade = ax.imshow(np.zeros((1, 1, 4)), zorder=2.5)  # left out: purple, lighter when skipped
        self.box = ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, zorder=5, **box_style))
        style = {"edgecolor": ERROR_TEXT, "linestyle": "--", "linewidth": 2.5, "zorder": 6, "visible": False}
        self.too_big = ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, **style))
        self.name = ax.text(0, 0, "", color=ERROR_TEXT, ha="right", va="bottom", zorder=6)

    def show(self, n: int, left_out: int = 0, skipped=(), too_big: int = 0, name: str = "", box: int = 1):
        end, edges = max(n, too_big) - 0.5, np.arange(n + 1) - 0.5
        ticks = range(0, n, 1 if n <= 12 else 2)
        self.ax.set(xlim=(-0.5, end), ylim=(end, -0.5), xticks=ticks, yticks=ticks)
        self.lines.set_segments(
            [[(e, -0.5), (e, edges[-1])] for e in edges] + [[(-0.5, e), (edges[-1], e)] for e in edges]
        )
        rgba = np.zeros((n, n, 4)) + (*to_rgb(LEFT_OUT), 0)
        rgba[skipped, :, 3] = rgba[:, skipped, 3] = 0.35
        rgba[n - left_out :, :, 3] = rgba[:, n - left_out :, 3] = 0.7
        self.shade.set(data=rgba, extent=(-0.5, n - 0.5, n - 0.5, -0.5))
        self.box.set_bounds(-0.5, -0.5, box, box)
        self.too_big.set(bounds=(-0.5, -0.5, too_big, too_big), visible=too_big > 0)
        self.name.set(
            position=(end - 0.2, end - 0.2), text=f"{name} {too_big} × {too_big}", visible=too_big > 0
        )


class ArithmeticView(View):
    """The padded input, the output and the pooled output side by side, placed by hand so that nothing
    moves from one state to the next; the position written above, the marks' key below."""

    backgrounds_kept = 4  # going back to recent sizes restores their picture

    def __init__(self, figure, state: ArithmeticState, presenting: bool = False):
        super().__init__(figure, state)
        figure.set_layout_engine("none")
        (width, height), line = figure.get_size_inches(), matplotlib.rcParams["font.size"] * 1.35 / 72
        top, bottom = (line * n for n in ((5.2, 6.4) if presenting else (5.9, 5.4)))  # inches
        gap = 2.6 * line  # for the tick labels
        shares = np.array([1.25, 1, 0.8]) / 3.05 * (width - 3 * gap - 0.15)
        lefts, tall = gap + np.cumsum([0, *(shares + gap)[:-1]]), 1 - (top + bottom) / height
        self.boxes = [(x / width, bottom / height, w / width, tall) for x, w in zip(lefts, shares)]
        self.grids = [
            Grid(figure.add_axes(box), style) for box, style in zip(self.boxes, (WINDOW, CELL, CELL))
        ]
        inp, out, pooled = (grid.ax for grid in self.grids)
        self.padding = hatch(inp, [(0, 0)] * 4)  # bands: top, bottom, left, right
        dashed = {"fill": False, "linestyle": "--", "zorder": 4}
        self.input_edge = inp.add_patch(Rectangle((0, 0), 1, 1, edgecolor="black", linewidth=1.2, **dashed))
        self.corners = inp.plot([], [], "o", color=HIGHLIGHT, alpha=0.6, markersize=4, zorder=4)[0]
        self.pool_window = out.add_patch(
            Rectangle((0, 0), 1, 1, edgecolor=HIGHLIGHT, linewidth=2.5, **dashed)
        )
        self.no_pooling = pooled.text(
            0.5, 0.5, "no pooling", transform=pooled.transAxes, ha="center", color="0.5"
        )
        self.problem = figure.text(0, 0, "", ha="center", va="center", color=ERROR_TEXT, fontsize="large")
        self.title = figure.suptitle("", va="top", y=1 - 0.4 * line / height)
        keys = {
            "input": Patch(facecolor="white", edgecolor="0.6"),
            "padding (zeros)": Patch(facecolor=PADDING, edgecolor="0.6", hatch="///"),
            "a top-left corner of the kernel": self.corners,
            "the window": Patch(**WINDOW),
            "its output cell": Patch(**CELL),
            "left out (lighter: skipped)": Patch(facecolor=LEFT_OUT, alpha=0.7),
        }
        figure.legend(keys.values(), keys, loc="lower center", ncols=3 if presenting else 6)
        self.dynamic = [grid.box for grid in self.grids] + [self.pool_window, self.title]
        self.shown = None

    def background(self, state):
        return state.input_size, state.kernel_size, state.padding, state.stride, state.pool

    def draw(self, state):
        if self.background(state) != self.shown:
            self.shown = self.background(state)
            self.draw_sizes(state)
        window, cell, pooled = (grid.box for grid in self.grids)
        for box in (window, cell, pooled, self.pool_window):
            box.set_visible(False)
        self.title.set_text("")
        if state.output_size is None:
            return
        row, col, w = state.output_row, state.output_col, state.pool
        top, left = state.window_rows[0], state.window_cols[0]
        window.set(xy=(left - 0.5, top - 0.5), visible=True)
        cell.set(xy=(col - 0.5, row - 0.5), visible=True)
        text = f"position {state.position} (of 0 to {state.positions - 1}): the kernel's top-left corner "
        text += f"on row {top}, column {left}\nof the padded input makes output[{row}, {col}]"
        if state.pooled_size and max(row, col) < state.pooled_size * w:
            pooled.set(xy=(col // w - 0.5, row // w - 0.5), visible=True)
            self.pool_window.set(xy=(col // w * w - 0.5, row // w * w - 0.5), visible=True)
            text += f", which its pooling window (dashed) takes into pooled[{row // w}, {col // w}]"
        elif state.pooled_size:
            text += ", which pooling leaves out"
        self.title.set_text(text)

    def draw_sizes(self, s: ArithmeticState):
        """The grids, titles and labels of these sizes: the background."""
        (inp, out, pooled), (i, k, p, w), n = (
            self.grids,
            (s.input_size, s.kernel_size, s.padding, s.pool),
            s.padded_size,
        )
        o, q = s.output_size, s.pooled_size
        inp.show(n, s.left_out or 0, list(s.skipped), k if o is None else 0, "kernel", box=k)
        for band, (x, y, width, height) in zip(
            self.padding, [(0, 0, n, p), (0, n - p, n, p), (0, p, p, i), (n - p, p, p, i)]
        ):
            band.set_bounds(x - 0.5, y - 0.5, width, height)
        self.input_edge.set(bounds=(p - 0.5, p - 0.5, i, i), visible=p > 0)
        cols, rows = np.meshgrid(s.corners, s.corners)
        self.corners.set_data(cols.ravel(), rows.ravel())
        inp.ax.set_title(f"input {i} × {i}, padding {p}\npadded: {i} + 2·{p} = {n}")
        labels = "\n".join(
            filter(None, [_rows("left out", s.left_out), _rows("skipped between windows", len(s.skipped))])
        )
        inp.ax.set_xlabel((labels or "nothing left out") if o else "", color=LEFT_OUT_TEXT)
        out.ax.set_visible(o is not None)
        pooled.ax.set_visible(o is not None and (q is not None or not w))
        if o is not None:
            out.show(o, s.pool_left_out or 0, [], w if w and q is None else 0, "pooling window")
            out.ax.set_title(
                f"output (kernel {k}, stride {s.stride})\no = ⌊({i} + 2·{p} − {k}) / {s.stride}⌋ + 1 = {o}"
            )
            label = _rows("left out by pooling", s.pool_left_out) or "nothing left out by pooling"
            out.ax.set_xlabel(label if w else "", color=LEFT_OUT_TEXT)
        self.pool_window.set(width=w, height=w)
        pooled.ax.set_axis_on() if q else pooled.ax.set_axis_off()
        pooled.lines.set_visible(bool(q))
        self.no_pooling.set_visible(not w)
        pooled.ax.set_title(f"pooling {w} × {w}, stride {w}\n⌊({o} − {w}) / {w}⌋ + 1 = {q}" if q else "")
        if q:
            pooled.show(q)
        self.problem.set_text("")
        if s.problem:  # written where the panels it prevents would be
            (x0, y0, _, tall), (x1, _, w1, _) = self.boxes[1 if o is None else 2], self.boxes[2]
            chars = int(
                (x1 + w1 - x0) * self.figure.get_figwidth() * 72 / (0.55 * self.problem.get_fontsize())
            )
            self.problem.set(
                x=(x0 + x1 + w1) / 2, y=y0 + tall / 2, text=textwrap.fill(_unbroken(s.problem), chars)
            )


def _unbroken(text: str) -> str:
    """The text with no line break inside its parentheses, "(4 + 2 x 0 = 4)": no-break spaces there."""
    return re.sub(r"\([^)]*\)", lambda match: match.group().replace(" ", "\u00a0"), text)


def _rows(what: str, count: int | None) -> str:
    """ "left out: 2 rows and columns", or "" for none."""
    plural = "s" if count and count > 1 else ""
    return f"{what}: {count} row{plural} and column{plural}" if count else ""


class ArithmeticExplorer(InteractiveFigure):
    """Change i, k, p, s and the pooling, and see the sizes; walk the kernel over its places.

    input_size, kernel_size, padding, stride: whole numbers in RANGES; pool: 0 (none), 2 or 3. A
    combination that cannot work (a kernel larger than the padded input, a pooling window larger than
    the output) is accepted and explained, as it is when a slider reaches it. ``state`` is the
    ``ArithmeticState`` shown.
    """

    def __init__(self, input_size=7, kernel_size=3, padding=1, stride=2, pool=0):
        sizes = {"input_size": input_size, "kernel_size": kernel_size, "padding": padding, "stride": stride}
        arithmetic(**sizes, pool=pool)  # whole numbers, or a ValueError
        for name, value in sizes.items():
            if not RANGES[name][0] <= value <= RANGES[name][1]:
                raise ValueError(f"{name} must be from {RANGES[name][0]} to {RANGES[name][1]}, got {value!r}")
        if pool not in POOLS.values():
            raise ValueError(f"pool must be one of {list(POOLS.values())} (0: none), got {pool!r}")
        super().__init__(figsize=(12, 5.4), presentation_figsize=(11, 6.4))
        style = {"continuous_update": False, "style": {"description_width": "110px"}}
        labels = {"input_size": "input size i", "kernel_size": "kernel size k", "padding": "padding p"}
        self.input_slider, self.kernel_slider, self.padding_slider, self.stride_slider = (
            widgets.IntSlider(value, *RANGES[name], description=labels.get(name, "stride s"), **style)
            for name, value in sizes.items()
        )
        self.pool_buttons = widgets.ToggleButtons(
            options=list(POOLS.items()), value=pool, description="pooling"
        )
        self.slider = widgets.IntSlider(0, 0, 0, description="position")
        self.play = widgets.Play(value=0, min=0, max=0, interval=400, description="play")
        self.sliders = [self.input_slider, self.kernel_slider, self.padding_slider, self.stride_slider]
        self.show_controls(self.sliders[:2], self.sliders[2:], self.pool_buttons, [self.play, self.slider])
        self.watch(self.slider)
        self.watch(*self.sliders, self.pool_buttons, handler=self._on_change)
        self.link_play(self.play, self.slider)
        self._on_change()

    def compute(self) -> ArithmeticState:
        sizes = (slider.value for slider in self.sliders)
        return arithmetic(*sizes, self.pool_buttons.value, self.slider.value)

    def make_view(self, figure, state):
        return ArithmeticView(figure, state, self.presenting)

    def _on_change(self, change=None):
        """The position slider spans the new output (keeping the output row and column where it can)."""
        row, col = (self.state.output_row, self.state.output_col) if self.state else (0, 0)
        o = arithmetic(*(slider.value for slider in self.sliders)).output_size or 1
        with self.quietly():
            self.slider.max = o * o - 1
            self.slider.value = min(row, o - 1) * o + min(col, o - 1)
        self.refresh()
        self.say(self.state.problem or "", error=self.state.problem is not None)
