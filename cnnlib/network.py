"""A network is a list of layers: ``predict`` runs them forward, ``train`` runs the original SGD loop."""

from collections.abc import Callable, Sequence

import numpy as np

from cnnlib.layers import Layer


def predict(network: Sequence[Layer], x: np.ndarray) -> np.ndarray:
    """Pass one sample through every layer in turn and return the last output."""
    output = x
    for layer in network:
        output = layer.forward(output)
    return output


def train(
    network: Sequence[Layer],
    loss: Callable,
    loss_prime: Callable,
    x_train: np.ndarray,
    y_train: np.ndarray,
    epochs: int = 1000,
    learning_rate: float = 0.01,
    verbose: bool = False,
    on_epoch_end: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Stochastic gradient descent, one sample at a time, in the order given (as in the original code).

    x_train: (N, *input shape); y_train: (N, *output shape).
    on_epoch_end(epoch, error) is called after each epoch (epochs count from 1), e.g. to draw
    a live loss curve. Returns the mean loss of each epoch.
    """
    if len(x_train) != len(y_train):
        raise ValueError(
            f"x_train and y_train must hold as many samples: got {len(x_train)} and {len(y_train)}"
        )
    errors = []
    for epoch in range(1, epochs + 1):
        error = 0.0
        for x, y in zip(x_train, y_train):
            output = predict(network, x)
            error += loss(y, output)
            gradient = loss_prime(y, output)
            for layer in reversed(network):
                gradient = layer.backward(gradient, learning_rate)
        error /= len(x_train)
        errors.append(error)
        if verbose:
            print(f"{epoch}/{epochs}, error={error:.6f}")
        if on_epoch_end is not None:
            on_epoch_end(epoch, error)
    return errors
