"""Metrics: a hand-counted example, the checker's reference of notebook 06, and clear errors."""

import numpy as np
import pytest

from cnnlib.checks.mnist import OUTPUT_CASES, reference_confusion_matrix
from cnnlib.metrics import accuracy, confident_mistakes, confusion_matrix


def test_a_small_example_counted_by_hand():
    true = np.array([0, 0, 1, 1, 2, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0, 2])
    # class 0: one right, one read as 1; class 1: both right; class 2: two right, one read as 0
    np.testing.assert_array_equal(confusion_matrix(true, predicted, 3), [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert accuracy(true, predicted) == pytest.approx(5 / 7)


def test_a_class_never_seen_keeps_its_row_and_column():
    np.testing.assert_array_equal(confusion_matrix([1, 1], [1, 1], 3), [[0, 0, 0], [0, 2, 0], [0, 0, 0]])


@pytest.mark.parametrize("outputs, labels", OUTPUT_CASES)
def test_the_matrix_agrees_with_the_checkers_reference_and_with_the_accuracy(outputs, labels):
    true, predicted = labels[:, :, 0].argmax(axis=1), outputs[:, :, 0].argmax(axis=1)
    matrix = confusion_matrix(true, predicted, labels.shape[1])
    np.testing.assert_array_equal(matrix, reference_confusion_matrix(outputs, labels))
    assert matrix.sum() == len(true) and np.trace(matrix) / len(true) == accuracy(true, predicted)


@pytest.mark.parametrize(
    "true, predicted, message",
    [
        ([0, 1], [0, 1, 1], r"shape \(N,\), got \(2,\) and \(3,\)"),
        ([[0, 1]], [[0, 1]], r"shape \(N,\)"),
        ([0.0, 1.0], [0, 1], "true_classes must hold class numbers"),
        ([0, 1], [0, 2], r"predicted_classes must lie in \[0, 2\), got 0 to 2"),
    ],
)
def test_bad_class_arrays_get_a_clear_error(true, predicted, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(true, predicted, 2)


def test_confident_mistakes_are_the_wrong_answers_most_probable_first():
    probabilities = np.array(
        [
            [0.9, 0.1, 0.0],  # right (class 0)
            [0.2, 0.7, 0.1],  # wrong: 1 for a 0, at 0.7
            [0.1, 0.1, 0.8],  # wrong: 2 for a 1, at 0.8
            [0.5, 0.4, 0.1],  # wrong: 0 for a 2, at 0.5
            [0.0, 0.95, 0.05],  # right (class 1), the most confident of all: never a mistake
        ]
    )
    labels = np.array([0, 0, 1, 2, 1])
    np.testing.assert_array_equal(confident_mistakes(probabilities, labels, 2), [2, 1])
    np.testing.assert_array_equal(confident_mistakes(probabilities, labels, 10), [2, 1, 3])
    assert confident_mistakes(probabilities[[0, 4]], labels[[0, 4]], 3).size == 0


def test_confident_mistakes_refuses_what_is_not_probabilities_and_classes():
    with pytest.raises(ValueError, match=r"expected probabilities of shape \(N, classes\)"):
        confident_mistakes(np.zeros(3), np.zeros(3, int), 1)
    with pytest.raises(ValueError, match="true_classes must lie in"):
        confident_mistakes(np.eye(3), np.array([0, 1, 5]), 1)
