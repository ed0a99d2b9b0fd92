"""The plain loops of cnnlib.correlation against scipy.signal, on random shapes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from cnnlib.correlation import convolve2d, correlate2d, output_size, rotate180


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
            r"kernel shape \(4, 2\) is larger than image shape \(3, 3\)",
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
            "same",
            ValueError,
            r"mode must be one of \('valid', 'full'\), got 'same'",
        ),
        (np.array([["a"]]), np.ones((1, 1)), "valid", TypeError, r"image must hold numbers, got dtype <U1"),
    ],
)
def test_bad_input_is_named(function, image, kernel, mode, error, message):
    with pytest.raises(error, match=message):
        function(image, kernel, mode)
