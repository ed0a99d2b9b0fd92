"""A network of batched layers: forward, backward, mini-batch training, evaluation, saving.

``fit`` shuffles the training set each epoch (from a seeded generator, so a run repeats), steps the
optimiser once per mini-batch, shows a progress bar, and returns a history with a row per epoch.
Parameters are saved to ``.npz`` without pickle; a file of another network or format is refused.
"""

import time
from collections.abc import Callable, Sequence

import numpy as np
from tqdm.auto import tqdm

FORMAT = "cnnlib.fast network parameters, version 1"


class Network:
    """Layers run in order on a batch; ``backward`` hands dE/dY from the last layer to the first."""

    def __init__(self, layers):
        self.layers = list(layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, output_gradient: np.ndarray) -> None:
        for index in range(len(self.layers) - 1, -1, -1):  # the first layer's dE/dX is never used
            output_gradient = self.layers[index].backward(output_gradient, input_gradient=index > 0)

    def parameters(self) -> dict[str, np.ndarray]:
        """Every parameter by a name that says where it lives: "0.kernels", "5.weights", ..."""
        return {
            f"{i}.{name}": p for i, layer in enumerate(self.layers) for name, p in layer.parameters.items()
        }

    def gradient_pairs(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(parameter, its gradient from the last ``backward``), in a fixed order, for an optimiser."""
        return [(p, layer.gradients[name]) for layer in self.layers for name, p in layer.parameters.items()]

    def predict(self, x: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """The outputs for every sample, computed ``batch_size`` at a time to bound the memory."""
        return np.concatenate(
            [self.forward(x[start : start + batch_size]) for start in range(0, len(x), batch_size)]
        )

    def describe(self) -> str:
        """The layers and their parameters' shapes: what a saved file must match to be loaded."""
        return " | ".join(
            type(layer).__name__ + "".join(f" {name}{p.shape}" for name, p in layer.parameters.items())
            for layer in self.layers
        )

    def save(self, path) -> None:
        np.savez(path, format=np.array(FORMAT), network=np.array(self.describe()), **self.parameters())

    def load(self, path) -> None:
        """Set every parameter from a file written by ``save`` for a network of the same layers."""
        try:
            with np.load(path, allow_pickle=False) as data:
                stored = {name: data[name] for name in data.files}
        except (OSError, ValueError) as error:
            raise ValueError(f"{path} is not a parameter file written by Network.save: {error}") from None
        if str(stored.get("format")) != FORMAT:
            raise ValueError(f"{path} is not a parameter file written by Network.save (no {FORMAT!r} in it)")
        if str(stored["network"]) != self.describe():
            raise ValueError(
                f"{path} holds the parameters of another network:\n  in the file: {stored['network']}\n"
                f"  this network: {self.describe()}"
            )
        for name, parameter in self.parameters().items():
            parameter[...] = stored[name]


def fit(
    network: Network,
    loss: Callable,
    x: np.ndarray,
    y: np.ndarray,
    optimizer,
    epochs: int = 1,
    batch_size: int = 64,
    rng=None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    on_epoch_end: Callable[[int, float], None] | None = None,
    progress: bool = True,
    learning_rates: Sequence[float] | None = None,
    augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
) -> list[dict]:
    """Mini-batch training: for each batch, forward, ``loss(outputs, targets) -> (E, dE/dY)``, backward, step.

    x: (N, ...) samples; y: (N,) class indices or (N, outputs) targets, as ``loss`` takes them.
    Returns a row per epoch: its mean training loss and accuracy, the validation loss and accuracy
    (when ``validation`` is given) and the seconds it took. ``on_epoch_end(epoch, loss)`` (epochs
    from 1) may draw a live curve.
    learning_rates: one per epoch, given to the optimiser as the epoch starts (large steps first to
    get near a good place fast, small ones last to settle in it). augment(batch, rng): changes each
    training batch before it is used (e.g. cnnlib.augmentation.shift_randomly), drawing from fit's
    generator, so that a run still repeats for its ``rng``.
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must hold as many samples: got {len(x)} and {len(y)}")
    if learning_rates is not None and len(learning_rates) != epochs:
        raise ValueError(f"learning_rates: expected one per epoch ({epochs}), got {len(learning_rates)}")
    rng = np.random.default_rng(rng)
    history = []
    for epoch in range(1, epochs + 1):
        if learning_rates is not None:
            optimizer.learning_rate = learning_rates[epoch - 1]
        started, order = time.perf_counter(), rng.permutation(len(x))
        losses, right = [], 0
        batches = range(0, len(x), batch_size)
        # The bar redraws at most 20 times an epoch and once a second, however slow the machine: each
        # redraw sends widget messages, and a client that reads them only once the cell is done (nbval)
        # loses those beyond ZMQ's buffers of about a thousand, the cell's end included.
        bar = tqdm(
            batches,
            desc=f"epoch {epoch}/{epochs}",
            leave=False,
            disable=not progress,
            miniters=max(1, len(batches) // 20),
            mininterval=1.0,
        )
        for start in bar:
            chosen = order[start : start + batch_size]
            outputs = network.forward(x[chosen] if augment is None else augment(x[chosen], rng))
            value, gradient = loss(outputs, y[chosen])
            network.backward(gradient)
            optimizer.step(network.gradient_pairs())
            losses.append(value * len(chosen))
            right += int(np.sum(_classes(outputs) == _classes(y[chosen])))
        row = {"epoch": epoch, "loss": sum(losses) / len(x), "accuracy": right / len(x)}
        if validation is not None:
            row["validation_loss"], row["validation_accuracy"] = evaluate(network, loss, *validation)
        row["seconds"] = time.perf_counter() - started
        history.append(row)
        if on_epoch_end is not None:
            on_epoch_end(epoch, row["loss"])
    return history


def evaluate(network: Network, loss: Callable, x: np.ndarray, y: np.ndarray, batch_size: int = 1000):
    """The mean loss and the accuracy (the largest output is the label's class) over a data set."""
    outputs = network.predict(x, batch_size)
    value, _ = loss(outputs, y)
    return value, float(np.mean(_classes(outputs) == _classes(y)))


def _classes(values: np.ndarray) -> np.ndarray:
    """Class indices as given (N,), or the largest entry of each row of outputs or targets."""
    return values if values.ndim == 1 else values.argmax(axis=1)
