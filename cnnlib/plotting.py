"""Drawing small arrays so that sign and size can be read at a glance, in one palette.

Notebooks and widgets draw with these helpers and colours. ``presentation()`` (or the
environment variable ``CNNLIB_PRESENTATION=1``) makes every number drawn in a cell at least
16 px tall and fits each widget to a projector's 1280 x 720 window.
"""

import os

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from cnnlib.correlation import pad_full

SIGNED_CMAP = "RdBu_r"  # red positive, blue negative, white zero
HIGHLIGHT = "#ff9f1c"  # orange: the window, the cell in focus; visible on grey, red and blue
PARTNER = "#b35900"  # darker orange: small labels naming a cell's partner in a product
PADDING = "0.88"  # the zeros added around an array (hatched)
NOT_YET = "0.82"  # output cells not computed yet: grey, apart from zero's white
RIGHT, WRONG, OTHER = "#1b9e77", "#d7301f", "0.75"  # a prediction's bar: right, wrong, the other classes
CLASS_COLOURS = ("#2166ac", "#b2182b")  # class 0 blue, class 1 red (as the signed map)
THIS_RUN, EARLIER_RUN = "#d95f02", "0.6"  # a training run, and one to compare it with
ERROR_TEXT = "#b00020"

DPI = 90  # widgets' pixels per inch: a figure 10 inches wide is 900 px
CELL_FONTSIZE = {False: 9, True: 13}  # points; 13 pt at 90 dpi is 16.25 px
PRESENTATION_RC = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "figure.titlesize": 15,
}
_presenting = False
_defaults = {key: matplotlib.rcParams[key] for key in PRESENTATION_RC}


def presentation(on: bool = True) -> None:
    """Large type for a projector: numbers in cells 16 px tall, widgets laid out to fit 1280 px.

    Applies to widgets made afterwards, and to matplotlib figures drawn afterwards (rcParams).
    """
    global _presenting
    _presenting = bool(on)
    matplotlib.rcParams.update(PRESENTATION_RC if on else _defaults)


def presenting() -> bool:
    return _presenting


def cell_fontsize() -> float:
    """Points for a number written in a cell of an array."""
    return CELL_FONTSIZE[_presenting]


def format_value(value: float, digits: int = 3) -> str:
    """A value in a few significant digits, never "-0" (adding 0.0 turns -0.0 into 0.0)."""
    return f"{float(value) + 0.0:.{digits}g}"


def ink(value: float, limit: float, light: str = "black") -> str:
    """A text colour readable on a cell of the signed map: white on its dark ends."""
    return "white" if abs(value) > 0.6 * limit else light


def show_array(
    ax: Axes, array: np.ndarray, title: str = "", annotate: bool | None = None, limit: float | None = None
):
    """Draw a 2D array with a diverging colour map centred on zero; return the image artist.

    annotate: write each value in its cell (default: when the array has at most 12 x 12 cells).
    limit: the value drawn at full colour (default: the largest absolute value).
    Axes ticks are row and column indices, so a learner can name a cell.
    """
    array = np.asarray(array, dtype=float)
    if limit is None:
        limit = float(np.nanmax(np.abs(array))) or 1.0
    image = ax.imshow(array, cmap=SIGNED_CMAP, vmin=-limit, vmax=limit)
    ax.set_title(title)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_xticks(range(array.shape[1]) if array.shape[1] <= 12 else ax.get_xticks()[1:-1])
    ax.set_yticks(range(array.shape[0]) if array.shape[0] <= 12 else ax.get_yticks()[1:-1])
    if annotate is None:
        annotate = max(array.shape) <= 12
    if annotate:
        for (row, col), value in np.ndenumerate(array):
            text = "" if np.isnan(value) else format_value(value)
            ax.text(
                col, row, text, ha="center", va="center", color=ink(value, limit), fontsize=cell_fontsize()
            )
    return image


def update_array(image, texts, array: np.ndarray, limit: float | None = None) -> None:
    """New values for an array drawn by ``show_array`` (its image and texts): colours, numbers, ink."""
    limit = limit or float(np.max(np.abs(array))) or 1.0
    image.set_data(array)
    image.set_clim(-limit, limit)
    for text, value in zip(texts, np.ravel(array)):
        text.set(text=format_value(value), color=ink(value, limit))


def veil(not_yet: np.ndarray) -> np.ndarray:
    """An RGBA image (h, w, 4) to lay over a map: opaque NOT_YET grey where ``not_yet`` (h, w) is true."""
    rgba = np.zeros((*not_yet.shape, 4))
    rgba[not_yet] = (*[float(NOT_YET)] * 3, 1.0)
    return rgba


def partner_labels(ax: Axes, count: int) -> list:
    """``count`` empty labels naming the partner a cell meets in a product (``×4``), PARTNER on white.

    Place each at its cell's top-left corner, ``(col - 0.44, row - 0.44)``, clear of the cell's value.
    """
    style = {"ha": "left", "va": "top", "fontsize": cell_fontsize(), "color": PARTNER, "fontweight": "bold"}
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
    return [ax.text(0, 0, "", bbox=box, zorder=7, **style) for _ in range(count)]


def hatch(ax: Axes, cells, zorder: float = 2) -> list[Rectangle]:
    """Grey hatched squares over the given (row, col) cells: zeros of padding, not data."""
    style = {"facecolor": PADDING, "edgecolor": "0.6", "hatch": "///", "linewidth": 0.5, "zorder": zorder}
    return [ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, **style)) for row, col in cells]


def outline(ax: Axes, rows: int = 1, cols: int = 1, **style) -> Rectangle:
    """An orange frame round ``rows`` x ``cols`` cells from cell (0, 0); ``style`` may change its colour.

    Move it with ``set_xy((col - 0.5, row - 0.5))``, or ``set_bounds`` to resize it too.
    """
    style = {"fill": False, "edgecolor": HIGHLIGHT} | style
    return ax.add_patch(Rectangle((-0.5, -0.5), cols, rows, **style))


def frame(ax: Axes) -> list:
    """Edge the axes thick in orange, as the panel of products is; returns its four spines."""
    spines = list(ax.spines.values())
    for spine in spines:
        spine.set(edgecolor=HIGHLIGHT, linewidth=3)
    return spines


def show_padded(
    ax: Axes,
    image: np.ndarray,
    kernel_shape: tuple[int, int],
    title: str = "",
    limit=None,
    fontsize=None,
    annotate: bool = True,
):
    """Draw ``pad_full(image, kernel_shape)``: the image in red-blue, its padding zeros hatched grey.

    image: (h, w). Every value is written (at ``fontsize``, by default ``cell_fontsize()``) unless
    ``annotate`` is false.
    Returns the padded array, (h + 2(kh - 1), w + 2(kw - 1)), and the image artist.
    """
    image = np.asarray(image, dtype=float)
    padded = pad_full(image, kernel_shape)
    top, left = kernel_shape[0] - 1, kernel_shape[1] - 1
    (h, w), limit = image.shape, limit or float(np.max(np.abs(image))) or 1.0
    artist = show_array(ax, padded, title=title, limit=limit, annotate=False)
    ax.set_xticks(range(padded.shape[1]))
    ax.set_yticks(range(padded.shape[0]))
    inside = np.zeros(padded.shape, dtype=bool)
    inside[top : top + h, left : left + w] = True
    hatch(ax, zip(*np.nonzero(~inside)))
    for (row, col), value in np.ndenumerate(padded) if annotate else ():
        colour = ink(value, limit) if inside[row, col] else "0.45"
        ax.text(
            col,
            row,
            format_value(value),
            ha="center",
            va="center",
            color=colour,
            fontsize=fontsize or cell_fontsize(),
            zorder=3,
        )
    if top or left:  # outline the image itself inside its padding
        ax.add_patch(
            Rectangle(
                (left - 0.5, top - 0.5),
                w,
                h,
                fill=False,
                edgecolor="black",
                linestyle="--",
                linewidth=1.2,
                zorder=4,
            )
        )
    return padded, artist


if os.environ.get("CNNLIB_PRESENTATION", "") not in ("", "0"):
    presentation(True)
