"""The presentation setting: every widget fits 1000 px, and every number written in a cell is 16 px tall.

``cnnlib.plotting.presentation()`` is for a projector's 1280 x 720 window (the browser test checks
the fit on screen). Here each widget is built as the fixture notebook builds it, with the setting
on, and its figure is measured: a number in a cell is a text of an axes that reads as a number.
"""

import ast
import re

import nbformat
import pytest
from matplotlib.axes import Axes

from cnnlib import plotting

FIXTURE = "tests/fixtures/presentation.ipynb"
NUMBER = re.compile(r"^[-−]?\d+(\.\d+)?(e[-+]?\d+)?%?$")


@pytest.fixture(scope="module")
def widgets():
    """Every widget the fixture notebook makes, by the cell that makes it, with the setting on."""
    plotting.presentation(True)
    try:
        namespace = {}
        made = {}
        for cell in nbformat.read(FIXTURE, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if isinstance(tree.body[-1], ast.Expr) else None  # what the cell shows
            exec(compile(tree, FIXTURE, "exec"), namespace)
            if last is not None:
                made[ast.unparse(last)] = eval(
                    compile(ast.Expression(last.value), FIXTURE, "eval"), namespace
                )
        yield {source: widget for source, widget in made.items() if hasattr(widget, "figure")}
    finally:
        plotting.presentation(False)


def test_the_fixture_makes_every_widget(widgets):
    assert len(widgets) >= 10


def test_every_widget_fits_a_projector(widgets):
    for source, widget in widgets.items():
        width = widget.figure.get_figwidth() * widget.figure.dpi
        assert width <= 1000, f"{source}: {width:.0f} px wide"


def test_every_number_in_a_cell_is_16_px_tall(widgets):
    checked = 0
    for source, widget in widgets.items():
        numbers = [text for ax in widget.figure.findobj(Axes) for text in ax.texts]
        numbers = [text for text in numbers if text.get_visible() and NUMBER.match(text.get_text().strip())]
        small = {text.get_text() for text in numbers if text.get_fontsize() * widget.figure.dpi / 72 < 16}
        assert not small, f"{source}: numbers smaller than 16 px: {sorted(small)[:10]}"
        checked += len(numbers)
    assert checked > 100  # the widgets do write numbers in cells: the check is not empty
