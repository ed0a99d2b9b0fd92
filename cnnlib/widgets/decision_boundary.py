"""Notebook 00: the network's output over the input square, and its 0.5 boundary, as training advances.

``BoundaryRecorder`` is the callback given to ``train(on_epoch_end=...)``: at chosen epochs it keeps
a ``Snapshot`` of the network's output over a grid of 2D inputs. ``DecisionBoundary`` shows the
snapshots one at a time with a slider and a Play button, beside the loss curve.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from cnnlib.layers import Layer
from cnnlib.losses import mse
from cnnlib.network import predict
from cnnlib.widgets.base import FigureWidget

THRESHOLD = 0.5  # an output above it reads as 1, below it as 0
CMAP = "RdBu_r"  # blue for 0, white at the threshold, red for 1


@dataclass
class Snapshot:
    """The network at the end of one epoch.

    epoch: 0 for the untrained network; error: that epoch's mean loss;
    outputs: (points, points), ``outputs[i, j]`` is the output at x1 = axis[j], x2 = axis[i];
    predictions: (N,), the output at each training input.
    """

    epoch: int
    error: float
    outputs: np.ndarray
    predictions: np.ndarray


def outputs_on_grid(network: Sequence[Layer], axis: np.ndarray) -> np.ndarray:
    """The network's single output at every point (x1, x2) of ``axis`` x ``axis``: shape (points, points)."""
    return np.array([[predict(network, np.array([[x1], [x2]]))[0, 0] for x1 in axis] for x2 in axis])


class BoundaryRecorder:
    """A callback for ``train(..., on_epoch_end=recorder)`` that keeps snapshots at chosen epochs.

    x_train: (N, 2, 1) inputs; y_train: (N, 1, 1) labels; epochs: which epochs to keep (0 = now,
    before training). Afterwards ``snapshots`` holds them in order, and ``errors[k]`` is the
    error of epoch k as ``train`` reports it, with ``errors[0]`` the untrained network's loss.
    """

    def __init__(
        self,
        network: Sequence[Layer],
        x_train: np.ndarray,
        y_train: np.ndarray,
        epochs: Iterable[int],
        loss: Callable = mse,
        low: float = -0.25,
        high: float = 1.25,
        points: int = 50,
    ):
        x_train, y_train = np.asarray(x_train, dtype=float), np.asarray(y_train, dtype=float)
        _check_data(x_train, y_train)
        self.network, self.x_train, self.y_train = network, x_train, y_train
        self.axis = np.linspace(low, high, points)
        self.epochs = sorted(set(int(epoch) for epoch in epochs))
        if not self.epochs or self.epochs[0] < 0:
            raise ValueError(f"epochs must name at least one epoch, all >= 0; got {self.epochs}")
        self.snapshots: list[Snapshot] = []
        self.errors = [float(np.mean([loss(y, predict(network, x)) for x, y in zip(x_train, y_train)]))]
        self._keep(0)

    def __call__(self, epoch: int, error: float) -> None:
        if epoch != len(self.errors):
            raise ValueError(
                f"the recorder expected epoch {len(self.errors)} and got epoch {epoch}: "
                f"make a new recorder for each training run"
            )
        self.errors.append(float(error))
        self._keep(epoch)

    def _keep(self, epoch):
        if epoch in self.epochs:
            predictions = np.array([predict(self.network, x)[0, 0] for x in self.x_train])
            outputs = outputs_on_grid(self.network, self.axis)
            self.snapshots.append(Snapshot(epoch, self.errors[epoch], outputs, predictions))


def draw_boundary(ax: Axes, axis: np.ndarray, outputs: np.ndarray, x_train, y_train, predictions=None):
    """Draw the output over the square (blue 0, white 0.5, red 1), the 0.5 line and the labelled points.

    axis: (points,); outputs: (points, points) as in ``Snapshot``; x_train: (N, 2, 1); y_train: (N, 1, 1);
    predictions: (N,) written beside the points, if given.
    Returns the image, the contour set of the 0.5 line (None when the output does not cross 0.5)
    and the N text artists beside the points.
    """
    extent = (axis[0], axis[-1], axis[0], axis[-1])
    image = ax.imshow(
        outputs, origin="lower", extent=extent, cmap=CMAP, vmin=0, vmax=1, interpolation="bilinear"
    )
    contour = _draw_contour(ax, axis, outputs)
    points, labels = np.reshape(x_train, (len(x_train), 2)), np.reshape(y_train, len(y_train))
    for label, colour, marker in ((0, "#2166ac", "o"), (1, "#b2182b", "s")):
        chosen = points[labels == label]
        ax.scatter(
            chosen[:, 0],
            chosen[:, 1],
            s=110,
            c=colour,
            marker=marker,
            edgecolors="white",
            linewidths=2,
            label=f"label {label}",
            zorder=3,
        )
    predictions = [None] * len(points) if predictions is None else predictions
    texts = [
        ax.text(
            x1,
            x2 + 0.09,
            "" if p is None else f"{p:.2f}",
            ha="center",
            va="bottom",
            fontsize=9,
            zorder=4,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0},
        )
        for (x1, x2), p in zip(points, predictions)
    ]
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return image, contour, texts


def boundary_handle() -> Line2D:
    """A legend entry for the 0.5 line (a contour set has no legend entry of its own)."""
    return Line2D([], [], color="black", linewidth=1.5, label="output = 0.5")


def _draw_contour(ax, axis, outputs):
    """The 0.5 line, or None when the output does not cross 0.5 (matplotlib would warn)."""
    if not outputs.min() < THRESHOLD < outputs.max():
        return None
    return ax.contour(axis, axis, outputs, levels=[THRESHOLD], colors="black", linewidths=1.5)


def _check_recorder(recorder):
    snapshots, axis = recorder.snapshots, np.asarray(recorder.axis)
    if not snapshots:
        raise ValueError("the recorder holds no snapshot: train the network with on_epoch_end=recorder first")
    _check_data(np.asarray(recorder.x_train), np.asarray(recorder.y_train))
    for snapshot in snapshots:
        if np.shape(snapshot.outputs) != (len(axis), len(axis)):
            raise ValueError(
                f"snapshot of epoch {snapshot.epoch}: expected outputs of shape {(len(axis), len(axis))} "
                f"(the grid), got {np.shape(snapshot.outputs)}"
            )
        if snapshot.epoch >= len(recorder.errors):
            raise ValueError(
                f"snapshot of epoch {snapshot.epoch} but errors only reach epoch {len(recorder.errors) - 1}"
            )


def _check_data(x_train, y_train):
    if x_train.ndim != 3 or x_train.shape[1:] != (2, 1):
        raise ValueError(f"x_train: expected shape (N, 2, 1), two inputs per sample, got {x_train.shape}")
    if y_train.shape != (len(x_train), 1, 1):
        raise ValueError(
            f"y_train: expected shape {(len(x_train), 1, 1)}, one label per sample, got {y_train.shape}"
        )


class DecisionBoundary(FigureWidget):
    """Slide through the recorded epochs: the output over the square, its 0.5 boundary, the loss curve.

    recorder: a ``BoundaryRecorder`` after training (anything with its attributes ``axis``,
    ``snapshots``, ``errors``, ``x_train``, ``y_train`` will do).
    """

    def __init__(self, recorder: BoundaryRecorder):
        _check_recorder(recorder)
        super().__init__(figsize=(10, 4.2))
        self.axis = np.asarray(recorder.axis)
        self.snapshots = list(recorder.snapshots)
        self.errors = np.asarray(recorder.errors)
        self.x_train, self.y_train = np.asarray(recorder.x_train), np.asarray(recorder.y_train)
        epochs = [snapshot.epoch for snapshot in self.snapshots]

        self.slider = widgets.SelectionSlider(
            options=epochs,
            value=epochs[0],
            description="epoch",
            continuous_update=False,
            layout=widgets.Layout(width="480px"),
        )
        self.play = widgets.Play(min=0, max=len(epochs) - 1, interval=800, description="play")
        widgets.link((self.play, "value"), (self.slider, "index"))

        self.boundary_ax, self.loss_ax = self.figure.subplots(1, 2, width_ratios=[1, 1.15])
        first = self.snapshots[0]
        # the image and the texts are updated in place; the contour is redrawn at each update
        self.surface, self.contour, self.prediction_texts = draw_boundary(
            self.boundary_ax, self.axis, first.outputs, self.x_train, self.y_train
        )
        self.figure.colorbar(
            self.surface, ax=self.boundary_ax, label="network output", extend="min", shrink=0.85
        )
        self.boundary_ax.legend(
            loc="upper left",
            bbox_to_anchor=(0, -0.14),
            ncols=3,
            fontsize=8,
            frameon=False,
            handles=self.boundary_ax.get_legend_handles_labels()[0] + [boundary_handle()],
        )

        all_epochs = np.arange(len(self.errors))
        self.loss_ax.plot(all_epochs, self.errors, color="0.3", linewidth=1.2, label="error of each epoch")
        self.loss_ax.plot(
            epochs, [self.errors[e] for e in epochs], "o", color="0.6", markersize=4, label="saved epochs"
        )
        (self.marker,) = self.loss_ax.plot([], [], "o", color="#d95f02", markersize=10, label="shown epoch")
        self.loss_ax.set_xscale("symlog", linthresh=1)
        self.loss_ax.set_xlim(0, len(self.errors) * 1.3)
        self.loss_ax.set_yscale("log")
        self.loss_ax.set_xlabel("epoch (log scale after 1)")
        self.loss_ax.set_ylabel("mean squared error (log scale)")
        self.loss_ax.set_title("loss curve")
        self.loss_ax.grid(True, which="major", alpha=0.3)
        self.loss_ax.legend(fontsize=8)

        self.slider.observe(self.update, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.play, self.slider]), self.message, self.image])
        self.update()  # drawn once with the constrained layout, which is then frozen: frames must not jump
        self.figure.set_layout_engine("none")

    def update(self, change=None):
        self.index = self.slider.index
        self.snapshot = self.snapshots[self.index]
        self.epoch, self.error = self.snapshot.epoch, self.snapshot.error
        self.surface.set_data(self.snapshot.outputs)
        if self.contour is not None:
            self.contour.remove()
        self.contour = _draw_contour(self.boundary_ax, self.axis, self.snapshot.outputs)
        for text, prediction in zip(self.prediction_texts, self.snapshot.predictions):
            text.set_text(f"{prediction:.2f}")
        self.correct = int(
            np.sum((self.snapshot.predictions > THRESHOLD) == (self.y_train.ravel() > THRESHOLD))
        )
        self.boundary_ax.set_title(
            f"epoch {self.epoch}: error {self.error:.3g}, {self.correct} of {len(self.y_train)} right"
        )
        self.marker.set_data([self.epoch], [self.error])
        self.say(
            ""
            if self.contour is not None
            else "No boundary line: the output is on one side of 0.5 over the whole square."
        )
        self.show_figure()
