"""Notebook 00's checkers: pass the notebook's own solutions, fail each plausible mistake with its hint."""

import numpy as np
import pytest
from notebook_tools import load_solutions, unanswered

from cnnlib.checks.xor import check_dense_gradients, check_mse_prime, check_tanh_prime

SOLUTIONS = load_solutions("00-neural-network-from-scratch-xor.ipynb")


@pytest.mark.parametrize(
    "checker, solution",
    [
        (check_dense_gradients, "my_dense_gradients"),
        (check_mse_prime, "my_mse_prime"),
        (check_tanh_prime, "my_tanh_prime"),
    ],
)
def test_the_notebooks_solution_passes(checker, solution):
    result = checker(SOLUTIONS[solution])
    assert result.status == "passed", result
    assert "correct on all" in result.message


@pytest.mark.parametrize(
    "checker, exercise",
    [
        (check_dense_gradients, "Dense gradients"),
        (check_mse_prime, "MSE derivative"),
        (check_tanh_prime, "tanh derivative"),
    ],
)
def test_an_unanswered_stub_is_reported_not_raised(checker, exercise):
    result = checker(unanswered)
    assert (result.status, result.exercise) == ("unanswered", exercise)
    assert "not answered yet" in repr(result)


@pytest.mark.parametrize(
    "wrong, part, hint",
    [
        (
            lambda w, x, g: (w.T @ g, x @ g.T),
            "in dE/dW (weights_gradient",
            "that is X dE/dY^T, the transpose",
        ),
        (
            lambda w, x, g: (w.T @ g, g.T @ x),
            "in dE/dW (weights_gradient",
            "that is dE/dY^T X, a dot product",
        ),
        (
            lambda w, x, g: (w.T @ g, g @ w),
            "in dE/dW (weights_gradient",
            "dE/dw_ji = dE/dy_j x_i involves the input x",
        ),
        (lambda w, x, g: (w @ g, g @ x.T), "in dE/dX (input_gradient", "that is W dE/dY"),
        (
            lambda w, x, g: ((w.T @ g).T, g @ x.T),
            "in dE/dX (input_gradient",
            "dE/dX is a column like X (i, 1), you returned a row",
        ),
        (
            lambda w, x, g: (g @ x.T, w.T @ g),
            "in dE/dX (input_gradient",
            "your first value is the weights gradient",
        ),
        (
            lambda w, x, g: (w.T @ g, g * x.T + 1),
            "in dE/dW (weights_gradient",
            None,
        ),  # a wrong answer no hint names
    ],
)
def test_dense_gradient_mistakes_fail_with_their_hint(wrong, part, hint):
    result = check_dense_gradients(wrong)
    assert result.status == "failed"
    assert part in result.message.splitlines()[0]  # the first line names the wrong value
    if hint is None:
        assert "hint" not in result.message
    else:
        assert f"hint: {hint}" in result.message


def test_a_transpose_is_first_caught_on_a_square_layer_by_its_values():
    result = check_dense_gradients(lambda w, x, g: (w @ g, g @ x.T))
    assert result.case["args"][0].shape == (2, 2)  # 1x1 passes; 2x2 runs and gives the wrong numbers


def test_a_function_that_raises_is_reported_with_the_error():
    # W dE/dY and X dE/dY^T both run on square layers; here the shapes clash at once on a 1x4 layer
    result = check_dense_gradients(lambda w, x, g: (w.T @ g, x @ g))
    assert (result.status, result.exercise) == ("failed", "Dense gradients")
    assert "raised ValueError" in result.message


def test_anything_but_a_pair_is_refused_clearly():
    result = check_dense_gradients(lambda w, x, g: w.T @ g)
    assert result.status == "failed"
    assert "ndarray instead of 2 values: dE/dX (input_gradient" in result.message


def test_the_failing_case_is_labelled_with_the_learners_own_names():
    def dense_gradients(weights, x, output_gradient):
        return weights.T @ output_gradient, x @ output_gradient.T  # dE/dW transposed

    result = check_dense_gradients(dense_gradients)
    assert result.status == "failed"
    assert all(f"  {name}:" in result.message for name in ("weights", "x", "output_gradient"))
    assert "args" not in result.message and "argument 2" not in result.message
    assert "in dE/dW (weights_gradient, the second value returned)" in result.message


def test_dense_gradients_refuse_a_non_function():
    with pytest.raises(TypeError, match="expected your function"):
        check_dense_gradients(np.zeros(3))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda t, p: (p - t) / np.size(t), "the factor 2 is missing"),
        (lambda t, p: 2 * (p - t), "the division by n is missing"),
        # both missing: on the 1x1 case that is the missing 2; fixed, the missing 1/n shows on the next
        (lambda t, p: p - t, "the factor 2 is missing"),
        (lambda t, p: 2 * (t - p) / np.size(t), "the sign is flipped"),
        (lambda t, p: (t - p) ** 2 / np.size(t), "that is the loss term by term"),
        (lambda t, p: np.mean(2 * (p - t)), "the shape is wrong"),
        (
            lambda t, p: 2 * (p - t) / len(t),
            "len counts rows; use np.size",
        ),  # right on columns, wrong on (2, 3)
    ],
)
def test_mse_prime_mistakes_fail_with_their_hint(wrong, hint):
    result = check_mse_prime(wrong)
    assert result.status == "failed"
    assert f"hint: {hint}" in result.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: 1 - np.tanh(x), "that is 1 - tanh(x):"),
        (lambda x: np.tanh(x) ** 2, "that is tanh(x)^2"),
        (lambda x: 1 - x**2, "that is 1 - x^2"),
        (lambda x: 1 - np.tanh(x**2), "that is 1 - tanh(x^2)"),
        (lambda x: 1 / np.cosh(x), "that is 1 / cosh(x)"),
        (lambda x: np.tanh(x), "that is tanh(x) itself"),
        (lambda x: 1 - np.tanh(x).ravel() ** 2, "the shape is wrong"),
    ],
)
def test_tanh_prime_mistakes_fail_with_their_hint(wrong, hint):
    result = check_tanh_prime(wrong)
    assert result.status == "failed"
    assert f"hint: {hint}" in result.message


def test_a_caret_for_a_power_raises_and_gets_a_hint():
    result = check_tanh_prime(lambda x: 1 - np.tanh(x) ^ 2)
    assert result.status == "failed" and "raised TypeError" in result.message
    assert "hint: `^` is XOR in Python" in result.message and "use `**`" in result.message


def test_another_error_gets_no_caret_hint():
    result = check_tanh_prime(lambda x: 1 - np.tanh(x) @ 2)
    assert result.status == "failed" and "raised" in result.message and "XOR" not in result.message


def test_sech_squared_is_a_right_answer_too():
    assert check_tanh_prime(lambda x: 1 / np.cosh(x) ** 2)
