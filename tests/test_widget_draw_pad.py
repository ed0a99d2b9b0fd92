"""DrawPad: its state checked on values, the pad driven as the browser drives it, one picture."""

import html
import io
import re
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from cnnlib.fast.layers import Dense, Flatten
from cnnlib.fast.network import Network
from cnnlib.widgets.draw_pad import ESM, Canvas, DrawPad, read_drawing, read_upload


def tiny_network():
    """An untrained network: the plumbing is tested, not the accuracy."""
    return Network([Flatten(), Dense(784, 10, rng=np.random.default_rng(0))])


def one(left=4, width=3, top=3, bottom=25):
    """A '1' drawn off-centre: a vertical bar of white on the black pad, grey levels 0 to 255."""
    pad = np.zeros((28, 28))
    pad[top:bottom, left : left + width] = 255
    return pad


def as_sent(pad) -> list:
    """What the browser sends: 784 integer grey levels, row after row."""
    return np.asarray(pad).astype(int).ravel().tolist()


@pytest.fixture
def pad():
    return DrawPad(tiny_network())


def message(w):
    """The widget's message as the learner reads it: its text, without the markup."""
    return html.unescape(re.sub("<[^>]+>", "", w.message.value))


# --- the state -----------------------------------------------------------------------------------


def test_a_drawn_one_gives_ten_probabilities_summing_to_one():
    state = read_drawing(one(), tiny_network())
    assert state.probabilities.shape == (10,) and np.all(state.probabilities > 0)
    assert state.probabilities.sum() == pytest.approx(1)
    assert state.answer == int(np.argmax(state.probabilities)) and state.message == ""
    assert not state.empty
    np.testing.assert_array_equal(state.drawing, one() / 255)


def test_the_network_is_given_the_mnist_like_image():
    network = tiny_network()
    state = read_drawing(one(), network)
    logits = network.forward(state.image[None, None].astype(np.float32))
    np.testing.assert_allclose(state.probabilities, np.exp(logits[0]) / np.exp(logits[0]).sum(), rtol=1e-6)


def test_the_image_the_network_sees_is_centred_and_scaled_like_mnist():
    image = read_drawing(one(left=2), tiny_network()).image  # drawn near the left edge
    assert image.shape == (28, 28) and 0 <= image.min() and image.max() <= 1
    np.testing.assert_allclose(ndimage.center_of_mass(image), (14, 14), atol=0.6)
    rows = np.flatnonzero(image.max(axis=1) > 0.05)
    assert rows.max() - rows.min() + 1 == pytest.approx(20, abs=1)  # the bar's height scaled to 20 px


def test_a_flat_list_and_a_28_by_28_array_are_the_same_drawing():
    network = tiny_network()
    flat, square = read_drawing(as_sent(one()), network), read_drawing(one(), network)
    np.testing.assert_array_equal(flat.probabilities, square.probabilities)


def test_a_blank_pad_asks_for_a_digit_without_raising():
    state = read_drawing(np.zeros((28, 28)), tiny_network())
    assert state.empty and state.answer is None and state.probabilities is None
    assert (
        state.message
        == "Draw a digit on the black pad with the mouse or a finger, or upload a picture of one."
    )
    faint = np.full((28, 28), 10.0)
    faint[5:20, 12:15] = 30  # a stroke that hardly stands out from its background
    assert "found no digit" in read_drawing(faint, tiny_network()).message
    np.testing.assert_array_equal(state.image, np.zeros((28, 28)))


@pytest.mark.parametrize("shape", [(27, 28), (783,), (1, 28, 28), (2, 784)])
def test_a_wrongly_shaped_drawing_names_the_expected_and_received_shapes(shape):
    with pytest.raises(ValueError) as error:
        read_drawing(np.zeros(shape), tiny_network())
    assert "(28, 28)" in str(error.value) and f"received shape {shape}" in str(error.value)


@pytest.mark.parametrize("bad", [-1.0, 256.0, np.nan])
def test_grey_levels_outside_0_to_255_are_refused(bad):
    pixels = one()
    pixels[0, 0] = bad
    with pytest.raises(ValueError, match="0 .* 255"):
        read_drawing(pixels, tiny_network())


def test_a_network_with_another_number_of_outputs_is_refused():
    network = Network([Flatten(), Dense(784, 3, rng=np.random.default_rng(0))])
    with pytest.raises(ValueError, match=r"expected shape \(1, 10\).*\(1, 3\)"):
        read_drawing(one(), network)


def png(picture) -> bytes:
    """A greyscale picture (h, w) in [0, 1] as the bytes of a PNG file, as an upload brings them."""
    buffer = io.BytesIO()
    Image.fromarray(np.round(255 * np.asarray(picture)).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_of_one():
    """A '1' in dark ink on light paper, 100 x 80 pixels, off-centre."""
    paper = np.full((100, 80), 0.9)
    paper[10:90, 20:30] = 0.1
    return paper


def test_an_uploaded_photo_is_inverted_and_read_like_a_drawing():
    network = tiny_network()
    state = read_upload(png(photo_of_one()), network)
    assert not state.empty and state.message == "" and state.drawing.shape == (100, 80)
    drawn = read_drawing(one(left=12, width=3, top=2, bottom=26), network)  # the same 8:1 bar, drawn
    assert np.corrcoef(state.image.ravel(), drawn.image.ravel())[0, 1] > 0.9
    logits = network.forward(state.image[None, None].astype(np.float32))[0]
    np.testing.assert_allclose(state.probabilities, np.exp(logits) / np.exp(logits).sum(), rtol=1e-6)


@pytest.mark.parametrize(
    "content, message",
    [
        (
            b"these bytes are no picture",
            "could not read the uploaded file as a picture: expected a PNG or JPEG",
        ),
        (png(np.full((40, 30), 0.9)), "Found no digit in the uploaded picture"),
    ],
)
def test_an_upload_that_is_no_picture_or_shows_no_digit_says_so_without_raising(content, message):
    state = read_upload(content, tiny_network())
    assert state.empty and state.answer is None and state.message.startswith(message)


# --- the widget, driven as the browser drives it -------------------------------------------------


def test_the_pad_starts_blank_and_asks_for_a_digit(pad):
    assert pad.pad.value == [0] * 784
    assert pad.state.empty and "Draw a digit" in message(pad)


def test_drawing_on_the_pad_updates_the_state_and_the_message(pad):
    pad.pad.value = as_sent(one())
    assert not pad.state.empty and pad.state.probabilities.sum() == pytest.approx(1)
    answer = pad.state.answer
    assert (
        message(pad) == f"The network reads a {answer} (probability {pad.state.probabilities[answer]:.0%})."
    )
    stroke = one()
    stroke[3:6, 4:20] = 255  # the bar becomes a '7'-like shape: another drawing, other probabilities
    first = pad.state.probabilities
    pad.pad.value = as_sent(stroke)
    assert not np.allclose(pad.state.probabilities, first)


def test_clearing_the_pad_asks_for_a_digit_again(pad):
    pad.pad.value = as_sent(one())
    pad.clear()
    assert pad.state.empty and "Draw a digit" in message(pad)


def upload(pad, content: bytes, name="digit.png"):
    """What the browser does when a file is chosen: the FileUpload's value becomes that file."""
    chosen = {"name": name, "type": "image/png", "size": len(content), "content": memoryview(content)}
    pad.upload.value = ({**chosen, "last_modified": datetime.now(UTC)},)


def test_the_last_of_drawing_and_uploading_is_what_the_network_reads(pad):
    upload(pad, png(photo_of_one()))
    assert not pad.state.empty and pad.state.drawing.shape == (100, 80)
    assert message(pad).startswith(f"The network reads a {pad.state.answer} (probability ")
    pad.pad.value = as_sent(one())
    assert pad.state.drawing.shape == (28, 28)  # the drawing now
    upload(pad, b"not a picture", name="notes.txt")
    assert pad.state.empty and "could not read the uploaded file as a picture" in message(pad)
    pad.clear()
    assert pad.state.empty and "Draw a digit" in message(pad)


def test_the_canvas_sends_784_grey_levels_and_is_self_contained():
    assert Canvas().value == [0] * 784
    assert "export default" in ESM and "pointermove" in ESM and "pointerup" in ESM
    assert "http" not in ESM and "import " not in ESM  # no CDN, nothing fetched from the network


# --- the picture ---------------------------------------------------------------------------------


def test_it_renders_and_the_picture_follows_the_drawing(pad):
    first = bytes(pad.image.value)
    assert first.startswith(b"\x89PNG")
    pad.pad.value = as_sent(one())
    drawn = bytes(pad.image.value)
    assert drawn.startswith(b"\x89PNG") and drawn != first
    pad.clear()
    assert bytes(pad.image.value) == first  # blank again: the same picture as at the start
