"""ArithmeticExplorer: its sizes checked on values, its controls driven without a browser, one picture."""

import html
import itertools

import numpy as np
import pytest
from matplotlib.text import Text

from cnnlib.correlation import correlate2d
from cnnlib.pooling import MaxPool2D
from cnnlib.widgets.arithmetic_explorer import POOLS, RANGES, ArithmeticExplorer, arithmetic

SLIDER_COMBINATIONS = list(itertools.product(*(range(low, high + 1) for low, high in RANGES.values())))


@pytest.fixture
def w():
    return ArithmeticExplorer(input_size=7, kernel_size=3, padding=1, stride=2)


def message(w):
    return html.unescape(w.message.value)


def is_error(w):
    return "color:#b00020" in w.message.value


def shown_text(w) -> str:
    """Every visible text of the figure, its lines joined by spaces (a long message is wrapped)."""
    texts = [t.get_text() for t in w.figure.findobj(Text) if t.get_visible() and t.get_text()]
    return " ".join(" ".join(texts).split())


# --- the state -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_sizes_match_the_correlation_and_the_pooling_they_describe(seed):
    rng = np.random.default_rng(seed)
    i, k, p, s = (int(rng.integers(low, high + 1)) for low, high in RANGES.values())
    k = min(k, i + 2 * p)  # one that fits
    pool = int(rng.choice(list(POOLS.values())))
    state = arithmetic(i, k, p, s, pool)
    output = correlate2d(rng.normal(size=(i, i)), rng.normal(size=(k, k)), mode=p, stride=s)
    assert output.shape == (state.output_size, state.output_size) and state.padded_size == i + 2 * p
    assert state.positions == output.size
    if pool and pool <= state.output_size:
        pooled = MaxPool2D((1, *output.shape), pool).output_shape
        assert pooled == (1, state.pooled_size, state.pooled_size) and state.problem is None
    elif pool:
        assert state.pooled_size is None and state.problem


@pytest.mark.parametrize(
    "i, k, p, s", [(7, 3, 1, 2), (8, 3, 0, 2), (10, 3, 0, 4), (12, 7, 4, 3), (5, 1, 0, 1), (9, 1, 2, 3)]
)
def test_corners_windows_and_left_out_rows_by_counting_cells(i, k, p, s):
    state = arithmetic(i, k, p, s)
    n = i + 2 * p
    corners = [c for c in range(n) if c % s == 0 and c + k <= n]  # every place the kernel fits
    assert state.corners == tuple(corners)
    reached = np.zeros(n, bool)
    for c in corners:
        reached[c : c + k] = True
    assert state.left_out == n - 1 - np.flatnonzero(reached).max()  # the last rows no window reaches
    assert state.skipped == tuple(np.flatnonzero(~reached[: n - state.left_out]))  # those between windows
    for position in range(state.positions):
        state = arithmetic(i, k, p, s, position=position)
        row, col = divmod(position, state.output_size)
        assert (state.output_row, state.output_col) == (row, col)
        assert state.window_rows == range(row * s, row * s + k) and state.window_cols == range(
            col * s, col * s + k
        )
        assert state.window_rows[-1] < n - state.left_out


def test_left_out_examples():
    assert arithmetic(8, 3, 0, 2).left_out == 1  # corners 0, 2, 4: rows 0-6 reached, row 7 not
    assert arithmetic(10, 3, 0, 4).left_out == 3  # corners 0, 4: rows 0-6 reached
    assert arithmetic(7, 3, 1, 2).left_out == 0
    assert arithmetic(7, 3, 1, 2, pool=3).pool_left_out == 1  # a 4 x 4 output, one 3 x 3 window
    assert arithmetic(10, 2, 0, 4).skipped == (2, 3, 6, 7)  # windows on rows 0-1, 4-5, 8-9


@pytest.mark.parametrize("pool", POOLS.values())
def test_every_combination_on_the_sliders_gives_sizes_or_a_problem(pool):
    for i, k, p, s in SLIDER_COMBINATIONS:
        state = arithmetic(i, k, p, s, pool, position=10**6)
        if k > i + 2 * p:
            assert state.output_size is None and state.problem and state.positions == 0
        elif pool > state.output_size:
            assert state.pooled_size is None and state.problem and state.position == state.positions - 1
        else:
            assert state.problem is None and state.output_size >= 1 and state.position == state.positions - 1
            assert (state.pooled_size is None) == (pool == 0)


def test_a_problem_names_the_sizes_that_clash():
    kernel = arithmetic(3, 6, 1, 1).problem  # padded: 3 + 2 = 5 < 6
    assert "6" in kernel and "5" in kernel
    pooling = arithmetic(8, 2, 0, 4, pool=3).problem  # output 2 x 2 < 3
    assert "3 × 3" in pooling and "2 × 2" in pooling


@pytest.mark.parametrize(
    "arguments, name",
    [
        ((7, 3, 1, 0), "stride"),
        ((7, 3, -1, 1), "padding"),
        ((7.0, 3, 1, 1), "input_size"),
        ((7, True, 1, 1), "kernel_size"),
    ],
)
def test_arithmetic_refuses_sizes_that_are_not_whole_numbers(arguments, name):
    with pytest.raises(ValueError, match=name):
        arithmetic(*arguments)


@pytest.mark.parametrize(
    "arguments, expected",
    [
        ({"input_size": 13}, ["input_size", "1 to 12", "13"]),
        ({"kernel_size": 0}, ["kernel_size", "0"]),
        ({"stride": 1.5}, ["stride", "1.5"]),
        ({"padding": 5}, ["padding", "0 to 4", "5"]),
        ({"pool": 4}, ["pool", "[0, 2, 3]", "4"]),
    ],
)
def test_constructor_misuse_raises_a_clear_error(arguments, expected):
    with pytest.raises(ValueError) as raised:
        ArithmeticExplorer(**arguments)
    assert all(part in str(raised.value) for part in expected)


# --- the controls --------------------------------------------------------------------------------


def test_the_position_slider_and_play_span_the_output(w):
    assert w.state.output_size == 4 and (w.slider.max, w.play.max) == (15, 15)
    w.slider.value = 6
    assert (w.state.output_row, w.state.output_col, w.state.window_rows[0], w.state.window_cols[0]) == (
        1,
        2,
        2,
        4,
    )
    w.play.value = 9
    assert w.slider.value == 9 and w.state.position == 9
    w.stride_slider.value = 1  # output 7 x 7: the window stays on output row 2, column 1
    assert (w.slider.max, w.play.max) == (48, 48) and (w.state.output_row, w.state.output_col) == (2, 1)
    w.input_slider.value = 2  # output 2 x 2
    assert (w.slider.max, w.play.max, w.state.output_row, w.state.output_col) == (3, 3, 1, 1)


def test_pooling_on_and_off(w):
    w.pool_buttons.value = 2
    assert (w.state.pooled_size, w.state.pool_left_out) == (2, 0) and not is_error(w)
    w.pool_buttons.value = 3
    assert (w.state.pooled_size, w.state.pool_left_out) == (1, 1)
    w.pool_buttons.value = 0
    assert w.state.pooled_size is None and w.state.problem is None


def test_a_kernel_larger_than_the_padded_input_is_explained_then_forgotten(w):
    w.slider.value = 5
    before, png = w.state, bytes(w.image.value)
    w.padding_slider.value = 0
    w.input_slider.value = 2  # 2 x 2 input, 3 x 3 kernel
    problem = w.state.problem
    assert problem and w.state.output_size is None and is_error(w)
    assert problem in message(w) and problem in shown_text(w)
    assert (w.slider.max, w.play.max) == (0, 0)
    assert sum(ax.get_visible() for ax in w.figure.axes) == 1  # the input only: no output drawn
    w.slider.value = 3  # the slider has nowhere to go; nothing breaks
    w.pool_buttons.value = 2
    assert w.state.problem and w.state.output_size is None
    w.pool_buttons.value = 0
    w.input_slider.value = 7
    w.padding_slider.value = 1
    assert w.state.problem is None and not is_error(w) and message(w) == ""
    assert w.state.output_size == before.output_size and problem not in shown_text(w)
    w.slider.value = 5
    assert bytes(w.image.value) == png  # the same picture as before the detour


def test_a_pooling_window_larger_than_the_output_is_explained_and_the_kernel_still_walks(w):
    w.stride_slider.value = 4  # output 2 x 2
    w.pool_buttons.value = 3
    assert w.state.problem and w.state.pooled_size is None and is_error(w)
    assert w.state.problem in shown_text(w)
    w.slider.value = 3
    assert (w.state.output_row, w.state.output_col) == (1, 1)
    w.stride_slider.value = 2  # output 4 x 4: the window fits
    assert w.state.problem is None and w.state.pooled_size == 1 and not is_error(w)


def test_random_walks_over_the_controls_never_raise(w):
    rng = np.random.default_rng(0)
    sizes = [w.input_slider, w.kernel_slider, w.padding_slider, w.stride_slider]
    for _ in range(30):
        control = [*sizes, w.pool_buttons, w.slider][rng.integers(6)]
        if control is w.pool_buttons:
            control.value = int(rng.choice(list(POOLS.values())))
        else:
            control.value = int(rng.integers(control.min, control.max + 1))
        assert w.state == arithmetic(*(c.value for c in sizes), w.pool_buttons.value, w.slider.value)
        assert w.slider.max == max(w.state.positions - 1, 0) == w.play.max
        assert is_error(w) == (w.state.problem is not None)


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes(w):
    first = bytes(w.image.value)
    assert first.startswith(b"\x89PNG")
    w.slider.value = 7
    assert bytes(w.image.value) != first
    w.slider.value = 0
    assert bytes(w.image.value) == first  # a step redraws what changed, and only that
    w.stride_slider.value = 3
    assert bytes(w.image.value) != first
