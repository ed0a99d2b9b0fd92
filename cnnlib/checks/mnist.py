"""Checkers for notebook 06: one-hot labels (the original code's preprocessing) and a confusion matrix.

Labels come with classes in any order (a label's row is its position in ``classes``, not the
digit itself) and with three classes; outputs come with both sigmoid outputs above 0.5, or both
below, where reading "output 1 > 0.5" is not the same as taking the largest output; and with
repeated (true, predicted) pairs, which ``matrix[true, predicted] += 1`` would count once.
"""

import numpy as np

from cnnlib.checks import Exercise, Mistake
from cnnlib.datasets import one_hot
from cnnlib.metrics import confusion_matrix

_rng = np.random.default_rng(6)
ONE_HOT_CASES = [(np.array([1]), (0, 1)), (np.array([0, 1, 1, 0, 1]), (0, 1))] + [
    (_rng.permutation(np.concatenate([classes, _rng.choice(classes, n - len(classes))])), classes)
    for classes, n in [((3, 7), 6), ((0, 1, 2), 5), ((7, 3), 4), ((2, 5, 9), 7)]  # each class at least once
]
ONE_HOT_MISTAKES = [
    Mistake(
        "each label must be a column, shape (classes, 1), like the network's output: the result has "
        "shape (N, classes, 1); add the last axis (e.g. with [:, :, np.newaxis]).",
        lambda labels, classes: one_hot(labels, classes)[:, :, 0],
    ),
    Mistake(
        "each label is a row (1, classes) here; the network's output is a column (classes, 1), and the "
        "label must match it: shape (N, classes, 1).",
        lambda labels, classes: one_hot(labels, classes).transpose(0, 2, 1),
    ),
    Mistake(
        "that is one row per digit 0 to 9; here a label's 1 goes in the row of its position in `classes` "
        "(with classes (3, 7), a 7 is [[0], [1]]), so there are len(classes) rows.",
        lambda labels, classes: np.eye(10)[labels][:, :, np.newaxis],
    ),
    Mistake(
        "that puts the 1 in the row of the digit's rank among the classes; it belongs in the row of its "
        "position in `classes`, in the order given (with classes (7, 3), a 7 goes in row 0).",
        lambda labels, classes: one_hot(labels, sorted(classes)),
    ),
    Mistake(  # np.eye(2)[7] raises
        "the row is the label's position in classes (classes.index(label)), not the digit itself: "
        "with classes (7, 3) there are two rows, and a 7 goes in row 0. Indexing with the digit "
        "(np.eye(len(classes))[labels]) only works when the classes are 0, 1, 2, ... in order.",
        raises=IndexError,
    ),
]
# learner(labels, classes) -> one-hot columns (N, len(classes), 1) as cnnlib.datasets.one_hot: label y's 1 in
# row classes.index(y)
check_one_hot = Exercise("one-hot labels", one_hot, ONE_HOT_CASES, ONE_HOT_MISTAKES)


def reference_confusion_matrix(outputs, labels):
    """cnnlib.metrics.confusion_matrix of the classes in notebook 06's one-hot arrays: (N, C, 1) -> (C, C)."""
    return confusion_matrix(labels[:, :, 0].argmax(axis=1), outputs[:, :, 0].argmax(axis=1), labels.shape[1])


_rng = np.random.default_rng(6)
# one wrong prediction first, so that a transposed matrix shows at once; random ones, every class present;
# two outputs both above 0.5 or both below, where the largest decides, not "output 1 > 0.5"
OUTPUT_CASES = [(np.array([[[0.2], [0.7]]]), np.array([[[1.0], [0.0]]]))]
for _classes, _n in ((2, 4), (2, 9), (3, 6), (2, 12), (4, 10)):
    _true = np.concatenate([np.arange(_classes), _rng.integers(0, _classes, _n - _classes)])
    OUTPUT_CASES.append((_rng.uniform(0, 1, (_n, _classes, 1)), np.eye(_classes)[_true][:, :, np.newaxis]))
_outputs = np.array([[0.9, 0.6], [0.3, 0.1], [0.6, 0.8], [0.2, 0.4], [0.95, 0.02]])[:, :, np.newaxis]
OUTPUT_CASES.append((_outputs, np.eye(2)[[0, 0, 1, 1, 1]][:, :, np.newaxis]))
CONFUSION_MISTAKES = [
    Mistake(
        "your matrix is transposed: rows are the true class (from the labels), columns the predicted one "
        "(from the outputs), so a zero read as a one counts in matrix[0, 1].",
        lambda outputs, labels: reference_confusion_matrix(outputs, labels).T,
    ),
    Mistake(
        "count the samples, whole numbers: do not divide by N (the accuracy is the diagonal's sum over N).",
        lambda outputs, labels: reference_confusion_matrix(outputs, labels) / len(outputs),
    ),
    Mistake(
        "every pair that occurs counts once, however often it occurs: with arrays as indices, "
        "matrix[true, predicted] += 1 adds 1 once per distinct pair (NumPy reads all the entries, then "
        "writes them back). Use np.add.at(matrix, (true, predicted), 1), or a loop over the samples.",
        lambda outputs, labels: (reference_confusion_matrix(outputs, labels) > 0).astype(int),
    ),
    Mistake(  # with two outputs only
        "the predicted class is the largest output (argmax over the classes), not 'output 1 > 0.5': "
        "two sigmoid outputs can both be above 0.5, or both below.",
        lambda outputs, labels: confusion_matrix(
            labels[:, :, 0].argmax(axis=1), 1 * (outputs[:, 1, 0] > 0.5), 2
        ),
    ),
    Mistake(
        "the predicted class comes from the outputs, the true class from the labels; yours has every "
        "sample on the diagonal, as if the network were never wrong.",
        lambda outputs, labels: reference_confusion_matrix(labels, labels),
    ),
]
# learner(outputs, labels) -> the (C, C) confusion matrix: [true class, predicted class]
check_confusion_matrix = Exercise(
    "confusion matrix", reference_confusion_matrix, OUTPUT_CASES, CONFUSION_MISTAKES
)
