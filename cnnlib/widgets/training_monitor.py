"""Notebook 06: a live loss curve, drawn while ``train`` runs.

``TrainingMonitor(epochs)`` is shown, then its ``update`` method is given to
``train(..., on_epoch_end=monitor.update)``: after each epoch it adds the point, redraws the
curve and writes the epoch, the error and the time since the monitor was made. Given an
``accuracy`` function, it also measures an accuracy (e.g. on the test images) before training
and after each epoch, and plots it beside the loss; given a ``reference`` run's errors, it draws
them in grey for comparison.
"""

import time
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import numpy as np

from cnnlib.widgets.base import FigureWidget

SCALES = ("log", "linear")  # of the error axis; a loss that falls a hundredfold reads best on a log scale
COLOUR = "#d95f02"  # this run
REFERENCE_COLOUR = "0.6"  # an earlier run, for comparison


class TrainingMonitor(FigureWidget):
    """The error of each epoch as training goes, and optionally an accuracy after each epoch.

    epochs: how many epochs the training will run (the x axis; more are shown if they come).
    accuracy: optional, a function of no argument returning a fraction in [0, 1]; called once
        when the monitor is made (epoch 0, the untrained network) and after each epoch.
    accuracy_label: what the accuracy is measured on, for the axis and the status line.
    chance: the accuracy of guessing (0.5 for two balanced classes), drawn as a dotted line; None: none.
    reference: optional, the errors of an earlier run, one per epoch, drawn in grey.
    reference_label, label: the legend's names for the earlier run and for this one.
    title: the start of the status line above the plots.

    The clock starts when the monitor is made: make it in the cell that trains, and show it there
    with ``monitor.show()`` before training starts (the last expression of a cell would only
    appear after training).
    State: ``epochs_seen`` and ``errors`` (one entry per epoch so far), ``accuracies``
    (``accuracies[k]`` after epoch k, from epoch 0; empty without ``accuracy``), ``elapsed``
    (seconds from the monitor's making to the last epoch).
    """

    def __init__(
        self,
        epochs: int,
        accuracy: Callable[[], float] | None = None,
        accuracy_label: str = "test accuracy",
        chance: float | None = 0.5,
        reference: Sequence[float] | None = None,
        reference_label: str = "earlier run",
        label: str = "this run",
        title: str = "Training",
    ):
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
        if accuracy is not None and not callable(accuracy):
            raise ValueError(
                f"accuracy must be a function of no argument returning a fraction, got {accuracy!r}"
            )
        if reference is not None:
            reference = np.asarray(reference, dtype=float)
            if reference.ndim != 1 or reference.size == 0:
                raise ValueError(
                    f"reference must be a list of errors, one per epoch, got shape {reference.shape}"
                )
        super().__init__(figsize=(10, 3.6) if accuracy else (6.2, 3.6))
        if chance is not None and not 0 <= chance <= 1:
            raise ValueError(f"chance must be a fraction between 0 and 1, got {chance}")
        self.epochs, self.accuracy, self.accuracy_label, self.title = (
            int(epochs),
            accuracy,
            accuracy_label,
            title,
        )
        self.chance = chance
        self.reference = reference
        self.epochs_seen: list[int] = []
        self.errors: list[float] = []
        self.accuracies: list[float] = [self._measure_accuracy()] if accuracy else []

        self.status = self.figure.suptitle(
            " "
        )  # set_text later: suptitle() again would undo the layout's placing
        self.scale = widgets.ToggleButtons(
            options=[(f"{scale} scale", scale) for scale in SCALES],
            value="log",
            style={"button_width": "120px"},
        )
        self.scale.observe(self._on_scale, names="value")
        self.widget = widgets.VBox([self.scale, self.message, self.image])

        if accuracy:
            self.loss_ax, self.accuracy_ax = self.figure.subplots(1, 2)
        else:
            self.loss_ax, self.accuracy_ax = self.figure.subplots(), None
        if reference is not None:
            self.loss_ax.plot(
                np.arange(1, len(reference) + 1),
                reference,
                "-",
                color=REFERENCE_COLOUR,
                linewidth=1.5,
                label=reference_label,
            )
        (self.loss_line,) = self.loss_ax.plot([], [], "o-", color=COLOUR, markersize=3.5, label=label)
        self.loss_ax.set_xlabel("epoch")
        self.loss_ax.set_ylabel("mean loss of the epoch")
        self.loss_ax.grid(True, which="major", alpha=0.3)
        if reference is not None:
            self.loss_ax.legend(loc="upper right", fontsize=8)
        if self.accuracy_ax is not None:
            (self.accuracy_line,) = self.accuracy_ax.plot([], [], "o-", color=COLOUR, markersize=3.5)
            if chance is not None:
                self.accuracy_ax.axhline(100 * chance, color="0.6", linestyle=":", linewidth=1)
                self.accuracy_ax.text(
                    0.98,
                    100 * chance + 0.5,
                    f"chance: {100 * chance:.0f}%",
                    color="0.45",
                    fontsize=8,
                    ha="right",
                    va="bottom",
                    transform=self.accuracy_ax.get_yaxis_transform(),
                )
            self.accuracy_ax.set_xlabel("epoch (0: before training)")
            self.accuracy_ax.set_ylabel(f"{accuracy_label} (%)")
            self.accuracy_ax.set_title(f"{accuracy_label}, after each epoch")
            self.accuracy_ax.grid(True, alpha=0.3)
        self.display_handle = None
        self.elapsed = 0.0
        self.start = time.perf_counter()
        self._relayout()

    def show(self):
        """Display the monitor now; once the last epoch is drawn, its still image is refreshed too.

        The still image (for static copies of the notebook: nbconvert, GitHub) is taken when an
        output is displayed; without the refresh it would show the empty plot of before training.
        """
        from IPython.display import display

        self.display_handle = display(self, display_id=True)

    def update(self, epoch: int, error: float) -> None:
        """Add one epoch's point and redraw; the signature of ``train``'s ``on_epoch_end``.

        Raises ValueError for an epoch out of turn: a monitor follows one training run.
        """
        expected = len(self.errors) + 1
        if epoch != expected:
            raise ValueError(
                f"the monitor expected epoch {expected} and got epoch {epoch}: "
                "make a new monitor for each training run"
            )
        self.epochs_seen.append(int(epoch))
        self.errors.append(float(error))
        if self.accuracy is not None:
            self.accuracies.append(self._measure_accuracy())
        self.elapsed = time.perf_counter() - self.start
        self._draw()
        if self.display_handle is not None and epoch == self.epochs:
            self.display_handle.update(self)

    def _measure_accuracy(self) -> float:
        value = float(self.accuracy())
        if not 0 <= value <= 1:
            raise ValueError(f"accuracy must return a fraction between 0 and 1, got {value}")
        return value

    def _on_scale(self, change=None):
        self._relayout()

    def _relayout(self):
        """Lay the panels out for the current scale, then keep them still: an epoch then only
        changes data and text, which draws in half the time (a live curve must not slow training)."""
        self.figure.set_layout_engine("constrained")
        self._draw()
        self.figure.set_layout_engine("none")

    def _draw(self):
        log = self.scale.value == "log"
        last_epoch = max([self.epochs, *self.epochs_seen])
        ax = self.loss_ax
        ax.set_yscale(self.scale.value)
        self.loss_line.set_data(self.epochs_seen, self.errors)
        ax.set_xlim(0.5, last_epoch + 0.5)
        ax.set_xticks(_ticks(last_epoch))
        shown = self.errors + ([] if self.reference is None else list(self.reference[:last_epoch]))
        shown = [e for e in shown if np.isfinite(e) and (e > 0 or not log)]
        ax.set_ylim(*_error_limits(shown, log))
        ax.set_title(f"loss ({self.scale.value} scale)")

        if self.accuracy_ax is not None:
            percents = [100 * a for a in self.accuracies]
            self.accuracy_line.set_data(range(len(percents)), percents)
            self.accuracy_ax.set_xlim(-0.5, last_epoch + 0.5)
            self.accuracy_ax.set_xticks([0, *_ticks(last_epoch)])
            floor = 100 * self.chance - 5 if self.chance is not None else 45.0
            self.accuracy_ax.set_ylim(min([floor, *percents]) - 3, 102)

        status = f"{self.title}: "
        if not self.errors:
            status += f"waiting for the first of {self.epochs} epochs"
        else:
            status += f"epoch {self.epochs_seen[-1]} of {self.epochs}, error {self.errors[-1]:.4g}"
        if self.accuracies:
            status += f", {self.accuracy_label} {100 * self.accuracies[-1]:.1f}%"
        if self.errors:
            status += f", {self.elapsed:.1f} s" + (" (done)" if self.epochs_seen[-1] >= self.epochs else "")
        self.status.set_text(status)

        last = self.errors[-1] if self.errors else 1.0
        if not np.isfinite(last):
            self.say(
                f"epoch {self.epochs_seen[-1]}: the error is {last}, not a number: training has diverged "
                "(try a smaller learning rate). Only the finite errors are plotted.",
                error=True,
            )
        elif last <= 0 and log:
            self.say(
                "an error of 0 has no place on a log scale: switch the loss to a linear scale to see it."
            )
        else:
            self.say("")
        self.show_figure()


def _error_limits(errors: list[float], log: bool) -> tuple[float, float]:
    """The error axis's range: whole decades on a log scale (always labelled ticks), from 0 on a linear one."""
    if not errors:
        return (1e-3, 1.0) if log else (0.0, 1.0)
    low, high = min(errors), max(errors)
    if log:
        return 10 ** np.floor(np.log10(low / 1.2)), 10 ** np.ceil(np.log10(high * 1.2))
    return min(0.0, low * 1.08), (high * 1.08 if high > 0 else 1.0)


def _ticks(last_epoch: int) -> list[int]:
    """Whole epochs on the x axis, at most about ten ticks."""
    step = max(1, int(np.ceil(last_epoch / 10)))
    return [1, *range(step, last_epoch + 1, step)] if step > 1 else list(range(1, last_epoch + 1))
