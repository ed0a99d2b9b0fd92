"""The checkers of notebook 02 pass its own solutions and recognise each plausible mistake."""

import numpy as np
import pytest
from notebook_tools import load_solutions

from cnnlib.checks.convolution import (
    check_convolve2d,
    check_full_output_size,
    check_pad_full,
    check_rotate180,
)
from cnnlib.correlation import convolve2d, correlate2d, rotate180

SOLUTIONS = load_solutions("02-convolution.ipynb")


@pytest.mark.parametrize(
    "checker, name",
    [
        (check_rotate180, "my_rotate180"),
        (check_full_output_size, "my_full_output_size"),
        (check_pad_full, "my_pad_full"),
        (check_convolve2d, "my_convolve2d"),
    ],
)
def test_the_notebooks_solution_passes(checker, name):
    result = checker(SOLUTIONS[name])
    assert result.status == "passed", result.message
    assert bool(result)


@pytest.mark.parametrize(
    "checker", [check_rotate180, check_full_output_size, check_pad_full, check_convolve2d]
)
def test_an_unanswered_stub_is_reported_not_raised(checker):
    def stub(*args):
        raise NotImplementedError

    result = checker(stub)
    assert result.status == "unanswered"
    assert "not answered yet" in repr(result)


def pad(x, rows, cols):
    return np.pad(x, (rows, cols))


@pytest.mark.parametrize(
    "checker, wrong, hint",
    [
        (check_rotate180, lambda k: k.T, "that is the transpose"),
        (check_rotate180, lambda k: k[::-1, :], "you flipped the rows only"),
        (check_rotate180, lambda k: k[:, ::-1], "you flipped the columns only"),
        (check_rotate180, lambda k: np.rot90(k), "that is a quarter turn (90°); a half"),
        (check_rotate180, lambda k: np.rot90(k, -1), "that is a quarter turn (90°) the other way"),
        (check_rotate180, lambda k: k, None),
        (check_full_output_size, lambda n, k: n - k + 1, "n - k + 1 is the valid size"),
        (check_full_output_size, lambda n, k: n + k, "one too many"),
        (
            check_full_output_size,
            lambda n, k: n + 2 * (k - 1),
            "n + 2(k - 1) is the length of the padded input",
        ),
        (check_full_output_size, lambda n, k: n + k - 2, "one too few"),
        (check_full_output_size, lambda n, k: max(n, k), None),
        (check_pad_full, lambda x, s: pad(x, (s[0], s[0]), (s[1], s[1])), "you padded with k zeros"),
        (
            check_pad_full,
            lambda x, s: pad(x, (s[0] - 1, 0), (s[1] - 1, 0)),
            "you padded the top and left only",
        ),
        (
            check_pad_full,
            lambda x, s: pad(x, (0, s[0] - 1), (0, s[1] - 1)),
            "you padded the bottom and right only",
        ),
        (
            check_pad_full,
            lambda x, s: pad(x, (s[1] - 1, s[1] - 1), (s[0] - 1, s[0] - 1)),
            "rows and columns are swapped",
        ),
        (
            check_pad_full,
            lambda x, s: pad(
                x,
                ((s[0] - 1) // 2, s[0] - 1 - (s[0] - 1) // 2),
                ((s[1] - 1) // 2, s[1] - 1 - (s[1] - 1) // 2),
            ),
            "k - 1 in total is not enough",
        ),
        (check_pad_full, lambda x, s: x, None),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(x, k, mode),
            "no rotation: that is the cross-correlation",
        ),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(x[::-1, ::-1], k, mode),
            "you rotated the image, not the kernel",
        ),
        (check_convolve2d, lambda x, k, mode: correlate2d(x, k.T, mode), "you transposed the kernel"),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(x, k[::-1, :], mode),
            "you flipped the kernel upside down only",
        ),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(x, k[:, ::-1], mode),
            "you flipped the kernel left to right only",
        ),
        (check_convolve2d, lambda x, k, mode: convolve2d(x, k, "valid"), "that is the valid convolution"),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(
                pad(x, (k.shape[0] - 1,) * 2, (k.shape[1] - 1,) * 2) if mode == "full" else x, np.rot90(k)
            ),
            "that is a quarter turn (90°) of the kernel; a half",
        ),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(
                pad(x, (k.shape[0] - 1,) * 2, (k.shape[1] - 1,) * 2) if mode == "full" else x, np.rot90(k, -1)
            ),
            "that is a quarter turn (90°) of the kernel the other way",
        ),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(
                pad(x, (k.shape[0] - 1, 0), (k.shape[1] - 1, 0)) if mode == "full" else x, rotate180(k)
            ),
            "in full mode you padded the top and left only",
        ),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(
                pad(x, (0, k.shape[0] - 1), (0, k.shape[1] - 1)) if mode == "full" else x, rotate180(k)
            ),
            "in full mode you padded the bottom and right only",
        ),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(
                pad(x, (k.shape[0],) * 2, (k.shape[1],) * 2) if mode == "full" else x, rotate180(k)
            ),
            "you padded with k zeros on each side",
        ),
        (
            check_convolve2d,
            lambda x, k, mode: correlate2d(pad(x, (k.shape[0],) * 2, (k.shape[1],) * 2), rotate180(k)),
            "you padded with k zeros on each side; full mode needs k - 1 (and valid mode none)",
        ),
        (check_convolve2d, lambda x, k, mode: convolve2d(x, k, mode) + 1, None),
    ],
)
def test_a_wrong_answer_fails_with_its_hint(checker, wrong, hint):
    result = checker(wrong)
    assert result.status == "failed"
    assert "wrong on this case" in result.message
    if hint is None:  # an unrecognised mistake: no hint, or only the generic shape hint
        assert "hint" not in result.message or "the shape is wrong" in result.message
    else:
        assert f"hint: {hint}" in result.message
    assert not bool(result)


def rotate_into_integers(kernel):
    rotated = np.zeros(kernel.shape, dtype=int)
    rotated[...] = kernel[::-1, ::-1]
    return rotated


def pad_into_integers(image, kernel_shape):
    kh, kw = kernel_shape
    padded = np.zeros((image.shape[0] + 2 * (kh - 1), image.shape[1] + 2 * (kw - 1)), dtype=int)
    padded[kh - 1 : kh - 1 + image.shape[0], kw - 1 : kw - 1 + image.shape[1]] = image
    return padded


def convolve_into_integers(image, kernel, mode):
    result = convolve2d(image, kernel, mode)
    output = np.zeros(result.shape, dtype=int)
    output[...] = result
    return output


@pytest.mark.parametrize(
    "checker, wrong",
    [
        (check_rotate180, rotate_into_integers),
        (check_pad_full, pad_into_integers),
        (check_convolve2d, convolve_into_integers),
    ],
)
def test_an_output_array_of_integers_fails_with_a_hint_that_names_it(checker, wrong):
    result = checker(wrong)
    assert result.status == "failed"
    assert "hint: your output holds whole numbers only" in result.message and "dtype=int" in result.message


def test_a_learner_error_is_reported_with_its_case():
    def broken(kernel):
        return kernel[2, 0]  # fails on the smallest kernel

    result = check_rotate180(broken)
    assert result.status == "failed"
    assert "raised IndexError" in result.message


def test_the_cases_are_the_awkward_ones():
    # a full-mode case with a kernel larger than the input: a valid-only answer raises there
    def valid_only_for_large_kernels(x, k, mode):
        if k.shape[0] > x.shape[0] or k.shape[1] > x.shape[1]:
            raise ValueError("kernel larger than input")
        return convolve2d(x, k, mode)

    result = check_convolve2d(valid_only_for_large_kernels)
    assert result.status == "failed" and "raised ValueError: kernel larger than input" in result.message
    # a 1x1 kernel: rotation changes nothing there, so the check must go beyond it
    result = check_rotate180(lambda k: k if k.size == 1 else np.zeros_like(k))
    assert result.status == "failed" and result.case["args"][0].size > 1
