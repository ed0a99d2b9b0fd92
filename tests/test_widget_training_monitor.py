"""TrainingMonitor: its state checked on values, fed by train and by hand without a browser, one picture."""

import html

import numpy as np
import pytest

from cnnlib.activations import Tanh
from cnnlib.layers import Dense
from cnnlib.losses import mse, mse_prime
from cnnlib.network import train
from cnnlib.widgets.training_monitor import TrainingMonitor, TrainingRun

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


def message(w):
    return html.unescape(w.message.value)


def is_error(w):
    return "color:#b00020" in w.message.value


def fed(epochs, errors, **kwargs):
    """A monitor given ``errors`` for epochs 1, 2, ..."""
    monitor = TrainingMonitor(epochs=epochs, **kwargs)
    for epoch, error in enumerate(errors, start=1):
        monitor.update(epoch, error)
    return monitor


# --- the state -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "errors, reference, scale, limits",
    [
        ([], None, "log", (1e-3, 1.0)),  # before the first epoch
        ([], None, "linear", (0.0, 1.0)),
        ([0.42, 0.05, 0.0022], None, "log", (1e-3, 1.0)),  # whole decades around the errors
        ([0.42, 0.05, 0.0022], None, "linear", (0.0, 0.42 * 1.08)),
        ([0.5, 3.0], None, "log", (0.1, 10.0)),
        ([0.3], [0.5, 0.1, 0.01], "log", (1e-3, 1.0)),  # the reference is in view
        ([0.3], [0.5, 0.1, 0.01, 0.001, 1e-6], "log", (1e-3, 1.0)),  # up to the last epoch shown
        ([0.5, np.nan, 0.2], None, "log", (0.1, 1.0)),  # only finite errors count
        ([0.0, 0.5], None, "log", (0.1, 1.0)),  # and only positive ones on a log scale
        ([0.0], None, "linear", (0.0, 1.0)),
    ],
)
def test_the_loss_axis_shows_every_finite_error(errors, reference, scale, limits):
    run = TrainingRun(
        3, errors=errors, reference=None if reference is None else np.array(reference), scale=scale
    )
    assert run.error_limits == pytest.approx(limits)
    assert run.epochs_seen == list(range(1, len(errors) + 1))


def test_the_epoch_axis_grows_when_more_epochs_come_than_announced():
    assert TrainingRun(2, errors=[1.0]).last_epoch == 2
    assert TrainingRun(2, errors=[1.0, 0.5, 0.3]).last_epoch == 3


@pytest.mark.parametrize(
    "accuracies, chance, limits",
    [([0.5, 0.9], 0.5, (42, 102)), ([0.1, 0.2], None, (7, 102)), ([0.95], None, (42, 102))],
)
def test_the_accuracy_axis_shows_chance_and_every_accuracy(accuracies, chance, limits):
    assert TrainingRun(3, accuracies=accuracies, chance=chance).accuracy_limits == pytest.approx(limits)


# --- fed by train, and by hand -------------------------------------------------------------------


def test_as_trains_callback_it_records_every_epoch_and_changes_nothing():
    plain = train(xor_network(), mse, mse_prime, XOR_X, XOR_Y, epochs=6, learning_rate=0.1)
    monitor = TrainingMonitor(epochs=6, title="XOR")
    assert monitor.state.errors == [] and monitor.state.epochs_seen == [] and monitor.state.accuracies == []
    errors = train(
        xor_network(), mse, mse_prime, XOR_X, XOR_Y, epochs=6, learning_rate=0.1, on_epoch_end=monitor.update
    )
    assert errors == plain == monitor.state.errors
    assert monitor.state.epochs_seen == [1, 2, 3, 4, 5, 6] and monitor.state.elapsed > 0
    np.testing.assert_array_equal(monitor.view.loss_line.get_data(), [[1, 2, 3, 4, 5, 6], errors])


def test_the_accuracy_is_measured_before_training_and_after_each_epoch():
    accuracy = Counter([0.5, 0.75, 1.0, 1.0])
    monitor = TrainingMonitor(epochs=3, accuracy=accuracy)
    assert accuracy.calls == 1 and monitor.state.accuracies == [0.5]  # epoch 0: the untrained network
    for epoch, error in enumerate([0.3, 0.2, 0.1], start=1):
        monitor.update(epoch, error)
    assert accuracy.calls == 4 and monitor.state.accuracies == [0.5, 0.75, 1.0, 1.0]
    np.testing.assert_array_equal(monitor.view.accuracy_line.get_data(), [[0, 1, 2, 3], [50, 75, 100, 100]])


def test_the_scale_buttons_put_the_loss_on_a_log_or_linear_axis():
    monitor = fed(3, [0.42, 0.05, 0.0022])
    assert monitor.scale.options == ("log", "linear") and monitor.state.scale == "log"
    assert monitor.view.loss_ax.get_yscale() == "log"
    monitor.scale.value = "linear"
    assert monitor.state.scale == "linear" and monitor.state.errors == [0.42, 0.05, 0.0022]
    assert monitor.view.loss_ax.get_yscale() == "linear"
    assert monitor.view.loss_ax.get_ylim() == pytest.approx(monitor.state.error_limits)
    monitor.scale.value = "log"
    assert monitor.view.loss_ax.get_yscale() == "log"


def test_the_panels_stay_put_between_epochs_and_scales():
    monitor = TrainingMonitor(epochs=3, accuracy=Counter([0.5, 0.9, 0.95, 1.0]))
    axes = (monitor.view.loss_ax, monitor.view.accuracy_ax)
    positions = [ax.get_position().bounds for ax in axes]
    for epoch, error in enumerate([0.4, 0.004, 0.00004], start=1):
        monitor.update(epoch, error)
    monitor.scale.value = "linear"
    assert [ax.get_position().bounds for ax in axes] == positions


def test_an_epoch_out_of_turn_is_refused_and_the_state_kept():
    monitor = fed(3, [0.5])
    state, png = monitor.state, bytes(monitor.image.value)
    with pytest.raises(ValueError, match="expected epoch 2, got epoch 1"):
        monitor.update(1, 0.4)
    assert monitor.state is state and bytes(monitor.image.value) == png


def test_a_diverging_error_is_explained_not_raised():
    monitor = fed(3, [0.5, float("nan")])
    assert "epoch 2: the error is nan" in message(monitor) and is_error(monitor)
    monitor.update(3, 0.4)
    assert message(monitor) == ""


def test_a_zero_error_on_the_log_scale_is_explained():
    monitor = fed(2, [0.0])
    assert "an error of 0" in message(monitor) and "linear scale" in message(monitor)
    monitor.scale.value = "linear"
    assert message(monitor) == ""


@pytest.mark.parametrize(
    "kwargs, expected, received",
    [
        ({"epochs": 0}, "epochs must be a whole number >= 1", "got 0"),
        ({"epochs": "20"}, "epochs must be a whole number >= 1", "got '20'"),
        ({"epochs": True}, "epochs must be a whole number >= 1", "got True"),
        ({"epochs": 3, "accuracy": 0.9}, "accuracy must be a function", "got 0.9"),
        ({"epochs": 3, "accuracy": lambda: 99.5}, "accuracy must return a fraction", "got 99.5"),
        ({"epochs": 3, "reference": [[0.1, 0.2]]}, "reference must be a list of errors", "got shape (1, 2)"),
        ({"epochs": 3, "reference": []}, "reference must be a list of errors", "got shape (0,)"),
        ({"epochs": 3, "chance": 50}, "chance must be a fraction between 0 and 1", "got 50"),
    ],
)
def test_misuse_in_code_is_refused_clearly(kwargs, expected, received):
    with pytest.raises(ValueError) as raised:
        TrainingMonitor(**kwargs)
    assert expected in str(raised.value) and received in str(raised.value)


def test_show_displays_now_and_again_after_the_last_epoch(monkeypatch):
    import IPython.display

    shown, updates = [], []

    class Handle:
        def update(self, obj):
            updates.append(bytes(obj.image.value))

    monkeypatch.setattr(
        IPython.display, "display", lambda obj, display_id=None: shown.append(obj) or Handle()
    )
    monitor = TrainingMonitor(epochs=3)
    monitor.show()
    assert shown == [monitor]
    monitor.update(1, 0.5)
    monitor.update(2, 0.3)
    assert updates == []  # live updates go through the image widget, not the display
    monitor.update(3, 0.2)
    assert updates == [bytes(monitor.image.value)]  # the finished curve, for static copies of the page


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_each_epoch_and_scale():
    monitor = TrainingMonitor(epochs=3, accuracy=Counter([0.5, 0.8, 0.9]), reference=[0.6, 0.2, 0.1])
    pictures = [bytes(monitor.image.value)]
    for epoch, error in enumerate([0.5, 0.05], start=1):
        monitor.update(epoch, error)
        pictures.append(bytes(monitor.image.value))
    assert pictures[0].startswith(b"\x89PNG") and len(set(pictures)) == 3
    monitor.scale.value = "linear"
    assert bytes(monitor.image.value) != pictures[-1]
    monitor.scale.value = "log"
    assert bytes(monitor.image.value) == pictures[-1]
