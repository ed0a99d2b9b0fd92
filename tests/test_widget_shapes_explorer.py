"""The shapes explorer of notebook 03, driven without a browser: state, drawn boxes, PNG, refusals."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnlib.layers import Convolutional  # noqa: E402
from cnnlib.widgets.shapes_explorer import MAX_DEPTH, MAX_KERNELS, MAX_SIZE, SLICE_STEP, ShapesExplorer  # noqa: E402


def drawn_shape(block) -> tuple[int, int, int]:
    """(depth, height, width) read back from a block's polygons: the front face and the top face's depth."""
    front, top = block.front.get_xy(), block.top.get_xy()
    width = np.ptp(front[:, 0])
    height = np.ptp(front[:, 1])
    depth = (np.ptp(top[:, 0]) - width) / SLICE_STEP
    return tuple(int(round(value)) for value in (depth, height, width))


def expected_shapes(n, h, w, k, d):
    """Every array's shape from an independent layer and forward pass, not from the widget."""
    layer = Convolutional((n, h, w), k, d, rng=1)
    output = layer.forward(np.zeros((n, h, w)))
    return {
        "input": (n, h, w),
        "kernels": layer.kernels.shape,
        "biases": layer.biases.shape,
        "output": output.shape,
    }


def assert_consistent(explorer, n, h, w, k, d):
    """State, drawn boxes and text all agree with an independent Convolutional layer of these sizes."""
    shapes = expected_shapes(n, h, w, k, d)
    assert explorer.shapes == shapes
    assert explorer.output.shape == shapes["output"] == (d, h - k + 1, w - k + 1)
    assert explorer.parameter_count == d * n * k * k + d * (h - k + 1) * (w - k + 1)
    assert drawn_shape(explorer.blocks["input"]) == shapes["input"]
    assert drawn_shape(explorer.blocks["biases"]) == shapes["biases"]
    assert drawn_shape(explorer.blocks["output"]) == shapes["output"]
    visible = [block for block in explorer.kernel_blocks if block.front.get_visible()]
    assert len(visible) == d
    assert all(drawn_shape(block) == (n, k, k) for block in visible)
    assert sum(name.get_visible() for name in explorer.kernel_names) == d
    text = explorer.shapes_text.get_text()
    for name, shape in shapes.items():
        assert str(shape) in text, (name, shape, text)
    assert text.rstrip().endswith(f"= {explorer.parameter_count}")
    assert explorer.message.value == ""


def test_default_is_the_original_layer():
    explorer = ShapesExplorer()
    assert_consistent(explorer, 1, 28, 28, 3, 5)
    assert explorer.shapes["output"] == (5, 26, 26)
    assert explorer.parameter_count == 45 + 3380
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert explorer.labels["output", "height"].get_text() == "h' = 26"
    assert explorer.labels["input", "depth"].get_text() == "n = 1"
    assert explorer.count_label.get_text().startswith("d = 5 kernels")


SLIDER_ENDS = [  # slider, value, moves made first, the sizes (n, h, w, k, d) that follow from (1, 28, 28, 3, 5)
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


@pytest.mark.parametrize("slider, value, first, sizes", SLIDER_ENDS)
def test_each_slider_to_its_ends(slider, value, first, sizes):
    explorer = ShapesExplorer()
    for name, first_value in first.items():
        getattr(explorer, name).value = first_value
    control = getattr(explorer, slider)
    assert value in (control.min, control.max)
    picture, text = explorer.image.value, explorer.shapes_text.get_text()
    control.value = value
    assert control.value == value
    assert_consistent(explorer, *sizes)
    assert explorer.image.value != picture
    assert explorer.shapes_text.get_text() != text


def test_the_slider_ranges():
    explorer = ShapesExplorer()
    assert (explorer.input_depth_slider.min, explorer.input_depth_slider.max) == (1, MAX_DEPTH)
    assert (explorer.height_slider.min, explorer.height_slider.max) == (1, MAX_SIZE)
    assert (explorer.depth_slider.min, explorer.depth_slider.max) == (1, MAX_KERNELS)
    assert (explorer.kernel_slider.min, explorer.kernel_slider.max) == (1, 28)


def test_kernel_range_follows_the_input():
    explorer = ShapesExplorer()
    explorer.width_slider.value = 10
    assert explorer.kernel_slider.max == 10
    explorer.height_slider.value = 7
    assert explorer.kernel_slider.max == 7
    explorer.kernel_slider.value = 7  # as large as the input's height: one row of output
    assert_consistent(explorer, 1, 7, 10, 7, 5)
    assert explorer.shapes["output"] == (5, 1, 4)
    explorer.height_slider.value = 30
    assert explorer.kernel_slider.max == 10 and explorer.kernel_slider.value == 7


def test_non_square_deep_input():
    explorer = ShapesExplorer(height=9, width=14, input_depth=3, kernel_size=4, depth=2)
    assert_consistent(explorer, 3, 9, 14, 4, 2)
    assert explorer.output.shape == (2, 6, 11)
    assert explorer.labels["input", "width"].get_text() == "w = 14"
    assert explorer.labels["output", "width"].get_text() == "w' = 11"
    assert explorer.labels["output", "depth"].get_text() == "d = 2"


@pytest.mark.parametrize("slider, value", [("height_slider", 4), ("width_slider", 1), ("height_slider", 1)])
def test_input_smaller_than_kernel_is_refused(slider, value):
    explorer = ShapesExplorer(height=12, width=16, input_depth=2, kernel_size=5, depth=3)
    picture, output = explorer.image.value, explorer.output.copy()
    getattr(explorer, slider).value = value
    assert "does not fit" in explorer.message.value and "5 x 5 kernel" in explorer.message.value
    assert "12 x 16" in explorer.message.value  # what was kept
    assert "b00020" in explorer.message.value  # shown as an error
    # the last good state, in the state, the sliders and the picture
    assert explorer.input_shape == (2, 12, 16) and explorer.kernel_size == 5 and explorer.depth == 3
    assert (explorer.height_slider.value, explorer.width_slider.value) == (12, 16)
    assert explorer.kernel_slider.max == 12
    np.testing.assert_array_equal(explorer.output, output)
    assert explorer.image.value == picture
    # the next good change is accepted and clears the message
    explorer.kernel_slider.value = 2
    assert explorer.message.value == ""
    assert_consistent(explorer, 2, 12, 16, 2, 3)


def test_forward_pass_on_a_given_input():
    x = np.random.default_rng(4).uniform(0, 1, (2, 6, 9))
    explorer = ShapesExplorer(x=x, kernel_size=3, depth=4, seed=7)
    assert explorer.input_depth_slider.disabled and explorer.height_slider.disabled
    assert not explorer.kernel_slider.disabled
    layer = Convolutional((2, 6, 9), 3, 4, rng=7)
    np.testing.assert_allclose(explorer.output, layer.forward(x))
    explorer.kernel_slider.value = 6
    assert_consistent(explorer, 2, 6, 9, 6, 4)
    assert explorer.x is x or np.array_equal(explorer.x, x)


def test_the_same_seed_draws_the_same_picture():
    assert ShapesExplorer(seed=3).image.value == ShapesExplorer(seed=3).image.value


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(kernel_size=29), "kernel_size must be"),
        (dict(height=5, kernel_size=6), "min(height, width) = 5"),
        (dict(kernel_size=0), "kernel_size must be"),
        (dict(depth=MAX_KERNELS + 1), "depth must be"),
        (dict(depth=0), "depth must be"),
        (dict(input_depth=2.5), "input_depth must be"),
        (dict(x=np.zeros((28, 28))), "x must be an input block"),
        (dict(x=np.zeros((1, 2, 2)), kernel_size=3), "kernel_size must be"),
    ],
)
def test_constructor_misuse_raises(kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        ShapesExplorer(**kwargs)
