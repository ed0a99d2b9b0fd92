"""ConvolutionStepper: its state checked on values, its controls driven without a browser, one picture."""

import html

import numpy as np
import pytest
from scipy import signal

from cnnlib.plotting import ERROR_TEXT
from cnnlib.widgets.convolution_stepper import ConvolutionStepper, convolution_step, rotation_steps

X = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], float)
K = np.array([[1, 2], [3, 4]], float)
REFERENCES = {  # what sliding the kernel at each rotation step computes, in scipy's words
    0: lambda x, k, mode: signal.correlate2d(x, k, mode),
    1: lambda x, k, mode: signal.correlate2d(x, np.flipud(k), mode),
    2: lambda x, k, mode: signal.convolve2d(x, k, mode),
}


@pytest.fixture
def small():
    return ConvolutionStepper(X, K)


def message(w):
    """The message line as the learner reads it (without HTML escapes)."""
    return html.unescape(w.message.value)


def is_error(w):
    return ERROR_TEXT in w.message.value


def to_end(w):
    w.slider.value = w.slider.max


def where(w):
    """The step shown: its position, and the row and column of the window's top-left cell."""
    return w.state.slide.position, w.state.slide.row, w.state.slide.col


def so_far(w):
    return w.state.slide.output_so_far


# --- the state -----------------------------------------------------------------------------------


def test_rotation_steps_are_two_flips():
    k = np.array([[1, 2, 3], [4, 5, 6]])
    given, flipped, rotated = rotation_steps(k)
    np.testing.assert_array_equal(given, k)
    np.testing.assert_array_equal(flipped, np.flipud(k))
    np.testing.assert_array_equal(rotated, np.rot90(k, 2))


@pytest.mark.parametrize("rotation", [0, 1, 2])
@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize(
    "image_shape, kernel_shape", [((3, 3), (2, 2)), ((4, 6), (2, 3)), ((5, 3), (3, 1)), ((3, 5), (3, 5))]
)
def test_every_position_shows_its_window_products_sum_and_the_map_so_far(
    image_shape, kernel_shape, mode, rotation
):
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
    expected = REFERENCES[rotation](image, kernel, mode)
    (kh, kw), pad = kernel_shape, (kernel_shape[0] - 1, kernel_shape[1] - 1) if mode == "full" else (0, 0)
    padded = np.pad(image, ((pad[0], pad[0]), (pad[1], pad[1])))
    for position in range(expected.size):
        step = convolution_step(image, kernel, rotation, mode, position).slide
        row, col = divmod(position, expected.shape[1])  # row-major over the output
        window = padded[row : row + kh, col : col + kw]
        assert (step.row, step.col, step.output.shape) == (row, col, expected.shape)
        np.testing.assert_array_equal(step.image, padded)
        np.testing.assert_array_equal(step.kernel, rotation_steps(kernel)[rotation])
        np.testing.assert_array_equal(step.window, window)
        np.testing.assert_allclose(step.products, window * step.kernel)
        assert np.isclose(step.partial_sum, expected[row, col])
        filled = step.output_so_far.ravel()
        np.testing.assert_allclose(filled[: position + 1], expected.ravel()[: position + 1])
        assert np.all(np.isnan(filled[position + 1 :]))


# --- the controls --------------------------------------------------------------------------------


def test_starts_at_the_first_window_of_the_valid_convolution(small):
    step = small.state.slide
    assert (small.mode.value, small.rotation.value, where(small)) == ("valid", 2, (0, 0, 0))
    np.testing.assert_array_equal(step.kernel, [[4, 3], [2, 1]])
    np.testing.assert_array_equal(step.products, [[1 * 4, 2 * 3], [4 * 2, 5 * 1]])
    assert step.partial_sum == 23 and np.isnan(step.output_so_far).sum() == 3
    assert message(small) == ""


def test_the_slider_walks_the_positions_and_stops_at_both_ends(small):
    assert (small.slider.min, small.slider.max) == (0, 3)  # a 2 x 2 valid output
    small.slider.value = 2
    assert where(small) == (2, 1, 0) and small.state.slide.partial_sum == 4 * 4 + 5 * 3 + 7 * 2 + 8 * 1
    small.slider.value = 100  # ipywidgets clamps to max
    assert where(small) == (3, 1, 1)
    np.testing.assert_array_equal(so_far(small), signal.convolve2d(X, K, "valid"))
    small.slider.value = -5
    assert where(small) == (0, 0, 0) and np.isnan(so_far(small)).sum() == 3


def test_full_mode_pads_and_its_output_is_scipys_full_convolution(small):
    small.mode.value = "full"
    step = small.state.slide
    np.testing.assert_array_equal(step.image, np.pad(X, 1))
    assert step.output.shape == (4, 4) and (small.slider.max, small.play.max) == (15, 15)
    assert step.partial_sum == 1  # the corner: one input pixel, three zeros of padding
    np.testing.assert_array_equal(step.window, [[0, 0], [0, 1]])
    to_end(small)
    assert where(small) == (15, 3, 3)
    np.testing.assert_array_equal(so_far(small), signal.convolve2d(X, K, "full"))


def test_switching_mode_keeps_the_position_inside_the_new_range(small):
    small.mode.value = "full"
    to_end(small)
    small.mode.value = "valid"
    assert (small.slider.max, small.slider.value, where(small)) == (3, 3, (3, 1, 1))
    np.testing.assert_array_equal(so_far(small), signal.convolve2d(X, K, "valid"))
    small.mode.value = "full"
    assert (small.slider.max, where(small)) == (15, (3, 0, 3))


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("rotation", [0, 1, 2])
def test_the_rotation_toggle_walks_its_three_steps(small, mode, rotation):
    small.mode.value = mode
    small.rotation.value = rotation
    np.testing.assert_array_equal(small.state.slide.kernel, rotation_steps(K)[rotation])
    to_end(small)
    np.testing.assert_array_equal(so_far(small), REFERENCES[rotation](X, K, mode))


def test_play_moves_the_slider_to_its_ends_and_slows_down_when_a_frame_takes_longer(small):
    assert (small.play.min, small.play.max) == (0, 3)
    small.play.interval = 1
    small.play.value = small.play.max
    assert small.slider.value == 3 and where(small) == (3, 1, 1)
    assert small.play.interval >= 1.5 * 1000 * small.seconds - 50
    small.play.value = 0
    assert small.slider.value == 0 and where(small) == (0, 0, 0)
    small.mode.value = "full"
    small.play.value = small.play.max
    assert small.slider.value == 15
    np.testing.assert_array_equal(so_far(small), signal.convolve2d(X, K, "full"))
    small.slider.value = 6  # moving the slider by hand moves Play too
    assert small.play.value == 6


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize(
    "image_shape, kernel_shape",
    [((4, 6), (2, 3)), ((5, 3), (3, 1)), ((3, 5), (3, 5)), ((4, 4), (1, 1)), ((10, 10), (5, 5))],
)
def test_the_whole_output_equals_scipy_on_awkward_shapes(mode, image_shape, kernel_shape):
    rng = np.random.default_rng(0)
    image, kernel = rng.integers(-5, 6, image_shape), rng.integers(-3, 4, kernel_shape)
    w = ConvolutionStepper(image, kernel, mode=mode)
    assert w.slider.max == w.state.slide.output.size - 1
    to_end(w)
    np.testing.assert_allclose(so_far(w), signal.convolve2d(image, kernel, mode))


def test_a_typed_kernel_is_taken(small):
    small.kernel_text.value = "1, 0, -1\n2 0 -2"
    np.testing.assert_array_equal(small.state.kernel, [[1, 0, -1], [2, 0, -2]])
    assert small.state.slide.output.shape == (2, 1) and small.slider.max == 1 and not is_error(small)
    assert small.state.slide.partial_sum == 1 * -2 + 2 * 0 + 3 * 2 + 4 * -1 + 5 * 0 + 6 * 1
    to_end(small)
    np.testing.assert_array_equal(so_far(small), signal.convolve2d(X, small.state.kernel, "valid"))


def test_a_kernel_symmetric_under_the_half_turn_makes_the_rotation_change_nothing(small):
    small.kernel_text.value = "1 2; 2 1"
    to_end(small)
    convolution = so_far(small)
    small.rotation.value = 0
    np.testing.assert_array_equal(so_far(small), convolution)


@pytest.mark.parametrize(
    "text, expected, received",
    [
        ("", "expected rows of numbers", "got an empty kernel"),
        ("  ;  ", "expected rows of numbers", "got an empty kernel"),
        ("1 2; 3", "expected every row to hold the same number of values", "got rows of lengths [2, 1]"),
        ("1 a; 3 4", "expected numbers", "got 'a' in row 1"),
        ("nan 1; 2 3", "expected numbers", "got 'nan' in row 1"),
        ("1 inf", "expected numbers", "got 'inf' in row 1"),
        ("1 2 3 4", "expected a kernel at most the input's shape (3, 3)", "got (1, 4)"),
        ("1; 2; 3; 4", "expected a kernel at most the input's shape (3, 3)", "got (4, 1)"),
    ],
)
def test_a_bad_kernel_is_refused_and_the_state_kept(small, text, expected, received):
    small.slider.value = 2
    state, png = small.state, bytes(small.image.value)
    small.kernel_text.value = text
    assert expected in message(small) and received in message(small) and is_error(small)
    assert "1 2; 3 4" in message(small)  # names the kernel still in use
    assert small.state is state and bytes(small.image.value) == png and small.slider.max == 3
    small.slider.value = 3  # the other controls still work on the last good kernel
    np.testing.assert_array_equal(so_far(small), signal.convolve2d(X, K, "valid"))
    small.kernel_text.value = "0 1; 1 0"  # a good kernel is taken, and clears the error
    np.testing.assert_array_equal(small.state.kernel, [[0, 1], [1, 0]])
    assert not is_error(small)


def test_a_typed_kernel_larger_than_five_is_refused():
    w = ConvolutionStepper(np.ones((8, 8)), np.ones((2, 2)))
    w.kernel_text.value = "; ".join(["1 1 1 1 1 1"] * 6)
    assert "at most 5 x 5" in message(w) and "got shape (6, 6)" in message(w) and is_error(w)
    assert w.state.kernel.shape == (2, 2)


@pytest.mark.parametrize(
    "image, kernel, mode, error",
    [
        (np.ones(3), K, "valid", r"image must be a non-empty 2D array .* got shape \(3,\)"),
        (np.ones((2, 3, 3)), K, "valid", r"image must be a non-empty 2D array .* got shape \(2, 3, 3\)"),
        (np.ones((0, 3)), K, "valid", r"image must be a non-empty 2D array .* got shape \(0, 3\)"),
        (X, np.ones((2, 4)), "full", r"expected a kernel at most the input's shape \(3, 3\), got \(2, 4\)"),
        (X, np.ones(2), "valid", r"kernel must be a non-empty 2D array .* got shape \(2,\)"),
        (X, [[1, np.nan]], "valid", r"kernel must hold finite numbers"),
        (np.ones((11, 4)), K, "valid", r"image must be at most 10 x 10 .* got shape \(11, 4\)"),
        (np.ones((10, 10)), np.ones((6, 6)), "valid", r"kernel must be at most 5 x 5 .* got shape \(6, 6\)"),
        ([["a", "b"]], K, "valid", r"image must be a 2D array of numbers"),
        (X, K, "same", r"mode must be one of \('valid', 'full'\), got 'same'"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(image, kernel, mode, error):
    with pytest.raises(ValueError, match=error):
        ConvolutionStepper(image, kernel, mode=mode)


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_each_control():
    rng = np.random.default_rng(1)
    for w in (ConvolutionStepper(X, K), ConvolutionStepper(rng.integers(-5, 6, (4, 6)), [[1, 2, 0]])):
        first = bytes(w.image.value)
        assert first.startswith(b"\x89PNG")
        for control, value, back in [(w.slider, 1, 0), (w.rotation, 0, 2), (w.mode, "full", "valid")]:
            control.value = value
            assert bytes(w.image.value) != first
            control.value = back
            assert bytes(w.image.value) == first  # a step redraws what changed, and only that
