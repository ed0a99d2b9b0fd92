"""Random shifts: every image moved by its own whole-pixel shift within the limit, zeros moved in."""

import numpy as np
import pytest

from cnnlib.augmentation import shift_randomly


def shift_of(original: np.ndarray, moved: np.ndarray, most: int) -> tuple[int, int]:
    """The one (down, across) within ``most`` that turns ``original`` into ``moved``, found by trying all."""
    padded = np.pad(original, most)
    h, w = original.shape
    found = [
        (down, across)
        for down in range(-most, most + 1)
        for across in range(-most, most + 1)
        if np.array_equal(padded[most - down : most - down + h, most - across : most - across + w], moved)
    ]
    assert len(found) == 1, f"{len(found)} shifts explain the image"
    return found[0]


def test_each_image_is_moved_by_its_own_shift_and_every_shift_occurs():
    rng = np.random.default_rng(0)
    images = rng.uniform(0.1, 1, (400, 1, 6, 5))  # no zero inside: the shift is read unambiguously
    moved = shift_randomly(images, np.random.default_rng(1), most=2)
    assert moved.shape == images.shape
    shifts = [shift_of(images[n, 0], moved[n, 0], 2) for n in range(len(images))]
    assert set(shifts) == {(d, a) for d in range(-2, 3) for a in range(-2, 3)}  # all 25 places, none beyond


def test_channels_move_together_and_the_same_generator_state_gives_the_same_batch():
    images = np.random.default_rng(2).uniform(0.1, 1, (20, 3, 7, 7))
    moved = shift_randomly(images, np.random.default_rng(5), most=1)
    for n in range(20):
        shifts = {shift_of(images[n, c], moved[n, c], 1) for c in range(3)}
        assert len(shifts) == 1
    np.testing.assert_array_equal(moved, shift_randomly(images, np.random.default_rng(5), most=1))
    np.testing.assert_array_equal(shift_randomly(images, np.random.default_rng(5), most=0), images)


@pytest.mark.parametrize(
    "images, rng, most, message",
    [
        (
            np.zeros((4, 4)),
            np.random.default_rng(0),
            1,
            r"expected a batch of images \(N, ..., height, width\)",
        ),
        (np.zeros((2, 1, 4, 4)), np.random.default_rng(0), 4, "most must be a whole number of pixels"),
        (np.zeros((2, 1, 4, 4)), np.random.default_rng(0), 1.5, "most must be a whole number of pixels"),
        (np.zeros((2, 1, 4, 4)), 0, 1, "rng must be a numpy Generator"),
    ],
)
def test_bad_input_is_refused_with_what_was_expected(images, rng, most, message):
    with pytest.raises(ValueError, match=message):
        shift_randomly(images, rng, most)
