"""Notebook 05's checkers: pass the notebook's own solutions, fail each plausible mistake with its hint."""

import warnings

import numpy as np
import pytest
from notebook_tools import load_solutions, unanswered
from scipy.special import expit

from cnnlib.activations import sigmoid_prime
from cnnlib.checks.sigmoid_bce import (
    BCE_CASES,
    COMBINED_CASES,
    RESHAPE_CASES,
    SIGMOID_CASES,
    check_bce_prime,
    check_reshape_backward,
    check_sigmoid_bce_gradient,
    check_sigmoid_prime,
)
from cnnlib.losses import binary_cross_entropy_prime

SOLUTIONS = load_solutions("05-reshape-sigmoid-bce.ipynb")
CHECKERS = [
    (check_sigmoid_prime, "my_sigmoid_prime", "sigmoid derivative"),
    (check_bce_prime, "my_bce_prime", "BCE derivative"),
    (check_reshape_backward, "my_reshape_backward", "Reshape backward"),
    (check_sigmoid_bce_gradient, "my_sigmoid_bce_gradient", "sigmoid + BCE gradient"),
]


@pytest.mark.parametrize("checker, solution, exercise", CHECKERS)
def test_the_notebooks_solution_passes(checker, solution, exercise):
    result = checker(SOLUTIONS[solution])
    assert (result.status, result.exercise) == ("passed", exercise), result
    assert "correct on all" in result.message


@pytest.mark.parametrize("checker, solution, exercise", CHECKERS)
def test_an_unanswered_stub_is_reported_not_raised(checker, solution, exercise):
    result = checker(unanswered)
    assert (result.status, result.exercise) == ("unanswered", exercise)
    assert "not answered yet" in repr(result)


@pytest.mark.parametrize("checker, solution, exercise", CHECKERS)
def test_a_non_function_is_refused(checker, solution, exercise):
    with pytest.raises(TypeError, match="expected your function"):
        checker(np.zeros(3))


def test_the_cases_hold_the_awkward_ones():
    extremes = np.concatenate([case[0].ravel() for case in SIGMOID_CASES])
    assert {-1000.0, -40.0, 40.0, 1000.0} <= set(extremes)
    predictions = np.concatenate([y.ravel() for _, y in BCE_CASES])
    assert {0.0, 1.0} <= set(predictions)  # exactly 0 and exactly 1
    pairs = {(t, p) for labels, y in BCE_CASES for t, p in zip(labels.ravel(), y.ravel())}
    assert {(1.0, 1.0), (1.0, 0.0), (0.0, 0.0), (0.0, 1.0)} <= pairs  # exact extremes, right and wrong
    assert any(len(np.unique(labels)) == 2 for labels, _ in BCE_CASES)  # labels 0 and 1 mixed
    assert (3380, 1) in [case[2] for case in RESHAPE_CASES] and (3, 4) in [case[2] for case in RESHAPE_CASES]
    inputs = np.concatenate([x.ravel() for _, x in COMBINED_CASES])
    assert {40.0, -40.0} <= set(inputs)


# --- exercise 1 ------------------------------------------------------------------------------


def stable(x):
    return expit(x)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: stable(x) * (1 + stable(x)), "that is s(1 + s)"),
        (lambda x: 1 - stable(x), "that is e^-x / (1 + e^-x) = 1 - s(x)"),
        (lambda x: x * (1 - x), "that is x(1 - x)"),
        (lambda x: stable(x), "that is s(x) itself"),
        (lambda x: 1 - stable(x) ** 2, "that is 1 - s^2, tanh's pattern"),
        (lambda x: stable(x) ** 2 * (1 - stable(x)), "that is s^2 (1 - s)"),
        (lambda x: (stable(x) * (1 - stable(x))).ravel(), "the shape is wrong"),
    ],
)
def test_sigmoid_prime_mistakes_fail_with_their_hint(wrong, hint):
    result = check_sigmoid_prime(wrong)
    assert result.status == "failed"
    assert f"hint: {hint}" in result.message


def test_a_naive_exp_with_right_values_fails_for_its_warning_without_letting_it_out():
    def naive(x):
        s = 1 / (1 + np.exp(-x))
        return s * (1 - s)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape from the checker
        result = check_sigmoid_prime(naive)
    assert result.status == "failed"
    assert "right values, but your function warned 'overflow encountered in exp'" in result.message
    assert "hint: np.exp overflows for large |x| on one side" in result.message
    assert -1000.0 in result.case["args"][0]


@pytest.mark.parametrize(
    "formula",
    [
        lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2,  # overflows at x = -1000
        lambda x: np.exp(x) / (1 + np.exp(x)) ** 2,  # the same derivative, overflowing at x = +1000
    ],
)
def test_the_derivative_written_with_exponentials_gives_nan_far_out_and_is_told_why(formula):
    result = check_sigmoid_prime(formula)
    assert result.status == "failed"
    assert np.isnan(result.case["got"]).any()
    assert "your function also warned: 'overflow encountered in exp'" in result.message
    assert "hint: np.exp overflows for large |x| on one side" in result.message
    # the case holds x = 40, where 'expected' shows 0 and the formula the true 4.2e-18: the note says so
    assert "note: 'expected' is s(1 - s) computed in float64" in result.message


def test_sigmoid_prime_accepts_another_right_formula():
    assert check_sigmoid_prime(lambda x: expit(x) * expit(-x))  # s(x) s(-x) = s (1 - s)


def test_the_exact_tiny_value_where_s_rounds_to_one_passes():
    def exact(x):  # e^-|x| / (1 + e^-|x|)^2: never overflows, and gives 4.2e-18 at x = 40, not float64's 0
        e = np.exp(-np.abs(x))
        return e / (1 + e) ** 2

    assert exact(np.array([40.0]))[0] > 0 and sigmoid_prime(40.0) == 0
    assert check_sigmoid_prime(exact).status == "passed"


def test_a_failure_away_from_the_rounding_has_no_note():
    result = check_sigmoid_prime(lambda x: expit(x) * (1 + expit(x)))
    assert result.status == "failed" and "note:" not in result.message


# --- exercise 2 ------------------------------------------------------------------------------


def clip(y):
    return np.clip(y, 1e-15, 1 - 1e-15)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda t, y: ((1 - t) / (1 - y) - t / y) / np.size(t), "the clip is missing"),
        (lambda t, y: (1 - t) / (1 - clip(y)) - t / clip(y), "the division by n is missing"),
        # both missing: the unclipped 1/0 shows first, on a single output
        (lambda t, y: (1 - t) / (1 - y) - t / y, "the clip is missing"),
        (lambda t, y: (t / clip(y) - (1 - t) / (1 - clip(y))) / np.size(t), "the sign is flipped"),
        (lambda t, y: -t / clip(y) / np.size(t), "the (1 - y*) term is missing"),
        (lambda t, y: (1 - t) / (1 - clip(y)) / np.size(t), "the y* term is missing"),
        (
            lambda t, y: -(t * np.log(clip(y)) + (1 - t) * np.log(1 - clip(y))) / np.size(t),
            "that is the loss",
        ),
        (lambda t, y: 2 * (y - t) / np.size(t), "that is the MSE's derivative"),
        (
            lambda t, y: ((1 - t) / (1 - clip(y)) - t / clip(y)) / len(t),
            "n is the number of elements (np.size), not len",
        ),
        (
            lambda t, y: (
                ((1 - t) / (1 - np.clip(y, 1e-7, 1 - 1e-7)) - t / np.clip(y, 1e-7, 1 - 1e-7)) / np.size(t)
            ),
            "the course clips at 1e-15 (cnnlib.losses.EPSILON",
        ),
        (lambda t, y: binary_cross_entropy_prime(t, y).ravel(), "the shape is wrong"),
    ],
)
def test_bce_prime_mistakes_fail_with_their_hint(wrong, hint):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an unclipped learner's division by zero is caught, not raised
        result = check_bce_prime(wrong)
    assert result.status == "failed"
    assert f"hint: {hint}" in result.message


def test_the_missing_clip_is_shown_on_an_exact_prediction_with_its_warning():
    result = check_bce_prime(lambda t, y: ((1 - t) / (1 - y) - t / y) / np.size(t))
    labels, predictions = result.case["args"]
    assert np.any((predictions == 0) | (predictions == 1))
    assert np.isinf(result.case["got"]).any()
    assert "your function also warned: 'divide by zero encountered in divide'" in result.message


def test_a_different_epsilon_fails_on_the_exact_predictions():
    result = check_bce_prime(
        lambda t, y: (
            ((1 - t) / (1 - np.clip(y, 1e-12, 1 - 1e-12)) - t / np.clip(y, 1e-12, 1 - 1e-12)) / np.size(t)
        )
    )
    assert result.status == "failed"
    assert np.any((result.case["args"][1] == 0) | (result.case["args"][1] == 1))


# --- exercise 3 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda g, i, o: g, "that is the gradient in the layer's output shape"),
        (lambda g, i, o: np.reshape(g, o), "that is the gradient in the layer's output shape"),
        (lambda g, i, o: np.reshape(g, i, order="F"), "you reshaped in column-major (Fortran) order"),
        (lambda g, i, o: np.reshape(g, i[::-1]).T, "you reshaped in column-major (Fortran) order"),
        (lambda g, i, o: np.ravel(g), "the shape is wrong: expected (1, 2, 3), got (6,)"),
    ],
)
def test_reshape_backward_mistakes_fail_with_their_hint(wrong, hint):
    result = check_reshape_backward(wrong)
    assert result.status == "failed"
    assert f"hint: {hint}" in result.message


def test_reshape_backward_into_an_array_of_integers_fails_with_its_hint():
    def into_integers(g, i, o):
        output = np.zeros(i, dtype=int)
        output[...] = np.reshape(g, i)
        return output

    result = check_reshape_backward(into_integers)
    assert result.status == "failed" and "hint: your output holds whole numbers only" in result.message


def test_reshape_backward_arithmetic_is_wrong():
    result = check_reshape_backward(lambda g, i, o: np.reshape(g, i) / g.size)
    assert result.status == "failed" and "hint" not in result.message


# --- exercise 4 ------------------------------------------------------------------------------


def original_product(t, x):
    return binary_cross_entropy_prime(t, expit(x)) * sigmoid_prime(x)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (original_product, "that is the original code's way"),
        (lambda t, x: (t - expit(x)) / np.size(t), "the sign is flipped"),
        (lambda t, x: expit(x) - t, "the division by n is missing"),
        (lambda t, x: (expit(x) - t) / len(t), "n is the number of elements (np.size), not len"),
        (lambda t, x: (x - t) / np.size(t), "use the prediction y = s(x), not x itself"),
        (lambda t, x: sigmoid_prime(x) * (expit(x) - t) / np.size(t), "there is an extra factor s'(x)"),
    ],
)
def test_sigmoid_bce_gradient_mistakes_fail_with_their_hint(wrong, hint):
    result = check_sigmoid_bce_gradient(wrong)
    assert result.status == "failed"
    assert f"hint: {hint}" in result.message


def test_the_original_product_fails_only_on_a_confident_wrong_answer():
    result = check_sigmoid_bce_gradient(original_product)
    labels, inputs = result.case["args"]
    assert labels.item() == 0 and inputs.item() == 40.0
    assert result.case["got"].item() == 0.0 and result.case["expected"].item() == 1.0
