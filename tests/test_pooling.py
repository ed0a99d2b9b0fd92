"""Pooling layers against a loop over windows, their gradients against central differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnlib.gradcheck import check_layer
from cnnlib.pooling import AvgPool2D, MaxPool2D


def pooled_window_by_window(x, size, stride, reduce):
    """The definition, one window at a time."""
    depth, h, w = x.shape
    out_h, out_w = (h - size) // stride + 1, (w - size) // stride + 1
    return np.array(
        [
            [
                [
                    reduce(x[c, r * stride : r * stride + size, q * stride : q * stride + size])
                    for q in range(out_w)
                ]
                for r in range(out_h)
            ]
            for c in range(depth)
        ]
    )


@st.composite
def pooling_case(draw):
    size, stride = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(size, 10)), draw(st.integers(size, 10))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal((draw(st.integers(1, 3)), h, w)), size, stride


@settings(max_examples=200, deadline=None)
@given(pooling_case())
def test_forward_equals_the_window_by_window_definition(case):
    x, size, stride = case
    for layer, reduce in ((MaxPool2D, np.max), (AvgPool2D, np.mean)):
        pool = layer(x.shape, size, stride)
        output = pool.forward(x)
        assert output.shape == pool.output_shape
        np.testing.assert_allclose(
            output, pooled_window_by_window(x, size, stride, reduce), rtol=1e-12, atol=1e-14
        )


@pytest.mark.parametrize(
    "shape, size, stride",
    [((1, 4, 4), 2, None), ((2, 6, 5), 3, 1), ((2, 7, 7), 3, 2), ((1, 5, 6), 2, 3), ((3, 4, 4), 4, 1)],
)
@pytest.mark.parametrize("layer", [MaxPool2D, AvgPool2D])
def test_gradients_match_central_differences_even_with_overlapping_windows(layer, shape, size, stride):
    rng = np.random.default_rng(sum(shape) + size)
    # distinct values far apart (more than the difference step): no max changes place under a nudge
    x = rng.permutation(np.arange(np.prod(shape), dtype=float)).reshape(shape) / 10
    errors = check_layer(layer(shape, size, stride), x, rng=rng)
    assert set(errors) == {"input"} and errors["input"] < 1e-6, errors


def test_overlapping_windows_add_their_shares_of_the_gradient():
    x = np.array([[[0.0, 1.0, 0.0], [2.0, 9.0, 3.0], [0.0, 4.0, 0.0]]])
    pool = MaxPool2D(x.shape, size=2, stride=1)
    np.testing.assert_array_equal(pool.forward(x), [[[9, 9], [9, 9]]])
    gradient, _ = pool.gradients(np.array([[[1.0, 2.0], [3.0, 4.0]]]))
    # the 9 is the largest of all four windows: it receives 1 + 2 + 3 + 4, everything else nothing
    np.testing.assert_array_equal(gradient, [[[0, 0, 0], [0, 10, 0], [0, 0, 0]]])


def test_a_tie_sends_the_gradient_to_the_first_place_in_reading_order():
    x = np.array([[[1.0, 5.0], [5.0, 5.0]]])
    pool = MaxPool2D(x.shape, size=2)
    pool.forward(x)
    gradient, _ = pool.gradients(np.ones((1, 1, 1)))
    np.testing.assert_array_equal(gradient, [[[0, 1], [0, 0]]])


def test_average_shares_the_gradient_equally():
    pool = AvgPool2D((1, 4, 4), size=2, stride=2)
    pool.forward(np.zeros((1, 4, 4)))
    gradient, _ = pool.gradients(np.array([[[4.0, 8.0], [0.0, -4.0]]]))
    np.testing.assert_array_equal(gradient[0, :2, :2], np.full((2, 2), 1.0))
    np.testing.assert_array_equal(gradient[0, 2:, 2:], np.full((2, 2), -1.0))


def test_a_nan_shows_in_the_output():
    x = np.ones((1, 4, 4))
    x[0, 3, 3] = np.nan
    output = MaxPool2D(x.shape).forward(x)
    assert np.isnan(output[0, 1, 1]) and np.sum(np.isnan(output)) == 1


def test_rows_a_stride_leaves_out_get_no_gradient():
    pool = MaxPool2D((1, 5, 5), size=2, stride=2)  # (5 - 2) mod 2 = 1: the last row and column unused
    x = np.arange(25.0).reshape(1, 5, 5)
    assert pool.forward(x).shape == (1, 2, 2)
    gradient, _ = pool.gradients(np.ones((1, 2, 2)))
    assert not gradient[0, 4].any() and not gradient[0, :, 4].any() and gradient.sum() == 4


@pytest.mark.parametrize(
    "arguments, message",
    [
        (((1, 3, 5), 4), r"MaxPool2D on input \(1, 3, 5\): the kernel \(4\) is larger than the padded input"),
        (((1, 4, 4), 2, 0), r"stride must be a whole number, 1 or more; got 0"),
        (((1, 4, 4), 0), r"size must be a whole number, 1 or more; got 0"),
    ],
)
def test_impossible_pools_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        MaxPool2D(*arguments)


def test_wrong_input_shape_is_named():
    with pytest.raises(ValueError, match=r"AvgPool2D input: expected shape \(2, 4, 4\), got \(4, 4\)"):
        AvgPool2D((2, 4, 4)).forward(np.ones((4, 4)))
