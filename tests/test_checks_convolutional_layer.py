"""The checkers of notebook 03 pass its worked solutions and catch each plausible mistake with its hint."""

import numpy as np
import pytest
from notebook_tools import load_solutions, unanswered
from scipy import signal

from cnnlib.checks import check_function
from cnnlib.checks.convolutional_layer import (
    FORWARD_CASES,
    SHAPE_CASES,
    check_forward,
    check_parameter_count,
    reference_forward,
)
from cnnlib.checks.convolutional_layer import check_layer_output_shape as check_output_shape
from cnnlib.correlation import convolve2d, correlate2d

NOTEBOOK = "03-convolutional-layer.ipynb"


@pytest.fixture(scope="module")
def solutions():
    return load_solutions(NOTEBOOK)


# --- the output shape ----------------------------------------------------------------------------


def test_output_shape_passes_the_solution(solutions):
    result = check_output_shape(solutions["my_output_shape"])
    assert result.status == "passed", result.message


def test_output_shape_accepts_a_list():
    assert check_output_shape(lambda s, k, d: [d, s[1] - k + 1, s[2] - k + 1]).status == "passed"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda s, k, d: (s[1] - k + 1, s[2] - k + 1), "one map per kernel"),
        (lambda s, k, d: (s[0], s[1] - k + 1, s[2] - k + 1), "not the input's depth n"),
        (lambda s, k, d: (d, s[1] - k, s[2] - k), "off by one"),
        (lambda s, k, d: (d, s[1] + k - 1, s[2] + k - 1), "full mode"),
        (lambda s, k, d: (d, s[1] - k + 1, s[1] - k + 1), "height and width can differ"),
        (lambda s, k, d: (d, s[0], s[1] - k + 1, s[2] - k + 1), "summed away"),
    ],
)
def test_output_shape_recognises_mistakes(wrong, hint):
    result = check_output_shape(wrong)
    assert result.status == "failed"
    assert hint in result.message, result.message


def test_output_shape_unanswered():
    result = check_output_shape(unanswered)
    assert result.status == "unanswered" and "not answered yet" in repr(result)


# --- the parameter count -------------------------------------------------------------------------


def sizes(s, k, d):
    n, h, w = s
    return n, h, w, k, d, h - k + 1, w - k + 1


def test_parameter_count_passes_the_solution(solutions):
    result = check_parameter_count(solutions["my_parameter_count"])
    assert result.status == "passed", result.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda n, h, w, k, d, oh, ow: d * n * k * k + d, "one bias number per kernel"),
        (lambda n, h, w, k, d, oh, ow: d * k * k + d * oh * ow, "n * k * k weights, not k * k"),
        (lambda n, h, w, k, d, oh, ow: d * n * k * k, "the biases are parameters too"),
        (lambda n, h, w, k, d, oh, ow: d * oh * ow, "the kernels are parameters too"),
        (lambda n, h, w, k, d, oh, ow: d * n * k * k + d * h * w, "OUTPUT map's shape"),
        (lambda n, h, w, k, d, oh, ow: d * k * k + d, "not one number"),
    ],
)
def test_parameter_count_recognises_mistakes(wrong, hint):
    result = check_parameter_count(lambda s, k, d: wrong(*sizes(s, k, d)))
    assert result.status == "failed"
    assert hint in result.message, result.message


def test_parameter_count_unanswered():
    assert check_parameter_count(unanswered).status == "unanswered"


def test_shape_cases():
    assert ((1, 28, 28), 3, 5) in SHAPE_CASES  # the original code's MNIST layer
    assert all(s[0] != d for s, k, d in SHAPE_CASES)  # input depth and kernel count never equal
    assert SHAPE_CASES[0][0][0] > 1  # the first case has depth > 1: forgetting n fails at once
    assert any(s[1] != s[2] for s, k, d in SHAPE_CASES)
    assert any(k == 1 for s, k, d in SHAPE_CASES)
    assert any(k == min(s[1:]) for s, k, d in SHAPE_CASES) and any(
        k == s[1] == s[2] for s, k, d in SHAPE_CASES
    )


def test_parameter_count_right_on_the_mnist_layer_only():
    result = check_parameter_count(lambda s, k, d: 3425 if tuple(s) == (1, 28, 28) else -1)
    assert result.status == "failed" and tuple(result.case["args"][0]) != (1, 28, 28)


# --- the forward pass ----------------------------------------------------------------------------


def forward_loops(x, kernels, biases, pairs):
    """Y_i = B_i + sum of operation(x[a], kernels[b]) over the (i, a, b, operation) that ``pairs`` gives."""
    output = np.array(biases, dtype=float)
    for i, a, b, operation in pairs(*kernels.shape[:2]):
        output[i] += operation(x[a], kernels[b])
    return output


def right(d, n):
    return [(i, j, (i, j), correlate2d) for i in range(d) for j in range(n)]


def test_forward_passes_the_solution(solutions):
    result = check_forward(solutions["my_forward"])
    assert result.status == "passed", result.message


def test_forward_passes_scipy_on_the_whole_block():
    def by_scipy(x, kernels, biases):
        return np.concatenate([signal.correlate(x, kernel, "valid") for kernel in kernels]) + biases

    assert check_forward(by_scipy).status == "passed"


def test_forward_cases_are_awkward():
    cases = FORWARD_CASES
    shapes = [(x.shape, kernels.shape) for x, kernels, _ in cases]
    assert any(k.shape[0] == k.shape[1] for _, k, _ in cases)  # n == d once, to catch mixed indices
    assert sum(k.shape[0] != k.shape[1] for _, k, _ in cases) >= 5
    assert any(x[1] != x[2] for x, _ in shapes)  # non-square
    assert any(k[2] == 1 for _, k in shapes)  # 1 x 1 kernel
    assert any(k[2] == x[1] or k[2] == x[2] for x, k in shapes)  # a kernel as large as the input
    assert any(x[0] > 1 and k[0] > 1 for x, k in shapes)  # depth > 1, several kernels
    for _, kernels, _ in cases:  # asymmetric kernels: a rotated kernel gives other numbers
        if kernels.shape[2] > 1:
            assert not np.allclose(kernels, kernels[..., ::-1, ::-1])
    # the n == d case is the smallest, so it is the one reported
    sizes_ = [sum(np.size(a) for a in case) for case in cases]
    assert np.argmin(sizes_) == next(i for i, (_, k, _) in enumerate(cases) if k.shape[0] == k.shape[1])


@pytest.mark.parametrize(
    "pairs, hint",
    [
        (
            lambda d, n: [(i, j, (i, j), convolve2d) for i in range(d) for j in range(n)],
            "that is convolution",
        ),
        (
            lambda d, n: [(i, j, (j, i), correlate2d) for i in range(d) for j in range(n)],
            "indices are mixed up",
        ),
        (
            lambda d, n: [(i, i, (i, j), correlate2d) for i in range(d) for j in range(n)],
            "indices are mixed up",
        ),
        (
            lambda d, n: [(i, 0, (i, 0), correlate2d) for i in range(d)],
            "Yours uses the first slice X_1 alone",
        ),
    ],
)
def test_forward_recognises_mistakes(pairs, hint):
    result = check_forward(lambda x, kernels, biases: forward_loops(x, kernels, biases, pairs))
    assert result.status == "failed"
    assert hint in result.message, result.message


def test_forward_without_bias():
    def no_bias(x, kernels, biases):
        return forward_loops(x, kernels, np.zeros_like(biases), right)

    result = check_forward(no_bias)
    assert result.status == "failed" and "the bias is missing" in result.message


@pytest.mark.parametrize("start_from_bias", [False, True])
def test_forward_bias_added_once_per_input_slice(start_from_bias):
    def bias_in_the_slice_loop(x, kernels, biases):
        output = np.array(biases, dtype=float) if start_from_bias else np.zeros(biases.shape)
        for i in range(kernels.shape[0]):
            for j in range(kernels.shape[1]):
                output[i] += biases[i] + correlate2d(x[j], kernels[i, j])  # B_i once per slice j
        return output

    result = check_forward(bias_in_the_slice_loop)
    assert result.status == "failed"
    assert "hint: the bias is added more than once" in result.message, result.message


def test_forward_assignment_instead_of_sum():
    def overwrite(x, kernels, biases):  # `=` where `+=` was meant: only the last slice survives
        output = np.array(biases, dtype=float)
        for i in range(kernels.shape[0]):
            for j in range(kernels.shape[1]):
                output[i] = biases[i] + correlate2d(x[j], kernels[i, j])
        return output

    result = check_forward(overwrite)
    assert result.status == "failed" and "`=` keeps only the last one" in result.message


def test_forward_assignment_without_bias():
    def overwrite(x, kernels, biases):
        output = np.zeros_like(biases)
        for i in range(kernels.shape[0]):
            for j in range(kernels.shape[1]):
                output[i] = correlate2d(x[j], kernels[i, j])
        return output

    result = check_forward(overwrite)
    assert result.status == "failed" and "`=` keeps only the last one" in result.message


def test_forward_swapped_indices_fail_even_when_n_differs_from_d():
    """Past the n == d case, mixing K_ij and K_ji raises: still a failure, with the case that raised."""

    def swapped(x, kernels, biases):
        return forward_loops(
            x, kernels, biases, lambda d, n: [(i, j, (j, i), correlate2d) for i in range(d) for j in range(n)]
        )

    cases = [case for case in FORWARD_CASES if case[1].shape[0] != case[1].shape[1]]
    result = check_function("forward pass", swapped, reference_forward, cases)
    assert result.status == "failed" and "IndexError" in result.message


def test_forward_unanswered():
    assert check_forward(unanswered).status == "unanswered"


def test_forward_learner_must_not_change_its_arguments():
    """Adding into ``biases`` in place would make a layer's biases drift with every call."""

    def in_place(x, kernels, biases):
        for i in range(kernels.shape[0]):
            for j in range(kernels.shape[1]):
                biases[i] += correlate2d(x[j], kernels[i, j])
        return biases

    result = check_forward(in_place)
    assert result.status == "failed"
    assert "changed biases in place" in result.message
