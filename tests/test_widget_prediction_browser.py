"""The prediction browser, driven without a browser, on a network whose outputs the test chooses."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from cnnlib.activations import Sigmoid
from cnnlib.layers import Dense, Layer, Reshape
from cnnlib.network import predict
from cnnlib.widgets.prediction_browser import OTHER, RIGHT, WRONG, PredictionBrowser

# the outputs the network gives for images 0 to 5, and their true labels
OUTPUTS = np.array([[0.9, 0.1], [0.2, 0.95], [0.3, 0.8], [0.99, 0.01], [0.55, 0.45], [0.6, 0.3]])
TRUE = np.array([0, 1, 0, 0, 1, 0])
# image 2 is wrong and sure of it (0.5 apart), image 4 wrong and unsure (0.1 apart), image 5 right and unsure
MISTAKES, UNCERTAIN = [2, 4], [2, 4, 5]


class Lookup(Layer):
    """A stand-in network: image k (its pixel [0, 0, 0] holds k) gets OUTPUTS[k]."""

    def __init__(self, outputs):
        self.outputs = np.asarray(outputs, dtype=float)

    def forward(self, x):
        return self.outputs[int(x[0, 0, 0])][:, np.newaxis]


def images(n=6, size=4):
    rng = np.random.default_rng(0)
    stack = rng.uniform(0, 1, (n, 1, size, size))
    stack[:, 0, 0, 0] = np.arange(n)  # the Lookup's key
    return stack


def one_hot(labels, classes=2):
    return np.eye(classes)[labels][:, :, np.newaxis]


@pytest.fixture
def browser():
    return PredictionBrowser([Lookup(OUTPUTS)], images(), one_hot(TRUE), margin=0.6)


def png(widget) -> bytes:
    return bytes(widget.image.value)


def test_outputs_predictions_mistakes_and_uncertain_images(browser):
    np.testing.assert_array_equal(browser.outputs, OUTPUTS)
    np.testing.assert_array_equal(browser.true, TRUE)
    np.testing.assert_array_equal(browser.predicted, [0, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(browser.mistakes, MISTAKES)
    np.testing.assert_array_equal(browser.uncertain, UNCERTAIN)
    assert "2 mistake(s) and 3 uncertain image(s) among the 6" in browser.message.value


def test_the_outputs_are_the_networks_own():
    rng = np.random.default_rng(3)
    network = [Reshape((1, 4, 4), (16, 1)), Dense(16, 2, rng=rng), Sigmoid()]
    stack = rng.uniform(0, 1, (5, 1, 4, 4))
    browser = PredictionBrowser(network, stack, one_hot(np.array([0, 1, 0, 1, 1])))
    np.testing.assert_allclose(browser.outputs, [predict(network, x)[:, 0] for x in stack])


def test_it_starts_at_the_first_image(browser):
    assert (browser.position, browser.index, browser.correct) == (0, 0, True)
    np.testing.assert_array_equal(browser.picture.get_array(), images()[0, 0])
    assert browser.image_ax.get_title() == "test image 0\ntrue label: 0"
    assert browser.bars_ax.get_title() == "predicted: 0 (right)"
    assert [bar.get_height() for bar in browser.bars] == [0.9, 0.1]
    assert [text.get_text() for text in browser.bar_texts] == ["0.900", "0.100"]
    assert matplotlib.colors.same_color(browser.bars[0].get_facecolor(), RIGHT)
    assert matplotlib.colors.same_color(browser.bars[1].get_facecolor(), OTHER)
    np.testing.assert_array_equal(np.ravel(browser.ring.get_data()), [0.9, 0.1])
    assert png(browser).startswith(b"\x89PNG")


def test_the_slider_reaches_both_ends_and_redraws(browser):
    assert (browser.slider.min, browser.slider.max) == (0, 5)
    before = png(browser)
    browser.slider.value = 5
    assert browser.index == 5 and png(browser) != before
    assert browser.title.get_text() == "all images: image 6 of 6"
    np.testing.assert_array_equal(browser.picture.get_array(), images()[5, 0])
    browser.slider.value = 99  # past the end: the slider clamps
    assert browser.index == 5
    browser.slider.value = 0
    assert browser.index == 0 and png(browser) == before


def test_a_mistake_is_drawn_red_with_the_wrong_class(browser):
    browser.slider.value = 2
    assert browser.correct is False
    assert browser.image_ax.get_title() == "test image 2\ntrue label: 0"
    assert browser.bars_ax.get_title() == "predicted: 1 (wrong)"
    assert matplotlib.colors.same_color(browser.bars[1].get_facecolor(), WRONG)
    assert matplotlib.colors.same_color(browser.bars[0].get_facecolor(), OTHER)
    np.testing.assert_array_equal(np.ravel(browser.ring.get_data()), [0.3, 0.8])


def test_the_bars_have_no_threshold_line(browser):
    # the answer is the larger output, not the one above 0.5: no line may suggest a threshold
    assert browser.bars_ax.get_lines() == []


def test_the_menu_narrows_the_slider_to_the_mistakes_then_the_uncertain(browser):
    browser.slider.value = 4
    browser.show.value = "mistakes only"
    np.testing.assert_array_equal(browser.indices, MISTAKES)
    assert (browser.slider.max, browser.slider.value, browser.index) == (1, 0, 2)
    assert browser.title.get_text().startswith("mistakes only: image 1 of 2")
    browser.slider.value = 1
    assert browser.index == 4 and browser.bars_ax.get_title() == "predicted: 0 (wrong)"
    browser.show.value = "uncertain only"
    np.testing.assert_array_equal(browser.indices, UNCERTAIN)
    assert (browser.slider.max, browser.slider.value, browser.index) == (2, 0, 2)
    browser.slider.value = 2
    assert browser.index == 5 and browser.correct
    browser.show.value = "all images"
    assert (browser.slider.max, browser.index) == (5, 0)


def test_an_empty_choice_is_refused_and_nothing_changes():
    outputs = np.array([[0.9, 0.1], [0.05, 0.97], [0.99, 0.01]])
    browser = PredictionBrowser([Lookup(outputs)], images(3), one_hot(np.array([0, 1, 0])))
    browser.slider.value = 1
    before = png(browser)
    for choice, what in (("mistakes only", "No mistakes"), ("uncertain only", "No uncertain images")):
        browser.show.value = choice
        assert browser.show.value == "all images"  # the menu went back
        assert f"{what} among the 3 images" in browser.message.value
        assert "still showing all images" in browser.message.value
        assert (browser.index, browser.slider.max, len(browser.indices)) == (1, 2, 3)
        assert png(browser) == before


def test_three_classes_get_bars_and_no_scatter():
    outputs = np.array([[0.1, 0.8, 0.3], [0.7, 0.2, 0.65], [0.1, 0.1, 0.9]])
    browser = PredictionBrowser(
        [Lookup(outputs)],
        images(3),
        one_hot(np.array([1, 2, 2]), 3),
        classes=["cat", "dog", "fox"],
        margin=0.3,
    )
    assert browser.ring is None and len(browser.figure.axes) == 2
    np.testing.assert_array_equal(browser.mistakes, [1])
    np.testing.assert_array_equal(browser.uncertain, [1])  # 0.7 and 0.65: the two largest, 0.05 apart
    browser.slider.value = 1
    assert browser.bars_ax.get_title() == "predicted: cat (wrong)"
    assert [label.get_text() for label in browser.bars_ax.get_xticklabels()] == [
        "output for cat",
        "output for dog",
        "output for fox",
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"images": images()[:, 0]},
            r"images: expected shape \(N, depth, height, width\) with N >= 1, got \(6, 4, 4\)",
        ),
        ({"images": images()[:0], "labels": one_hot(TRUE)[:0]}, "with N >= 1, got"),
        (
            {"labels": one_hot(TRUE)[:5]},
            r"labels: expected one-hot columns of shape \(6, classes >= 2, 1\), got \(5, 2, 1\)",
        ),
        ({"labels": one_hot(TRUE)[:, :, 0]}, r"got \(6, 2\)"),
        ({"labels": 0.5 * one_hot(TRUE)}, "a single 1 and zeros elsewhere"),
        ({"classes": ["zero"]}, "classes: expected 2 names, one per row of the labels, got 1"),
        ({"margin": 0}, r"margin: expected a number in \(0, 1\], got 0"),
        (
            {"network": [Lookup(OUTPUTS[:, :1])]},
            r"the network's output: expected shape \(2, 1\), like a label, got \(1, 1\)",
        ),
    ],
)
def test_misuse_in_code_is_refused_clearly(change, message):
    arguments = {"network": [Lookup(OUTPUTS)], "images": images(), "labels": one_hot(TRUE)} | change
    with pytest.raises(ValueError, match=message):
        PredictionBrowser(**arguments)


def test_the_layout_stays_put_between_images(browser):
    positions = [ax.get_position().bounds for ax in browser.figure.axes]
    browser.slider.value = 3
    browser.show.value = "mistakes only"
    assert [ax.get_position().bounds for ax in browser.figure.axes] == positions
