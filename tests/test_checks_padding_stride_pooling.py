"""Notebook 07's checkers: the worked solutions pass; each known mistake, written as a learner would, fails
with its hint; and the cases hold the awkward places that tell the mistakes apart."""

import math

import numpy as np
import pytest
from notebook_tools import (
    assert_right_answers_pass_and_the_stub_is_unanswered,
    hint_of,
    load_solutions,
)

from cnnlib.checks.padding_stride_pooling import (
    CORRELATE_CASES,
    POOL_CASES,
    check_correlate2d_padded_strided,
    check_maxpool_backward,
    check_output_size,
    reference_maxpool_backward,
)
from cnnlib.correlation import left_out

CHECKERS = [check_output_size, check_correlate2d_padded_strided, check_maxpool_backward]

SOLUTIONS = load_solutions("07-padding-stride-pooling.ipynb")
my_output_size, my_correlate2d, my_maxpool_backward = (
    SOLUTIONS[name] for name in ("my_output_size", "my_correlate2d", "my_maxpool_backward")
)


@pytest.mark.parametrize(
    "check, solution",
    [
        (check_output_size, my_output_size),
        (check_correlate2d_padded_strided, my_correlate2d),
        (check_maxpool_backward, my_maxpool_backward),
    ],
)
def test_the_reference_and_the_worked_solution_pass_and_the_stub_is_unanswered(check, solution):
    assert_right_answers_pass_and_the_stub_is_unanswered(check, solution)


# --- exercise 1: the output size ----------------------------------------------------------------------------


def size_true_division(input_size, kernel_size, padding, stride):
    return (input_size + 2 * padding - kernel_size) / stride + 1


def size_rounded_up(input_size, kernel_size, padding, stride):
    return math.ceil((input_size + 2 * padding - kernel_size) / stride) + 1


def size_padding_once(input_size, kernel_size, padding, stride):
    return (input_size + padding - kernel_size) // stride + 1


def size_without_padding(input_size, kernel_size, padding, stride):
    return (input_size - kernel_size) // stride + 1


def size_without_parentheses(input_size, kernel_size, padding, stride):
    return input_size + 2 * padding - kernel_size // stride + 1


def size_divided_first(input_size, kernel_size, padding, stride):
    return (input_size + 2 * padding) // stride - kernel_size + 1


def size_without_the_one(input_size, kernel_size, padding, stride):
    return (input_size + 2 * padding - kernel_size) // stride


def size_one_inside(input_size, kernel_size, padding, stride):
    return (input_size + 2 * padding - kernel_size + 1) // stride


def size_by_counting(input_size, kernel_size, padding, stride, last_fits=True):
    """Count the places: the kernel's start jumps by the stride while its end stays inside."""
    count, start = 0, 0
    while start + kernel_size < input_size + 2 * padding + last_fits:
        count += 1
        start += stride
    return count


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (size_true_division, "`/` gives a fraction"),
        (size_rounded_up, "round down, not up"),
        (size_padding_once, "padding goes on both sides"),
        (size_without_padding, "you left the padding out"),
        (size_without_parentheses, "`//` comes before `-`"),
        (size_divided_first, "subtract k before you divide"),
        (size_without_the_one, "one too few"),
        (size_one_inside, "one too few"),
        (lambda *args: size_by_counting(*args, last_fits=False), "one too few"),
    ],
)
def test_output_size_mistakes_get_their_hint(wrong, hint):
    result = check_output_size(wrong)
    assert result.status == "failed" and hint_of(result).startswith(hint), result.message


def test_output_size_counting_the_places_passes():
    assert check_output_size(size_by_counting)


def test_output_size_a_fraction_fails_first_where_the_stride_does_not_divide():
    result = check_output_size(size_true_division)
    assert result.case["args"] == (5, 2, 0, 2) and result.case["got"] == 2.5 and result.case["expected"] == 2


# --- exercise 2: cross-correlation with padding and stride --------------------------------------------------


def correlate_loops(image, kernel, padding, stride, before=1, after=1, rounding=math.floor, jump=None):
    """A learner's loops, with the usual slips as switches: ``before`` and ``after`` times ``padding`` zeros
    on the top and left and on the bottom and right; the output size rounded by ``rounding``; windows
    ``jump`` apart (the stride unless given)."""
    h, w = image.shape
    kh, kw = kernel.shape
    padded = np.pad(image, ((before * padding, after * padding), (before * padding, after * padding)))
    out_h = rounding((h + 2 * padding - kh) / stride) + 1
    out_w = rounding((w + 2 * padding - kw) / stride) + 1
    output = np.zeros((out_h, out_w))
    jump = stride if jump is None else jump
    for row in range(out_h):
        for col in range(out_w):
            window = padded[row * jump : row * jump + kh, col * jump : col * jump + kw]
            output[row, col] = np.sum(window * kernel)
    return output


def correlate_without_padding(image, kernel, padding, stride):
    return my_correlate2d(image, kernel, 0, stride)  # the padding argument ignored


def correlate_padding_not_slid_over(image, kernel, padding, stride):
    return correlate_loops(image, kernel, padding, stride, before=0, after=0)  # the size counts it, though


def correlate_padded_top_left(image, kernel, padding, stride):
    return correlate_loops(image, kernel, padding, stride, after=0)


def correlate_padded_top_left_sized_by_it(image, kernel, padding, stride):
    return my_correlate2d(np.pad(image, ((padding, 0), (padding, 0))), kernel, 0, stride)


def correlate_image_in_the_corner(image, kernel, padding, stride):
    h, w = image.shape
    padded = np.zeros((h + 2 * padding, w + 2 * padding))
    padded[:h, :w] = image  # should be padded[padding : padding + h, padding : padding + w]
    return my_correlate2d(padded, kernel, 0, stride)


def correlate_rounded_up(image, kernel, padding, stride):
    return correlate_loops(image, kernel, padding, stride, rounding=math.ceil)


def correlate_rounded_up_one_by_one(image, kernel, padding, stride):
    """Four loops, each product on its own: a window past the edge raises IndexError."""
    kh, kw = kernel.shape
    padded = np.pad(image, padding)
    out_h = math.ceil((padded.shape[0] - kh) / stride) + 1
    out_w = math.ceil((padded.shape[1] - kw) / stride) + 1
    output = np.zeros((out_h, out_w))
    for row in range(out_h):
        for col in range(out_w):
            for m in range(kh):
                for n in range(kw):
                    output[row, col] += padded[row * stride + m, col * stride + n] * kernel[m, n]
    return output


def correlate_stride_shrinks_only(image, kernel, padding, stride):
    return correlate_loops(image, kernel, padding, stride, jump=1)


def correlate_without_stride(image, kernel, padding, stride):
    return my_correlate2d(image, kernel, padding, 1)


def correlate_flipped(image, kernel, padding, stride):
    return my_correlate2d(image, kernel[::-1, ::-1], padding, stride)


def correlate_into_integers(image, kernel, padding, stride):
    result = my_correlate2d(image, kernel, padding, stride)
    output = np.zeros(result.shape, dtype=int)
    output[...] = result
    return output


_PAST = "a window ran past the edge of the padded image"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (correlate_without_padding, "you did not pad"),
        (correlate_padding_not_slid_over, _PAST),
        (correlate_padded_top_left, "you padded the top and left only"),
        (correlate_padded_top_left_sized_by_it, "you padded the top and left only"),
        (correlate_image_in_the_corner, "your image sits in the top-left corner"),
        (correlate_rounded_up, "round the output size down"),
        (correlate_rounded_up_one_by_one, _PAST),
        (correlate_stride_shrinks_only, "the stride only shrank your output"),
        (correlate_without_stride, "you left the stride out"),
        (correlate_flipped, "you flipped the kernel: that is convolution"),
        (correlate_into_integers, "your output holds whole numbers only"),
    ],
)
def test_correlate2d_mistakes_get_their_hint(wrong, hint):
    result = check_correlate2d_padded_strided(wrong)
    assert result.status == "failed" and hint_of(result).startswith(hint), result.message


def test_correlate2d_the_loops_without_slips_pass():
    assert check_correlate2d_padded_strided(correlate_loops)


def test_correlate2d_cases_leave_rows_out_and_hold_a_1x1_kernel_and_one_as_large_as_the_padded_image():
    def rows_left_out(x, k, p, s):
        return left_out(x.shape[0], k.shape[0], p, s) + left_out(x.shape[1], k.shape[1], p, s)

    assert any(rows_left_out(*case) for case in CORRELATE_CASES)
    assert any(k.shape == (1, 1) for _, k, _, _ in CORRELATE_CASES)
    assert any(k.shape == (x.shape[0] + 2 * p, x.shape[1] + 2 * p) for x, k, p, _ in CORRELATE_CASES)
    assert {p for _, _, p, _ in CORRELATE_CASES} == {0, 1, 2}
    assert any(x.shape[0] != x.shape[1] for x, _, _, _ in CORRELATE_CASES)
    assert any(k.shape[0] != k.shape[1] for _, k, _, _ in CORRELATE_CASES)
    for x, k, _, _ in CORRELATE_CASES:  # no 0 to hide a misplaced zero of padding; a flip moves a value
        assert np.all(x > 0) and np.any(x != np.round(x)) and np.all(k != 0) and len(np.unique(k)) == k.size


# --- exercise 3: max pooling's backward pass ----------------------------------------------------------------


def pool_loops(x, output_gradient, size, stride, add=True, last=False, jump=None):
    """A learner's loops, with the usual slips as switches: the gradient assigned rather than added; in a tie,
    the last maximum (`>=`) rather than the first (`>`); windows ``jump`` apart (the stride unless given)."""
    input_gradient = np.zeros(x.shape)
    out_h, out_w = output_gradient.shape
    jump = stride if jump is None else jump
    for row in range(out_h):
        for col in range(out_w):
            top, left = row * jump, col * jump
            best_r, best_c = top, left
            for r in range(top, top + size):
                for c in range(left, left + size):
                    if x[r, c] > x[best_r, best_c] or (last and x[r, c] == x[best_r, best_c]):
                        best_r, best_c = r, c
            if add:
                input_gradient[best_r, best_c] += output_gradient[row, col]
            else:
                input_gradient[best_r, best_c] = output_gradient[row, col]
    return input_gradient


def pool_assigned(x, output_gradient, size, stride):
    return pool_loops(x, output_gradient, size, stride, add=False)


def pool_to_every_tied_maximum(x, output_gradient, size, stride):
    input_gradient = np.zeros(x.shape)
    for row in range(output_gradient.shape[0]):
        for col in range(output_gradient.shape[1]):
            top, left = row * stride, col * stride
            window = x[top : top + size, left : left + size]
            mask = window == np.max(window)
            input_gradient[top : top + size, left : left + size] += mask * output_gradient[row, col]
    return input_gradient


def pool_to_the_last_tied_maximum(x, output_gradient, size, stride):
    return pool_loops(x, output_gradient, size, stride, last=True)


def pool_column_by_column(x, output_gradient, size, stride):
    input_gradient = np.zeros(x.shape)
    for row in range(output_gradient.shape[0]):
        for col in range(output_gradient.shape[1]):
            top, left = row * stride, col * stride
            best_r, best_c = top, left
            for c in range(left, left + size):  # columns outside: a tie goes to the leftmost, not the topmost
                for r in range(top, top + size):
                    if x[r, c] > x[best_r, best_c]:
                        best_r, best_c = r, c
            input_gradient[best_r, best_c] += output_gradient[row, col]
    return input_gradient


def pool_spread_evenly(x, output_gradient, size, stride):
    input_gradient = np.zeros(x.shape)
    for row in range(output_gradient.shape[0]):
        for col in range(output_gradient.shape[1]):
            top, left = row * stride, col * stride
            input_gradient[top : top + size, left : left + size] += output_gradient[row, col] / size**2
    return input_gradient


def pool_without_stride(x, output_gradient, size, stride):
    return pool_loops(x, output_gradient, size, stride, jump=1)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (pool_assigned, "windows overlap here (stride < size)"),
        (pool_to_every_tied_maximum, "in a tie, the gradient goes to the first"),
        (pool_to_the_last_tied_maximum, "in a tie, the gradient goes to the first"),
        (pool_column_by_column, "in a tie, the gradient goes to the first"),
        (pool_spread_evenly, "that spreads the gradient evenly over the window"),
        (pool_without_stride, "output_gradient[row, col] belongs to the window"),
    ],
)
def test_maxpool_backward_mistakes_get_their_hint(wrong, hint):
    result = check_maxpool_backward(wrong)
    assert result.status == "failed" and hint_of(result).startswith(hint), result.message


@pytest.mark.parametrize(
    "wrong, says",
    [
        (pool_to_every_tied_maximum, "every tied maximum"),
        (pool_to_the_last_tied_maximum, "the last"),
        (pool_column_by_column, "column by column"),
    ],
)
def test_maxpool_backward_each_tie_mistake_is_named(wrong, says):
    assert says in hint_of(check_maxpool_backward(wrong))


def test_maxpool_backward_the_loops_without_slips_pass():
    assert check_maxpool_backward(pool_loops)


def winners(x, size, stride):
    """How many windows each input is the largest of (the first, in a tie)."""
    count = np.zeros(x.shape, dtype=int)
    for row in range((x.shape[0] - size) // stride + 1):
        for col in range((x.shape[1] - size) // stride + 1):
            window = x[row * stride : row * stride + size, col * stride : col * stride + size]
            r, c = np.unravel_index(np.argmax(window), window.shape)
            count[row * stride + r, col * stride + c] += 1
    return count


def test_maxpool_backward_cases_hold_the_awkward_places():
    overlapping = [case for case in POOL_CASES if case[3] < case[2]]
    assert len(overlapping) >= 3
    for x, g, size, stride in overlapping:  # some input wins two windows or more: = and += differ
        assert winners(x, size, stride).max() >= 2
        assert not np.allclose(
            pool_assigned(x, g, size, stride), reference_maxpool_backward(x, g, size, stride)
        )
    assert any(case[3] == case[2] for case in POOL_CASES)  # side by side
    assert any(left_out(x.shape[0], size, 0, stride) for x, _, size, stride in POOL_CASES)
    # ties where the first in reading order, the last, and the first column by column are three places
    tied = [case for case in POOL_CASES if len(np.unique(case[0])) < case[0].size]
    answers = [f(*case) for case in tied for f in (pool_loops, pool_to_the_last_tied_maximum)]
    assert any(not np.array_equal(a, b) for a, b in zip(answers[::2], answers[1::2]))
    assert any(not np.array_equal(pool_loops(*case), pool_column_by_column(*case)) for case in tied)


def test_maxpool_backward_reference_gives_a_tie_to_the_first_in_reading_order():
    x, g = np.array([[0.0, 2], [2, 1]]), np.array([[3.0]])
    expected = np.array([[0.0, 3], [0, 0]])
    np.testing.assert_array_equal(reference_maxpool_backward(x, g, 2, 2), expected)
    np.testing.assert_array_equal(my_maxpool_backward(x, g, 2, 2), expected)


def test_a_checker_reports_the_smallest_failing_case_with_the_learners_names():
    result = check_maxpool_backward(pool_assigned)
    x, g, size, stride = result.case["args"]
    assert x.shape == (3, 3) and (size, stride) == (2, 1)
    assert "x:" in result.message and "output_gradient:" in result.message and "size:" in result.message
