"""DecisionBoundary and its recorder: snapshots on values, controls driven without a browser, one picture."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnlib.activations import Tanh
from cnnlib.layers import Dense
from cnnlib.losses import mse, mse_prime
from cnnlib.network import predict, train
from cnnlib.widgets.decision_boundary import (
    BoundaryRecorder,
    DecisionBoundary,
    draw_boundary,
    outputs_on_grid,
)

XOR_X = np.reshape([[0, 0], [0, 1], [1, 0], [1, 1]], (4, 2, 1)).astype(float)
XOR_Y = np.reshape([[0], [1], [1], [0]], (4, 1, 1)).astype(float)
EPOCHS = [0, 10, 100, 300]


def xor_network(seed=1):
    rng = np.random.default_rng(seed)
    return [Dense(2, 3, rng=rng), Tanh(), Dense(3, 1, rng=rng), Tanh()]


@pytest.fixture(scope="module")
def recorder():
    network = xor_network()
    recorder = BoundaryRecorder(network, XOR_X, XOR_Y, EPOCHS, points=21)
    recorder.errors_from_train = train(
        network, mse, mse_prime, XOR_X, XOR_Y, epochs=300, learning_rate=0.1, on_epoch_end=recorder
    )
    recorder.trained_network = network
    return recorder


@pytest.fixture
def widget(recorder):
    return DecisionBoundary(recorder)


def output_at(network, point):
    return predict(network, np.reshape(point, (2, 1)))[0, 0]


# --- the recorder and its snapshots ----------------------------------------------------------------


def test_the_grid_puts_x1_along_columns_and_x2_along_rows():
    network = [Dense(2, 1, rng=0)]
    network[0].weights[:] = [[1.0, 10.0]]
    network[0].bias[:] = 0
    axis = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(outputs_on_grid(network, axis), [[0, 1, 2], [10, 11, 12], [20, 21, 22]])


def test_the_recorder_keeps_the_chosen_epochs_and_every_error(recorder):
    assert [s.epoch for s in recorder.snapshots] == EPOCHS
    assert recorder.errors[1:] == recorder.errors_from_train and len(recorder.errors) == 301
    for snapshot in recorder.snapshots:
        assert snapshot.error == recorder.errors[snapshot.epoch] and snapshot.outputs.shape == (21, 21)
        right = (snapshot.predictions > 0.5) == (XOR_Y.ravel() == 1)
        assert snapshot.right == np.sum(right)
    # the last snapshot is the trained network itself, on the grid and at the four points
    last, network = recorder.snapshots[-1], recorder.trained_network
    np.testing.assert_allclose(last.outputs, outputs_on_grid(network, recorder.axis))
    np.testing.assert_allclose(last.predictions, [output_at(network, x) for x in XOR_X])
    assert last.right == 4


def test_the_boundary_is_where_the_network_outputs_one_half(recorder):
    last, network = recorder.snapshots[-1], recorder.trained_network
    points = np.concatenate(last.boundary)
    assert len(last.boundary) >= 2 and len(points) > 10  # a band along the diagonal: two lines
    assert points.min() >= recorder.axis[0] and points.max() <= recorder.axis[-1]
    np.testing.assert_allclose([output_at(network, point) for point in points], 0.5, atol=0.02)
    first = recorder.snapshots[0]
    assert first.outputs.max() < 0.5 and first.boundary == []  # this seed starts with every output below 0.5


def test_the_untrained_error_is_the_loss_before_any_step():
    network = xor_network()
    expected = np.mean([mse(y, predict(network, x)) for x, y in zip(XOR_X, XOR_Y)])
    recorder = BoundaryRecorder(network, XOR_X, XOR_Y, [0])
    assert recorder.errors == [pytest.approx(expected)] and recorder.snapshots[0].error == pytest.approx(
        expected
    )


def test_recording_does_not_change_training():
    plain = train(xor_network(), mse, mse_prime, XOR_X, XOR_Y, epochs=20, learning_rate=0.1)
    network = xor_network()
    recorder = BoundaryRecorder(network, XOR_X, XOR_Y, range(21), points=5)
    recorded = train(
        network, mse, mse_prime, XOR_X, XOR_Y, epochs=20, learning_rate=0.1, on_epoch_end=recorder
    )
    assert plain == recorded


def test_a_recorder_used_for_a_second_run_is_refused():
    network = xor_network()
    recorder = BoundaryRecorder(network, XOR_X, XOR_Y, [0, 2], points=5)
    train(network, mse, mse_prime, XOR_X, XOR_Y, epochs=2, learning_rate=0.1, on_epoch_end=recorder)
    with pytest.raises(ValueError, match="expected epoch 3 and got epoch 1: make a new recorder"):
        train(network, mse, mse_prime, XOR_X, XOR_Y, epochs=2, learning_rate=0.1, on_epoch_end=recorder)


@pytest.mark.parametrize(
    "x, y, epochs, message",
    [
        (XOR_X[:, :, 0], XOR_Y, [0], r"x_train: expected shape \(N, 2, 1\).*got \(4, 2\)"),
        (XOR_X, XOR_Y[:3], [0], r"y_train: expected shape \(4, 1, 1\).*got \(3, 1, 1\)"),
        (XOR_X, XOR_Y, [], "at least one epoch"),
        (XOR_X, XOR_Y, [-1, 5], r"all >= 0; got \[-1, 5\]"),
    ],
)
def test_the_recorder_refuses_bad_arguments(x, y, epochs, message):
    with pytest.raises(ValueError, match=message):
        BoundaryRecorder(xor_network(), x, y, epochs)


# --- the controls --------------------------------------------------------------------------------


def test_the_widget_starts_at_the_untrained_network(widget, recorder):
    assert widget.state is recorder.snapshots[0] and tuple(widget.slider.options) == tuple(EPOCHS)


def test_the_slider_shows_each_snapshot_and_stops_at_both_ends(widget, recorder):
    for index in (-1, 0, 2, -1):
        widget.slider.value = EPOCHS[index]
        assert widget.state is recorder.snapshots[index]
    widget.slider.index = 0
    assert widget.state.epoch == 0


def test_no_boundary_line_is_explained(widget):
    widget.slider.value = 0
    assert (
        widget.state.boundary == [] and widget.message.value and "color:#b00020" not in widget.message.value
    )
    widget.slider.value = EPOCHS[-1]
    assert widget.state.boundary and widget.message.value == ""


def test_play_drives_the_slider_and_the_slider_moves_play(widget):
    assert (widget.play.min, widget.play.max) == (0, len(EPOCHS) - 1)
    widget.play.value = 2
    assert widget.slider.value == EPOCHS[2] and widget.state.epoch == EPOCHS[2]
    widget.play.value = len(EPOCHS) - 1
    assert widget.state.epoch == EPOCHS[-1]
    widget.slider.value = EPOCHS[1]
    assert widget.play.value == 1


def test_play_slows_down_when_a_frame_takes_longer_than_its_interval(widget):
    widget.play.interval = 1
    widget.play.value = 3
    assert widget.play.interval >= 1.5 * 1000 * widget.seconds - 50


class FakeRecord:
    def __init__(self, **changes):
        snapshot = BoundaryRecorder(xor_network(), XOR_X, XOR_Y, [0], points=5).snapshots[0]
        self.axis, self.snapshots, self.errors = np.linspace(0, 1, 5), [snapshot], [snapshot.error]
        self.x_train, self.y_train = XOR_X, XOR_Y
        self.__dict__.update(changes)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"snapshots": []}, "holds no snapshot: train the network with on_epoch_end=recorder first"),
        ({"axis": np.linspace(0, 1, 6)}, r"expected outputs of shape \(6, 6\) \(the grid\), got \(5, 5\)"),
        ({"errors": []}, "snapshot of epoch 0 but errors only reach epoch -1"),
        ({"y_train": XOR_Y[:, 0]}, r"y_train: expected shape \(4, 1, 1\)"),
    ],
)
def test_the_widget_refuses_a_bad_record(changes, message):
    with pytest.raises(ValueError, match=message):
        DecisionBoundary(FakeRecord(**changes))


def test_a_record_with_a_single_snapshot_still_works():
    widget = DecisionBoundary(FakeRecord())
    assert widget.state.epoch == 0 and widget.play.max == 0


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_each_step(widget, recorder):
    first = bytes(widget.image.value)
    assert first.startswith(b"\x89PNG")
    widget.slider.value = EPOCHS[-1]
    assert bytes(widget.image.value) != first
    widget.slider.value = EPOCHS[0]
    assert bytes(widget.image.value) == first  # a step redraws what changed, and only that
    # the notebook draws snapshots with the same helper
    ax, last = Figure().subplots(), recorder.snapshots[-1]
    image, lines, texts = draw_boundary(ax, recorder.axis, last, XOR_X, XOR_Y)
    np.testing.assert_array_equal(image.get_array(), last.outputs)
    assert len(lines.get_segments()) == len(last.boundary) and len(texts) == 4
