"""The convolution stepper driven without a browser: each control to its ends, state, drawn data, refusals."""

import matplotlib

matplotlib.use("Agg")

import html  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from scipy import signal  # noqa: E402

from cnnlib.correlation import pad_full  # noqa: E402
from cnnlib.widgets.convolution_stepper import (  # noqa: E402
    ConvolutionStepper,
    rotation_steps,
    show_padded,
)
from cnnlib.widgets.inputs import format_kernel, parse_kernel  # noqa: E402

X = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
K = np.array([[1, 2], [3, 4]])


@pytest.fixture
def stepper():
    return ConvolutionStepper(X, K)


def to_end(w):
    w.slider.value = w.slider.max


def test_starts_at_the_first_window_of_the_valid_convolution(stepper):
    w = stepper
    assert w.mode.value == "valid" and w.rotation.value == 2 and w.position == 0
    np.testing.assert_array_equal(w.sliding_kernel, [[4, 3], [2, 1]])
    np.testing.assert_array_equal(w.padded, X)
    assert w.window == (0, 0)
    np.testing.assert_array_equal(w.products, [[1 * 4, 2 * 3], [4 * 2, 5 * 1]])
    assert w.output[0, 0] == 23 and np.isnan(w.output).sum() == 3
    assert w.formula == "output[0, 0] = 1×4 + 2×3 + 4×2 + 5×1 = 23"
    assert w.formula_text.get_text() == w.formula
    assert bytes(w.image.value).startswith(b"\x89PNG")
    assert w.message.value == ""


def test_position_slider_to_both_ends_and_the_drawn_window(stepper):
    w = stepper
    assert (w.slider.min, w.slider.max) == (0, 3)  # a 2x2 valid output
    w.slider.value = 2
    assert w.window == (1, 0)
    assert w.window_patch.get_xy() == (-0.5, 0.5)
    assert w.output_patch.get_xy() == (-0.5, 0.5)
    assert [t.get_text() for t in w.output_texts.ravel()] == ["23", "33", "53", ""]
    assert w.product_texts[0, 0].get_text() == "4×4\n= 16"
    assert w.multiplier_texts[0, 0].get_text() == "×4"
    before = bytes(w.image.value)
    to_end(w)
    assert w.position == 3 and w.window == (1, 1)
    assert bytes(w.image.value) != before
    assert not np.isnan(w.output).any()
    np.testing.assert_array_equal(w.output, signal.convolve2d(X, K, "valid"))
    np.testing.assert_array_equal(np.ma.getdata(w.output_artist.get_array()), w.output)
    assert "sum = 63" in w.axes["products"].get_title()
    w.slider.value = 0
    assert w.window == (0, 0) and np.isnan(w.output).sum() == 3


def test_output_cells_not_computed_yet_are_grey_and_zeros_white():
    w = ConvolutionStepper(np.array([[0, 0, 0], [0, 0, 0], [0, 0, 1]]), K)  # output [[0, 0], [0, 1]]
    w.slider.value = 1  # cells (0, 0) and (0, 1) computed, both 0; (1, 0) and (1, 1) not yet
    assert "grey: not yet" in w.axes["output"].get_title()
    canvas = FigureCanvasAgg(w.figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3] / 255
    ax = w.axes["output"]

    def colour(row, col):
        x, y = ax.transData.transform((col + 0.25, row + 0.25))  # inside the cell, off its text and box
        return pixels[int(round(pixels.shape[0] - y)), int(round(x))]

    np.testing.assert_allclose(colour(0, 1), [0.97, 0.97, 0.97], atol=0.04)  # a computed 0: (almost) white
    np.testing.assert_allclose(colour(1, 0), [0.82, 0.82, 0.82], atol=0.03)  # not yet: grey
    np.testing.assert_allclose(colour(1, 1), [0.82, 0.82, 0.82], atol=0.03)


def test_full_mode_pads_and_its_output_is_scipys_full_convolution(stepper):
    w = stepper
    before = bytes(w.image.value)
    w.mode.value = "full"
    assert bytes(w.image.value) != before
    np.testing.assert_array_equal(w.padded, pad_full(X, K.shape))
    assert w.result.shape == (4, 4) and (w.slider.max, w.play.max) == (15, 15)
    assert w.output[0, 0] == 1  # the corner: one input pixel, three padding zeros
    assert w.formula == "output[0, 0] = 0×4 + 0×3 + 0×2 + 1×1 = 1"
    assert "padded" in w.axes["input"].get_title()
    hatched = [p for p in w.axes["input"].patches if p.get_hatch() == "///"]
    assert len(hatched) == 5 * 5 - 3 * 3  # every padding cell, and only those
    to_end(w)
    assert w.window == (3, 3)
    np.testing.assert_array_equal(w.output, signal.convolve2d(X, K, "full"))


def test_switching_mode_keeps_the_position_inside_the_new_range(stepper):
    w = stepper
    w.mode.value = "full"
    to_end(w)
    w.mode.value = "valid"
    assert w.slider.max == 3 and w.slider.value == 3 and w.position == 3
    np.testing.assert_array_equal(w.output, signal.convolve2d(X, K, "valid"))
    w.mode.value = "full"
    assert w.slider.max == 15 and w.position == 3 and w.window == (0, 3)


@pytest.mark.parametrize(
    "step, kernel, reference",
    [
        (0, K, lambda x, k, mode: signal.correlate2d(x, k, mode)),
        (1, K[::-1, :], lambda x, k, mode: signal.correlate2d(x, k[::-1, :], mode)),
        (2, K[::-1, ::-1], lambda x, k, mode: signal.convolve2d(x, k, mode)),
    ],
)
@pytest.mark.parametrize("mode", ["valid", "full"])
def test_rotation_toggle_through_its_three_steps(stepper, step, kernel, reference, mode):
    w = stepper
    w.mode.value = mode
    w.rotation.value = 1 if step != 1 else 0  # come from another step so the value changes
    before = bytes(w.image.value)
    w.rotation.value = step
    assert bytes(w.image.value) != before
    np.testing.assert_array_equal(w.sliding_kernel, kernel)
    np.testing.assert_array_equal(w.sliding_artist.get_array(), kernel)
    assert [t.get_text() for t in w.sliding_texts.ravel()] == [f"{v:g}" for v in kernel.ravel()]
    to_end(w)
    np.testing.assert_array_equal(w.output, reference(X, K, mode))
    name = ["cross-correlation", "neither", "convolution"][step]
    assert name in w.axes["output"].get_title()


def test_play_moves_the_slider_to_its_ends(stepper):
    w = stepper
    w.play.value = w.play.max
    assert w.slider.value == 3 and w.position == 3
    w.play.value = 0
    assert w.slider.value == 0 and w.position == 0
    w.mode.value = "full"
    w.play.value = w.play.max
    assert w.slider.value == 15
    np.testing.assert_array_equal(w.output, signal.convolve2d(X, K, "full"))


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize(
    "image_shape, kernel_shape",
    [((4, 6), (2, 3)), ((5, 3), (3, 1)), ((3, 5), (3, 5)), ((4, 4), (1, 1)), ((10, 10), (5, 5))],
)
def test_complete_output_equals_scipy_on_awkward_shapes(mode, image_shape, kernel_shape):
    rng = np.random.default_rng(0)
    image, kernel = rng.integers(-5, 6, image_shape), rng.integers(-3, 4, kernel_shape)
    w = ConvolutionStepper(image, kernel, mode=mode)
    assert w.slider.max == w.result.size - 1
    to_end(w)
    np.testing.assert_allclose(w.output, signal.convolve2d(image, kernel, mode))


def test_a_typed_kernel_is_taken(stepper):
    w = stepper
    before = bytes(w.image.value)
    w.kernel_text.value = "1, 0, -1\n2 0 -2"
    np.testing.assert_array_equal(w.kernel, [[1, 0, -1], [2, 0, -2]])
    assert w.result.shape == (2, 1) and w.slider.max == 1
    assert w.formula == "output[0, 0] = 1×(-2) + 2×0 + 3×2 + 4×(-1) + 5×0 + 6×1 = 6"
    assert w.product_texts[0, 0].get_text() == "1×(-2)\n= -2"
    assert bytes(w.image.value) != before and w.message.value == ""
    to_end(w)
    np.testing.assert_array_equal(w.output, signal.convolve2d(X, w.kernel, "valid"))


def test_a_kernel_symmetric_under_the_half_turn_makes_the_rotation_change_nothing(stepper):
    w = stepper
    w.kernel_text.value = "1 2; 2 1"
    to_end(w)
    convolution = w.output.copy()
    w.rotation.value = 0
    np.testing.assert_array_equal(w.output, convolution)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "got an empty kernel"),
        ("  ;  ", "got an empty kernel"),
        ("1 2; 3", "same number of values; got rows of lengths [2, 1]"),
        ("1 a; 3 4", "got 'a' in row 1"),
        ("nan 1; 2 3", "got 'nan' in row 1"),
        ("1 inf", "got 'inf' in row 1"),
        ("1 2 3 4", "kernel shape (1, 4) is larger than input shape (3, 3)"),
        ("1; 2; 3; 4", "kernel shape (4, 1) is larger than input shape (3, 3)"),
    ],
)
def test_bad_typed_kernels_are_refused_and_the_last_good_state_kept(stepper, text, expected):
    w = stepper
    w.slider.value = 2
    kernel, output, picture = w.kernel.copy(), w.output.copy(), bytes(w.image.value)
    w.kernel_text.value = text
    message = html.unescape(w.message.value)
    assert expected in message
    assert "#b00020" in message  # shown as an error
    assert "Still showing the last good kernel, 1 2; 3 4." in message
    np.testing.assert_array_equal(w.kernel, kernel)
    np.testing.assert_array_equal(w.output, output)
    assert bytes(w.image.value) == picture
    w.slider.value = 3  # the other controls still work on the last good kernel
    np.testing.assert_array_equal(w.output, signal.convolve2d(X, K, "valid"))
    w.kernel_text.value = "0 1; 1 0"  # a good kernel clears the error
    assert w.message.value == ""
    np.testing.assert_array_equal(w.kernel, [[0, 1], [1, 0]])


def test_a_typed_kernel_larger_than_five_is_refused():
    w = ConvolutionStepper(np.ones((8, 8)), np.ones((2, 2)))
    w.kernel_text.value = "; ".join(["1 1 1 1 1 1"] * 6)
    assert "at most 5 x 5, got shape (6, 6)" in w.message.value
    assert w.kernel.shape == (2, 2)


@pytest.mark.parametrize(
    "image, kernel, mode, message",
    [
        (np.ones(3), K, "valid", r"image must be a non-empty 2D array .* got shape \(3,\)"),
        (np.ones((2, 3, 3)), K, "valid", r"image must be a non-empty 2D array .* got shape \(2, 3, 3\)"),
        (np.ones((0, 3)), K, "valid", r"image must be a non-empty 2D array .* got shape \(0, 3\)"),
        (X, np.ones((2, 4)), "full", r"kernel shape \(2, 4\) is larger than input shape \(3, 3\)"),
        (X, np.ones(2), "valid", r"kernel must be a non-empty 2D array .* got shape \(2,\)"),
        (X, [[1, np.nan]], "valid", r"kernel must hold finite numbers"),
        (np.ones((11, 4)), K, "valid", r"image must be at most 10 x 10 .* got shape \(11, 4\)"),
        (np.ones((10, 10)), np.ones((6, 6)), "valid", r"kernel must be at most 5 x 5 .* got shape \(6, 6\)"),
        ([["a", "b"]], K, "valid", r"image must be a 2D array of numbers"),
        (X, K, "same", r"mode must be one of \('valid', 'full'\), got 'same'"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(image, kernel, mode, message):
    with pytest.raises(ValueError, match=message):
        ConvolutionStepper(image, kernel, mode=mode)


def test_helpers():
    k = np.array([[1, 2, 3], [4, 5, 6]])
    steps = rotation_steps(k)
    np.testing.assert_array_equal(steps[1], [[4, 5, 6], [1, 2, 3]])
    np.testing.assert_array_equal(steps[2], np.rot90(k, 2))
    assert format_kernel([[1, -0.5], [2e-3, 4]]) == "1 -0.5; 0.002 4"
    np.testing.assert_array_equal(parse_kernel(format_kernel(k)), k)
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    padded, artist = show_padded(ax, np.ones((2, 3)), (3, 2))
    assert padded.shape == (6, 5)
    np.testing.assert_array_equal(artist.get_array(), padded)
    assert sum(p.get_hatch() == "///" for p in ax.patches) == 6 * 5 - 2 * 3
