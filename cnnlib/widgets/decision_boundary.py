"""Notebook 00: the network's output over the input square, and its 0.5 boundary, as training advances.

``BoundaryRecorder`` keeps a ``Snapshot`` of chosen epochs while ``train`` runs; ``DecisionBoundary``
shows them one at a time.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from contourpy import contour_generator
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection

from cnnlib.layers import Layer
from cnnlib.losses import mse
from cnnlib.network import predict
from cnnlib.plotting import CLASS_COLOURS, EARLIER_RUN, SIGNED_CMAP, THIS_RUN, cell_fontsize
from cnnlib.widgets.base import InteractiveFigure, View

THRESHOLD = 0.5  # an output above it reads as 1, below it as 0
NO_BOUNDARY = "No boundary line: the output is on one side of 0.5 over the whole square."


@dataclass
class Snapshot:
    """The network at the end of one epoch.

    epoch: 0 for the untrained network; error: that epoch's mean loss; outputs: (points, points),
    ``outputs[i, j]`` is the output at x1 = axis[j], x2 = axis[i]; predictions: (N,), the output at each
    training input; right: how many of those are on their label's side of 0.5; boundary: the line where
    the output is 0.5, as (k, 2) arrays of (x1, x2) points, none where the output stays on one side.
    """

    epoch: int
    error: float
    outputs: np.ndarray
    predictions: np.ndarray
    right: int
    boundary: list


def outputs_on_grid(network: Sequence[Layer], axis: np.ndarray) -> np.ndarray:
    """The network's single output at every point (x1, x2) of ``axis`` x ``axis``: shape (points, points)."""
    return np.array([[predict(network, np.array([[x1], [x2]]))[0, 0] for x1 in axis] for x2 in axis])


class BoundaryRecorder:
    """A callback for ``train(..., on_epoch_end=recorder)`` that keeps snapshots at chosen epochs.

    network: the layers being trained; x_train: (N, 2, 1) inputs; y_train: (N, 1, 1) labels; epochs: which
    epochs to keep (0 = now, before training); loss: as given to ``train``; low, high, points: the grid,
    ``points`` values from low to high on each axis. Afterwards ``snapshots`` holds them in order, and
    ``errors[k]`` is the error of epoch k as ``train`` reports it, ``errors[0]`` the untrained network's.
    """

    def __init__(self, network, x_train, y_train, epochs, loss=mse, low=-0.25, high=1.25, points=50):
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
            right = int(np.sum((predictions > THRESHOLD) == (self.y_train.ravel() > THRESHOLD)))
            outputs = outputs_on_grid(self.network, self.axis)
            boundary = contour_generator(self.axis, self.axis, outputs).lines(THRESHOLD)
            self.snapshots.append(Snapshot(epoch, self.errors[epoch], outputs, predictions, right, boundary))


def draw_boundary(ax: Axes, axis: np.ndarray, snapshot: Snapshot, x_train, y_train):
    """Draw a snapshot: the output over the square (blue 0, white 0.5, red 1), the 0.5 line, the samples.

    axis: (points,), the grid's coordinates; x_train: (N, 2, 1); y_train: (N, 1, 1). Each sample's output
    is written above it. Returns the image, the line collection of the boundary and the N texts.
    """
    extent = (axis[0], axis[-1], axis[0], axis[-1])
    image = ax.imshow(snapshot.outputs, origin="lower", extent=extent, cmap=SIGNED_CMAP, vmin=0, vmax=1)
    image.set_interpolation("bilinear")
    points, labels = np.reshape(x_train, (len(x_train), 2)), np.reshape(y_train, len(y_train))
    for label, marker in ((0, "o"), (1, "s")):
        chosen, style = points[labels == label], {"edgecolors": "white", "linewidths": 2, "zorder": 3}
        ax.scatter(*chosen.T, s=110, c=CLASS_COLOURS[label], marker=marker, label=f"label {label}", **style)
    lines = LineCollection(snapshot.boundary, colors="black", linewidths=1.5, label="output = 0.5")
    ax.add_collection(lines, autolim=False)  # after the samples: the legend's order
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8, "linewidth": 0}
    style = {"ha": "center", "va": "bottom", "fontsize": cell_fontsize(), "zorder": 4, "bbox": box}
    texts = [ax.text(x1, x2 + 0.09, f"{p:.2f}", **style) for (x1, x2), p in zip(points, snapshot.predictions)]
    ax.set(xlabel="$x_1$", ylabel="$x_2$")
    return image, lines, texts


class DecisionBoundaryView(View):
    """The output map with its boundary and samples, beside the loss curve with the shown epoch marked."""

    def __init__(self, figure, state: Snapshot, recorder):
        super().__init__(figure, state)
        self.map_ax, loss_ax = figure.subplots(1, 2, width_ratios=[1, 1.15])
        r = recorder
        self.image, self.lines, self.texts = draw_boundary(self.map_ax, r.axis, state, r.x_train, r.y_train)
        figure.colorbar(self.image, ax=self.map_ax, label="network output", extend="min", shrink=0.85)
        below = {"loc": "upper left", "bbox_to_anchor": (0, -0.14), "ncols": 3, "frameon": False}
        self.map_ax.legend(fontsize="small", **below)
        errors, epochs = np.asarray(recorder.errors), [snapshot.epoch for snapshot in recorder.snapshots]
        loss_ax.plot(range(len(errors)), errors, color="0.3", linewidth=1.2, label="error of each epoch")
        loss_ax.plot(epochs, errors[epochs], "o", color=EARLIER_RUN, markersize=4, label="saved epochs")
        (self.marker,) = loss_ax.plot([], [], "o", color=THIS_RUN, markersize=10, label="shown epoch")
        self.marker.set_clip_on(False)  # whole at epoch 0, on the axis
        loss_ax.set_xscale("symlog", linthresh=1)  # linear from epoch 0 to 1, logarithmic after
        loss_ax.set(xlim=(0, len(errors) * 1.3), yscale="log", title="loss curve")
        loss_ax.set(xlabel="epoch (log scale after 1)", ylabel="mean squared error (log scale)")
        loss_ax.grid(True, which="major", alpha=0.3)
        loss_ax.legend(fontsize="small")
        # the samples, their outputs and the axes' edges are drawn over the image, so they change with it
        samples = [c for c in self.map_ax.collections if c is not self.lines]
        edges = self.map_ax.spines.values()
        self.dynamic = [self.image, self.lines, *samples, *self.texts, *edges, self.map_ax.title, self.marker]

    def draw(self, state: Snapshot):
        self.image.set_data(state.outputs)
        self.lines.set_segments(state.boundary)
        for text, prediction in zip(self.texts, state.predictions):
            text.set_text(f"{prediction:.2f}")
        right = f"{state.right} of {len(self.texts)} right"
        self.map_ax.set_title(f"epoch {state.epoch}: error {state.error:.3g}, {right}")
        self.marker.set_data([state.epoch], [state.error])


class DecisionBoundary(InteractiveFigure):
    """Slide through the recorded epochs: the output over the square, its 0.5 boundary, the loss curve.

    recorder: a ``BoundaryRecorder`` after training (anything with its attributes ``axis``,
    ``snapshots``, ``errors``, ``x_train``, ``y_train`` will do). ``state`` is the ``Snapshot`` shown.
    """

    def __init__(self, recorder: BoundaryRecorder):
        _check_recorder(recorder)
        super().__init__(figsize=(10, 4.2), presentation_figsize=(11, 4.8))
        self.recorder = recorder
        epochs = [snapshot.epoch for snapshot in recorder.snapshots]
        self.slider = widgets.SelectionSlider(options=epochs, value=epochs[0], description="epoch")
        self.slider.layout.width = "480px"
        self.play = widgets.Play(interval=800, description="play")
        self.show_controls([self.play, self.slider])
        self.watch(self.slider)
        self.link_play(self.play, self.slider)
        self.refresh()

    def compute(self) -> Snapshot:
        state = self.recorder.snapshots[self.slider.index]
        self.say("" if state.boundary else NO_BOUNDARY)
        return state

    def make_view(self, figure, state):
        return DecisionBoundaryView(figure, state, self.recorder)


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
