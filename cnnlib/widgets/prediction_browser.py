"""Notebook 06: browse test images with what the trained network says about each.

``PredictionBrowser(network, images, labels)`` runs the network once on every image, then shows
one image at a time: the image and its true label, the network's outputs as bars with the
predicted class, and (for two classes) where the image lies among all the others. A menu
narrows the slider to the mistakes, or to the images the network is unsure about.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

import ipywidgets as widgets
import numpy as np

from cnnlib.layers import Layer
from cnnlib.network import predict
from cnnlib.plotting import CLASS_COLOURS, HIGHLIGHT, OTHER, RIGHT, WRONG, cell_fontsize
from cnnlib.widgets.base import InteractiveFigure, View

ALL, MISTAKES, UNCERTAIN = "all images", "mistakes only", "uncertain only"


@dataclass
class Browsing:
    """One image among those the menu chose, and what the network says about every image.

    images: (N, depth, h, w); outputs: (N, C), the network's; true: (N,) classes; an image is
    uncertain when its two largest outputs differ by less than ``margin``; choice: the menu's;
    position: the slider's, among the chosen images. Computed: ``predicted`` (N,), ``mistakes``
    and ``uncertain`` (indices of images), ``indices`` (the chosen ones), ``index`` (the one shown).
    """

    images: np.ndarray
    outputs: np.ndarray
    true: np.ndarray
    classes: list
    margin: float
    choice: str = ALL
    position: int = 0

    def __post_init__(self):
        top_two = np.sort(self.outputs, axis=1)[:, -2:]
        self.predicted = self.outputs.argmax(axis=1)
        self.mistakes = np.flatnonzero(self.predicted != self.true)
        self.uncertain = np.flatnonzero(top_two[:, 1] - top_two[:, 0] < self.margin)
        self.indices = self.chosen(self.choice)
        self.index = int(self.indices[self.position])
        self.correct = bool(self.predicted[self.index] == self.true[self.index])

    def chosen(self, choice: str) -> np.ndarray:
        """The images a menu choice runs over (indices)."""
        return {ALL: np.arange(len(self.images)), MISTAKES: self.mistakes, UNCERTAIN: self.uncertain}[choice]

    def describe(self, choice: str) -> str:
        uncertain = f"the two largest outputs less than {self.margin:g} apart"
        return {
            ALL: "every image",
            MISTAKES: "the predicted class is not the true one",
            UNCERTAIN: uncertain,
        }[choice]


class PredictionBrowserView(View):
    """The image, its outputs as bars, and (for two classes) every image's pair of outputs as a point."""

    def __init__(self, figure, state: Browsing, presenting: bool = False):
        super().__init__(figure, state, presenting)
        n, names = len(state.classes), [f"output for {name}" for name in state.classes]
        axes = figure.subplots(1, 3 if n == 2 else 2, width_ratios=[1, 1.1, 1.25] if n == 2 else [1, 1.4])
        self.image_ax, self.bars_ax = ax, bars_ax = axes[:2]
        self.picture = ax.imshow(state.images[0, 0], cmap="gray", vmin=0, vmax=max(1.0, state.images.max()))
        ax.set(xticks=[], yticks=[])
        self.bars = list(bars_ax.bar(range(n), np.zeros(n), color=OTHER, width=0.6))
        self.bar_texts = [
            bars_ax.text(k, 0, "", ha="center", va="bottom", fontsize=cell_fontsize()) for k in range(n)
        ]
        # no line at 0.5: it would read as a threshold, and the answer is the larger output, wherever both lie
        bars_ax.set_xticks(range(n), names, fontsize="small" if n <= 3 else "x-small")
        bars_ax.set(ylim=(0, 1.12), ylabel="network output (sigmoid)")
        self.title = figure.suptitle(" ")
        self.dynamic = [self.picture, ax.title, *self.bars, *self.bar_texts, *bars_ax.spines.values()]
        self.dynamic += [bars_ax.title, self.title]
        self.ring = None
        if n == 2:
            ax = axes[2]
            for label, colour in enumerate(CLASS_COLOURS):
                points, name = state.outputs[state.true == label].T, f"true label {state.classes[label]}"
                ax.scatter(*points, s=14, color=colour, alpha=0.6, label=name)
            if len(state.mistakes):
                ax.scatter(*state.outputs[state.mistakes].T, s=60, marker="x", color="black", label="mistake")
            # the dashed diagonal is where the two outputs are equal: the network's decision line
            ax.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1)
            note = dict(fontsize="small", color="0.3", rotation=45, rotation_mode="anchor", ha="center")
            ax.text(0.47, 0.53, f"predicts {state.classes[1]}", va="bottom", **note)
            ax.text(0.53, 0.47, f"predicts {state.classes[0]}", va="top", **note)
            ring = dict(markersize=14, markerfacecolor="none", markeredgecolor=HIGHLIGHT, markeredgewidth=2.5)
            (self.ring,) = ax.plot([], [], "o", **ring, label="this image")
            ax.set(xlim=(-0.05, 1.05), ylim=(-0.05, 1.05), aspect="equal", xlabel=names[0], ylabel=names[1])
            ax.set_title(f"all {len(state.images)} images")
            ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize="small", frameon=False)
            self.dynamic.append(self.ring)

    def draw(self, state):
        index, outputs, predicted = state.index, state.outputs[state.index], state.predicted[state.index]
        colour = RIGHT if state.correct else WRONG
        self.picture.set_data(state.images[index, 0])
        self.image_ax.set_title(f"test image {index}\ntrue label: {state.classes[state.true[index]]}")
        for k, (bar, text) in enumerate(zip(self.bars, self.bar_texts)):
            bar.set(height=outputs[k], color=colour if k == predicted else OTHER)
            text.set(text=f"{outputs[k]:.3f}", y=outputs[k] + 0.02)
        verdict = "right" if state.correct else "wrong"
        self.bars_ax.set_title(f"predicted: {state.classes[predicted]} ({verdict})", color=colour)
        if self.ring is not None:
            self.ring.set_data(outputs[:1], outputs[1:])
        which = "" if state.choice == ALL else f" ({state.describe(state.choice)})"
        self.title.set_text(f"{state.choice}: image {state.position + 1} of {len(state.indices)}{which}")


class PredictionBrowser(InteractiveFigure):
    """One test image at a time, with the network's outputs and its predicted class.

    network: a list of layers; images: (N, depth, h, w), each a valid network input;
    labels: (N, C, 1) one-hot, as the network's outputs; classes: the name of each of the C
    classes (default 0 to C-1); margin: an image is *uncertain* when its two largest outputs
    differ by less than this. ``state`` is the ``Browsing`` shown.
    """

    def __init__(
        self, network: Sequence[Layer], images: np.ndarray, labels: np.ndarray, classes=None, margin=0.8
    ):
        images, labels = np.asarray(images, dtype=float), np.asarray(labels, dtype=float)
        if images.ndim != 4 or len(images) == 0:
            raise ValueError(
                f"images: expected shape (N, depth, height, width) with N >= 1, got {images.shape}"
            )
        if labels.ndim != 3 or labels.shape[0] != len(images) or labels.shape[2] != 1 or labels.shape[1] < 2:
            raise ValueError(
                f"labels: expected one-hot shape ({len(images)}, classes >= 2, 1), got {labels.shape}"
            )
        if not (np.isin(labels, (0, 1)).all() and np.all(labels.sum(axis=1) == 1)):
            raise ValueError("labels: expected one-hot columns, a single 1 and zeros elsewhere in each")
        n = labels.shape[1]
        classes = list(range(n)) if classes is None else list(classes)
        if len(classes) != n:
            raise ValueError(f"classes: expected {n} names, one per row of the labels, got {len(classes)}")
        if not 0 < margin <= 1:
            raise ValueError(f"margin: expected a number in (0, 1], got {margin}")
        first = np.asarray(predict(network, images[0]))
        if first.shape != (n, 1):
            raise ValueError(f"the network's output: expected shape {(n, 1)}, a label's, got {first.shape}")
        sizes = ((11, 3.7), (11, 4.4)) if n == 2 else ((7.5, 3.7), (8, 4.4))  # on a screen, on a projector
        super().__init__(*sizes, view_class=PredictionBrowserView)
        outputs = np.array([first[:, 0], *(predict(network, x)[:, 0] for x in images[1:])])  # (N, C)
        self.state = Browsing(images, outputs, labels[:, :, 0].argmax(axis=1), classes, margin)
        self.slider = widgets.IntSlider(max=len(images) - 1, description="image", layout={"width": "480px"})
        self.show = widgets.Dropdown(options=[ALL, MISTAKES, UNCERTAIN], description="show")
        self.show_controls([self.slider, self.show])
        self.watch(self.slider)
        self.watch(self.show, handler=self._on_show)
        self.refresh()

    def compute(self) -> Browsing:
        return replace(self.state, choice=self.show.value, position=self.slider.value)

    def refresh(self):
        """Draw; while all images are shown, say how many mistakes and uncertain images there are."""
        super().refresh()
        s = self.state
        counts = f"{len(s.mistakes)} mistake(s) and {len(s.uncertain)} uncertain image(s)"
        self.say(f"{counts} among the {len(s.images)}: choose them in the menu." if s.choice == ALL else "")

    def _on_show(self, change):
        """Run the slider over the chosen images; an empty choice is refused with a message."""
        new, old = change["new"], change["old"]
        if len(self.state.chosen(new)) == 0:
            with self.quietly():
                self.show.value = old  # the menu goes back to what is shown
            what, n = "mistakes" if new == MISTAKES else "uncertain images", len(self.state.images)
            self.say(f"No {what} among the {n} images ({self.state.describe(new)}): still showing {old}.")
            return
        with self.quietly():
            self.slider.max, self.slider.value = len(self.state.chosen(new)) - 1, 0
        self.refresh()
