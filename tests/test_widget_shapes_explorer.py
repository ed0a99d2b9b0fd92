"""ShapesExplorer: its state checked on values, its sliders driven without a browser, one picture."""

import html

import numpy as np
import pytest

from cnnlib.correlation import correlate2d
from cnnlib.layers import Convolutional
from cnnlib.widgets.shapes_explorer import (
    MAX_DEPTH,
    MAX_KERNELS,
    MAX_SIZE,
    SLICE_STEP,
    ShapesExplorer,
    layer_shapes,
)


def message(w):
    return html.unescape(w.message.value)


def is_error(w):
    return "color:#b00020" in w.message.value


def sizes(explorer) -> tuple[int, ...]:
    """(n, h, w, k, d) as the sliders say."""
    return tuple(slider.value for slider in explorer.sliders)


def drawn_shape(block) -> tuple[int, int, int]:
    """(depth, height, width) read back from a block's faces: the front, and the top's depth."""
    front, top = (face.get_xy() for face in block.faces[:2])
    width, height = np.ptp(front[:, 0]), np.ptp(front[:, 1])
    return tuple(int(round(v)) for v in ((np.ptp(top[:, 0]) - width) / SLICE_STEP, height, width))


def assert_shows(explorer, n, h, w, k, d):
    """The state holds a layer of these sizes and its forward pass, and the blocks are drawn to its shapes."""
    shapes = explorer.state.shapes
    assert shapes == {
        "input": (n, h, w),
        "kernels": (d, n, k, k),
        "biases": (d, h - k + 1, w - k + 1),
        "output": (d, h - k + 1, w - k + 1),
    }
    assert explorer.state.parameter_count == d * n * k * k + d * (h - k + 1) * (w - k + 1)
    assert sizes(explorer) == (n, h, w, k, d) and explorer.kernel_slider.max == min(h, w)
    view = explorer.view
    assert [drawn_shape(view.blocks[key]) for key in ("input", "biases", "output")] == [
        shapes["input"],
        shapes["biases"],
        shapes["output"],
    ]
    visible = [block for block in view.kernel_blocks if block.faces[0].get_visible()]
    assert [drawn_shape(block) for block in visible] == [(n, k, k)] * d


# --- the state -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, h, w, k, d", [(1, 28, 28, 3, 5), (3, 9, 14, 4, 2), (2, 5, 5, 5, 1), (1, 1, 7, 1, 8)]
)
def test_the_layer_its_forward_pass_and_its_parameters(n, h, w, k, d):
    x = np.random.default_rng(0).uniform(0, 1, (n, h, w))
    state = layer_shapes(x, k, d, seed=4)
    kernels, biases = state.layer.kernels, state.layer.biases
    assert (kernels.shape, biases.shape, state.output.shape) == (
        (d, n, k, k),
        (d, h - k + 1, w - k + 1),
        (d, h - k + 1, w - k + 1),
    )
    # Y_i = B_i + sum_j X_j ⋆ K_ij, computed here plainly
    expected = [biases[i] + sum(correlate2d(x[j], kernels[i, j]) for j in range(n)) for i in range(d)]
    np.testing.assert_allclose(state.output, expected)
    np.testing.assert_array_equal(kernels, Convolutional((n, h, w), k, d, rng=4).kernels)  # the seed decides
    assert state.parameter_count == d * n * k * k + d * (h - k + 1) * (w - k + 1)


def test_the_default_is_the_original_layer():
    explorer = ShapesExplorer()
    assert_shows(explorer, 1, 28, 28, 3, 5)
    assert explorer.state.parameter_count == 45 + 3380
    assert explorer.message.value == ""


# --- the controls --------------------------------------------------------------------------------

# slider, value, moves made first, the sizes (n, h, w, k, d) that follow from (1, 28, 28, 3, 5)
SLIDER_ENDS = [
    ("input_depth_slider", 1, {"input_depth_slider": 2}, (1, 28, 28, 3, 5)),
    ("input_depth_slider", MAX_DEPTH, {}, (MAX_DEPTH, 28, 28, 3, 5)),
    ("height_slider", 1, {"kernel_slider": 1}, (1, 1, 28, 1, 5)),
    ("height_slider", MAX_SIZE, {}, (1, MAX_SIZE, 28, 3, 5)),
    ("width_slider", 1, {"kernel_slider": 1}, (1, 28, 1, 1, 5)),
    ("width_slider", MAX_SIZE, {}, (1, 28, MAX_SIZE, 3, 5)),
    ("kernel_slider", 1, {}, (1, 28, 28, 1, 5)),
    ("kernel_slider", 28, {}, (1, 28, 28, 28, 5)),
    ("depth_slider", 1, {}, (1, 28, 28, 3, 1)),
    ("depth_slider", MAX_KERNELS, {}, (1, 28, 28, 3, MAX_KERNELS)),
]


@pytest.mark.parametrize("slider, value, first, expected", SLIDER_ENDS)
def test_each_slider_to_its_ends(slider, value, first, expected):
    explorer = ShapesExplorer()
    for name, first_value in first.items():
        getattr(explorer, name).value = first_value
    control = getattr(explorer, slider)
    assert value in (control.min, control.max)
    control.value = value
    assert_shows(explorer, *expected)


def test_the_kernel_range_follows_the_input():
    explorer = ShapesExplorer()
    explorer.width_slider.value = 10
    assert explorer.kernel_slider.max == 10
    explorer.height_slider.value = 7
    explorer.kernel_slider.value = 7  # as large as the input's height: one row of output
    assert_shows(explorer, 1, 7, 10, 7, 5)
    explorer.height_slider.value = 30
    assert explorer.kernel_slider.max == 10 and explorer.kernel_slider.value == 7


@pytest.mark.parametrize("slider, value", [("height_slider", 4), ("width_slider", 1), ("height_slider", 1)])
def test_an_input_smaller_than_the_kernel_is_refused_and_the_state_kept(slider, value):
    explorer = ShapesExplorer(height=12, width=16, input_depth=2, kernel_size=5, depth=3)
    state, png = explorer.state, bytes(explorer.image.value)
    getattr(explorer, slider).value = value
    assert "A 5 x 5 kernel does not fit" in message(explorer) and "Kept the input at 12 x 16" in message(
        explorer
    )
    assert is_error(explorer)
    assert explorer.state is state and bytes(explorer.image.value) == png
    assert sizes(explorer) == (2, 12, 16, 5, 3) and explorer.kernel_slider.max == 12  # the sliders went back
    explorer.kernel_slider.value = 2  # the next good change is taken, and clears the message
    assert explorer.message.value == ""
    assert_shows(explorer, 2, 12, 16, 2, 3)


def test_a_given_input_fixes_its_sliders_and_is_the_one_run():
    x = np.random.default_rng(4).uniform(0, 1, (2, 6, 9))
    explorer = ShapesExplorer(x=x, kernel_size=3, depth=4, seed=7)
    assert [slider.disabled for slider in explorer.sliders] == [True, True, True, False, False]
    np.testing.assert_allclose(explorer.state.output, Convolutional((2, 6, 9), 3, 4, rng=7).forward(x))
    explorer.kernel_slider.value = 6
    assert_shows(explorer, 2, 6, 9, 6, 4)
    assert explorer.state.x is x


def test_the_same_seed_gives_the_same_layer():
    first, second = ShapesExplorer(seed=3).state, ShapesExplorer(seed=3).state
    np.testing.assert_array_equal(first.layer.kernels, second.layer.kernels)
    np.testing.assert_array_equal(first.output, second.output)


@pytest.mark.parametrize(
    "kwargs, expected, received",
    [
        (
            dict(kernel_size=29),
            "kernel_size must be a whole number from 1 to min(height, width) = 28",
            "got 29",
        ),
        (dict(height=5, kernel_size=6), "min(height, width) = 5", "got 6"),
        (dict(kernel_size=0), "kernel_size must be", "got 0"),
        (dict(depth=MAX_KERNELS + 1), f"depth must be a whole number from 1 to {MAX_KERNELS}", "got 9"),
        (dict(depth=0), "depth must be", "got 0"),
        (dict(input_depth=2.5), "input_depth must be a whole number 1 or more", "got 2.5"),
        (dict(x=np.zeros((28, 28))), "x must be an input block (depth, height, width)", "got shape (28, 28)"),
        (dict(x=np.zeros((1, 2, 2)), kernel_size=3), "min(height, width) = 2", "got 3"),
    ],
)
def test_constructor_misuse_raises_a_clear_error(kwargs, expected, received):
    with pytest.raises(ValueError) as raised:
        ShapesExplorer(**kwargs)
    assert expected in str(raised.value) and received in str(raised.value)


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_each_slider():
    explorer = ShapesExplorer()
    first = bytes(explorer.image.value)
    assert first.startswith(b"\x89PNG")
    pictures = {first}
    for slider, value in (
        (explorer.kernel_slider, 5),
        (explorer.depth_slider, 2),
        (explorer.input_depth_slider, 3),
    ):
        slider.value = value
        pictures.add(bytes(explorer.image.value))
    assert len(pictures) == 4
    for slider, value in (
        (explorer.input_depth_slider, 1),
        (explorer.depth_slider, 5),
        (explorer.kernel_slider, 3),
    ):
        slider.value = value
    assert bytes(explorer.image.value) == first
