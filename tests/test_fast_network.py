"""The fast tier's losses, optimisers and network: gradients, stability, reproducible training, saving."""

import numpy as np
import pytest

from cnnlib import losses
from cnnlib.augmentation import shift_randomly
from cnnlib.fast import layers as fast
from cnnlib.fast.losses import binary_cross_entropy, softmax, softmax_cross_entropy
from cnnlib.fast.network import Network, evaluate, fit
from cnnlib.fast.optimizers import SGD, Adam
from cnnlib.gradcheck import numerical_gradient, relative_error


def test_softmax_cross_entropy_gradient_matches_central_differences():
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((6, 10)), rng.integers(0, 10, 6)
    _, gradient = softmax_cross_entropy(logits, labels)
    numeric = numerical_gradient(lambda: softmax_cross_entropy(logits, labels)[0], logits)
    assert relative_error(gradient, numeric) < 1e-6


def test_softmax_cross_entropy_is_the_mean_negative_log_probability_and_stable_at_huge_logits():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    loss, _ = softmax_cross_entropy(logits, np.array([2, 0]))
    expected = -np.mean([np.log(np.exp(3) / np.exp([1, 2, 3]).sum()), np.log(1 / 3)])
    assert loss == pytest.approx(expected, rel=1e-12)
    huge = np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32)  # e^1000 overflows: the shift avoids it
    loss, gradient = softmax_cross_entropy(huge, np.array([1]))
    assert loss == pytest.approx(2000.0) and np.all(np.isfinite(gradient))
    np.testing.assert_allclose(softmax(huge), [[1, 0, 0]], atol=1e-30)


def test_binary_cross_entropy_is_the_plain_loss_averaged_over_the_batch():
    rng = np.random.default_rng(1)
    p, t = rng.uniform(0.05, 0.95, (4, 2)), np.eye(2)[rng.integers(0, 2, 4)]
    loss, gradient = binary_cross_entropy(p, t)
    plain = [losses.binary_cross_entropy(t[n][:, None], p[n][:, None]) for n in range(4)]
    assert loss == pytest.approx(np.mean(plain), rel=1e-12)
    for n in range(4):
        plain_gradient = losses.binary_cross_entropy_prime(t[n][:, None], p[n][:, None])[:, 0]
        np.testing.assert_allclose(gradient[n], plain_gradient / 4, rtol=1e-12)


@pytest.mark.parametrize(
    "logits, labels, message",
    [
        (np.zeros((3, 4)), np.array([0, 1]), "expected logits (N, classes) and labels (N,)"),
        (np.zeros((2, 4)), np.array([0, 4]), "labels must be class indices from 0 to 3"),
        (np.zeros((2, 4)), np.array([0.0, 1.0]), "labels must be class indices"),
    ],
)
def test_wrong_labels_are_refused(logits, labels, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        softmax_cross_entropy(logits, labels)


def test_sgd_without_momentum_is_the_plain_step_and_momentum_accumulates():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    SGD(0.1).step([(w, g)])
    np.testing.assert_allclose(w, [0.95, -2.025])
    w, sgd = np.zeros(1), SGD(1.0, momentum=0.5)
    for _ in range(3):
        sgd.step([(w, np.ones(1))])
    np.testing.assert_allclose(w, [-(1 + 1.5 + 1.75)])  # velocities -1, -1.5, -1.75


def test_adam_first_step_is_the_learning_rate_against_the_gradients_sign_and_it_minimises():
    w = np.array([1.0, -1.0, 3.0])
    Adam(0.01).step([(w, np.array([4.0, -0.001, 2.0]))])
    np.testing.assert_allclose(w, [0.99, -0.99, 2.99], rtol=1e-5)
    w, adam = np.array([5.0]), Adam(0.1)
    for _ in range(500):
        adam.step([(w, 2 * (w - 2))])  # the gradient of (w - 2)^2
    assert abs(w[0] - 2) < 0.05


def small_network(seed=0):
    rng = np.random.default_rng(seed)
    return Network(
        [
            fast.Conv2D(1, 4, 3, padding=1, rng=rng, dtype=np.float64),
            fast.ReLU(),
            fast.MaxPool2D(2),
            fast.Flatten(),
            fast.Dense(4 * 4 * 4, 3, rng=rng, dtype=np.float64),
        ]
    )


def three_patterns(n, seed):
    """8 x 8 images of three kinds (a bright row, column or diagonal, in noise), labelled 0, 1, 2."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    x = 0.3 * rng.standard_normal((n, 1, 8, 8))
    for image, label, where in zip(x, labels, rng.integers(1, 7, n)):
        if label == 0:
            image[0, where, :] += 1
        elif label == 1:
            image[0, :, where] += 1
        else:
            image[0][np.eye(8, dtype=bool)] += 1
    return x, labels


def test_training_learns_and_repeats_exactly_for_a_seed():
    x, y = three_patterns(300, 1)
    runs = []
    for _ in range(2):
        network = small_network()
        history = fit(
            network,
            softmax_cross_entropy,
            x,
            y,
            Adam(0.01),
            epochs=4,
            batch_size=32,
            rng=5,
            validation=three_patterns(100, 2),
            progress=False,
        )
        runs.append((history, network.parameters()))
    (history, parameters), (again, parameters_again) = runs
    assert [row["loss"] for row in history] == [row["loss"] for row in again]
    for name in parameters:
        np.testing.assert_array_equal(parameters[name], parameters_again[name])
    assert history[-1]["loss"] < history[0]["loss"] / 2 and history[-1]["validation_accuracy"] > 0.9
    assert set(history[0]) == {
        "epoch",
        "loss",
        "accuracy",
        "validation_loss",
        "validation_accuracy",
        "seconds",
    }


class RecordingSGD(SGD):
    """SGD that notes the learning rate of every step it takes."""

    def __init__(self):
        super().__init__(0.0)
        self.rates = []

    def step(self, pairs):
        self.rates.append(self.learning_rate)
        super().step(pairs)


def test_learning_rates_are_set_one_per_epoch_and_must_match_the_epochs():
    x, y = three_patterns(64, 1)
    optimizer = RecordingSGD()
    fit(
        small_network(),
        softmax_cross_entropy,
        x,
        y,
        optimizer,
        3,
        32,
        learning_rates=[0.3, 0.2, 0.1],
        progress=False,
    )
    assert optimizer.rates == [0.3, 0.3, 0.2, 0.2, 0.1, 0.1]  # two batches of 32 per epoch
    with pytest.raises(ValueError, match=r"learning_rates: expected one per epoch \(3\), got 2"):
        fit(
            small_network(),
            softmax_cross_entropy,
            x,
            y,
            SGD(),
            3,
            32,
            learning_rates=[0.3, 0.2],
            progress=False,
        )


def test_augment_changes_every_training_batch_and_a_run_still_repeats():
    x, y = three_patterns(100, 1)
    seen = []

    def moved(batch, rng):
        seen.append(len(batch))
        return shift_randomly(batch, rng, most=1)

    runs = [
        fit(
            small_network(),
            softmax_cross_entropy,
            x,
            y,
            Adam(0.01),
            2,
            32,
            rng=3,
            augment=moved,
            progress=False,
        )
        for _ in range(2)
    ]
    assert seen == [32, 32, 32, 4] * 4  # every batch of both epochs of both runs
    assert [row["loss"] for row in runs[0]] == [row["loss"] for row in runs[1]]
    plain = fit(small_network(), softmax_cross_entropy, x, y, Adam(0.01), 2, 32, rng=3, progress=False)
    assert [row["loss"] for row in plain] != [row["loss"] for row in runs[0]]


def test_parameters_survive_a_save_and_load(tmp_path):
    trained, fresh = small_network(0), small_network(1)
    trained.save(tmp_path / "net.npz")
    fresh.load(tmp_path / "net.npz")
    x, y = three_patterns(20, 3)
    assert evaluate(fresh, softmax_cross_entropy, x, y) == evaluate(trained, softmax_cross_entropy, x, y)


def test_a_wrong_or_foreign_file_is_refused_with_what_it_holds(tmp_path):
    network = small_network()
    (tmp_path / "notes.npz").write_text("not numbers")
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    np.savez(tmp_path / "pickled.npz", format=np.array([{"a": 1}], dtype=object))
    Network([fast.Dense(3, 2)]).save(tmp_path / "dense.npz")
    for name, message in [
        ("notes.npz", "is not a parameter file written by Network.save"),
        ("other.npz", "no 'cnnlib.fast network parameters, version 1' in it"),
        ("pickled.npz", "is not a parameter file written by Network.save"),
        ("dense.npz", "holds the parameters of another network"),
    ]:
        with pytest.raises(ValueError, match=message):
            network.load(tmp_path / name)
