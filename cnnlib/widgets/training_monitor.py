"""Notebook 06: a live loss curve, drawn while ``train`` runs.

``TrainingMonitor(epochs)`` is shown with ``monitor.show()``, and its ``update`` is given to
``train(..., on_epoch_end=monitor.update)``; an accuracy and an earlier run's errors are optional.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from cnnlib.plotting import EARLIER_RUN, THIS_RUN
from cnnlib.widgets.base import InteractiveFigure, View

SCALES = ("log", "linear")  # of the loss axis; a loss that falls a hundredfold reads best on a log scale


@dataclass
class TrainingRun:
    """A training run so far. errors: one per epoch seen (1, 2, ...); accuracies: from epoch 0 (the
    untrained network), empty if not measured; elapsed: seconds from the monitor's making to the
    last epoch; reference: an earlier run's errors; chance: the accuracy of guessing, or None."""

    epochs: int  # announced
    errors: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    scale: str = "log"  # of the loss axis
    reference: np.ndarray | None = None
    chance: float | None = 0.5

    @property
    def epochs_seen(self) -> list[int]:
        return list(range(1, len(self.errors) + 1))

    @property
    def last_epoch(self) -> int:
        """Where the epoch axis ends: the announced epochs, or more if more came."""
        return max(self.epochs, len(self.errors))

    @property
    def error_limits(self) -> tuple[float, float]:
        """The loss axis's range: whole decades on a log scale (so that its ticks have labels), from 0
        on a linear one. Only finite errors count (on a log scale, only positive ones)."""
        log = self.scale == "log"
        shown = [*self.errors, *([] if self.reference is None else self.reference[: self.last_epoch])]
        shown = [e for e in shown if np.isfinite(e) and (e > 0 or not log)]
        if not shown:
            return (1e-3, 1.0) if log else (0.0, 1.0)
        low, high = min(shown), max(shown)
        if log:
            return 10 ** np.floor(np.log10(low / 1.2)), 10 ** np.ceil(np.log10(high * 1.2))
        return min(0.0, low * 1.08), (high * 1.08 if high > 0 else 1.0)

    @property
    def accuracy_limits(self) -> tuple[float, float]:
        """The accuracy axis's range in percent: from below chance (or 45%, or the lowest) to 102."""
        floor = 45.0 if self.chance is None else 100 * self.chance - 5
        return min([floor, *(100 * a for a in self.accuracies)]) - 3, 102.0


class TrainingMonitorView(View):
    """The loss of each epoch (an earlier run's in grey behind), and beside it the accuracy if measured."""

    def __init__(self, figure, state: TrainingRun, names: dict):
        super().__init__(figure, state)
        self.names = names
        axes = figure.subplots(1, 2 if state.accuracies else 1, squeeze=False)[0]
        self.loss_ax, self.accuracy_ax = axes[0], (axes[1] if state.accuracies else None)
        ax, line = self.loss_ax, {"marker": "o", "color": THIS_RUN, "markersize": 3.5}
        if state.reference is not None:
            epochs = np.arange(1, len(state.reference) + 1)
            ax.plot(epochs, state.reference, color=EARLIER_RUN, linewidth=1.5, label=names["reference"])
        (self.loss_line,) = ax.plot([], [], **line, label=names["run"])
        ax.set(xlabel="epoch", ylabel="mean loss of the epoch")
        self.dynamic = [self.loss_line]  # and the legend, drawn over the curves
        if state.reference is not None:
            self.dynamic.append(ax.legend(loc="upper right", fontsize="small"))
        if self.accuracy_ax is not None:
            ax = self.accuracy_ax
            (self.accuracy_line,) = ax.plot([], [], **line)
            if state.chance is not None:
                chance, note = 100 * state.chance, {"color": "0.45", "fontsize": "small", "ha": "right"}
                ax.axhline(chance, color="0.6", linestyle=":", linewidth=1)
                beside = ax.get_yaxis_transform()  # x in the axes (at the right end), y in percent
                ax.text(0.98, chance + 0.5, f"chance: {chance:.0f}%", transform=beside, **note)
            ax.set(xlabel="epoch (0: before training)", ylabel=f"{names['accuracy']} (%)")
            ax.set_title(f"{names['accuracy']}, after each epoch")
            self.dynamic.append(self.accuracy_line)
        for ax in axes:
            ax.grid(True, alpha=0.3)
        self.status = figure.suptitle(" ")
        self.dynamic.append(self.status)

    def background(self, state):
        return state.scale, state.last_epoch, state.error_limits, state.accuracy_limits

    def draw(self, state):
        n, last = len(state.errors), state.last_epoch
        ticks = list(range(step := -(-last // 10), last + 1, step))  # whole epochs, about ten ticks
        self.loss_line.set_data(state.epochs_seen, state.errors)
        if self.loss_ax.get_yscale() != state.scale:  # the layout stays: linear labels as short as log's
            self.loss_ax.set(yscale=state.scale, title=f"loss ({state.scale} scale)")
            if state.scale == "linear":
                self.loss_ax.yaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10]))
                self.loss_ax.ticklabel_format(axis="y", scilimits=(-2, 2))
        self.loss_ax.set(xlim=(0.5, last + 0.5), xticks=ticks, ylim=state.error_limits)
        if self.accuracy_ax is not None:
            self.accuracy_line.set_data(range(len(state.accuracies)), 100 * np.array(state.accuracies))
            self.accuracy_ax.set(xlim=(-0.5, last + 0.5), xticks=[0, *ticks], ylim=state.accuracy_limits)
        waiting = f"waiting for the first of {state.epochs} epochs"
        words = [f"epoch {n} of {state.epochs}, error {state.errors[-1]:.4g}" if n else waiting]
        if state.accuracies:
            words.append(f"{self.names['accuracy']} {100 * state.accuracies[-1]:.1f}%")
        if n:
            words.append(f"{state.elapsed:.1f} s" + (" (done)" if n >= state.epochs else ""))
        self.status.set_text(f"{self.names['title']}: " + ", ".join(words))


class TrainingMonitor(InteractiveFigure):
    """The error of each epoch as training goes, and optionally an accuracy after each epoch.

    epochs: announced (more are shown if they come). accuracy: a function of no argument returning
    a fraction, called now (epoch 0) and after each epoch. chance: guessing's accuracy, or None.
    reference: an earlier run's errors. The labels name the accuracy, the runs and the status line.
    The clock starts now: make the monitor in the cell that trains, and ``show()`` it before training
    (a cell's last expression appears only after the cell). ``state`` is the ``TrainingRun`` shown.
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
        reference = None if reference is None else np.asarray(reference, dtype=float)
        if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 1:
            raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
        if accuracy is not None and not callable(accuracy):
            raise ValueError(f"accuracy must be a function returning a fraction, got {accuracy!r}")
        if reference is not None and (reference.ndim != 1 or reference.size == 0):
            raise ValueError(
                f"reference must be a list of errors (one per epoch), got shape {reference.shape}"
            )
        if chance is not None and not 0 <= chance <= 1:
            raise ValueError(f"chance must be a fraction between 0 and 1, got {chance}")
        size = (10, 3.6) if accuracy else (6.2, 3.6)
        super().__init__(figsize=size, presentation_figsize=(size[0] + 1, 4.4))
        self.accuracy = accuracy
        self.names = {"accuracy": accuracy_label, "reference": reference_label, "run": label, "title": title}
        self.scale = widgets.ToggleButtons(options=SCALES, description="loss scale")
        self.show_controls(self.scale)
        self.watch(self.scale)
        self.display_handle, self.start = None, time.perf_counter()
        self.state = TrainingRun(int(epochs), accuracies=self._measure(), reference=reference, chance=chance)
        self.refresh()

    def compute(self) -> TrainingRun:
        return replace(self.state, scale=self.scale.value)  # the run itself is recorded by ``update``

    def make_view(self, figure, state):
        return TrainingMonitorView(figure, state, self.names)

    def show(self):
        """Display the monitor now, and again after the last epoch: a static copy of the notebook
        keeps the picture of when it was displayed, which would be the empty plot."""
        from IPython.display import display

        self.display_handle = display(self, display_id=True)

    def update(self, epoch: int, error: float) -> None:
        """Add one epoch's point and redraw (``train``'s ``on_epoch_end``). An epoch out of turn is
        refused with a ValueError: a monitor follows one training run."""
        expected = len(self.state.errors) + 1
        if epoch != expected:
            raise ValueError(f"expected epoch {expected}, got epoch {epoch}: a new run needs a new monitor")
        errors, accuracies = [*self.state.errors, float(error)], self.state.accuracies + self._measure()
        elapsed = time.perf_counter() - self.start
        self.state = replace(self.state, errors=errors, accuracies=accuracies, elapsed=elapsed)
        self.refresh()
        if self.display_handle is not None and epoch == self.state.epochs:
            self.display_handle.update(self)

    def refresh(self):
        """Draw, then explain an error that the loss axis cannot show."""
        super().refresh()
        n, last = len(self.state.errors), (self.state.errors or [1.0])[-1]
        if not np.isfinite(last):
            diverged = "training has diverged (try a smaller learning rate); only finite errors are plotted"
            self.say(f"epoch {n}: the error is {last}, not a number: {diverged}.", error=True)
        elif last <= 0 and self.state.scale == "log":
            self.say("an error of 0 has no place on a log scale: switch to a linear scale to see it.")
        else:
            self.say()

    def _measure(self) -> list[float]:
        """The accuracy now, in a list (empty when none is measured)."""
        value = [] if self.accuracy is None else [float(self.accuracy())]
        if value and not 0 <= value[0] <= 1:
            raise ValueError(f"accuracy must return a fraction between 0 and 1, got {value[0]}")
        return value
