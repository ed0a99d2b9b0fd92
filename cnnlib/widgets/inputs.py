"""What a learner types or passes to a widget, read or refused with a message that says why."""

import re
from fractions import Fraction

import numpy as np

EXAMPLE = "1 0 -1; 2 0 -2; 1 0 -1"


class KernelTextError(ValueError):
    """The kernel text could not be read; the message says what was expected and what came."""


def parse_kernel(text: str) -> np.ndarray:
    """Read a kernel typed as rows of numbers: rows split by ';' or new lines, numbers by spaces or commas.

    Fractions such as ``1/9`` are allowed. Returns a float array (rows, columns).
    Raises KernelTextError for an empty text, a word that is not a finite number, or rows of
    unequal length.
    """
    rows = [row.strip() for row in re.split(r"[;\n]", text)]
    rows = [row for row in rows if row]
    if not rows:
        raise KernelTextError(f"expected rows of numbers, e.g. '{EXAMPLE}'; got an empty kernel {text!r}")
    values = []
    for number, row in enumerate(rows, start=1):
        values.append([])
        for word in re.split(r"[,\s]+", row.strip(", ")):
            try:
                values[-1].append(
                    float(Fraction(word))
                )  # Fraction refuses nan and inf; float() refuses 1e400
            except (ValueError, ZeroDivisionError, OverflowError):
                raise KernelTextError(
                    f"expected numbers such as 2, -0.5 or 1/9; got {word!r} in row {number}"
                ) from None
    lengths = [len(row) for row in values]
    if len(set(lengths)) > 1:
        raise KernelTextError(
            f"expected every row to hold the same number of values; got rows of lengths {lengths}"
        )
    return np.array(values)


def format_kernel(kernel: np.ndarray) -> str:
    """The kernel as text that ``parse_kernel`` reads back: ``"-1 0 1; -2 0 2; -1 0 1"``."""
    return "; ".join(" ".join(f"{value:g}" for value in row) for row in np.asarray(kernel))


def as_grid(array, name: str, largest: int | None = None) -> np.ndarray:
    """A non-empty 2D float array of finite numbers (at most ``largest`` a side), else a ValueError."""
    try:
        grid = np.array(array, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a 2D array of numbers, got {array!r}") from None
    if grid.ndim != 2 or grid.size == 0:
        raise ValueError(f"{name} must be a non-empty 2D array (rows, columns), got shape {grid.shape}")
    if not np.all(np.isfinite(grid)):
        raise ValueError(f"{name} must hold finite numbers, got NaN or infinity")
    if largest is not None and max(grid.shape) > largest:
        raise ValueError(
            f"{name} must be at most {largest} x {largest} so that each value can be read, "
            f"got shape {grid.shape}"
        )
    return grid
