"""The checkers of notebook 04: the notebook's own solutions pass, plausible mistakes fail with their hint."""

import json

import numpy as np
import pytest
from notebook_tools import NOTEBOOKS, hint_of, load_solutions, unanswered
from scipy import signal

from cnnlib.checks.gradients import (
    LAYER_CASES,
    check_bias_gradient,
    check_fixed_layer,
    check_input_gradient,
    check_kernel_gradient,
)
from cnnlib.correlation import convolve2d, correlate2d, rotate180
from cnnlib.gradcheck import check_layer
from cnnlib.layers import Convolutional

NOTEBOOK = "04-convolutional-layer-gradients.ipynb"
SOLUTIONS = load_solutions(NOTEBOOK)


def notebook_class(name):
    """A class defined in one of the notebook's code cells, run as the notebook runs it."""
    cells = json.loads((NOTEBOOKS / NOTEBOOK).read_text())["cells"]
    sources = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    source = next(source for source in sources if f"class {name}(" in source)
    namespace = {"np": np, "signal": signal, "Convolutional": Convolutional}
    exec(compile(source, NOTEBOOK, "exec"), namespace)
    return namespace[name]


class Unanswered(Convolutional):
    def gradients(self, output_gradient):
        raise NotImplementedError


@pytest.mark.parametrize(
    "check, name",
    [
        (check_bias_gradient, "my_bias_gradient"),
        (check_kernel_gradient, "my_kernel_gradient"),
        (check_input_gradient, "my_input_gradient"),
        (check_fixed_layer, "FixedConvolutional"),
    ],
)
def test_the_notebook_solution_passes_and_the_stub_is_unanswered(check, name):
    result = check(SOLUTIONS[name])
    assert result.status == "passed" and bool(result), result
    stub = check(Unanswered if name == "FixedConvolutional" else unanswered)
    assert stub.status == "unanswered" and "not answered yet" in repr(stub)


# --- exercise 1: the bias gradient -----------------------------------------------------------


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda g: np.sum(g), "you summed dE/dY to one number"),
        (lambda g: np.full(g.shape, g.sum()), "you summed dE/dY to one number"),
        (lambda g: g.sum(axis=(1, 2)), "one number per kernel is the gradient of the bias in PyTorch"),
        (lambda g: g.sum(axis=(1, 2), keepdims=True), "one number per kernel"),
        (lambda g: g.sum(axis=0), "you summed over the kernels"),
        (lambda g: np.ones_like(g), "the chain rule multiplies it by dE/dy_mn"),
    ],
)
def test_bias_gradient_mistakes_get_their_hint(wrong, hint):
    result = check_bias_gradient(wrong)
    assert result.status == "failed" and hint in hint_of(result), result.message


def test_bias_gradient_in_place_change_is_caught():
    def in_place(output_gradient):
        output_gradient *= 2  # the right values come back, but the argument is changed
        return output_gradient / 2

    result = check_bias_gradient(in_place)
    assert result.status == "failed" and "in place" in hint_of(result)


# --- exercise 2: the kernel gradient ---------------------------------------------------------


def kernel_gradient_loops(x, output_gradient, flip=False, swap=False):
    """A learner's loops: dE/dk_pq = sum_mn g_mn x_(m+p)(n+q), with the usual slips as switches."""
    g = rotate180(output_gradient) if flip else output_gradient
    kh, kw = x.shape[0] - g.shape[0] + 1, x.shape[1] - g.shape[1] + 1
    result = np.zeros((kh, kw))
    for p, q in np.ndindex(kh, kw):
        result[p, q] = np.sum(g * x[p : p + g.shape[0], q : q + g.shape[1]])
    return rotate180(result) if swap else result


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, g: convolve2d(x, g), "you rotated dE/dY: that is a convolution"),
        (lambda x, g: signal.convolve2d(x, g, "valid"), "you rotated dE/dY: that is a convolution"),
        (lambda x, g: kernel_gradient_loops(x, g, flip=True), "you rotated dE/dY"),
        (lambda x, g: signal.correlate2d(g, x, "valid"), "the arguments are swapped"),
        (lambda x, g: kernel_gradient_loops(x, g, swap=True), "the arguments are swapped"),
        (lambda x, g: signal.correlate2d(x, g), "that is in *full* mode"),  # SciPy's default mode
        (lambda x, g: correlate2d(x, g, "full"), "that is in *full* mode"),
        (lambda x, g: signal.convolve2d(x, g, "full"), "that is in *full* mode"),
    ],
)
def test_kernel_gradient_mistakes_get_their_hint(wrong, hint):
    result = check_kernel_gradient(wrong)
    assert result.status == "failed" and hint in hint_of(result), result.message


def test_kernel_gradient_the_loops_pass_and_swapped_cnnlib_arguments_raise_clearly():
    assert check_kernel_gradient(kernel_gradient_loops).status == "passed"
    result = check_kernel_gradient(
        lambda x, g: correlate2d(g, x)
    )  # cnnlib refuses a kernel larger than its image
    assert result.status == "failed" and "raised ValueError" in result.message and "x:" in result.message


# --- exercise 3: the input gradient ----------------------------------------------------------


def input_gradient_loops(output_gradient, kernel):
    """dE/dx_rc = sum over m, n of g_mn k_(r-m)(c-n), as a learner would loop it."""
    (out_h, out_w), (kh, kw) = output_gradient.shape, kernel.shape
    result = np.zeros((out_h + kh - 1, out_w + kw - 1))
    for m, n in np.ndindex(out_h, out_w):
        result[m : m + kh, n : n + kw] += (
            output_gradient[m, n] * kernel
        )  # y_mn sends g_mn K back onto its window
    return result


def input_gradient_minus_index(output_gradient, kernel):
    """The chain-rule loop with the kernel's index the wrong way round: k_(m-r)(c-n), not k_(r-m)(c-n)."""
    (out_h, out_w), (kh, kw) = output_gradient.shape, kernel.shape
    result = np.zeros((out_h + kh - 1, out_w + kw - 1))
    for r, c in np.ndindex(result.shape):
        for m, n in np.ndindex(out_h, out_w):
            p, q = m - r, n - c
            if 0 <= p < kh and 0 <= q < kw:
                result[r, c] += output_gradient[m, n] * kernel[p, q]
    return result


def padded_by(rows, cols):
    return lambda g, k: correlate2d(np.pad(g, ((rows(k), rows(k)), (cols(k), cols(k)))), rotate180(k))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda g, k: signal.correlate2d(g, k, "full"), "the kernel is missing its rotation"),
        (lambda g, k: correlate2d(g, k, "full"), "the kernel is missing its rotation"),
        (
            lambda g, k: correlate2d(np.pad(g, ((k.shape[0] - 1,) * 2, (k.shape[1] - 1,) * 2)), k),
            "missing its rotation",
        ),
        (lambda g, k: signal.convolve2d(g, k, "valid"), "valid mode shrinks"),
        (lambda g, k: signal.correlate2d(g, k, "valid"), "valid mode shrinks"),
        # a flip along one axis: the smallest case has a 2 x 2 kernel, where either flip shows (a row hid one)
        (lambda g, k: signal.correlate2d(g, k[:, ::-1], "full"), "flipped left to right only"),
        (lambda g, k: signal.correlate2d(g, np.fliplr(k), "full"), "flipped left to right only"),
        (lambda g, k: signal.correlate2d(g, k[::-1], "full"), "flipped upside down only"),
        (
            lambda g, k: correlate2d(np.pad(g, ((k.shape[0] - 1,) * 2, (k.shape[1] - 1,) * 2)), np.flipud(k)),
            "flipped upside down only",
        ),
        (
            lambda g, k: signal.convolve2d(g, k[::-1], "full"),
            "flipped left to right only",
        ),  # convolve2d rotates too
        (lambda g, k: signal.correlate2d(rotate180(g), k, "full"), "you rotated dE/dY instead of the kernel"),
        (input_gradient_minus_index, "the kernel index is r - m, not m - r"),
        (lambda g, k: signal.convolve2d(g, k.T, "full"), "k.T swaps the kernel's rows and columns"),
        (lambda g, k: signal.correlate2d(g, k.T, "full"), "k.T swaps the kernel's rows and columns"),
        (padded_by(lambda k: 1, lambda k: 1), "the padding is wrong"),
        # kh - 1 on both axes: on the smallest case (a 1 x 2 kernel) that pads nothing, a valid pass
        (
            padded_by(lambda k: k.shape[0] - 1, lambda k: k.shape[0] - 1),
            "pad dE/dY with kh - 1 rows and kw - 1 columns",
        ),
        (padded_by(lambda k: k.shape[1] - 1, lambda k: k.shape[0] - 1), "the padding is wrong"),
    ],
)
def test_input_gradient_mistakes_get_their_hint(wrong, hint):
    result = check_input_gradient(wrong)
    assert result.status == "failed" and hint in hint_of(result), result.message


def test_input_gradient_a_one_axis_flip_is_caught_on_the_smallest_case():
    result = check_input_gradient(lambda g, k: signal.correlate2d(g, k[::-1], "full"))
    output_gradient, kernel = result.case["args"]
    assert kernel.shape == (2, 2) and output_gradient.shape == (1, 2)


def test_input_gradient_scattering_each_outputs_share_passes():
    assert check_input_gradient(input_gradient_loops).status == "passed"
    assert check_input_gradient(lambda g, k: signal.convolve2d(k, g, "full")).status == "passed"  # commutes


def into_integers(function):
    """``function``'s answer, written into an array of integers, as np.zeros(shape, dtype=int) makes."""

    def integers(*args):
        result = function(*args)
        output = np.zeros(np.shape(result), dtype=int)
        output[...] = result
        return output

    return integers


@pytest.mark.parametrize(
    "check, right",
    [
        (check_bias_gradient, lambda g: g),
        (check_kernel_gradient, lambda x, g: correlate2d(x, g)),
        (check_input_gradient, lambda g, k: convolve2d(g, k, "full")),
    ],
)
def test_an_output_array_of_integers_fails_with_a_hint_that_names_it(check, right):
    result = check(into_integers(right))
    assert result.status == "failed" and "whole numbers only" in hint_of(result), result.message


# --- exercise 4: find the bug ----------------------------------------------------------------

BuggyConvolutional = notebook_class("BuggyConvolutional")


def variant(kernel_part, input_part, add=True):
    """A Convolutional whose gradients use the given 2D pieces: a fix gone wrong."""

    class Variant(Convolutional):
        def gradients(self, output_gradient):
            kernels_gradient = np.zeros_like(self.kernels)
            input_gradient = np.zeros(self.input_shape)
            for i in range(len(self.kernels)):
                for j in range(self.input_shape[0]):
                    kernels_gradient[i, j] = kernel_part(self.x[j], output_gradient[i])
                    piece = input_part(output_gradient[i], self.kernels[i, j])
                    if add:
                        input_gradient[j] += piece
                    else:
                        input_gradient[j] = piece
            return input_gradient, {"kernels": kernels_gradient, "biases": output_gradient}

    return Variant


def correlation(x, g):
    return signal.correlate2d(x, g, "valid")


def full_convolution(g, k):
    return signal.convolve2d(g, k, "full")


def test_the_planted_bug_is_found_by_check_layer_in_the_input_gradient_only():
    rng = np.random.default_rng(5)
    errors = check_layer(BuggyConvolutional((2, 4, 5), 2, 3, rng=rng), rng.standard_normal((2, 4, 5)), rng=6)
    assert errors["input"] > 0.1 and errors["kernels"] < 1e-6 and errors["biases"] < 1e-6
    # as the solution says: with a 1x1 kernel the missing rotation cannot show
    errors = check_layer(BuggyConvolutional((2, 4, 5), 1, 3, rng=rng), rng.standard_normal((2, 4, 5)), rng=6)
    assert max(errors.values()) < 1e-6


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (BuggyConvolutional, "that is still the planted bug"),
        (variant(correlation, full_convolution, add=False), "X_j feeds every output map Y_i"),
        (
            variant(correlation, lambda g, k: signal.correlate2d(g, k[::-1, :], "full")),
            "flipped upside down only",
        ),
        (
            variant(correlation, lambda g, k: signal.correlate2d(g, k[:, ::-1], "full")),
            "flipped left to right only",
        ),
        (variant(correlation, lambda g, k: signal.convolve2d(g, k, "valid")), "valid mode shrinks"),
        (
            variant(correlation, lambda g, k: signal.convolve2d(g, k.T, "full")),
            "k.T swaps the kernel's rows and columns",
        ),
        (
            variant(correlation, lambda g, k: signal.correlate2d(g, k.T, "full")),
            "k.T swaps the kernel's rows and columns",
        ),
        (variant(lambda x, g: signal.convolve2d(x, g, "valid"), full_convolution), "not a convolution"),
        (
            variant(lambda x, g: signal.correlate2d(g, x, "valid"), full_convolution),
            "you swapped the arguments",
        ),
    ],
)
def test_fixed_layer_mistakes_get_their_hint(wrong, hint):
    result = check_fixed_layer(wrong)
    assert result.status == "failed" and hint in hint_of(result), result.message
    assert "check_layer on this case:" in result.message


def test_fixed_layer_names_the_wrong_gradient_and_the_failing_case():
    result = check_fixed_layer(BuggyConvolutional)
    assert "in dE/dX (input_gradient)" in result.message.splitlines()[0]
    assert "input" in result.message.split("check_layer on this case:")[1]
    x = result.case["args"][0]
    assert x.shape == (1, 3, 3)  # the smallest layer where the bug shows (the 1x1 kernel hides it)
    for name in ("x:", "kernels:", "biases:", "output_gradient:"):
        assert name in result.message


def test_fixed_layer_a_wrong_kernels_gradient_is_named_as_such():
    result = check_fixed_layer(variant(lambda x, g: signal.convolve2d(x, g, "valid"), full_convolution))
    assert "in dE/dK (the 'kernels' gradient)" in result.message.splitlines()[0]
    assert "the kernels gradient was right before" in hint_of(result)


def test_fixed_layer_a_summed_bias_gradient_gets_a_shape_hint():
    class SummedBias(Convolutional):
        def gradients(self, output_gradient):
            input_gradient, gradients = super().gradients(output_gradient)
            return input_gradient, {
                "kernels": gradients["kernels"],
                "biases": output_gradient.sum(axis=(1, 2)),
            }

    result = check_fixed_layer(SummedBias)
    assert result.status == "failed" and "the shape is wrong" in hint_of(result)


def test_fixed_layer_a_valid_mode_that_raises_gets_a_shape_hint():
    # valid correlation of dE/dY (2 x 3) with K (2 x 2): 1 x 2, which cannot be added into a 3 x 4 slice
    result = check_fixed_layer(variant(correlation, lambda g, k: signal.correlate2d(g, k, "valid")))
    assert result.status == "failed"
    assert "valid mode shrinks" in hint_of(result) or "a shape does not fit" in hint_of(result)


def test_fixed_layer_a_changed_forward_pass_is_caught_by_check_layer():
    class ForwardWithoutBias(Convolutional):  # gradients as cnnlib's, but they no longer match this forward
        def forward(self, x):
            return super().forward(x) * 2

    result = check_fixed_layer(ForwardWithoutBias)
    assert result.status == "failed" and "did you change forward?" in result.message


def test_fixed_layer_refuses_an_instance():
    with pytest.raises(TypeError, match="expected your class"):
        check_fixed_layer(Convolutional((1, 3, 3), 2, 1))


def test_the_layer_cases_are_awkward():
    shapes = [(x.shape, kernels.shape) for x, kernels, _, _ in LAYER_CASES]
    assert any(k[2] == 1 for _, k in shapes)  # a 1x1 kernel
    assert any(k[2] == x[1] == x[2] for x, k in shapes)  # a kernel as large as the input
    assert any(x[0] > 1 and k[0] > 1 for x, k in shapes)  # depth > 1 and several kernels
    assert any(x[1] != x[2] for x, _ in shapes)  # non-square
    for _, kernels, _, _ in LAYER_CASES:
        for kernel in kernels.reshape(-1, *kernels.shape[2:]):
            assert kernel.size == 1 or not np.array_equal(kernel, rotate180(kernel))
