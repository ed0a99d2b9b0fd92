"""The plain loops of cnnlib.correlation against scipy.signal, on random shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from cnnlib.correlation import convolve2d, correlate2d, dilate, left_out, output_size, padding_for, rotate180


@st.composite
def image_and_kernel(draw, kernel_fits=True):
    """A random image and kernel, non-square allowed; in valid mode the kernel fits inside."""
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    if kernel_fits:
        kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    else:
        kh, kw = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.standard_normal((h, w)), rng.standard_normal((kh, kw))


@settings(max_examples=200, deadline=None)
@given(image_and_kernel())
def test_valid_matches_scipy(arrays):
    image, kernel = arrays
    np.testing.assert_allclose(correlate2d(image, kernel), signal.correlate2d(image, kernel, "valid"))
    np.testing.assert_allclose(convolve2d(image, kernel), signal.convolve2d(image, kernel, "valid"))


@settings(max_examples=200, deadline=None)
@given(image_and_kernel(kernel_fits=False))
def test_full_matches_scipy_even_with_a_larger_kernel(arrays):
    image, kernel = arrays
    np.testing.assert_allclose(correlate2d(image, kernel, "full"), signal.correlate2d(image, kernel, "full"))
    np.testing.assert_allclose(convolve2d(image, kernel, "full"), signal.convolve2d(image, kernel, "full"))


@settings(max_examples=300, deadline=None)
@given(image_and_kernel(kernel_fits=False), st.integers(0, 4), st.integers(1, 4))
def test_padding_and_stride_match_scipy_on_a_padded_input_sliced_by_the_stride(arrays, padding, stride):
    image, kernel = arrays
    if any(k > n + 2 * padding for n, k in zip(image.shape, kernel.shape)):
        with pytest.raises(ValueError, match="it fits nowhere"):
            correlate2d(image, kernel, padding, stride)
        return
    padded = np.pad(image, padding)
    for ours, scipys in ((correlate2d, signal.correlate2d), (convolve2d, signal.convolve2d)):
        expected = scipys(padded, kernel, "valid")[::stride, ::stride]
        np.testing.assert_allclose(ours(image, kernel, padding, stride), expected)
        assert expected.shape == tuple(
            output_size(n, k, padding, stride) for n, k in zip(image.shape, kernel.shape)
        )


@pytest.mark.parametrize("size", [1, 3, 5, 7])
def test_same_keeps_the_size_of_an_odd_kernel(size):
    image, kernel = np.arange(48.0).reshape(6, 8), np.ones((size, size))
    np.testing.assert_allclose(correlate2d(image, kernel, "same"), signal.correlate2d(image, kernel, "same"))


@pytest.mark.parametrize(
    "size, kernel, padding, stride, expected, skipped",
    [(5, 3, 0, 2, 2, 0), (6, 3, 0, 2, 2, 1), (7, 3, 1, 2, 4, 0), (28, 5, 0, 3, 8, 2), (4, 4, 0, 3, 1, 0)],
)
def test_output_size_and_the_rows_a_stride_leaves_out(size, kernel, padding, stride, expected, skipped):
    assert (
        output_size(size, kernel, padding, stride) == expected == (size + 2 * padding - kernel) // stride + 1
    )
    assert left_out(size, kernel, padding, stride) == skipped
    # the last window ends exactly where the rows left out begin
    assert (expected - 1) * stride + kernel == size + 2 * padding - skipped


@pytest.mark.parametrize(
    "arguments, message",
    [
        ((3, 5), r"the kernel \(5\) is larger than the padded input \(3 \+ 2 x 0 = 3\)"),
        ((3, 6, 1), r"the kernel \(6\) is larger than the padded input \(3 \+ 2 x 1 = 5\)"),
        ((5, 3, 0, 0), r"stride must be a whole number, 1 or more; got 0"),
        ((5, 3, 0, 1.5), r"stride must be a whole number, 1 or more; got 1.5"),
        ((5, 3, -1), r"padding must be .* a whole number of zeros, 0 or more; got -1"),
        ((5, 4, "same"), r'"same" needs an odd kernel size, to pad both sides alike; got 4'),
    ],
)
def test_impossible_sizes_are_refused_with_the_reason(arguments, message):
    with pytest.raises(ValueError, match=message):
        output_size(*arguments)


def test_padding_for_each_mode():
    assert [padding_for(mode, 5) for mode in ("valid", "same", "full", 2)] == [0, 2, 4, 2]


def test_dilate_puts_stride_minus_one_zeros_between_entries():
    np.testing.assert_array_equal(dilate([[1, 2], [3, 4]], 3), [[1, 0, 0, 2], [0] * 4, [0] * 4, [3, 0, 0, 4]])
    np.testing.assert_array_equal(dilate([[1, 2]], 1), [[1, 2]])


@pytest.mark.parametrize("mode", ["valid", "full"])
@pytest.mark.parametrize("shape, kernel_shape", [((5, 7), (2, 3)), ((6, 4), (3, 1)), ((3, 3), (3, 3))])
def test_output_size(mode, shape, kernel_shape):
    out = correlate2d(np.ones(shape), np.ones(kernel_shape), mode)
    assert out.shape == tuple(output_size(n, k, mode) for n, k in zip(shape, kernel_shape))


def test_small_example_by_hand():
    image = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    kernel = np.array([[1, 0], [0, -1]])
    # top-left window [[1, 2], [4, 5]]: 1*1 + 2*0 + 4*0 + 5*(-1) = -4, and so on
    np.testing.assert_array_equal(correlate2d(image, kernel), [[-4, -4], [-4, -4]])
    # convolution flips the kernel: [[-1, 0], [0, 1]], so every sum changes sign
    np.testing.assert_array_equal(convolve2d(image, kernel), [[4, 4], [4, 4]])


def test_rotate180_turns_half_a_turn():
    np.testing.assert_array_equal(rotate180([[1, 2, 3], [4, 5, 6]]), [[6, 5, 4], [3, 2, 1]])


@pytest.mark.parametrize("function", [correlate2d, convolve2d])
@pytest.mark.parametrize(
    "image, kernel, mode, error, message",
    [
        (
            np.ones((3, 3)),
            np.ones((4, 2)),
            "valid",
            ValueError,
            r"kernel shape \(4, 2\), image shape \(3, 3\): the kernel \(4\) is larger than the padded input "
            r"\(3 \+ 2 x 0 = 3\): it fits nowhere",
        ),
        (np.ones((3, 3)), np.ones(2), "valid", ValueError, r"kernel must be a 2D array .* got shape \(2,\)"),
        (
            np.ones((2, 3, 3)),
            np.ones((2, 2)),
            "valid",
            ValueError,
            r"image must be a 2D array .* got shape \(2, 3, 3\)",
        ),
        (
            np.ones((3, 3)),
            np.ones((0, 2)),
            "full",
            ValueError,
            r"kernel must not be empty, got shape \(0, 2\)",
        ),
        (
            np.ones((3, 3)),
            np.ones((2, 2)),
            "middle",
            ValueError,
            r"mode must be one of \('valid', 'same', 'full'\) or a number of zeros, got 'middle'",
        ),
        (np.array([["a"]]), np.ones((1, 1)), "valid", TypeError, r"image must hold numbers, got dtype <U1"),
    ],
)
def test_bad_input_is_named(function, image, kernel, mode, error, message):
    with pytest.raises(error, match=message):
        function(image, kernel, mode)
