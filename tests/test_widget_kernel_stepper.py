"""KernelStepper: its state checked on values, its controls driven without a browser, one picture."""

import html

import numpy as np
import pytest
from scipy import signal

from cnnlib.correlation import correlate2d
from cnnlib.widgets.inputs import KernelTextError, parse_kernel
from cnnlib.widgets.kernel_stepper import CUSTOM, PRESETS, KernelStepper, kernel_step

X = np.array([[1, 2, 0, 3, 1], [0, 1, 2, 1, 0], [3, 1, 0, 2, 2], [1, 0, 1, 3, 1], [2, 2, 1, 0, 1]], float)
K = np.array([[1, 0, -1], [2, 1, 0], [0, -1, 1]], float)  # asymmetric: a flip would show
PRESET_KERNELS = {name: parse_kernel(text) for name, text in PRESETS.items()}


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


def is_error(w):
    return "color:#b00020" in w.message.value


# --- the state -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "image_shape, kernel_shape", [((5, 5), (3, 3)), ((4, 7), (2, 3)), ((6, 3), (6, 1)), ((3, 3), (3, 3))]
)
def test_every_position_shows_its_window_products_sum_and_the_map_so_far(image_shape, kernel_shape):
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
    expected = signal.correlate2d(image, kernel, "valid")
    for position in range(expected.size):
        state = kernel_step(image, kernel, position)
        row, col = divmod(position, expected.shape[1])  # row-major over the output
        window = image[row : row + kernel_shape[0], col : col + kernel_shape[1]]
        assert (state.row, state.col, state.positions) == (row, col, expected.size)
        np.testing.assert_array_equal(state.window, window)
        np.testing.assert_array_equal(state.products, window * kernel)
        assert np.isclose(state.partial_sum, expected[row, col])
        so_far = state.output_so_far.ravel()
        np.testing.assert_allclose(so_far[: position + 1], expected.ravel()[: position + 1])
        assert np.all(np.isnan(so_far[position + 1 :]))


# --- the controls --------------------------------------------------------------------------------


def test_the_slider_walks_the_positions_and_stops_at_both_ends(small):
    assert (small.slider.min, small.slider.max, small.state.position) == (0, 8, 0)
    small.slider.value = 5
    assert (small.state.row, small.state.col) == (1, 2) and small.state.partial_sum == correlate2d(X, K)[1, 2]
    small.slider.value = 100  # ipywidgets clamps to max
    assert (small.state.row, small.state.col) == (2, 2)
    np.testing.assert_array_equal(small.state.output_so_far, correlate2d(X, K))
    small.slider.value = -5
    assert small.state.position == 0 and np.count_nonzero(~np.isnan(small.state.output_so_far)) == 1


def test_play_steps_one_position_on_a_small_map_and_one_row_on_a_large_one(small, digit):
    assert (small.play.min, small.play.max) == (0, 8)
    small.play.value = 4
    assert small.slider.value == 4 and (small.state.row, small.state.col) == (1, 1)
    w = KernelStepper(digit, "vertical edge (Sobel)")  # output 26 x 26: a frame is a row
    assert w.play.max == 25
    w.play.value = 2
    assert (w.slider.value, w.state.row, w.state.col) == (52, 2, 0)
    w.play.value = 25
    assert w.slider.value == 650
    w.slider.value = 100  # moving the slider by hand puts Play on that row, and leaves the slider there
    assert (w.play.value, w.slider.value) == (3, 100)


def test_play_slows_down_when_a_frame_takes_longer_than_its_interval(small):
    small.play.interval = 1
    small.play.value = 3
    assert small.play.interval >= 1.5 * 1000 * small.seconds - 50


@pytest.mark.parametrize("name", [name for name in PRESETS if name != "vertical edge (Sobel)"])
def test_a_preset_changes_the_kernel_and_the_map(digit, name):
    w = KernelStepper(digit, "vertical edge (Sobel)")
    w.preset.value = name
    np.testing.assert_array_equal(w.state.kernel, PRESET_KERNELS[name])
    np.testing.assert_allclose(w.state.output, signal.correlate2d(digit, PRESET_KERNELS[name], "valid"))
    assert w.kernel_text.value == PRESETS[name] and not is_error(w)


def test_identity_preset_copies_the_input(digit):
    np.testing.assert_array_equal(KernelStepper(digit, "identity").state.output, digit[1:-1, 1:-1])


def test_typed_kernels_non_square_with_commas_fractions_and_new_lines(small):
    small.kernel_text.value = "1 0 -1"
    np.testing.assert_array_equal(small.state.kernel, [[1, 0, -1]])
    assert (small.state.output.shape, small.slider.max, small.play.max) == ((5, 3), 14, 14)
    assert small.preset.value == CUSTOM and "output 5 x 3" in message(small)
    small.slider.value = 14
    assert (small.state.row, small.state.col, small.state.partial_sum) == (4, 2, X[4, 2] - X[4, 4])
    small.kernel_text.value = "1/2, -1/2\n0.25, 2\n"
    np.testing.assert_array_equal(small.state.kernel, [[0.5, -0.5], [0.25, 2]])
    small.kernel_text.value = "-1 0 1;-2 0 2;-1 0 1"  # the text of a preset selects it
    assert small.preset.value == "vertical edge (Sobel)"


def test_a_new_kernel_keeps_the_window_where_it_still_fits(small):
    small.slider.value = 5  # row 1, column 2
    small.kernel_text.value = "1 -1"  # output 5 x 4: row 1, column 2 is position 6
    assert (small.state.row, small.state.col, small.slider.value, small.slider.max) == (1, 2, 6, 19)
    small.kernel_text.value = "; ".join(["1 2 3 4 5"] * 5)  # as large as the input: one position
    assert (small.state.row, small.state.col, small.slider.max) == (0, 0, 0)
    assert small.state.partial_sum == np.sum(X * np.arange(1, 6))
    small.kernel_text.value = "2"  # 1 x 1: the output is the input, doubled
    np.testing.assert_array_equal(small.state.output, 2 * X)


@pytest.mark.parametrize(
    "text, expected, received",
    [
        ("", "expected rows of numbers", "got an empty kernel"),
        ("1 2; 3", "expected every row to hold the same number of values", "got rows of lengths [2, 1]"),
        ("1 0 -1; 2 x -2", "expected numbers", "got 'x' in row 2"),
        ("nan 1", "expected numbers", "got 'nan' in row 1"),
        ("1 2 3 4 5 6", "expected a kernel at most 5 x 5 (the input's size)", "got 1 x 6"),
    ],
)
def test_a_bad_kernel_is_refused_and_the_state_kept(small, text, expected, received):
    small.slider.value = 4
    state, png = small.state, small.image.value
    small.kernel_text.value = text
    assert expected in message(small) and received in message(small) and is_error(small)
    assert small.state is state and small.image.value == png and small.slider.max == 8
    small.kernel_text.value = "1 1; 1 1"  # the next good kernel is taken, and clears the error
    assert small.state.kernel.shape == (2, 2) and not is_error(small)


def test_a_preset_larger_than_the_input_is_refused_and_the_menu_shows_the_kernel_in_use():
    image = np.arange(12.0).reshape(2, 6)
    w = KernelStepper(image, np.array([[1, -1]]))
    w.preset.value = "blur (box)"
    assert "expected a kernel at most 2 x 6" in message(w) and "got 3 x 3" in message(w)
    np.testing.assert_array_equal(w.state.kernel, [[1, -1]])
    assert w.preset.value == CUSTOM and w.kernel_text.value == "1 -1"
    w.preset.value = "vertical edge (difference, 1 x 2)"  # this one fits
    np.testing.assert_array_equal(w.state.output, correlate2d(image, [[-1, 1]]))


@pytest.mark.parametrize(
    "image, kernel, error",
    [
        (np.zeros((2, 3, 4)), K, "image must be a non-empty 2D array (rows, columns), got shape (2, 3, 4)"),
        (np.full((4, 4), np.nan), K, "image must hold finite numbers"),
        ([["a", "b"]], K, "image must be a 2D array of numbers"),
        (X, np.ones(3), "kernel must be a non-empty 2D array (rows, columns), got shape (3,)"),
        (X, np.ones((6, 2)), "expected a kernel at most 5 x 5 (the input's size), got 6 x 2"),
        (X, "emboss", "kernel must be an array or one of the presets"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(image, kernel, error):
    with pytest.raises(ValueError, match=None) as raised:
        KernelStepper(image, kernel)
    assert error in str(raised.value)


def test_parse_kernel():
    np.testing.assert_array_equal(parse_kernel("1 2;3 4;"), [[1, 2], [3, 4]])
    np.testing.assert_allclose(parse_kernel("1/9 -2e-1"), [[1 / 9, -0.2]])
    with pytest.raises(KernelTextError):
        parse_kernel("1 1e400")


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_each_step(small, digit):
    for w in (small, KernelStepper(digit)):
        first = bytes(w.image.value)
        assert first.startswith(b"\x89PNG")
        w.slider.value = 7
        assert bytes(w.image.value) != first
        w.slider.value = 0
        assert bytes(w.image.value) == first  # a step redraws what changed, and only that
