"""The live loss curve, driven without a browser: as train's callback, by hand, and its refusals."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cnnlib.activations import Tanh
from cnnlib.layers import Dense
from cnnlib.losses import mse, mse_prime
from cnnlib.network import train
from cnnlib.widgets.training_monitor import TrainingMonitor

XOR_X = np.reshape([[0, 0], [0, 1], [1, 0], [1, 1]], (4, 2, 1)).astype(float)
XOR_Y = np.reshape([[0], [1], [1], [0]], (4, 1, 1)).astype(float)


def xor_network(seed=1):
    rng = np.random.default_rng(seed)
    return [Dense(2, 3, rng=rng), Tanh(), Dense(3, 1, rng=rng), Tanh()]


class Counter:
    """An accuracy function that returns the given values in turn and counts its calls."""

    def __init__(self, values):
        self.values, self.calls = list(values), 0

    def __call__(self):
        self.calls += 1
        return self.values[self.calls - 1]


def png(monitor) -> bytes:
    return bytes(monitor.image.value)


def test_it_starts_empty_and_waiting():
    monitor = TrainingMonitor(epochs=5)
    assert monitor.errors == [] and monitor.epochs_seen == [] and monitor.accuracies == []
    assert monitor.status.get_text() == "Training: waiting for the first of 5 epochs"
    assert monitor.loss_ax.get_xlim() == (0.5, 5.5)
    assert monitor.accuracy_ax is None
    assert png(monitor).startswith(b"\x89PNG")


def test_as_trains_callback_it_draws_every_epoch_and_changes_nothing():
    plain = train(xor_network(), mse, mse_prime, XOR_X, XOR_Y, epochs=6, learning_rate=0.1)
    monitor = TrainingMonitor(epochs=6, title="XOR")
    pictures = [png(monitor)]
    errors = train(
        xor_network(),
        mse,
        mse_prime,
        XOR_X,
        XOR_Y,
        epochs=6,
        learning_rate=0.1,
        on_epoch_end=lambda epoch, error: (monitor.update(epoch, error), pictures.append(png(monitor))),
    )
    assert errors == plain == monitor.errors
    assert monitor.epochs_seen == [1, 2, 3, 4, 5, 6]
    x, y = monitor.loss_line.get_data()
    np.testing.assert_array_equal(x, [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(y, errors)
    assert len(set(pictures)) == 7  # a new picture after every epoch
    title = monitor.status.get_text()
    assert title.startswith(f"XOR: epoch 6 of 6, error {errors[-1]:.4g}, ") and title.endswith(" s (done)")
    assert monitor.elapsed > 0


def test_update_is_the_callback_itself():
    monitor = TrainingMonitor(epochs=3)
    errors = train(
        xor_network(), mse, mse_prime, XOR_X, XOR_Y, epochs=3, learning_rate=0.1, on_epoch_end=monitor.update
    )
    assert monitor.errors == errors and "epoch 3 of 3" in monitor.status.get_text()


def test_the_accuracy_is_measured_before_training_and_after_each_epoch():
    accuracy = Counter([0.5, 0.75, 1.0, 1.0])
    monitor = TrainingMonitor(epochs=3, accuracy=accuracy, accuracy_label="train accuracy")
    assert accuracy.calls == 1 and monitor.accuracies == [0.5]  # epoch 0: the untrained network
    assert "train accuracy 50.0%" in monitor.status.get_text()
    for epoch, error in enumerate([0.3, 0.2, 0.1], start=1):
        monitor.update(epoch, error)
    assert accuracy.calls == 4 and monitor.accuracies == [0.5, 0.75, 1.0, 1.0]
    x, y = monitor.accuracy_line.get_data()
    np.testing.assert_array_equal(x, [0, 1, 2, 3])
    np.testing.assert_array_equal(y, [50, 75, 100, 100])
    assert monitor.accuracy_ax.get_ylabel() == "train accuracy (%)"
    assert monitor.accuracy_ax.get_xlim() == (-0.5, 3.5)
    assert "train accuracy 100.0%" in monitor.status.get_text()
    chance = [line for line in monitor.accuracy_ax.get_lines() if line is not monitor.accuracy_line]
    assert len(chance) == 1 and list(chance[0].get_ydata()) == [50, 50]


def test_a_low_accuracy_stays_on_the_axis():
    monitor = TrainingMonitor(epochs=2, accuracy=Counter([0.1, 0.2, 0.3]), chance=None)
    monitor.update(1, 1.0)
    bottom, top = monitor.accuracy_ax.get_ylim()
    assert bottom < 10 and top > 100
    assert monitor.accuracy_ax.get_lines() == [monitor.accuracy_line]  # no chance line


def test_the_scale_toggle_redraws_on_a_log_or_linear_axis():
    monitor = TrainingMonitor(epochs=3)
    for epoch, error in enumerate([0.42, 0.05, 0.0022], start=1):
        monitor.update(epoch, error)
    assert monitor.scale._options_labels == ("log scale", "linear scale")  # what the learner reads
    assert monitor.loss_ax.get_yscale() == "log"
    assert monitor.loss_ax.get_ylim() == pytest.approx((1e-3, 1.0))  # whole decades around the errors
    before = png(monitor)
    monitor.scale.value = "linear"
    assert monitor.loss_ax.get_yscale() == "linear" and monitor.loss_ax.get_title() == "loss (linear scale)"
    assert monitor.loss_ax.get_ylim() == pytest.approx((0, 0.42 * 1.08))
    assert png(monitor) != before
    monitor.scale.value = "log"
    assert monitor.loss_ax.get_yscale() == "log" and monitor.loss_ax.get_title() == "loss (log scale)"


def test_a_reference_run_is_drawn_in_grey_behind():
    reference = [0.5, 0.1, 0.01, 0.001]
    monitor = TrainingMonitor(
        epochs=4, reference=reference, reference_label="standard-normal start", label="scaled start"
    )
    reference_line = monitor.loss_ax.get_lines()[0]
    np.testing.assert_array_equal(reference_line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(reference_line.get_ydata(), reference)
    assert [t.get_text() for t in monitor.loss_ax.get_legend().get_texts()] == [
        "standard-normal start",
        "scaled start",
    ]
    # the reference is in view before training, with room below its last point (on a decade: 1e-3)
    assert monitor.loss_ax.get_ylim() == pytest.approx((1e-4, 1.0))


def test_the_layout_stays_put_between_epochs():
    monitor = TrainingMonitor(epochs=3, accuracy=Counter([0.5, 0.9, 0.95, 1.0]))
    positions = [ax.get_position().bounds for ax in (monitor.loss_ax, monitor.accuracy_ax)]
    for epoch, error in enumerate([0.4, 0.004, 0.00004], start=1):
        monitor.update(epoch, error)
    assert [ax.get_position().bounds for ax in (monitor.loss_ax, monitor.accuracy_ax)] == positions


def test_more_epochs_than_announced_widen_the_axis():
    monitor = TrainingMonitor(epochs=2)
    for epoch in (1, 2, 3):
        monitor.update(epoch, 1.0 / epoch)
    assert monitor.loss_ax.get_xlim() == (0.5, 3.5)
    assert "epoch 3 of 2" in monitor.status.get_text()


def test_an_epoch_out_of_turn_is_refused_and_changes_nothing():
    monitor = TrainingMonitor(epochs=3)
    monitor.update(1, 0.5)
    before = png(monitor)
    with pytest.raises(ValueError, match="expected epoch 2 and got epoch 1: make a new monitor"):
        monitor.update(1, 0.4)
    assert monitor.errors == [0.5] and png(monitor) == before


def test_a_diverging_error_is_explained_not_raised():
    monitor = TrainingMonitor(epochs=3)
    monitor.update(1, 0.5)
    monitor.update(2, float("nan"))
    assert "not a number: training has diverged" in monitor.message.value
    assert "#b00020" in monitor.message.value  # in red
    assert monitor.loss_ax.get_ylim() == pytest.approx((0.1, 1.0))  # the finite errors keep the axis
    monitor.update(3, 0.4)
    assert monitor.message.value == ""


def test_a_zero_error_on_the_log_scale_is_explained():
    monitor = TrainingMonitor(epochs=2)
    monitor.update(1, 0.0)
    assert "switch the loss to a linear scale" in monitor.message.value
    monitor.scale.value = "linear"
    assert monitor.message.value == ""


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs must be a whole number >= 1, got 0"),
        ({"epochs": "20"}, "epochs must be a whole number >= 1, got '20'"),
        ({"epochs": True}, "epochs must be a whole number >= 1, got True"),
        ({"epochs": 3, "accuracy": 0.9}, "accuracy must be a function of no argument"),
        (
            {"epochs": 3, "accuracy": lambda: 99.5},
            "accuracy must return a fraction between 0 and 1, got 99.5",
        ),
        (
            {"epochs": 3, "reference": [[0.1, 0.2]]},
            r"reference must be a list of errors, one per epoch, got shape \(1, 2\)",
        ),
        ({"epochs": 3, "reference": []}, "reference must be a list of errors"),
        (
            {"epochs": 3, "accuracy": lambda: 0.5, "chance": 50},
            "chance must be a fraction between 0 and 1, got 50",
        ),
    ],
)
def test_misuse_in_code_is_refused_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainingMonitor(**kwargs)


class FakeHandle:
    def __init__(self):
        self.updates = []

    def update(self, obj):
        self.updates.append(bytes(obj.image.value))


def test_show_displays_now_and_refreshes_the_still_image_after_the_last_epoch(monkeypatch):
    import IPython.display

    shown, handle = [], FakeHandle()

    def display(obj, display_id=None):
        shown.append((obj, display_id))
        return handle

    monkeypatch.setattr(IPython.display, "display", display)
    monitor = TrainingMonitor(epochs=3)
    monitor.show()
    assert shown == [(monitor, True)] and monitor.display_handle is handle
    monitor.update(1, 0.5)
    monitor.update(2, 0.3)
    assert handle.updates == []  # live updates go through the image widget, not the display
    monitor.update(3, 0.2)
    assert handle.updates == [png(monitor)]  # the finished curve, for static copies of the page


def test_the_still_image_carries_the_current_picture():
    monitor = TrainingMonitor(epochs=2)
    monitor.update(1, 0.5)
    bundle = monitor._repr_mimebundle_()
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
