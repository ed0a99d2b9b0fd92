"""Losses for a batch, each returning the mean loss and its gradient with respect to the network's output.

Softmax and cross-entropy are fused: the gradient of the pair is simply ``(softmax - one_hot) / N``,
and the softmax is computed after subtracting each row's largest logit, so e^z never overflows.
"""

import numpy as np

from cnnlib.losses import EPSILON


def softmax(logits: np.ndarray) -> np.ndarray:
    """Each row's probabilities: e^z / sum(e^z), with the row's largest z subtracted first (no overflow)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean of -log softmax(z)[label] over the batch, and dE/dz.

    logits: (N, classes), any real numbers; labels: (N,) class indices.
    """
    labels = _check_labels(logits, labels)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    gradient = np.exp(log_probabilities)
    gradient[rows, labels] -= 1
    return float(-log_probabilities[rows, labels].mean()), gradient / len(labels)


def binary_cross_entropy(probabilities: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """-mean(t log p + (1 - t) log(1 - p)) over the outputs (p clipped as in cnnlib.losses), and dE/dp.

    probabilities, targets: (N, outputs), targets 0 or 1 (the plain tier's one-hot columns, as rows).
    """
    if probabilities.shape != np.shape(targets):
        raise ValueError(
            f"targets must have the shape of the predictions {probabilities.shape}, got {np.shape(targets)}"
        )
    p = np.clip(probabilities.astype(np.float64), EPSILON, 1 - EPSILON)
    loss = -np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p))
    gradient = ((1 - targets) / (1 - p) - targets / p) / p.size
    return float(loss), gradient.astype(probabilities.dtype)


def _check_labels(logits, labels):
    labels = np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (len(logits),):
        raise ValueError(
            f"expected logits (N, classes) and labels (N,), got {logits.shape} and {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= logits.shape[1]:
        raise ValueError(
            f"labels must be class indices from 0 to {logits.shape[1] - 1}, got {labels.dtype} {labels[:5]}"
        )
    return labels
