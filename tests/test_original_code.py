"""The decisive comparison: cnnlib's plain tier computes what the original code computes.

The original code's layers are restated in benchmarks/original_code.py as The Independent Code
wrote them. Over a whole epoch the two drift apart (by 1e-11 to 1e-5 here, depending on the
seed) as differences in the last bit compound: the original sigmoid is 1 / (1 + e^-x), cnnlib's
is SciPy's expit, and a few products are taken in another order; notebook 06 explains why long
training amplifies such bits. So the comparison is made step by step: at each of the epoch's 200
steps, the original layers are given cnnlib's current weights and take the same step, and every
weight and bias agrees to 1e-12.
"""

import numpy as np
import pytest
from original_code import network

from cnnlib.datasets import load_mnist, preprocess
from cnnlib.losses import binary_cross_entropy, binary_cross_entropy_prime
from cnnlib.network import train

PARAMETERS = [(0, "kernels"), (0, "biases"), (3, "weights"), (3, "bias"), (5, "weights"), (5, "bias")]


@pytest.fixture(scope="module")
def zeros_and_ones():
    try:
        (x, y), _ = load_mnist()
    except Exception as error:  # no MNIST here (CNNLIB_DATA_DIR unset and offline): random images instead
        rng = np.random.default_rng(0)
        x, y = rng.uniform(0, 255, (200, 28, 28)).astype(np.uint8), np.repeat([0, 1], 100)
        print(f"MNIST not available ({type(error).__name__}); using random images")
    return preprocess(x, y, digits=(0, 1), limit=100, rng=0)


def step(net, x, y):
    """One step of the original training loop (cnnlib.network.train on one sample)."""
    train(
        net, binary_cross_entropy, binary_cross_entropy_prime, x[None], y[None], epochs=1, learning_rate=0.1
    )


def test_every_step_of_an_epoch_updates_the_weights_as_the_original_code_does(zeros_and_ones):
    ours, original = network("cnnlib", 0), network("original", 0)
    start = ours[0].kernels.copy()
    for x, y in zip(*zeros_and_ones):
        for index, name in PARAMETERS:  # the original layers start this step from cnnlib's weights
            setattr(original[index], name, getattr(ours[index], name).copy())
        step(ours, x, y)
        step(original, x, y)
        for index, name in PARAMETERS:
            np.testing.assert_allclose(
                getattr(ours[index], name), getattr(original[index], name), rtol=0, atol=1e-12
            )
    assert np.abs(ours[0].kernels - start).max() > 0.1  # the epoch moved the weights
