"""How good a classifier's answers are: the accuracy, the confusion matrix, the most confident mistakes.

They take integer class arrays, so a one-sample-at-a-time notebook and a batched one call them
alike: ``labels.argmax(axis=1)`` for the true classes, ``outputs.argmax(axis=1)`` for the predicted.
"""

import numpy as np


def accuracy(true_classes, predicted_classes) -> float:
    """The fraction of samples whose predicted class is the true one: (N,) and (N,) -> a number in [0, 1]."""
    true_classes, predicted_classes = _check_classes(true_classes, predicted_classes)
    return float(np.mean(true_classes == predicted_classes))


def confusion_matrix(true_classes, predicted_classes, classes: int) -> np.ndarray:
    """Entry [i, j] counts the samples of true class i predicted as class j: the right ones on the diagonal.

    true_classes, predicted_classes: (N,) integers in [0, classes). Returns (classes, classes) integers.
    """
    true_classes, predicted_classes = _check_classes(true_classes, predicted_classes, classes)
    matrix = np.zeros((classes, classes), dtype=int)
    np.add.at(matrix, (true_classes, predicted_classes), 1)  # `matrix[t, p] += 1` counts a repeated pair once
    return matrix


def _check_classes(true_classes, predicted_classes, classes=None):
    true_classes, predicted_classes = np.asarray(true_classes), np.asarray(predicted_classes)
    if true_classes.ndim != 1 or true_classes.shape != predicted_classes.shape:
        raise ValueError(
            f"expected two class arrays of shape (N,), got {true_classes.shape} and {predicted_classes.shape}"
        )
    for name, values in (("true_classes", true_classes), ("predicted_classes", predicted_classes)):
        if values.size and not np.issubdtype(values.dtype, np.integer):
            raise ValueError(f"{name} must hold class numbers (integers), got dtype {values.dtype}")
        if classes is not None and values.size and not 0 <= values.min() <= values.max() < classes:
            raise ValueError(f"{name} must lie in [0, {classes}), got {values.min()} to {values.max()}")
    return true_classes, predicted_classes


def confident_mistakes(probabilities, true_classes, count: int) -> np.ndarray:
    """The indices of the ``count`` wrong answers given with the highest probability, most confident first.

    probabilities: (N, classes), each row a softmax; true_classes: (N,) integers. The answer is each
    row's most probable class; fewer than ``count`` indices come back when there are fewer mistakes.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(f"expected probabilities of shape (N, classes), got {probabilities.shape}")
    answers = probabilities.argmax(axis=1)
    true_classes, answers = _check_classes(true_classes, answers, probabilities.shape[1])
    wrong = np.flatnonzero(answers != true_classes)
    confidence = probabilities[wrong, answers[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")[:count]]
