"""Notebook 06's checkers: the notebook's own solutions pass; plausible mistakes fail with their hint."""

import numpy as np
import pytest
from notebook_tools import hint_of, load_solutions, unanswered

from cnnlib.checks.mnist import (
    OUTPUT_CASES,
    check_confusion_matrix,
    check_one_hot,
)
from cnnlib.checks.mnist import reference_confusion_matrix as confusion_matrix
from cnnlib.datasets import one_hot

SOLUTIONS = load_solutions("06-mnist-zeros-and-ones.ipynb")


@pytest.mark.parametrize(
    "check, name, exercise",
    [
        (check_one_hot, "my_one_hot", "one-hot labels"),
        (check_confusion_matrix, "my_confusion_matrix", "confusion matrix"),
    ],
)
def test_the_notebook_solution_passes_and_the_stub_is_unanswered(check, name, exercise):
    result = check(SOLUTIONS[name])
    assert result.status == "passed" and bool(result), result
    assert "correct on all" in result.message
    stub = check(unanswered)
    assert (stub.status, stub.exercise) == ("unanswered", exercise) and "not answered yet" in repr(stub)


def test_other_right_answers_pass_too():
    assert check_one_hot(
        lambda labels, classes: (labels[:, None] == np.array(classes)[None, :])[:, :, None] * 1.0
    )
    assert check_confusion_matrix(
        lambda o, y: np.array(
            [
                [np.sum((y[:, i, 0] == 1) & (o[:, :, 0].argmax(axis=1) == j)) for j in range(y.shape[1])]
                for i in range(y.shape[1])
            ]
        )
    )


def test_the_reference_counts_true_rows_and_predicted_columns():
    outputs = np.array([[0.9, 0.1], [0.2, 0.7], [0.6, 0.3], [0.1, 0.8]])[:, :, None]
    labels = np.eye(2)[[0, 0, 1, 1]][:, :, None]
    # image 1 is a 0 read as a 1, image 2 a 1 read as a 0
    np.testing.assert_array_equal(confusion_matrix(outputs, labels), [[1, 1], [1, 1]])
    np.testing.assert_array_equal(confusion_matrix(outputs[:2], labels[:2]), [[1, 1], [0, 0]])


def test_the_cases_include_two_outputs_both_above_or_both_below_one_half():
    two = [outputs[:, :, 0] for outputs, _ in OUTPUT_CASES if outputs.shape[1] == 2]
    both_high = any(np.any((o > 0.5).all(axis=1)) for o in two)
    both_low = any(np.any((o < 0.5).all(axis=1)) for o in two)
    assert both_high and both_low


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda labels, classes: one_hot(labels, classes)[:, :, 0], "each label must be a column"),
        (
            lambda labels, classes: one_hot(labels, classes).transpose(0, 2, 1),
            "each label is a row (1, classes) here",
        ),
        (lambda labels, classes: np.eye(10)[labels][:, :, np.newaxis], "that is one row per digit 0 to 9"),
        (lambda labels, classes: one_hot(labels, sorted(classes)), "in the order given"),
        (
            lambda labels, classes: one_hot(labels, classes).astype(int) * 2,
            None,
        ),  # wrong, and no hint knows it
    ],
)
def test_one_hot_mistakes_fail_with_their_hint(wrong, hint):
    result = check_one_hot(wrong)
    assert result.status == "failed", result
    if hint is None:
        assert hint_of(result) == ""
    else:
        assert hint in hint_of(result), result


@pytest.mark.parametrize(
    "wrong",
    [
        lambda labels, classes: np.eye(2)[labels][:, :, np.newaxis],
        lambda labels, classes: np.eye(len(classes))[labels][:, :, np.newaxis],
    ],
)
def test_a_one_hot_indexed_by_the_digit_fails_on_other_digits_with_a_hint(wrong):
    result = check_one_hot(wrong)
    assert result.status == "failed" and "raised IndexError" in result.message
    assert result.case["args"][1] == (7, 3)  # the smallest case whose digits are not rows
    assert "the row is the label's position in classes (classes.index(label))" in hint_of(result)


def test_another_error_gets_no_digit_hint():
    result = check_one_hot(lambda labels, classes: labels.reshape(3, 3))
    assert result.status == "failed" and "raised ValueError" in result.message and hint_of(result) == ""


def fancy_index_count(outputs, labels):
    true, predicted = labels[:, :, 0].argmax(axis=1), outputs[:, :, 0].argmax(axis=1)
    matrix = np.zeros((labels.shape[1],) * 2, dtype=int)
    matrix[true, predicted] += 1  # a repeated (true, predicted) pair is counted once
    return matrix


def _threshold_answer(o, y):
    # predicted "one" when output 1 > 0.5: right only when the two outputs fall on either side of 0.5
    fake = np.stack([o[:, 1] <= 0.5, o[:, 1] > 0.5], axis=1).astype(float)
    return confusion_matrix(fake, y)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda o, y: confusion_matrix(o, y).T, "your matrix is transposed"),
        (lambda o, y: confusion_matrix(y, o), "your matrix is transposed"),  # outputs and labels swapped
        (lambda o, y: confusion_matrix(o, y) / len(o), "do not divide by N"),
        (fancy_index_count, "Use np.add.at(matrix, (true, predicted), 1), or a loop"),
        (_threshold_answer, "not 'output 1 > 0.5'"),
        (lambda o, y: confusion_matrix(y, y), "every sample on the diagonal"),
        (lambda o, y: confusion_matrix(o, y).ravel(), "the shape is wrong"),
    ],
)
def test_confusion_matrix_mistakes_fail_with_their_hint(wrong, hint):
    result = check_confusion_matrix(wrong)
    assert result.status == "failed", result
    assert hint in hint_of(result), result


def test_a_transposed_matrix_is_caught_on_the_smallest_case():
    result = check_confusion_matrix(lambda o, y: confusion_matrix(o, y).T)
    assert (
        len(result.case["args"][0]) == 1
    )  # one image, read wrongly: [[0, 1], [0, 0]] against [[0, 0], [1, 0]]


@pytest.mark.parametrize("check", [check_one_hot, check_confusion_matrix])
def test_checkers_refuse_a_non_function(check):
    with pytest.raises(TypeError, match="expected your function"):
        check(np.zeros(3))
