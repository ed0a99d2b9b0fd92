"""The decision-boundary widget and its recorder, driven without a browser."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cnnlib.activations import Tanh
from cnnlib.layers import Dense
from cnnlib.losses import mse, mse_prime
from cnnlib.network import predict, train
from cnnlib.widgets.decision_boundary import BoundaryRecorder, DecisionBoundary, outputs_on_grid

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


def test_the_grid_puts_x1_along_columns_and_x2_along_rows():
    network = [Dense(2, 1, rng=0)]
    network[0].weights[:] = [[1.0, 10.0]]
    network[0].bias[:] = 0
    axis = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(outputs_on_grid(network, axis), [[0, 1, 2], [10, 11, 12], [20, 21, 22]])


def test_the_recorder_keeps_the_chosen_epochs_and_every_error(recorder):
    assert [s.epoch for s in recorder.snapshots] == EPOCHS
    assert recorder.errors[1:] == recorder.errors_from_train
    assert len(recorder.errors) == 301
    for snapshot in recorder.snapshots:
        assert snapshot.error == recorder.errors[snapshot.epoch]
        assert snapshot.outputs.shape == (21, 21)
    # the last snapshot is the trained network itself, on the grid and at the four points
    last = recorder.snapshots[-1]
    np.testing.assert_allclose(last.outputs, outputs_on_grid(recorder.trained_network, recorder.axis))
    np.testing.assert_allclose(last.predictions, [predict(recorder.trained_network, x)[0, 0] for x in XOR_X])
    np.testing.assert_array_equal(last.predictions > 0.5, [False, True, True, False])


def test_the_untrained_error_is_the_loss_before_any_step():
    network = xor_network()
    expected = np.mean([mse(y, predict(network, x)) for x, y in zip(XOR_X, XOR_Y)])
    recorder = BoundaryRecorder(network, XOR_X, XOR_Y, [0])
    assert recorder.errors == [pytest.approx(expected)]
    assert recorder.snapshots[0].error == pytest.approx(expected)


def test_recording_does_not_change_training():
    plain = train(xor_network(), mse, mse_prime, XOR_X, XOR_Y, epochs=20, learning_rate=0.1)
    network = xor_network()
    recorded = train(
        network,
        mse,
        mse_prime,
        XOR_X,
        XOR_Y,
        epochs=20,
        learning_rate=0.1,
        on_epoch_end=BoundaryRecorder(network, XOR_X, XOR_Y, range(21), points=5),
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
        (XOR_X[:, :, 0], XOR_Y, [0], r"x_train: expected shape \(N, 2, 1\)"),
        (XOR_X, XOR_Y[:3], [0], r"y_train: expected shape \(4, 1, 1\)"),
        (XOR_X, XOR_Y, [], "at least one epoch"),
        (XOR_X, XOR_Y, [-1, 5], "all >= 0"),
    ],
)
def test_the_recorder_refuses_bad_arguments(x, y, epochs, message):
    with pytest.raises(ValueError, match=message):
        BoundaryRecorder(xor_network(), x, y, epochs)


def test_the_widget_starts_at_the_untrained_network(widget, recorder):
    first = recorder.snapshots[0]
    assert (widget.index, widget.epoch, widget.error) == (0, 0, first.error)
    np.testing.assert_array_equal(widget.surface.get_array(), first.outputs)
    assert widget.boundary_ax.get_title().startswith("epoch 0: error ")
    assert bytes(widget.image.value).startswith(b"\x89PNG")
    assert tuple(widget.slider.options) == tuple(EPOCHS)
    assert widget.slider._options_labels == tuple(str(e) for e in EPOCHS)  # what the learner reads


def test_the_slider_shows_each_end_and_redraws(widget, recorder):
    for position in (-1, 0, -1):
        snapshot = recorder.snapshots[position]
        before = bytes(widget.image.value)
        widget.slider.value = snapshot.epoch
        assert widget.epoch == snapshot.epoch and widget.snapshot is snapshot
        np.testing.assert_array_equal(widget.surface.get_array(), snapshot.outputs)
        assert widget.boundary_ax.get_title() == (
            f"epoch {snapshot.epoch}: error {snapshot.error:.3g}, {widget.correct} of 4 right"
        )
        assert [t.get_text() for t in widget.prediction_texts] == [f"{p:.2f}" for p in snapshot.predictions]
        np.testing.assert_array_equal(np.ravel(widget.marker.get_data()), [snapshot.epoch, snapshot.error])
        assert bytes(widget.image.value) != before


def test_the_trained_network_gets_all_four_right_and_the_line_is_where_it_outputs_one_half(widget, recorder):
    widget.slider.value = EPOCHS[-1]
    assert widget.correct == 4 and widget.message.value == ""
    vertices = np.concatenate([path.vertices for path in widget.contour.get_paths()])
    assert len(vertices) > 10
    on_the_line = [predict(recorder.trained_network, np.reshape(point, (2, 1)))[0, 0] for point in vertices]
    np.testing.assert_allclose(on_the_line, 0.5, atol=0.02)


def test_no_boundary_line_is_explained_not_drawn(widget, recorder):
    widget.slider.value = 0
    outputs = recorder.snapshots[0].outputs
    assert outputs.max() < 0.5  # this seed starts with every output below 0.5
    assert widget.contour is None
    assert "one side of 0.5" in widget.message.value
    widget.slider.value = EPOCHS[-1]
    assert widget.contour is not None and widget.message.value == ""


def test_the_contour_is_replaced_not_stacked(widget):
    widget.slider.value = EPOCHS[-1]
    widget.slider.value = EPOCHS[-2]
    widget.slider.value = EPOCHS[-1]
    assert len(widget.boundary_ax.collections) == 2 + 1  # two groups of points, one contour


def test_play_drives_the_slider(widget):
    assert (widget.play.min, widget.play.max) == (0, len(EPOCHS) - 1)
    widget.play.value = 2
    assert widget.slider.value == EPOCHS[2] and widget.epoch == EPOCHS[2]
    widget.play.value = len(EPOCHS) - 1
    assert widget.epoch == EPOCHS[-1]


def test_the_layout_stays_put_between_frames(widget):
    positions = widget.boundary_ax.get_position().bounds
    widget.slider.value = EPOCHS[-1]
    assert widget.boundary_ax.get_position().bounds == positions


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
        ({"axis": np.linspace(0, 1, 6)}, r"expected outputs of shape \(6, 6\)"),
        ({"errors": []}, "errors only reach epoch -1"),
        ({"y_train": XOR_Y[:, 0]}, r"y_train: expected shape \(4, 1, 1\)"),
    ],
)
def test_the_widget_refuses_a_bad_record(changes, message):
    with pytest.raises(ValueError, match=message):
        DecisionBoundary(FakeRecord(**changes))


def test_a_record_with_a_single_snapshot_still_works():
    widget = DecisionBoundary(FakeRecord())
    assert widget.epoch == 0 and widget.play.max == 0
