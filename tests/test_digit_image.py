"""A digit from a picture, made to look like MNIST: checked on real MNIST digits turned into 'photos'."""

import io

import numpy as np
import pytest
from PIL import Image

from cnnlib.datasets import load_mnist
from cnnlib.digit_image import EDGE, as_mnist, read_image


@pytest.fixture(scope="module")
def digits():
    (x, _), _ = load_mnist()
    return x[:50] / 255


def photo(digit, scale=5, shift=(30, 10), paper=0.9, ink=0.15):
    """The digit written in dark ink on light paper, larger and off-centre, as a camera might see it."""
    big = np.asarray(Image.fromarray((digit * 255).astype(np.uint8)).resize((28 * scale,) * 2), float) / 255
    canvas = np.zeros((28 * scale + 60, 28 * scale + 40))
    canvas[shift[0] : shift[0] + 28 * scale, shift[1] : shift[1] + 28 * scale] = big
    return paper - (paper - ink) * canvas


def centre_of_mass(image):
    rows, cols = np.indices(image.shape)
    return np.array([np.sum(rows * image), np.sum(cols * image)]) / image.sum()


def test_an_mnist_digit_comes_back_as_it_was(digits):
    for digit in digits:
        again = as_mnist(digit)
        assert again.shape == (28, 28) and again.min() >= 0 and again.max() == pytest.approx(1)
        assert np.corrcoef(again.ravel(), digit.ravel())[0, 1] > 0.99


def test_a_photo_of_dark_ink_is_inverted_scaled_into_20_pixels_and_centred_by_mass(digits):
    likeness = []
    for digit in digits:
        result = as_mnist(photo(digit))
        rows, cols = np.nonzero(result >= EDGE)
        assert 18 <= max(np.ptp(rows), np.ptp(cols)) + 1 <= 20  # the longer side fills the 20-pixel box
        np.testing.assert_allclose(centre_of_mass(result), [14, 14], atol=0.75)  # where MNIST's fall
        likeness.append(np.corrcoef(result.ravel(), digit.ravel())[0, 1])
    # a photo five times larger loses detail in the round trip: most come back close, none far off
    assert np.median(likeness) > 0.95 and min(likeness) > 0.6, likeness


def test_read_image_takes_a_file_bytes_and_transparency(tmp_path, digits):
    picture = Image.fromarray((photo(digits[0]) * 255).astype(np.uint8))
    picture.save(tmp_path / "digit.png")
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG")
    from_file, from_jpeg = read_image(tmp_path / "digit.png"), read_image(buffer.getvalue())
    assert from_file.shape == from_jpeg.shape == picture.size[::-1]
    np.testing.assert_allclose(from_file, photo(digits[0]), atol=1 / 255)
    ink_only = Image.new("RGBA", (40, 40), (0, 0, 0, 0))  # black strokes on a transparent page
    ink_only.paste((0, 0, 0, 255), (18, 5, 23, 35))
    bar = as_mnist(read_image(_png(ink_only)))  # transparent is paper: a white bar on black, centred
    assert bar.max() == 1 and bar[:, :10].max() == 0
    np.testing.assert_allclose(centre_of_mass(bar), [14, 14], atol=0.75)


def _noise():
    return Image.fromarray(np.random.default_rng(0).integers(0, 256, (60, 60), dtype=np.uint8))


def _png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: read_image(b"this is not a picture"),
            "could not read the uploaded file as a picture: expected",
        ),
        (
            lambda: read_image(_png(_noise())[:500]),  # a picture cut short
            "could not read the uploaded file as a picture",
        ),
        (lambda: read_image("no-such-file.png"), "could not read no-such-file.png as a picture"),
        (lambda: as_mnist(np.full((30, 30), 0.8)), "found no digit"),
        (lambda: as_mnist(np.zeros((28, 28, 3))), r"expected a greyscale image \(height, width\), got shape"),
        (lambda: as_mnist(np.full((5, 5), np.nan)), "NaN or infinite"),
    ],
)
def test_what_cannot_be_used_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
