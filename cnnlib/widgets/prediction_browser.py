"""Notebook 06: browse test images with what the trained network says about each.

``PredictionBrowser(network, images, labels)`` runs the network once on every image, then shows
one image at a time: the image and its true label, the network's outputs as bars with the
predicted class, and (for two classes) where the image lies among all the others. A menu
narrows the slider to the mistakes, or to the images the network is unsure about.
"""

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from cnnlib.layers import Layer
from cnnlib.network import predict
from cnnlib.widgets.base import FigureWidget

ALL, MISTAKES, UNCERTAIN = "all images", "mistakes only", "uncertain only"
RIGHT, WRONG, OTHER = "#1b9e77", "#d7301f", "0.75"  # the predicted class's bar: right or wrong; the others
CLASS_COLOURS = ("#2166ac", "#b2182b")  # true label of the points in the scatter (two classes)
HIGHLIGHT = "#ff9f1c"


class PredictionBrowser(FigureWidget):
    """One test image at a time, with the network's outputs and its predicted class.

    network: a list of layers; images: (N, depth, h, w), each a valid network input;
    labels: (N, C, 1) one-hot, as the network's outputs; classes: the name of each of the C
    classes (default 0 to C-1); margin: an image is *uncertain* when its two largest outputs
    differ by less than this.
    State: ``outputs`` (N, C), ``true`` and ``predicted`` (N,) class positions, ``mistakes`` and
    ``uncertain`` (indices into the images), ``indices`` (the images the slider runs over, for
    the menu's choice), ``index`` (the image shown).
    """

    def __init__(
        self,
        network: Sequence[Layer],
        images: np.ndarray,
        labels: np.ndarray,
        classes: Sequence | None = None,
        margin: float = 0.8,
    ):
        images, labels = np.asarray(images, dtype=float), np.asarray(labels, dtype=float)
        if images.ndim != 4 or len(images) == 0:
            raise ValueError(
                f"images: expected shape (N, depth, height, width) with N >= 1, got {images.shape}"
            )
        if labels.ndim != 3 or labels.shape[0] != len(images) or labels.shape[2] != 1 or labels.shape[1] < 2:
            raise ValueError(
                f"labels: expected one-hot columns of shape ({len(images)}, classes >= 2, 1), "
                f"got {labels.shape}"
            )
        if not (np.isin(labels, (0, 1)).all() and np.all(labels.sum(axis=1) == 1)):
            raise ValueError("labels: expected one-hot columns, a single 1 and zeros elsewhere in each")
        n_classes = labels.shape[1]
        classes = list(range(n_classes)) if classes is None else list(classes)
        if len(classes) != n_classes:
            raise ValueError(
                f"classes: expected {n_classes} names, one per row of the labels, got {len(classes)}"
            )
        if not 0 < margin <= 1:
            raise ValueError(f"margin: expected a number in (0, 1], got {margin}")
        first = np.asarray(predict(network, images[0]))
        if first.shape != (n_classes, 1):
            raise ValueError(
                f"the network's output: expected shape {(n_classes, 1)}, like a label, got {first.shape}"
            )

        super().__init__(figsize=(11, 3.7) if n_classes == 2 else (7.5, 3.7))
        self.images, self.labels, self.classes, self.margin = images, labels, classes, margin
        self.outputs = np.array([first[:, 0], *(predict(network, x)[:, 0] for x in images[1:])])  # (N, C)
        self.true, self.predicted = labels[:, :, 0].argmax(axis=1), self.outputs.argmax(axis=1)
        top_two = np.sort(self.outputs, axis=1)[:, -2:]
        self.mistakes = np.flatnonzero(self.predicted != self.true)
        self.uncertain = np.flatnonzero(top_two[:, 1] - top_two[:, 0] < margin)
        self.choices = {ALL: np.arange(len(images)), MISTAKES: self.mistakes, UNCERTAIN: self.uncertain}

        self._busy = False
        self.show = widgets.Dropdown(
            options=list(self.choices), value=ALL, description="show", layout=widgets.Layout(width="240px")
        )
        self.slider = widgets.IntSlider(
            value=0,
            min=0,
            max=len(images) - 1,
            description="image",
            continuous_update=True,
            layout=widgets.Layout(width="480px"),
        )
        self.slider.observe(self.update, names="value")
        self.show.observe(self._on_show, names="value")
        self.widget = widgets.VBox([widgets.HBox([self.slider, self.show]), self.message, self.image])
        self.indices = self.choices[ALL]
        self._build_figure()
        self._draw_image()
        self.figure.draw_without_rendering()  # laid out once: the panels stay still from image to image
        self.figure.set_layout_engine("none")
        self.show_figure()

    # --- the menu -----------------------------------------------------------------------------
    def _on_show(self, change):
        if self._busy:
            return
        chosen = self.choices[change["new"]]
        if len(chosen) == 0:
            what = "mistakes" if change["new"] == MISTAKES else "uncertain images"
            self._busy = True
            try:
                self.show.value = change["old"]  # the menu goes back to what is shown
            finally:
                self._busy = False
            self.say(
                f"No {what} among the {len(self.images)} images "
                f"({self._describe(change['new'])}): still showing {change['old']}."
            )
            return
        self.indices = chosen
        self._busy = True
        try:
            self.slider.max = len(chosen) - 1  # may clamp the value: no redraw until the end
            self.slider.value = 0
        finally:
            self._busy = False
        self.update()

    def _describe(self, choice: str) -> str:
        return {
            ALL: "every image",
            MISTAKES: "the predicted class is not the true one",
            UNCERTAIN: f"the two largest outputs less than {self.margin:g} apart",
        }[choice]

    # --- the image shown ------------------------------------------------------------------------
    def update(self, change=None):
        """Show the image at the slider's position among the chosen ones."""
        if self._busy:
            return
        self._draw_image()
        self.show_figure()

    def _draw_image(self):
        """Set the state and the artists for the image at the slider's position."""
        self.position = self.slider.value
        self.index = int(self.indices[self.position])
        outputs, true, predicted = self.outputs[self.index], self.true[self.index], self.predicted[self.index]
        self.correct = bool(true == predicted)

        self.picture.set_data(self.images[self.index, 0])
        self.image_ax.set_title(f"test image {self.index}\ntrue label: {self.classes[true]}")
        for k, (bar, text) in enumerate(zip(self.bars, self.bar_texts)):
            bar.set_height(outputs[k])
            bar.set_color((RIGHT if self.correct else WRONG) if k == predicted else OTHER)
            text.set_text(f"{outputs[k]:.3f}")
            text.set_y(outputs[k] + 0.02)
        verdict = "right" if self.correct else "wrong"
        self.bars_ax.set_title(
            f"predicted: {self.classes[predicted]} ({verdict})", color=RIGHT if self.correct else WRONG
        )
        if self.ring is not None:
            self.ring.set_data([outputs[0]], [outputs[1]])
        self.title.set_text(
            f"{self.show.value}: image {self.position + 1} of {len(self.indices)}"
            + ("" if self.show.value == ALL else f" ({self._describe(self.show.value)})")
        )
        if self.show.value == ALL:
            self.say(
                f"{len(self.mistakes)} mistake(s) and {len(self.uncertain)} uncertain image(s) "
                f"among the {len(self.images)}: choose them in the menu."
            )
        else:
            self.say("")

    def _build_figure(self):
        self.title = self.figure.suptitle(
            " "
        )  # set_text later: suptitle() again would undo the layout's placing
        n_classes = len(self.classes)
        axes = self.figure.subplots(
            1, 3 if n_classes == 2 else 2, width_ratios=[1, 1.1, 1.25] if n_classes == 2 else [1, 1.4]
        )
        self.image_ax, self.bars_ax = axes[0], axes[1]
        self.picture = self.image_ax.imshow(
            self.images[0, 0], cmap="gray", vmin=0, vmax=max(1.0, float(self.images.max()))
        )
        self.image_ax.set_xticks([])
        self.image_ax.set_yticks([])

        names = [f"output for {name}" for name in self.classes]
        self.bars = list(self.bars_ax.bar(range(n_classes), np.zeros(n_classes), color=OTHER, width=0.6))
        self.bar_texts = [
            self.bars_ax.text(k, 0, "", ha="center", va="bottom", fontsize=9) for k in range(n_classes)
        ]
        # no line at 0.5: it would read as a threshold, and the answer is the larger output, wherever both lie
        self.bars_ax.set_xticks(range(n_classes), names, fontsize=9 if n_classes <= 3 else 7)
        self.bars_ax.set_ylim(0, 1.12)
        self.bars_ax.set_ylabel("network output (sigmoid)")

        self.ring = None
        if n_classes == 2:
            ax = self.scatter_ax = axes[2]
            for label, colour in enumerate(CLASS_COLOURS):
                chosen = self.true == label
                ax.scatter(
                    self.outputs[chosen, 0],
                    self.outputs[chosen, 1],
                    s=14,
                    color=colour,
                    alpha=0.6,
                    label=f"true label {self.classes[label]}",
                )
            if len(self.mistakes):
                ax.scatter(
                    self.outputs[self.mistakes, 0],
                    self.outputs[self.mistakes, 1],
                    s=60,
                    marker="x",
                    color="black",
                    label="mistake",
                )
            ax.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1)
            # the dashed diagonal is where the two outputs are equal: the network's decision line
            ax.text(
                0.47,
                0.53,
                f"predicts {self.classes[1]}",
                fontsize=8,
                color="0.3",
                rotation=45,
                rotation_mode="anchor",
                ha="center",
                va="bottom",
            )
            ax.text(
                0.53,
                0.47,
                f"predicts {self.classes[0]}",
                fontsize=8,
                color="0.3",
                rotation=45,
                rotation_mode="anchor",
                ha="center",
                va="top",
            )
            (self.ring,) = ax.plot(
                [],
                [],
                "o",
                markersize=14,
                markerfacecolor="none",
                markeredgecolor=HIGHLIGHT,
                markeredgewidth=2.5,
                label="this image",
            )
            ax.set(
                xlim=(-0.05, 1.05),
                ylim=(-0.05, 1.05),
                aspect="equal",
                xlabel=names[0],
                ylabel=names[1],
                title=f"all {len(self.images)} images",
            )
            ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8, frameon=False)
