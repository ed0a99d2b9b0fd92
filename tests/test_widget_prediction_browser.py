"""PredictionBrowser: its state checked on values, its controls driven without a browser, one picture."""

import html

import matplotlib.colors
import numpy as np
import pytest

from cnnlib.activations import Sigmoid
from cnnlib.layers import Dense, Layer, Reshape
from cnnlib.network import predict
from cnnlib.plotting import OTHER, RIGHT, WRONG
from cnnlib.widgets.prediction_browser import ALL, MISTAKES, UNCERTAIN, Browsing, PredictionBrowser

# the outputs the network gives for images 0 to 5, and their true labels
OUTPUTS = np.array([[0.9, 0.1], [0.2, 0.95], [0.3, 0.8], [0.99, 0.01], [0.55, 0.45], [0.6, 0.3]])
TRUE = np.array([0, 1, 0, 0, 1, 0])
# image 2 is wrong and sure of it (0.5 apart), image 4 wrong and unsure (0.1 apart), image 5 right and unsure
WRONG_ONES, UNSURE_ONES = [2, 4], [2, 4, 5]


class Lookup(Layer):
    """A stand-in network: image k (its pixel [0, 0, 0] holds k) gets outputs[k]."""

    def __init__(self, outputs):
        self.outputs = np.asarray(outputs, dtype=float)

    def forward(self, x):
        return self.outputs[int(x[0, 0, 0])][:, np.newaxis]


def images(n=6, size=4):
    stack = np.random.default_rng(0).uniform(0, 1, (n, 1, size, size))
    stack[:, 0, 0, 0] = np.arange(n)  # the Lookup's key
    return stack


def one_hot(labels, classes=2):
    return np.eye(classes)[labels][:, :, np.newaxis]


@pytest.fixture
def browser():
    return PredictionBrowser([Lookup(OUTPUTS)], images(), one_hot(TRUE), margin=0.6)


def message(w):
    return html.unescape(w.message.value)


# --- the state -----------------------------------------------------------------------------------


def test_predictions_mistakes_and_uncertain_images_follow_from_the_outputs():
    state = Browsing(images(), OUTPUTS, TRUE, [0, 1], margin=0.6)
    np.testing.assert_array_equal(state.predicted, [0, 1, 1, 0, 0, 0])
    np.testing.assert_array_equal(state.mistakes, WRONG_ONES)
    np.testing.assert_array_equal(state.uncertain, UNSURE_ONES)
    assert (state.index, state.correct) == (0, True)
    np.testing.assert_array_equal(Browsing(images(), OUTPUTS, TRUE, [0, 1], margin=0.05).uncertain, [])


@pytest.mark.parametrize(
    "choice, position, indices, index, correct",
    [(ALL, 5, range(6), 5, True), (MISTAKES, 1, WRONG_ONES, 4, False), (UNCERTAIN, 2, UNSURE_ONES, 5, True)],
)
def test_the_menu_chooses_the_images_and_the_slider_one_of_them(choice, position, indices, index, correct):
    state = Browsing(images(), OUTPUTS, TRUE, [0, 1], 0.6, choice, position)
    np.testing.assert_array_equal(state.indices, list(indices))
    assert (state.index, state.correct) == (index, correct)


def test_three_classes_the_two_largest_outputs_decide_uncertainty():
    outputs = np.array([[0.1, 0.8, 0.3], [0.7, 0.2, 0.65], [0.1, 0.1, 0.9]])
    state = Browsing(images(3), outputs, np.array([1, 2, 2]), ["cat", "dog", "fox"], margin=0.3)
    np.testing.assert_array_equal(state.mistakes, [1])
    np.testing.assert_array_equal(state.uncertain, [1])  # 0.7 and 0.65: the two largest, 0.05 apart


def test_the_outputs_are_the_networks_own():
    rng = np.random.default_rng(3)
    network = [Reshape((1, 4, 4), (16, 1)), Dense(16, 2, rng=rng), Sigmoid()]
    stack = rng.uniform(0, 1, (5, 1, 4, 4))
    browser = PredictionBrowser(network, stack, one_hot(np.array([0, 1, 0, 1, 1])))
    np.testing.assert_allclose(browser.state.outputs, [predict(network, x)[:, 0] for x in stack])
    np.testing.assert_array_equal(browser.state.true, [0, 1, 0, 1, 1])


# --- the controls --------------------------------------------------------------------------------


def test_it_starts_at_the_first_image_and_counts_the_mistakes(browser):
    assert (browser.state.choice, browser.state.position, browser.state.index) == (ALL, 0, 0)
    assert "2 mistake(s) and 3 uncertain image(s) among the 6" in message(browser)


def test_the_slider_reaches_both_ends(browser):
    assert (browser.slider.min, browser.slider.max) == (0, 5)
    browser.slider.value = 5
    assert browser.state.index == 5
    browser.slider.value = 99  # past the end: the slider clamps
    assert browser.state.index == 5
    browser.slider.value = 0
    assert browser.state.index == 0


def test_the_bars_show_the_outputs_the_predicted_class_right_or_wrong(browser):
    view = browser.view
    assert [bar.get_height() for bar in view.bars] == [0.9, 0.1]
    assert all(
        matplotlib.colors.same_color(bar.get_facecolor(), c) for bar, c in zip(view.bars, (RIGHT, OTHER))
    )
    np.testing.assert_array_equal(np.ravel(view.ring.get_data()), [0.9, 0.1])
    browser.slider.value = 2  # a mistake: its predicted class's bar is red
    assert [bar.get_height() for bar in view.bars] == [0.3, 0.8]
    assert all(
        matplotlib.colors.same_color(bar.get_facecolor(), c) for bar, c in zip(view.bars, (OTHER, WRONG))
    )
    np.testing.assert_array_equal(view.picture.get_array(), images()[2, 0])
    # no line at 0.5 on the bars: the answer is the larger output, not the one above a threshold
    assert view.bars_ax.get_lines() == []


def test_the_menu_narrows_the_slider_to_the_mistakes_then_the_uncertain(browser):
    browser.slider.value = 4
    browser.show.value = MISTAKES
    assert (browser.slider.max, browser.slider.value, browser.state.index) == (1, 0, 2)
    assert message(browser) == ""
    browser.slider.value = 1
    assert browser.state.index == 4 and not browser.state.correct
    browser.show.value = UNCERTAIN
    assert (browser.slider.max, browser.slider.value, browser.state.index) == (2, 0, 2)
    browser.slider.value = 2
    assert browser.state.index == 5 and browser.state.correct
    browser.show.value = ALL
    assert (browser.slider.max, browser.state.index) == (5, 0) and "2 mistake(s)" in message(browser)


def test_an_empty_choice_is_refused_and_the_state_kept():
    outputs = np.array([[0.9, 0.1], [0.05, 0.97], [0.99, 0.01]])
    browser = PredictionBrowser([Lookup(outputs)], images(3), one_hot(np.array([0, 1, 0])))
    browser.slider.value = 1
    state, png = browser.state, bytes(browser.image.value)
    for choice, what in ((MISTAKES, "No mistakes"), (UNCERTAIN, "No uncertain images")):
        browser.show.value = choice
        assert browser.show.value == ALL  # the menu went back
        assert f"{what} among the 3 images" in message(browser) and "still showing all images" in message(
            browser
        )
        assert browser.state is state and browser.slider.max == 2 and bytes(browser.image.value) == png


def test_three_classes_get_bars_and_no_scatter():
    outputs = np.array([[0.1, 0.8, 0.3], [0.7, 0.2, 0.65], [0.1, 0.1, 0.9]])
    labels = one_hot(np.array([1, 2, 2]), 3)
    browser = PredictionBrowser(
        [Lookup(outputs)], images(3), labels, classes=["cat", "dog", "fox"], margin=0.3
    )
    assert browser.view.ring is None and len(browser.figure.axes) == 2 and len(browser.view.bars) == 3
    browser.slider.value = 1
    assert (browser.state.index, browser.state.correct, browser.state.predicted[1]) == (1, False, 0)


@pytest.mark.parametrize(
    "change, expected, received",
    [
        ({"images": images()[:, 0]}, "images: expected shape (N, depth, height, width)", "got (6, 4, 4)"),
        ({"images": images()[:0], "labels": one_hot(TRUE)[:0]}, "with N >= 1", "got (0, 1, 4, 4)"),
        (
            {"labels": one_hot(TRUE)[:5]},
            "labels: expected one-hot shape (6, classes >= 2, 1)",
            "got (5, 2, 1)",
        ),
        ({"labels": one_hot(TRUE)[:, :, 0]}, "labels: expected", "got (6, 2)"),
        ({"labels": 0.5 * one_hot(TRUE)}, "labels: expected one-hot columns", "a single 1 and zeros"),
        ({"classes": ["zero"]}, "classes: expected 2 names", "got 1"),
        ({"margin": 0}, "margin: expected a number in (0, 1]", "got 0"),
        ({"network": [Lookup(OUTPUTS[:, :1])]}, "the network's output: expected shape (2, 1)", "got (1, 1)"),
    ],
)
def test_misuse_in_code_is_refused_clearly(change, expected, received):
    arguments = {"network": [Lookup(OUTPUTS)], "images": images(), "labels": one_hot(TRUE)} | change
    with pytest.raises(ValueError) as raised:
        PredictionBrowser(**arguments)
    assert expected in str(raised.value) and received in str(raised.value)


# --- the picture ---------------------------------------------------------------------------------


def test_the_picture_renders_and_changes_with_the_image_and_the_menu(browser):
    first = bytes(browser.image.value)
    assert first.startswith(b"\x89PNG")
    positions = [ax.get_position().bounds for ax in browser.figure.axes]
    browser.slider.value = 3
    assert bytes(browser.image.value) != first
    browser.show.value = MISTAKES
    assert bytes(browser.image.value) != first
    assert [ax.get_position().bounds for ax in browser.figure.axes] == positions  # the panels stay put
    browser.show.value = ALL
    assert bytes(browser.image.value) == first  # a step redraws what changed, and only that
