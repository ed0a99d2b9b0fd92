"""Reading typed kernels and passed arrays: what is read, and what is refused with a reason."""

import numpy as np
import pytest

from cnnlib.widgets.inputs import KernelTextError, as_grid, format_kernel, parse_kernel


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 2; 3 4", [[1, 2], [3, 4]]),
        ("1, 2\n3, 4\n", [[1, 2], [3, 4]]),
        ("1/9 -2e-1", [[1 / 9, -0.2]]),
    ],
)
def test_kernels_are_read(text, expected):
    np.testing.assert_allclose(parse_kernel(text), expected)
    # written back to 6 significant digits, as a learner reads them
    np.testing.assert_allclose(parse_kernel(format_kernel(parse_kernel(text))), expected, rtol=1e-5)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "got an empty kernel"),
        ("1 2; 3", r"rows of lengths \[2, 1\]"),
        ("1 x", "got 'x' in row 1"),
        ("nan", "got 'nan' in row 1"),
        ("1e400", "got '1e400' in row 1"),
        ("1/0", "got '1/0' in row 1"),
    ],
)
def test_bad_kernel_text_is_refused_with_a_reason(text, message):
    with pytest.raises(KernelTextError, match=message):
        parse_kernel(text)


@pytest.mark.parametrize(
    "array, largest, message",
    [
        (np.ones(3), None, r"non-empty 2D array .* got shape \(3,\)"),
        ([[1, np.inf]], None, "finite numbers"),
        ([["a"]], None, "2D array of numbers"),
        (np.ones((3, 9)), 8, r"at most 8 x 8 .* got shape \(3, 9\)"),
    ],
)
def test_bad_arrays_are_refused_with_a_reason(array, largest, message):
    with pytest.raises(ValueError, match=message):
        as_grid(array, "x", largest)
