"""GradientExplorer driven without a browser: pick elements in each mode, check the sums, boxes and checks."""

import html

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from scipy import signal

from cnnlib.layers import Convolutional
from cnnlib.widgets.gradient_explorer import HELP, MAX_SIDE, GradientExplorer

# notebook 04's example: a 3 x 3 input, a lopsided 2 x 2 kernel, a random dE/dY, a bias
X = np.array([[1.0, 2.0, -1.0], [3.0, -2.0, 4.0], [2.0, 1.0, -3.0]])
K = np.array([[1.0, 2.0], [-1.0, 3.0]])
B = np.array([[0.5, -1.0], [0.0, 2.0]])
G = np.array([[-0.7, -0.2], [1.7, 0.7]])

# non-square input and kernel
X_WIDE = np.random.default_rng(1).integers(-3, 4, (5, 6)).astype(float)
K_WIDE = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, -1.0]])
G_WIDE = np.random.default_rng(2).standard_normal((3, 5)).round(1)


def layer_gradients(x, kernel, output_gradient, bias):
    """dE/dX, dE/dK, dE/dB and Y from cnnlib's Convolutional (square kernels), for one map and one kernel."""
    layer = Convolutional((1, *x.shape), kernel.shape[0], 1, rng=0)
    layer.kernels[0, 0], layer.biases[0] = kernel, bias
    output = layer.forward(x[np.newaxis])[0]
    input_gradient, gradients = layer.gradients(output_gradient[np.newaxis])
    return input_gradient[0], gradients["kernels"][0, 0], gradients["biases"][0], output


REFERENCE = dict(zip(["input", "kernel", "bias", "output"], layer_gradients(X, K, G, B)))


def pick(w, mode, row, col):
    w.mode_buttons.value = mode
    w.sliders[mode][0].value = row
    w.sliders[mode][1].value = col


def message(w):
    return html.unescape(w.message.value)


@pytest.fixture(scope="module")
def small():
    return GradientExplorer(X, K, G, bias=B)


@pytest.fixture(scope="module")
def wide():
    return GradientExplorer(X_WIDE, K_WIDE, G_WIDE)


# --- construction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.arange(3.0), K, G), r"x must be a non-empty 2D array .* got shape \(3,\)"),
        ((np.zeros((0, 3)), K, G), r"x must be a non-empty 2D array"),
        ((np.full((3, 3), np.nan), K, G), r"x must hold finite numbers"),
        (([["a", "b"], ["c", "d"]], K, G), r"x must be a 2D array of numbers"),
        (
            (np.zeros((MAX_SIDE + 1, 3)), K, np.zeros((MAX_SIDE, 2))),
            rf"x must be at most {MAX_SIDE} x {MAX_SIDE}",
        ),
        ((X, np.ones((4, 2)), G), r"kernel shape \(4, 2\) is larger than x's shape \(3, 3\)"),
        ((X, np.ones((2, 2, 1)), G), r"kernel must be a non-empty 2D array"),
        ((X, K, np.ones((3, 3))), r"output's shape \(2, 2\) = \(3 - 2 \+ 1, 3 - 2 \+ 1\), got \(3, 3\)"),
        ((X, K, np.ones(4)), r"output_gradient must be a non-empty 2D array"),
    ],
)
def test_bad_shapes_are_refused_with_a_clear_message(args, match):
    with pytest.raises(ValueError, match=match):
        GradientExplorer(*args)


def test_a_bias_of_the_wrong_shape_and_an_unknown_mode_are_refused():
    with pytest.raises(ValueError, match=r"bias must have the output's shape \(2, 2\), got \(1, 2\)"):
        GradientExplorer(X, K, G, bias=np.ones((1, 2)))
    with pytest.raises(
        ValueError, match=r"mode must be one of \['output', 'kernel', 'input'\], got 'weights'"
    ):
        GradientExplorer(X, K, G, mode="weights")


def test_each_mode_has_its_own_sliders_over_its_own_array(wide):
    bounds = {key: [(s.min, s.max) for s in pair] for key, pair in wide.sliders.items()}
    assert bounds == {"output": [(0, 2), (0, 4)], "kernel": [(0, 2), (0, 1)], "input": [(0, 4), (0, 5)]}
    for mode in ("output", "kernel", "input"):
        wide.mode_buttons.value = mode
        shown = [key for key, box in wide.slider_rows.items() if box.layout.display != "none"]
        assert shown == [mode]
        assert HELP[mode] in message(wide) and "color:#b00020" not in message(wide)
        assert bytes(wide.image.value).startswith(b"\x89PNG")


# --- mode 1: an output and what it touches ---------------------------------------------------


@pytest.mark.parametrize("m, n", list(np.ndindex(2, 2)))
def test_an_output_touches_its_window_and_the_whole_kernel(small, m, n):
    pick(small, "output", m, n)
    window = [(m + p, n + q) for p, q in np.ndindex(2, 2)]
    assert (small.row, small.col) == (m, n)
    assert small.inputs == window and small.weights == list(np.ndindex(2, 2)) and small.outputs == [(m, n)]
    # the drawn boxes: window on X, the whole kernel, the output, the window on dy/dX
    assert small.box_cells("input") == (m, n, 2, 2)
    assert small.box_cells("kernel") == (0, 0, 2, 2)
    assert small.box_cells("middle") == (m, n, 1, 1)
    assert small.box_cells("result") == (m, n, 2, 2)
    np.testing.assert_array_equal(small.products, X[m : m + 2, n : n + 2] * K)
    np.testing.assert_array_equal(small.products_artist.get_array(), small.products)
    assert np.isclose(small.sum, REFERENCE["output"][m, n])  # y_mn = b_mn + sum of products
    assert np.isclose(sum(a * b for _, a, _, b in small.terms) + B[m, n], small.sum)
    # dy_mn/dX: the kernel on the window, zero elsewhere; drawn, and checked by central differences
    expected = np.zeros((3, 3))
    expected[m : m + 2, n : n + 2] = K
    np.testing.assert_array_equal(small.derivative, expected)
    np.testing.assert_array_equal(small.result_artist.get_array(), expected)
    assert small.error < 1e-6 and small.agree and "agree ✓" in small.figure.get_suptitle()
    assert f"y_{{{m}{n}}} = b_{{{m}{n}}} + x_{{{m}{n}}}\\,k_{{00}}" in small.formula.value


def test_the_output_mode_names_each_inputs_weight(wide):
    pick(wide, "output", 2, 4)
    labels = [text.get_text() for text in wide.partner_texts]
    assert labels == ["×k₀₀", "×k₀₁", "×k₁₀", "×k₁₁", "×k₂₀", "×k₂₁"]
    positions = [text.get_position() for text in wide.partner_texts]
    assert positions[0] == pytest.approx((4 - 0.44, 2 - 0.44)) and positions[-1] == pytest.approx(
        (5 - 0.44, 4 - 0.44)
    )
    first_product = wide.product_texts[0].get_text()
    assert first_product == "x₂₄·k₀₀\n" + f"{X_WIDE[2, 4] * 1.0 + 0.0:.3g}"
    assert wide.product_texts[0].get_fontsize() >= 12  # readable on a projector


# --- mode 2: a kernel weight and its gradient ------------------------------------------------


@pytest.mark.parametrize("p, q", list(np.ndindex(2, 2)))
def test_a_kernel_weight_gradient_is_dE_dY_laid_on_X(small, p, q):
    pick(small, "kernel", p, q)
    assert small.inputs == [(m + p, n + q) for m, n in np.ndindex(2, 2)]
    assert small.weights == [(p, q)] and small.outputs == list(np.ndindex(2, 2))
    assert small.box_cells("input") == (p, q, 2, 2)  # dE/dY's shape, corner on (p, q)
    assert small.box_cells("kernel") == (p, q, 1, 1)
    assert small.box_cells("middle") == (0, 0, 2, 2)
    assert small.box_cells("result") == (p, q, 1, 1)
    np.testing.assert_array_equal(small.products, G * X[p : p + 2, q : q + 2])
    # the sum = the formula X ⋆ dE/dY = cnnlib's layer = the central difference
    by_hand = sum(G[m, n] * X[m + p, n + q] for m, n in np.ndindex(2, 2))
    assert np.isclose(small.value, by_hand)
    assert np.isclose(small.value, signal.correlate2d(X, G, "valid")[p, q])
    assert np.isclose(small.value, REFERENCE["kernel"][p, q])
    assert abs(small.value - small.numeric) / (abs(small.value) + abs(small.numeric)) < 1e-6
    assert small.error < 1e-6 and small.agree
    assert f"∂E/∂k[{p},{q}] = {small.value:.6g}" in small.figure.get_suptitle()
    assert [text.get_text() for text in small.partner_texts] == ["×g₀₀", "×g₀₁", "×g₁₀", "×g₁₁"]


@pytest.mark.parametrize("p, q", [(0, 0), (2, 1), (1, 0), (2, 0)])
def test_kernel_mode_non_square(wide, p, q):
    pick(wide, "kernel", p, q)
    assert wide.box_cells("input") == (p, q, 3, 5)
    assert np.isclose(wide.value, signal.correlate2d(X_WIDE, G_WIDE, "valid")[p, q])
    assert len(wide.terms) == 15 and wide.agree
    assert "(a sum of 15 products)" in wide.text_line.get_text()  # too long for the figure...
    assert wide.formula.value.count("g_{") == 15  # ...written out in full below it


# --- mode 3: an input and its gradient -------------------------------------------------------

TERMS_IN_3X3 = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@pytest.mark.parametrize("r, c", list(np.ndindex(3, 3)))
def test_an_input_gradient_is_the_rotated_kernel_over_padded_dE_dY(small, r, c):
    pick(small, "input", r, c)
    touched = [(m, n) for m, n in np.ndindex(2, 2) if 0 <= r - m < 2 and 0 <= c - n < 2]
    assert small.outputs == touched and len(small.terms) == TERMS_IN_3X3[r, c]  # corners 1, edges 2, centre 4
    assert small.weights == sorted((r - m, c - n) for m, n in touched)
    assert small.inputs == [(r, c)]
    # boxes: the input, the weights that connected it, the rotated kernel's window, the outputs inside it
    assert small.box_cells("input") == (r, c, 1, 1)
    rows, cols = [p for p, _ in small.weights], [q for _, q in small.weights]
    assert small.box_cells("kernel") == (
        min(rows),
        min(cols),
        max(rows) - min(rows) + 1,
        max(cols) - min(cols) + 1,
    )
    assert small.box_cells("middle") == (r, c, 2, 2)
    top, left = min(m for m, _ in touched) + 1, min(n for _, n in touched) + 1  # padded coordinates
    assert small.box_cells("touched")[:2] == (top, left)
    assert small.box_cells("result") == (r, c, 1, 1)
    # the products: the padded window times the rotated kernel, zero where it lies over padding
    padded = np.pad(G, 1)
    np.testing.assert_array_equal(small.products, padded[r : r + 2, c : c + 2] * K[::-1, ::-1])
    hatched = [pad.get_visible() for pad in small.product_pads]
    assert hatched == [(r + a - 1, c + b - 1) not in touched for a, b in np.ndindex(2, 2)]
    # the sum = the chain rule = the full convolution = cnnlib's layer = the central difference
    by_hand = sum(G[m, n] * K[r - m, c - n] for m, n in touched)
    assert np.isclose(small.value, by_hand)
    assert np.isclose(small.value, signal.convolve2d(G, K, "full")[r, c])
    assert np.isclose(small.value, REFERENCE["input"][r, c])
    assert small.error < 1e-6 and small.agree
    assert f"touched {len(touched)} output" in small.figure.get_suptitle()
    assert f"= {small.value:.4g}$" in small.text_line.get_text()


def test_the_input_mode_labels_the_rotated_kernel(small):
    pick(small, "input", 1, 1)
    assert [text.get_text() for text in small.partner_texts] == ["×k₁₁", "×k₁₀", "×k₀₁", "×k₀₀"]
    labels = [text.get_text() for text in small.product_texts]
    assert labels[0].startswith("g₀₀·k₁₁") and labels[3].startswith("g₁₁·k₀₀")
    pick(small, "input", 0, 0)
    labels = [text.get_text() for text in small.product_texts]
    assert labels[:3] == ["0·k₁₁\n0", "0·k₁₀\n0", "0·k₀₁\n0"]  # over the padding, hatched
    assert labels[3].startswith("g₀₀·k₀₀")


def test_the_input_mode_shows_K_and_K_rotated_with_named_cells(small):
    pick(small, "input", 1, 1)
    assert list(small.axes) == ["input", "kernel", "rotated", "middle", "products", "result"]
    np.testing.assert_array_equal(small.axes["rotated"].images[0].get_array(), K[::-1, ::-1])
    assert [text.get_text() for text in small.axes["kernel"].texts] == [
        "k₀₀\n1",
        "k₀₁\n2",
        "k₁₀\n-1",
        "k₁₁\n3",
    ]
    assert [text.get_text() for text in small.axes["rotated"].texts] == [
        "k₁₁\n3",
        "k₁₀\n-1",
        "k₀₁\n2",
        "k₀₀\n1",
    ]
    assert small.axes["rotated"].get_title() == "K rotated 180°"
    assert small.box_cells("rotated") == (0, 0, 2, 2)  # all four weights, in their rotated places
    pick(small, "input", 0, 0)  # one output, through k₀₀: bottom right of the rotated kernel
    assert small.box_cells("kernel") == (0, 0, 1, 1) and small.box_cells("rotated") == (1, 1, 1, 1)
    pick(small, "input", 0, 1)  # through k₀₁ and k₀₀: the bottom row of the rotated kernel
    assert small.box_cells("rotated") == (1, 0, 1, 2)
    small.mode_buttons.value = "kernel"
    assert "rotated" not in small.axes


@pytest.mark.parametrize("r, c, outputs", [(0, 0, 1), (2, 3, 6), (4, 5, 1), (4, 0, 1), (0, 5, 1), (1, 1, 4)])
def test_input_mode_non_square(wide, r, c, outputs):
    pick(wide, "input", r, c)
    assert len(wide.outputs) == outputs and wide.agree
    assert np.isclose(wide.value, signal.convolve2d(G_WIDE, K_WIDE, "full")[r, c])


# --- controls: both ends, memory per mode, redrawing -----------------------------------------


@pytest.mark.parametrize("mode, last", [("output", (2, 4)), ("kernel", (2, 1)), ("input", (4, 5))])
def test_each_slider_stops_at_both_ends(wide, mode, last):
    pick(wide, mode, 0, 0)
    first_png = bytes(wide.image.value)
    wide.sliders[mode][0].value = 99  # ipywidgets clamps to max: the last row, not an error
    wide.sliders[mode][1].value = 99
    assert (wide.row, wide.col) == last
    assert wide.agree and bytes(wide.image.value) != first_png
    wide.sliders[mode][0].value = -5
    wide.sliders[mode][1].value = -5
    assert (wide.row, wide.col) == (0, 0)
    assert bytes(wide.image.value) == first_png  # the same pick draws the same picture


def test_every_step_redraws(small):
    pick(small, "input", 0, 0)
    seen = {bytes(small.image.value)}
    for r, c in [(0, 1), (0, 2), (1, 2), (2, 2)]:
        small.sliders["input"][0].value, small.sliders["input"][1].value = r, c
        seen.add(bytes(small.image.value))
    assert len(seen) == 5


def test_each_mode_keeps_its_pick_and_a_hidden_slider_waits(small):
    pick(small, "kernel", 1, 0)
    pick(small, "input", 2, 1)
    png = bytes(small.image.value)
    small.sliders["kernel"][1].value = 1  # hidden: nothing changes now
    assert small.mode == "input" and (small.row, small.col) == (2, 1) and bytes(small.image.value) == png
    small.mode_buttons.value = "kernel"
    assert (small.row, small.col) == (1, 1) and np.isclose(small.value, REFERENCE["kernel"][1, 1])
    assert bytes(small.image.value) != png
    small.mode_buttons.value = "input"
    assert (small.row, small.col) == (2, 1) and np.isclose(small.value, REFERENCE["input"][2, 1])
    assert small.box_cells("input") == (2, 1, 1, 1)


# --- awkward shapes --------------------------------------------------------------------------


def test_a_kernel_as_large_as_the_input():
    x, kernel, g = X_WIDE[:3, :4], K_WIDE[:, :1].repeat(4, axis=1) + np.arange(4), np.array([[1.5]])
    w = GradientExplorer(x, kernel, g, mode="input")
    for r, c in [(0, 0), (2, 3), (1, 2)]:
        pick(w, "input", r, c)
        assert w.outputs == [(0, 0)] and w.weights == [(r, c)]
        assert np.isclose(w.value, 1.5 * kernel[r, c]) and w.agree
    pick(w, "kernel", 2, 3)
    assert np.isclose(w.value, 1.5 * x[2, 3]) and w.agree
    pick(w, "output", 0, 0)
    assert w.inputs == list(np.ndindex(3, 4)) and w.agree


def test_a_1x1_kernel():
    w = GradientExplorer(X, [[-2.0]], G.repeat(2, axis=0)[:3].repeat(2, axis=1)[:, :3] + 0.25, mode="input")
    pick(w, "input", 1, 2)
    assert w.outputs == [(1, 2)] and np.isclose(w.value, -2.0 * w.output_gradient[1, 2]) and w.agree
    pick(w, "kernel", 0, 0)
    assert np.isclose(w.value, np.sum(w.output_gradient * X)) and w.agree


def test_titles_use_one_notation_and_the_figure_title_clears_the_panels():
    w = GradientExplorer(X_WIDE, K_WIDE, G_WIDE, mode="input")  # the tallest middle panel: padded dE/dY
    for mode in ("output", "kernel", "input"):
        w.mode_buttons.value = mode
        titles = [w.figure.get_suptitle(), *(ax.get_title() for ax in w.axes.values())]
        assert not any("dE/d" in title for title in titles), titles
        renderer = FigureCanvasAgg(w.figure).get_renderer()  # the figure is drawn as it is sent
        top = w.figure._suptitle.get_window_extent(renderer).y0
        highest = max(ax.title.get_window_extent(renderer).y1 for ax in w.axes.values())
        assert top - highest > 10, (
            mode,
            top,
            highest,
        )  # pixels between the figure title and the panels' titles
