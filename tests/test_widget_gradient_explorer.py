"""GradientExplorer: each mode's state on values, its controls driven without a browser; one picture."""

import html

import numpy as np
import pytest
from scipy import signal

from cnnlib import plotting
from cnnlib.gradcheck import numerical_gradient
from cnnlib.layers import Convolutional
from cnnlib.widgets.gradient_explorer import (
    HELP,
    MAX_SIDE,
    TERMS_IN_FIGURE,
    Example,
    GradientExplorer,
    InputPick,
    KernelPick,
    OutputPick,
)

# notebook 04's example: a 3 x 3 input, a lopsided 2 x 2 kernel, a random dE/dY, a bias
X = np.array([[1.0, 2.0, -1.0], [3.0, -2.0, 4.0], [2.0, 1.0, -3.0]])
K = np.array([[1.0, 2.0], [-1.0, 3.0]])
B = np.array([[0.5, -1.0], [0.0, 2.0]])
G = np.array([[-0.7, -0.2], [1.7, 0.7]])
# notebook 04's wide example: non-square input and kernel
_rng = np.random.default_rng(1)
X_WIDE, K_WIDE = _rng.integers(-3, 4, (5, 6)).astype(float), np.array([[1.0, -2.0], [0.5, 3.0], [2.0, -1.0]])
G_WIDE = _rng.standard_normal((3, 5)).round(1)


def layer_gradients(x, kernel, output_gradient, bias):
    """dE/dX, dE/dK and Y from cnnlib's Convolutional (square kernels), for one map and one kernel."""
    layer = Convolutional((1, *x.shape), kernel.shape[0], 1, rng=0)
    layer.kernels[0, 0], layer.biases[0] = kernel, bias
    output = layer.forward(x[np.newaxis])[0]
    input_gradient, gradients = layer.gradients(output_gradient[np.newaxis])
    return {"input": input_gradient[0], "kernel": gradients["kernels"][0, 0], "output": output}


REFERENCE = layer_gradients(X, K, G, B)
SMALL = Example(X, K, G, B)


def pick(w, mode, row, col):
    w.mode_buttons.value = mode
    w.sliders[mode][0].value, w.sliders[mode][1].value = row, col
    return w.state


def message(w):
    return html.unescape(w.message.value)


@pytest.fixture(scope="module")
def small():
    return GradientExplorer(X, K, G, bias=B)


@pytest.fixture(scope="module")
def wide():
    return GradientExplorer(X_WIDE, K_WIDE, G_WIDE)


# --- the states, one per mode ------------------------------------------------------------------


def test_the_example_holds_the_layer_s_arrays():
    np.testing.assert_allclose(SMALL.output, REFERENCE["output"])
    np.testing.assert_allclose(SMALL.kernel_gradient, REFERENCE["kernel"])
    np.testing.assert_allclose(SMALL.input_gradient, REFERENCE["input"])
    np.testing.assert_array_equal(SMALL.padded_gradient, np.pad(G, 1))
    assert np.isclose(SMALL.loss(X, K), np.sum(G * REFERENCE["output"]))  # E = sum(G * Y): dE/dY = G


@pytest.mark.parametrize("m, n", list(np.ndindex(2, 2)))
def test_an_output_is_its_bias_plus_its_window_times_the_kernel(m, n):
    state = OutputPick.at(SMALL, m, n)
    window = [(m + p, n + q) for p, q in np.ndindex(2, 2)]
    assert (state.row, state.col, state.inputs, state.outputs) == (m, n, window, [(m, n)])
    assert state.weights == list(np.ndindex(2, 2))
    # the notebook's four lines: y_mn = b_mn + x_(m+p)(n+q) k_pq, in the order p, q
    assert [(a, b) for a, _, b, _ in state.terms] == [
        (("x", *i), ("k", *w)) for i, w in zip(window, state.weights)
    ]
    assert np.isclose(sum(a * b for _, a, _, b in state.terms) + B[m, n], state.total)
    assert np.isclose(state.total, REFERENCE["output"][m, n])
    np.testing.assert_array_equal(state.products, X[m : m + 2, n : n + 2] * K)
    # dy_mn/dX: the kernel on the window, zero elsewhere; checked by central differences
    expected = np.zeros((3, 3))
    expected[m : m + 2, n : n + 2] = K
    np.testing.assert_array_equal(state.value, expected)
    assert state.error < 1e-6 and state.agree
    assert state.boxes == {
        "input": (m, n, 2, 2),
        "kernel": (0, 0, 2, 2),
        "middle": (m, n, 1, 1),
        "result": (m, n, 2, 2),
    }


def test_an_output_names_the_weight_each_input_meets():
    state = OutputPick.at(Example(X_WIDE, K_WIDE, G_WIDE), 2, 4)
    cells = [(2 + p, 4 + q) for p, q in np.ndindex(3, 2)]
    assert state.partners == list(zip(cells, ["×k₀₀", "×k₀₁", "×k₁₀", "×k₁₁", "×k₂₀", "×k₂₁"]))
    assert state.names[0] == "x₂₄·k₀₀" and state.names[-1] == "x₄₅·k₂₁"
    assert np.isclose(state.total, signal.correlate2d(X_WIDE, K_WIDE, "valid")[2, 4])  # no bias: zeros


@pytest.mark.parametrize("p, q", list(np.ndindex(2, 2)))
def test_a_kernel_weight_s_gradient_is_G_laid_on_X(p, q):
    state = KernelPick.at(SMALL, p, q)
    assert state.inputs == [(m + p, n + q) for m, n in np.ndindex(2, 2)]
    assert state.weights == [(p, q)] and state.outputs == list(np.ndindex(2, 2))
    np.testing.assert_array_equal(state.products, G * X[p : p + 2, q : q + 2])
    assert state.names == [
        f"g₀₀·x{'₀₁₂'[p]}{'₀₁₂'[q]}",
        *state.names[1:],
    ]  # g first, as the notebook writes it
    # the sum by hand = X ⋆ dE/dY = cnnlib's layer = the central difference
    by_hand = sum(G[m, n] * X[m + p, n + q] for m, n in np.ndindex(2, 2))
    assert np.isclose(state.value, by_hand) and np.isclose(state.value, REFERENCE["kernel"][p, q])
    assert np.isclose(state.value, signal.correlate2d(X, G, "valid")[p, q])
    assert abs(state.value - state.numeric) < 1e-8 and state.agree
    assert state.partners == [((m + p, n + q), f"×g{'₀₁'[m]}{'₀₁'[n]}") for m, n in np.ndindex(2, 2)]
    assert state.boxes == {
        "input": (p, q, 2, 2),
        "kernel": (p, q, 1, 1),
        "middle": (0, 0, 2, 2),
        "result": (p, q, 1, 1),
    }


@pytest.mark.parametrize("p, q", [(0, 0), (2, 1), (1, 0), (2, 0)])
def test_a_kernel_weight_on_a_non_square_example(p, q):
    state = KernelPick.at(Example(X_WIDE, K_WIDE, G_WIDE), p, q)
    assert (
        state.boxes["input"] == (p, q, 3, 5)
        and len(state.terms) == 15 > TERMS_IN_FIGURE[False]
        and state.agree
    )
    assert np.isclose(state.value, signal.correlate2d(X_WIDE, G_WIDE, "valid")[p, q])
    assert "·" not in state.equation()  # too long for the figure: summarised there...
    assert state.formula().count("g_{") == 15  # ...and written out in full below it


TERMS_IN_3X3 = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])  # the outputs each input touches


@pytest.mark.parametrize("r, c", list(np.ndindex(3, 3)))
def test_an_input_s_gradient_is_the_rotated_kernel_over_padded_G(r, c):
    state = InputPick.at(SMALL, r, c)
    touched = [(m, n) for m, n in np.ndindex(2, 2) if 0 <= r - m < 2 and 0 <= c - n < 2]
    assert state.outputs == touched and len(state.terms) == TERMS_IN_3X3[r, c]  # corners 1, edges 2, centre 4
    assert state.weights == sorted((r - m, c - n) for m, n in touched) and state.inputs == [(r, c)]
    # the products: the padded window times the rotated kernel, zero over the padding
    np.testing.assert_array_equal(state.products, np.pad(G, 1)[r : r + 2, c : c + 2] * K[::-1, ::-1])
    padding = [[(r + a - 1, c + b - 1) not in touched for b in range(2)] for a in range(2)]
    np.testing.assert_array_equal(state.padding, padding)
    # the chain rule by hand = the full convolution = cnnlib's layer = the central difference
    by_hand = sum(G[m, n] * K[r - m, c - n] for m, n in touched)
    assert np.isclose(state.value, by_hand) and np.isclose(state.value, REFERENCE["input"][r, c])
    assert np.isclose(state.value, signal.convolve2d(G, K, "full")[r, c])
    x = X.copy()
    numeric = numerical_gradient(lambda: np.sum(G * signal.correlate2d(x, K, "valid")), x)[r, c]
    assert np.isclose(state.numeric, numeric) and state.agree
    # outlined: x[r, c], the weights that connected it (on K and in their rotated places), the rotated
    # kernel's window on padded G, and inside it (dashed) the outputs x[r, c] touched
    rows, cols = zip(*state.weights)
    weights = (min(rows), min(cols), max(rows) - min(rows) + 1, max(cols) - min(cols) + 1)
    rotated = (1 - weights[0] - weights[2] + 1, 1 - weights[1] - weights[3] + 1, *weights[2:])
    assert state.boxes == {
        "input": (r, c, 1, 1),
        "kernel": weights,
        "rotated": rotated,
        "middle": (r, c, 2, 2),
        "result": (r, c, 1, 1),
    }
    top, left = min(m for m, _ in touched) + 1, min(n for _, n in touched) + 1  # in padded coordinates
    assert state.dashed["middle"][:2] == (top, left)


def test_an_input_names_the_rotated_kernel_s_weights():
    state = InputPick.at(SMALL, 1, 1)
    assert [name for _, name in state.partners] == ["×k₁₁", "×k₁₀", "×k₀₁", "×k₀₀"]
    assert [cell for cell, _ in state.partners] == [(1, 1), (1, 2), (2, 1), (2, 2)]  # on padded G
    assert state.names == ["g₀₀·k₁₁", "g₀₁·k₁₀", "g₁₀·k₀₁", "g₁₁·k₀₀"]
    assert InputPick.at(SMALL, 0, 0).names == ["0·k₁₁", "0·k₁₀", "0·k₀₁", "g₀₀·k₀₀"]  # over the padding
    panels = {panel.key: panel for panel in state.panels()}
    assert list(panels) == ["input", "kernel", "rotated", "middle", "products", "result"]
    np.testing.assert_array_equal(panels["rotated"].array, K[::-1, ::-1])
    assert panels["kernel"].names == ["k₀₀", "k₀₁", "k₁₀", "k₁₁"]
    assert panels["rotated"].names == ["k₁₁", "k₁₀", "k₀₁", "k₀₀"]  # each weight keeps its name
    assert InputPick.at(SMALL, 0, 0).boxes["rotated"] == (1, 1, 1, 1)  # k₀₀: bottom right when rotated
    assert InputPick.at(SMALL, 0, 1).boxes["rotated"] == (1, 0, 1, 2)  # k₀₁ and k₀₀: the bottom row


@pytest.mark.parametrize("r, c, outputs", [(0, 0, 1), (2, 3, 6), (4, 5, 1), (4, 0, 1), (0, 5, 1), (1, 1, 4)])
def test_an_input_on_a_non_square_example(r, c, outputs):
    state = InputPick.at(Example(X_WIDE, K_WIDE, G_WIDE), r, c)
    assert len(state.outputs) == outputs and state.agree
    assert np.isclose(state.value, signal.convolve2d(G_WIDE, K_WIDE, "full")[r, c])


def test_a_kernel_as_large_as_the_input_and_a_1x1_kernel():
    x, kernel = X_WIDE[:3, :4], K_WIDE[:, :1].repeat(4, axis=1) + np.arange(4)
    example = Example(x, kernel, [[1.5]])
    for r, c in [(0, 0), (2, 3), (1, 2)]:
        state = InputPick.at(example, r, c)
        assert state.outputs == [(0, 0)] and state.weights == [(r, c)]
        assert np.isclose(state.value, 1.5 * kernel[r, c]) and state.agree
    assert np.isclose(KernelPick.at(example, 2, 3).value, 1.5 * x[2, 3])
    assert OutputPick.at(example, 0, 0).inputs == list(np.ndindex(3, 4))
    g = np.arange(9.0).reshape(3, 3) - 4
    example = Example(X, [[-2.0]], g)
    assert InputPick.at(example, 1, 2).outputs == [(1, 2)]
    assert np.isclose(InputPick.at(example, 1, 2).value, -2.0 * g[1, 2])
    assert (
        np.isclose(KernelPick.at(example, 0, 0).value, np.sum(g * X)) and KernelPick.at(example, 0, 0).agree
    )


def test_the_sum_is_written_out_with_its_symbols_and_numbers():
    state = OutputPick.at(SMALL, 1, 0)
    assert "y_{10} = b_{10} + x_{10}\\,k_{00} + x_{11}\\,k_{01}" in state.formula()
    assert "= 0 + (3)(1) + (-2)(2)" in state.formula()  # the bias, then each product's numbers
    assert state.equation().count("·") == 4 and "x₁₀·k₀₀" in state.equation()
    state = InputPick.at(SMALL, 1, 1)
    assert "\\partial x_{11}" in state.formula() and "g_{00}\\,k_{11} + g_{01}\\,k_{10}" in state.formula()


# --- the widget's controls ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, kwargs, expected, received",
    [
        ((np.arange(3.0), K, G), {}, "x must be a non-empty 2D array", "got shape (3,)"),
        ((np.zeros((0, 3)), K, G), {}, "x must be a non-empty 2D array", "got shape (0, 3)"),
        ((np.full((3, 3), np.nan), K, G), {}, "x must hold finite numbers", "NaN"),
        (([["a", "b"], ["c", "d"]], K, G), {}, "x must be a 2D array of numbers", "'a'"),
        ((np.zeros((MAX_SIDE + 1, 3)), K, G), {}, f"at most {MAX_SIDE} x {MAX_SIDE}", "(9, 3)"),
        ((X, np.ones((4, 2)), G), {}, "the kernel must fit inside x", "(4, 2) is larger than x's (3, 3)"),
        ((X, np.ones((2, 2, 1)), G), {}, "kernel must be a non-empty 2D array", "(2, 2, 1)"),
        ((X, K, np.ones((3, 3))), {}, "output's shape (2, 2) = (3 - 2 + 1, 3 - 2 + 1)", "got (3, 3)"),
        ((X, K, np.ones(4)), {}, "output_gradient must be a non-empty 2D array", "(4,)"),
        ((X, K, G), {"bias": np.ones((1, 2))}, "bias must have the output's shape (2, 2)", "got (1, 2)"),
        ((X, K, G), {"mode": "weights"}, "mode must be one of ['output', 'kernel', 'input']", "'weights'"),
    ],
)
def test_misuse_is_refused_with_what_was_expected_and_what_came(args, kwargs, expected, received):
    with pytest.raises(ValueError) as raised:
        GradientExplorer(*args, **kwargs)
    assert expected in str(raised.value) and received in str(raised.value)


def test_each_mode_has_its_own_sliders_over_its_own_array(wide):
    bounds = {key: [(s.min, s.max) for s in pair] for key, pair in wide.sliders.items()}
    assert bounds == {"output": [(0, 2), (0, 4)], "kernel": [(0, 2), (0, 1)], "input": [(0, 4), (0, 5)]}
    for mode, kind in [("output", OutputPick), ("kernel", KernelPick), ("input", InputPick)]:
        wide.mode_buttons.value = mode
        assert isinstance(wide.state, kind) and ("rotated" in wide.view.axes) == (mode == "input")
        assert [key for key, row in wide.slider_rows.items() if row.layout.display != "none"] == [mode]
        assert HELP[mode] in message(wide) and "color:#b00020" not in message(wide)


@pytest.mark.parametrize("mode, last", [("output", (2, 4)), ("kernel", (2, 1)), ("input", (4, 5))])
def test_each_slider_stops_at_both_ends(wide, mode, last):
    pick(wide, mode, 0, 0)
    wide.sliders[mode][0].value = wide.sliders[mode][1].value = 99  # ipywidgets clamps to max
    assert (wide.state.row, wide.state.col) == last and wide.state.agree
    wide.sliders[mode][0].value = wide.sliders[mode][1].value = -5
    assert (wide.state.row, wide.state.col) == (0, 0) and wide.state.agree


def test_the_widget_shows_what_its_state_functions_compute(small):
    state = pick(small, "input", 2, 1)
    expected = InputPick.at(small.example, 2, 1)
    assert (state.terms, state.names, state.partners, state.boxes) == (
        expected.terms,
        expected.names,
        expected.partners,
        expected.boxes,
    )
    assert small.formula.value == expected.formula()


def test_each_mode_keeps_its_pick_and_a_hidden_slider_waits(small):
    pick(small, "kernel", 1, 0)
    state = pick(small, "input", 2, 1)
    small.sliders["kernel"][1].value = 1  # hidden: nothing changes now
    assert small.state is state
    small.mode_buttons.value = "kernel"
    assert (small.state.row, small.state.col) == (1, 1) and np.isclose(
        small.state.value, REFERENCE["kernel"][1, 1]
    )
    small.mode_buttons.value = "input"
    assert (small.state.row, small.state.col) == (2, 1) and np.isclose(
        small.state.value, REFERENCE["input"][2, 1]
    )


# --- the picture -------------------------------------------------------------------------------


def test_the_picture_renders_changes_with_each_pick_and_fits_a_projector():
    w = GradientExplorer(X, K, G, bias=B, mode="input")
    first = bytes(w.image.value)
    assert first.startswith(b"\x89PNG")
    seen = {first}
    for r, c in [(0, 1), (1, 1), (2, 2)]:
        pick(w, "input", r, c)
        seen.add(bytes(w.image.value))
    w.mode_buttons.value = "output"
    seen.add(bytes(w.image.value))
    assert len(seen) == 5  # every pick and mode draws its own picture
    w.mode_buttons.value = "input"
    pick(w, "input", 0, 0)
    assert bytes(w.image.value) == first  # the same pick draws the same picture
    plotting.presentation(True)
    try:
        png = bytes(GradientExplorer(X_WIDE, K_WIDE, G_WIDE, mode="input").image.value)
    finally:
        plotting.presentation(False)
    assert int.from_bytes(png[16:20], "big") <= 1000  # the PNG's width, in pixels
