"""Drawing small arrays so that sign and size can be read at a glance."""

import numpy as np
from matplotlib.axes import Axes

SIGNED_CMAP = "RdBu_r"  # red positive, blue negative, white zero


def format_value(value: float, digits: int = 3) -> str:
    """A value in a few significant digits, never "-0" (adding 0.0 turns -0.0 into 0.0)."""
    return f"{float(value) + 0.0:.{digits}g}"


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
        limit = float(np.max(np.abs(array))) or 1.0
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
            colour = "white" if abs(value) > 0.6 * limit else "black"
            ax.text(col, row, format_value(value), ha="center", va="center", color=colour, fontsize=9)
    return image
