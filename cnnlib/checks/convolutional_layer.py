"""Checkers for notebook 03, the convolutional layer: its output shape, its parameter count, its forward pass.

Shapes as in the notebook: input (n, h, w), kernels (d, n, k, k), biases and output
(d, h - k + 1, w - k + 1). The references are cnnlib's own ``Convolutional`` layer.
"""

import numpy as np
from scipy import signal

from cnnlib.checks import Exercise, Mistake
from cnnlib.checks.cases import layer_case
from cnnlib.layers import Convolutional


def _layer(input_shape, kernel_size, depth):
    return Convolutional(tuple(input_shape), int(kernel_size), int(depth), rng=0)


def _sizes(answer):
    """A mistake's answer to (input_shape, kernel_size, depth), written with n, h, w, k, d and h', w'."""
    return lambda shape, k, d: answer(*shape, k, d, shape[1] - k + 1, shape[2] - k + 1)


# (input_shape, kernel_size, depth), reported in this order: depth > 1 and several kernels (first, so
# that forgetting the input depth shows at once), non-square inputs, a kernel as large as the input
# (one side or both), a 1x1 kernel, the original code's MNIST layer; the input depth differs from the
# number of kernels in every case, so mixing them up shows
SHAPE_CASES = [((3, 5, 7), 2, 4), ((1, 28, 28), 3, 5), ((2, 4, 6), 4, 3), ((4, 3, 3), 3, 2)]
SHAPE_CASES += [((3, 6, 4), 1, 2), ((5, 26, 26), 3, 4), ((2, 9, 5), 5, 3)]
SHAPE_MISTAKES = [
    Mistake(
        "the output has one map per kernel: put the number of kernels d first, (d, h - k + 1, w - k + 1).",
        _sizes(lambda n, h, w, k, d, oh, ow: (oh, ow)),
    ),
    Mistake(
        "the output's depth is the number of kernels d, not the input's depth n: each kernel spans all n "
        "input slices and sums them into ONE map.",
        _sizes(lambda n, h, w, k, d, oh, ow: (n, oh, ow)),
    ),
    Mistake(
        "off by one: a kernel of size k fits h - k + 1 times down a column of h (h = 3, k = 3: once).",
        _sizes(lambda n, h, w, k, d, oh, ow: (d, h - k, w - k)),
    ),
    Mistake(
        "that is the full mode's size; the layer uses the valid cross-correlation: h - k + 1.",
        _sizes(lambda n, h, w, k, d, oh, ow: (d, h + k - 1, w + k - 1)),
    ),
    Mistake(
        "height and width can differ: use h for the rows and w for the columns.",
        _sizes(lambda n, h, w, k, d, oh, ow: (d, oh, oh)),
    ),
    Mistake(
        "the input depth is summed away: each output map is 2D, so the output is 3D (d, h', w').",
        _sizes(lambda n, h, w, k, d, oh, ow: (d, n, oh, ow)),
    ),
]
# learner(input_shape, kernel_size, depth) -> the layer's output shape (d, h', w')
check_layer_output_shape = Exercise(
    "output shape", lambda *shapes: _layer(*shapes).output_shape, SHAPE_CASES, SHAPE_MISTAKES
)

COUNT_MISTAKES = [
    Mistake(
        "that counts one bias number per kernel (the common choice elsewhere); here each bias B_i is a "
        "whole matrix with the output map's shape: d * (h - k + 1) * (w - k + 1) bias values.",
        _sizes(lambda n, h, w, k, d, oh, ow: d * n * k * k + d),
    ),
    Mistake(
        "each kernel spans the input's full depth: it holds n * k * k weights, not k * k.",
        _sizes(lambda n, h, w, k, d, oh, ow: d * k * k + d * oh * ow),
    ),
    Mistake(
        "the biases are parameters too: add one bias per output element, d * (h - k + 1) * (w - k + 1).",
        _sizes(lambda n, h, w, k, d, oh, ow: d * n * k * k),
    ),
    Mistake(
        "the kernels are parameters too: d kernels of n * k * k weights each.",
        _sizes(lambda n, h, w, k, d, oh, ow: d * oh * ow),
    ),
    Mistake(
        "a bias matrix has the OUTPUT map's shape (h - k + 1, w - k + 1), not the input's.",
        _sizes(lambda n, h, w, k, d, oh, ow: d * n * k * k + d * h * w),
    ),
    Mistake(
        "each kernel spans the input's full depth (n * k * k weights), and each bias B_i is a matrix with "
        "the output map's shape, not one number.",
        _sizes(lambda n, h, w, k, d, oh, ow: d * k * k + d),
    ),
]
# learner(input_shape, kernel_size, depth) -> the number of kernel weights and bias values
check_parameter_count = Exercise(
    "parameter count",
    lambda *shape: sum(p.size for p in _layer(*shape).parameters().values()),
    SHAPE_CASES,
    COUNT_MISTAKES,
)


def reference_forward(x, kernels, biases):
    """cnnlib's layer with these kernels (d, n, k, k) and biases (d, h', w'), applied to x (n, h, w)."""
    layer = _layer(x.shape, kernels.shape[2], kernels.shape[0])
    layer.kernels, layer.biases = kernels, biases
    return layer.forward(x)


def _layer_sum(x, kernels, biases, operation=signal.correlate2d, add_bias=True, bias_per_slice=False):
    """Y_i = B_i + sum_j operation(X_j, K_ij), with the bias left out, or added once per input slice j."""
    output = biases.copy() if add_bias else np.zeros_like(biases)
    for i, j in np.ndindex(kernels.shape[:2]):
        output[i] += operation(x[j], kernels[i, j], "valid") + (biases[i] if bias_per_slice else 0)
    return output


# (x, kernels, biases), of layers (input_shape, kernel_size, depth): the smallest has as many kernels as
# input slices (n = d = 2), so that mixing up K_ij and K_ji gives wrong numbers rather than an IndexError;
# the others have n != d, non-square inputs, a kernel as large as the input, a 1x1 kernel and the shapes
# of the original code's MNIST layer
_rng = np.random.default_rng(3)
_LAYERS = [((2, 2, 3), 2, 2), ((1, 3, 3), 2, 3), ((3, 3, 2), 1, 2), ((2, 3, 4), 3, 3), ((3, 4, 4), 4, 2)]
_LAYERS += [((2, 5, 4), 2, 1), ((3, 6, 5), 3, 4), ((1, 28, 28), 3, 5)]
FORWARD_CASES = [layer_case(_rng, *layer) for layer in _LAYERS]
_DEPTH = "sum over the input's depth: Y_i = B_i + X_1 ⋆ K_i1 + ... + X_n ⋆ K_in."
_LAST = f"{_DEPTH} Add (+=) each slice's correlation to Y_i; `=` keeps only the last one."
_BIAS = (
    "the bias is added more than once: B_i belongs to the output map, not to each input slice. Add it "
    "once per map (start Y_i from B_i), outside the loop over the input's slices j."
)
_INDICES = (
    "the indices are mixed up: output map i adds X_j ⋆ K_ij over j, that is input slice j "
    "correlated with kernels[i, j] (kernel i's slice j)."
)
FORWARD_MISTAKES = [
    Mistake(
        "that is convolution (the kernel rotated by 180°); the layer uses cross-correlation, "
        "signal.correlate2d or cnnlib.correlation.correlate2d.",
        lambda x, k, b: _layer_sum(x, k, b, signal.convolve2d),
    ),
    Mistake(
        "the bias is missing: start Y_i from B_i (biases[i]), then add the correlations.",
        lambda x, k, b: _layer_sum(x, k, b, add_bias=False),
    ),
    Mistake(_BIAS, lambda x, k, b: _layer_sum(x, k, b, add_bias=False, bias_per_slice=True)),
    Mistake(_BIAS, lambda x, k, b: _layer_sum(x, k, b, bias_per_slice=True)),
    Mistake(_LAST, lambda x, k, b: _layer_sum(x[-1:], k[:, -1:], b)),  # `=` for `+=` in the loop over j
    Mistake(_LAST, lambda x, k, b: _layer_sum(x[-1:], k[:, -1:], b, add_bias=False)),
    Mistake(
        f"{_DEPTH} Yours uses the first slice X_1 alone: loop j over all n slices.",
        lambda x, k, b: _layer_sum(x[:1], k[:, :1], b),
    ),
    Mistake(_INDICES, lambda x, k, b: _layer_sum(x, k.transpose(1, 0, 2, 3), b)),  # K_ji for K_ij
    Mistake(  # X_i ⋆ K_ij
        _INDICES, lambda x, k, b: b + [signal.correlate2d(x[i], sum(k[i]), "valid") for i in range(len(k))]
    ),
]
# learner(x, kernels, biases) -> Y with Y_i = B_i + sum_j X_j ⋆ K_ij, shape (d, h', w')
check_forward = Exercise("forward pass", reference_forward, FORWARD_CASES, FORWARD_MISTAKES)
