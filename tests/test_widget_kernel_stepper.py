"""KernelStepper driven without a browser: set its controls, check its state and its drawing."""

import html

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from scipy import signal

from cnnlib.correlation import correlate2d
from cnnlib.widgets.inputs import KernelTextError, parse_kernel
from cnnlib.widgets.kernel_stepper import CUSTOM, PRESETS, KernelStepper

X = np.array([[1, 2, 0, 3, 1], [0, 1, 2, 1, 0], [3, 1, 0, 2, 2], [1, 0, 1, 3, 1], [2, 2, 1, 0, 1]])
K = np.array([[1, 0, -1], [2, 1, 0], [0, -1, 1]])  # asymmetric: a flip would show


@pytest.fixture
def small():
    return KernelStepper(X, K)


@pytest.fixture(scope="module")
def digit():
    """A 28 x 28 stroke image shaped like a ring (no dataset needed)."""
    rows, cols = np.mgrid[:28, :28]
    radius = np.hypot(rows - 13.5, (cols - 13.5) * 1.3)
    return np.clip(1 - np.abs(radius - 8) / 2.5, 0, 1)


def message(w):
    """The message line as the learner reads it (without HTML escapes)."""
    return html.unescape(w.message.value)


def drawn_texts(ax):
    return [text.get_text() for text in ax.texts]


# --- stepping --------------------------------------------------------------------------------


def test_starts_at_the_first_position(small):
    assert (small.slider.min, small.slider.max, small.slider.value) == (0, 8, 0)
    assert (small.row, small.col) == (0, 0)
    np.testing.assert_array_equal(small.window, X[:3, :3])
    assert bytes(small.image.value).startswith(b"\x89PNG")
    assert "output 3 x 3" in message(small)


@pytest.mark.parametrize("position", [0, 1, 2, 3, 5, 7, 8])
def test_each_position_shows_window_products_sum_and_output_so_far(small, position):
    before = bytes(small.image.value)
    small.slider.value = position
    row, col = divmod(position, 3)  # row-major over the 3 x 3 output
    expected_output = signal.correlate2d(X, K, "valid")
    assert (small.position, small.row, small.col) == (position, row, col)
    np.testing.assert_array_equal(small.window, X[row : row + 3, col : col + 3])
    np.testing.assert_array_equal(small.products, X[row : row + 3, col : col + 3] * K)
    assert small.partial_sum == expected_output[row, col]
    # computed up to this position, row-major; NaN after it
    so_far = small.output_so_far.ravel()
    np.testing.assert_array_equal(so_far[: position + 1], expected_output.ravel()[: position + 1])
    assert np.all(np.isnan(so_far[position + 1 :]))
    # the drawing: window box on the input and the current cell of the output, products, map so far
    assert small.window_box.get_xy() == (col - 0.5, row - 0.5)
    assert small.output_box.get_xy() == (col - 0.5, row - 0.5)
    np.testing.assert_array_equal(small.products_artist.get_array(), small.products)
    drawn_map = np.ma.filled(small.output_artist.get_array().astype(float), np.nan)
    np.testing.assert_array_equal(drawn_map, small.output_so_far)
    assert drawn_texts(small.axes["products"]) == [f"{v:.3g}" for v in (small.products + 0.0).ravel()]
    output_texts = drawn_texts(small.axes["output"])
    assert output_texts[: position + 1] == [f"{v:.3g}" for v in expected_output.ravel()[: position + 1]]
    assert output_texts[position + 1 :] == [""] * (8 - position)
    assert f"sum = {small.partial_sum:.4g}" in small.axes["products"].get_title()
    assert f"output[{row}, {col}]" in small.axes["output"].get_title()
    if position != 0:
        assert bytes(small.image.value) != before


def test_a_small_map_outlines_its_cell_without_pointers(small):
    assert small.output_pointers == [] and small.output_box.get_linewidth() == 3


def test_the_slider_stops_at_both_ends(small):
    small.slider.value = 100  # ipywidgets clamps to max
    assert (small.position, small.row, small.col) == (8, 2, 2)
    assert not np.any(np.isnan(small.output_so_far))
    np.testing.assert_array_equal(small.output_so_far, correlate2d(X, K))
    small.slider.value = -5
    assert (small.position, small.row, small.col) == (0, 0, 0)
    assert np.count_nonzero(~np.isnan(small.output_so_far)) == 1


def test_play_steps_one_position_on_a_small_map(small):
    assert (small.play.min, small.play.max) == (0, 8)
    small.play.value = 4
    assert small.slider.value == 4 and (small.row, small.col) == (1, 1)


def test_a_digit_sized_input(digit):
    w = KernelStepper(digit, "vertical edge (Sobel)")
    assert (w.slider.max, w.output.shape) == (675, (26, 26))
    assert drawn_texts(w.axes["input"]) == [] and drawn_texts(w.axes["output"]) == []  # too big to annotate
    assert len(drawn_texts(w.axes["products"])) == 9
    for position in (340, 675, 0):
        before = bytes(w.image.value)
        w.slider.value = position
        row, col = divmod(position, 26)
        assert (w.row, w.col) == (row, col)
        assert np.isclose(w.partial_sum, correlate2d(digit, PRESETS_ARRAY["vertical edge (Sobel)"])[row, col])
        assert np.count_nonzero(~np.isnan(w.output_so_far)) == position + 1
        assert bytes(w.image.value) != before
        # a cell is a few pixels wide: a thin outline, and pointers at its row (left) and column (top)
        assert w.output_box.get_xy() == (col - 0.5, row - 0.5) and w.output_box.get_linewidth() < 2
        row_pointer, col_pointer = w.output_pointers
        assert row_pointer.get_ydata()[0] == row and row_pointer.get_xdata()[0] < -0.5  # left of the map
        assert col_pointer.get_xdata()[0] == col and col_pointer.get_ydata()[0] < -0.5  # above it
    # Play moves one output row per frame, each frame ending a row
    assert (w.play.max, w.play_step) == (25, 26)
    w.play.value = 2
    assert (w.slider.value, w.row, w.col) == (77, 2, 25)
    w.play.value = 25
    assert w.slider.value == 675
    # moving the slider by hand puts Play on that row without moving the slider
    w.slider.value = 100
    assert (w.play.value, w.slider.value) == (3, 100)


PRESETS_ARRAY = {name: parse_kernel(text) for name, text in PRESETS.items()}


# --- changing the kernel ---------------------------------------------------------------------


@pytest.mark.parametrize("name", [name for name in PRESETS if name != "vertical edge (Sobel)"])
def test_a_preset_changes_the_feature_map(digit, name):
    w = KernelStepper(digit, "vertical edge (Sobel)")
    before_output, before_png = w.output.copy(), bytes(w.image.value)
    w.preset.value = name
    kernel = PRESETS_ARRAY[name]
    np.testing.assert_array_equal(w.kernel, kernel)
    np.testing.assert_allclose(w.output, correlate2d(digit, kernel))
    np.testing.assert_allclose(w.output, signal.correlate2d(digit, kernel, "valid"))
    assert w.output.shape != before_output.shape or not np.allclose(w.output, before_output)
    assert w.kernel_text.value == PRESETS[name]
    assert bytes(w.image.value) != before_png
    assert "color:#b00020" not in message(w)


def test_identity_preset_copies_the_input(digit):
    w = KernelStepper(digit, "identity")
    np.testing.assert_array_equal(w.output, digit[1:-1, 1:-1])


def test_typed_kernel_non_square(small):
    small.kernel_text.value = "1 0 -1"
    np.testing.assert_array_equal(small.kernel, [[1, 0, -1]])
    assert small.output.shape == (5, 3) and small.slider.max == 14 and small.play.max == 14
    assert small.preset.value == CUSTOM
    small.slider.value = 14
    assert (small.row, small.col) == (4, 2)
    assert small.partial_sum == X[4, 2] - X[4, 4]
    np.testing.assert_array_equal(small.output_so_far, correlate2d(X, [[1, 0, -1]]))
    assert "output 5 x 3" in message(small)


def test_typed_kernel_with_new_lines_commas_and_fractions(small):
    small.kernel_text.value = "1/2, -1/2\n0.25, 2\n"
    np.testing.assert_array_equal(small.kernel, [[0.5, -0.5], [0.25, 2]])
    np.testing.assert_allclose(small.output, correlate2d(X, small.kernel))


def test_typed_text_of_a_preset_selects_it(small):
    small.kernel_text.value = "-1 0 1;-2 0 2;-1 0 1"
    assert small.preset.value == "vertical edge (Sobel)"


def test_a_new_kernel_keeps_the_window_where_it_still_fits(small):
    small.slider.value = 5  # row 1, column 2
    small.kernel_text.value = "1 -1"  # output 5 x 4: row 1, column 2 is position 6
    assert (small.row, small.col, small.slider.value, small.slider.max) == (1, 2, 6, 19)
    small.kernel_text.value = "; ".join(["1 2 3 4 5"] * 5)  # as large as the input: one position
    assert (small.row, small.col, small.slider.value, small.slider.max) == (0, 0, 0, 0)
    assert small.output.shape == (1, 1) and small.partial_sum == np.sum(X * np.arange(1, 6))
    small.kernel_text.value = "2"  # 1 x 1: the output is the input, doubled
    np.testing.assert_array_equal(small.output, 2 * X)
    assert small.slider.max == 24


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected, received",
    [
        ("", "expected rows of numbers", "got an empty kernel"),
        (" ; \n ", "expected rows of numbers", "got an empty kernel"),
        ("1 2; 3", "expected every row to hold the same number of values", "got rows of lengths [2, 1]"),
        ("1 0 -1; 2 x -2", "expected numbers", "got 'x' in row 2"),
        ("1/0", "expected numbers", "got '1/0' in row 1"),
        ("nan 1", "expected numbers", "got 'nan' in row 1"),
        ("1 2 3 4 5 6", "expected a kernel at most 5 x 5 (the input's size)", "got 1 x 6"),
        ("1;2;3;4;5;6", "expected a kernel at most 5 x 5 (the input's size)", "got 6 x 1"),
    ],
)
def test_bad_kernel_text_is_refused_and_the_state_kept(small, text, expected, received):
    small.slider.value = 4
    kernel, output, png = small.kernel.copy(), small.output.copy(), bytes(small.image.value)
    small.kernel_text.value = text
    assert expected in message(small) and received in message(small)
    assert "Kept the previous kernel 3 x 3" in message(small)
    assert "color:#b00020" in message(small)  # shown as an error
    np.testing.assert_array_equal(small.kernel, kernel)
    np.testing.assert_array_equal(small.output, output)
    assert (small.slider.value, small.slider.max, small.row, small.col) == (4, 8, 1, 1)
    assert bytes(small.image.value) == png
    small.kernel_text.value = "1 1; 1 1"  # the next good kernel is taken, and clears the error
    assert small.kernel.shape == (2, 2) and "color:#b00020" not in message(small)


def test_a_preset_larger_than_the_input_is_refused():
    image = np.arange(12.0).reshape(2, 6)
    w = KernelStepper(image, np.array([[1, -1]]))
    png = bytes(w.image.value)
    w.preset.value = "blur (box)"
    assert "expected a kernel at most 2 x 6" in message(w) and "got 3 x 3" in message(w)
    np.testing.assert_array_equal(w.kernel, [[1, -1]])
    assert w.preset.value == CUSTOM and w.kernel_text.value == "1 -1"  # the controls show the kernel in use
    assert bytes(w.image.value) == png
    w.preset.value = "vertical edge (difference, 1 x 2)"  # this one fits
    np.testing.assert_array_equal(w.output, correlate2d(image, [[-1, 1]]))


@pytest.mark.parametrize(
    "image, kernel, message",
    [
        (np.zeros((2, 3, 4)), K, "image must be a non-empty 2D array (rows, columns), got shape (2, 3, 4)"),
        (np.zeros((0, 4)), K, "got shape (0, 4)"),
        (np.full((4, 4), np.nan), K, "image must hold finite numbers"),
        ([["a", "b"]], K, "image must be a 2D array of numbers"),
        (X, np.ones(3), "kernel must be a non-empty 2D array (rows, columns), got shape (3,)"),
        (X, np.ones((6, 2)), "expected a kernel at most 5 x 5 (the input's size), got 6 x 2"),
        (X, "emboss", "kernel must be an array or one of the presets"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(image, kernel, message):
    with pytest.raises(ValueError) as error:
        KernelStepper(image, kernel)
    assert message in str(error.value)


def test_parse_kernel():
    np.testing.assert_array_equal(parse_kernel("1 2;3 4;"), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(parse_kernel("1,2, 3"), [[1, 2, 3]])
    np.testing.assert_allclose(parse_kernel("1/9 -2e-1"), [[1 / 9, -0.2]])
    with pytest.raises(KernelTextError):
        parse_kernel("1 2\n3")
