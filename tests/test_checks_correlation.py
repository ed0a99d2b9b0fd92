"""The checkers of notebook 01: the notebook's own solutions pass, plausible mistakes fail with their hint."""

import numpy as np
import pytest
from notebook_tools import hint_of, load_solutions, unanswered

from cnnlib.checks.correlation import check_correlate2d, check_output_element, check_output_shape

SOLUTIONS = load_solutions("01-cross-correlation.ipynb")


@pytest.mark.parametrize(
    "check, name",
    [
        (check_output_shape, "my_output_shape"),
        (check_output_element, "my_output_element"),
        (check_correlate2d, "my_correlate2d"),
    ],
)
def test_the_notebook_solution_passes_and_the_stub_is_unanswered(check, name):
    result = check(SOLUTIONS[name])
    assert result.status == "passed" and bool(result), result
    stub = check(unanswered)
    assert stub.status == "unanswered" and "not answered yet" in repr(stub)


# --- exercise 1: output shape ----------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda s, k: (s[0] - k[0], s[1] - k[1]), "off by one"),
        (lambda s, k: (s[0] + k[0] - 1, s[1] + k[1] - 1), "*full* cross-correlation"),
        (lambda s, k: (s[0] // k[0], s[1] // k[1]), "does not jump by its own size"),
        (lambda s, k: (s[0] / k[0], s[1] / k[1]), "does not jump by its own size"),
        (lambda s, k: (s[1] - k[1] + 1, s[0] - k[0] + 1), "rows first"),
        (lambda s, k: (s[0] - k[0] + 1, s[1] - k[0] + 1), "each axis uses its own kernel size"),
        (lambda s, k: (s[0] - k[1] + 1, s[1] - k[1] + 1), "each axis uses its own kernel size"),
    ],
)
def test_output_shape_mistakes_get_their_hint(wrong, hint):
    result = check_output_shape(wrong)
    assert result.status == "failed" and hint in hint_of(result), result.message


def test_output_shape_reports_the_smallest_failing_case():
    result = check_output_shape(lambda s, k: (s[0] - k[0] + 1, s[1] - k[0] + 1))  # fine while square
    assert result.case["args"] == ((4, 6), (2, 3)) and tuple(result.case["expected"]) == (3, 4)


def test_output_shape_a_single_number_is_a_wrong_shape():
    result = check_output_shape(lambda s, k: s[0] - k[0] + 1)
    assert result.status == "failed" and "the shape is wrong: expected (2,), got ()" in result.message


# --- exercise 2: one output element ----------------------------------------------------------


def element_flipped(image, kernel, row, col):
    kh, kw = kernel.shape
    return np.sum(image[row : row + kh, col : col + kw] * kernel[::-1, ::-1])


def element_sum_then_multiply(image, kernel, row, col):
    kh, kw = kernel.shape
    return np.sum(image[row : row + kh, col : col + kw]) * np.sum(kernel)


def element_forgot_kernel(image, kernel, row, col):
    kh, kw = kernel.shape
    return np.sum(image[row : row + kh, col : col + kw])


def element_matrix_product(image, kernel, row, col):
    kh, kw = kernel.shape
    return np.sum(image[row : row + kh, col : col + kw] @ kernel)


def element_row_col_swapped(image, kernel, row, col):
    kh, kw = kernel.shape
    return np.sum(image[col : col + kh, row : row + kw] * kernel)


def element_centred(image, kernel, row, col):
    kh, kw = kernel.shape
    top, left = row - kh // 2, col - kw // 2
    return np.sum(image[top : top + kh, left : left + kw] * kernel)


def element_short(image, kernel, row, col, rows=1, cols=1):
    kh, kw = kernel.shape
    return np.sum(
        image[row : row + kh - rows, col : col + kw - cols] * kernel
    )  # NumPy stretches a 1-row window


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (element_flipped, "you flipped the kernel"),
        (element_sum_then_multiply, "You summed first, then multiplied"),
        (element_forgot_kernel, "you summed the window alone"),
        (element_matrix_product, "is a matrix product"),
        (element_row_col_swapped, "row and column swapped"),
        (element_centred, "as if centred on (row, col)"),
        (element_short, "your window is one row or column short"),  # once told it was centred
        (
            lambda *args: element_short(*args, cols=0),
            "your window is one row or column short",
        ),  # once: summed first
        (lambda *args: element_short(*args, rows=0), "your window is one row or column short"),
    ],
)
def test_output_element_mistakes_get_their_hint(wrong, hint):
    result = check_output_element(wrong)
    assert result.status == "failed" and hint in hint_of(result), result.message


def test_output_element_a_learner_error_is_reported_not_raised():
    result = check_output_element(lambda image, kernel, row, col: image[row, col, 0])
    assert result.status == "failed" and "raised IndexError" in result.message


# --- exercise 3: valid cross-correlation -----------------------------------------------------


def loops(image, kernel, flip=False, rows_stop=0, cols_stop=0):
    """A learner's two loops, with the usual slips as switches."""
    kh, kw = kernel.shape
    kernel = kernel[::-1, ::-1] if flip else kernel
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    output = np.zeros((out_h - rows_stop, out_w - cols_stop))
    for row in range(out_h - rows_stop):
        for col in range(out_w - cols_stop):
            output[row, col] = np.sum(image[row : row + kh, col : col + kw] * kernel)
    return output


def convolution(image, kernel):
    return loops(image, kernel, flip=True)


def full_mode(image, kernel):
    kh, kw = kernel.shape
    return loops(np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1))), kernel)


def transposed(image, kernel):
    kh, kw = kernel.shape
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    output = np.zeros((out_w, out_h))
    for row in range(out_h):
        for col in range(out_w):
            output[col, row] = np.sum(image[row : row + kh, col : col + kw] * kernel)
    return output


def stops_early_both(image, kernel):
    return loops(image, kernel, rows_stop=1, cols_stop=1)


def stops_early_rows(image, kernel):
    return loops(image, kernel, rows_stop=1)


def stops_early_cols(image, kernel):
    return loops(image, kernel, cols_stop=1)


def scipy_full(image, kernel):
    from scipy import signal

    return signal.correlate2d(image, kernel)  # the default mode is "full"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (convolution, "you flipped the kernel: that is convolution"),
        (full_mode, "that is the *full* cross-correlation"),
        (scipy_full, "that is the *full* cross-correlation"),
        (transposed, "your result is transposed"),
        (stops_early_both, "your loops stop one position early"),
        (stops_early_rows, "your loops stop one position early"),
        (stops_early_cols, "your loops stop one position early"),
    ],
)
def test_correlate2d_mistakes_get_their_hint(wrong, hint):
    result = check_correlate2d(wrong)
    assert result.status == "failed" and hint in hint_of(result), result.message


def test_correlate2d_the_loops_without_slips_pass():
    assert check_correlate2d(loops).status == "passed"


def test_correlate2d_an_output_of_integers_fails_on_mnist_like_pixels():
    def integer_output(image, kernel):
        kh, kw = kernel.shape
        output = np.zeros(
            (image.shape[0] - kh + 1, image.shape[1] - kw + 1), dtype=int
        )  # cuts every fraction
        for row, col in np.ndindex(output.shape):
            output[row, col] = np.sum(image[row : row + kh, col : col + kw] * kernel)
        return output

    result = check_correlate2d(integer_output)
    assert (
        result.status == "failed"
        and "whole numbers only" in hint_of(result)
        and "dtype=int" in hint_of(result)
    )
    image, kernel = result.case["args"]
    assert image.shape == (2, 3) and 0 <= image.min() and image.max() <= 1  # a small case, pixels in [0, 1]


def test_correlate2d_reports_the_smallest_failing_case():
    result = check_correlate2d(convolution)
    image, kernel = result.case["args"]
    assert image.shape == (1, 5) and kernel.shape == (1, 2)  # one row: the smallest case
    assert (
        "image:" in result.message
        and "kernel:" in result.message
        and "expected" in result.message
        and "got" in result.message
    )
