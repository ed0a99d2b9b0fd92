"""Checkers for notebook 03, the convolutional layer: its output shape, its parameter count, its forward pass.

Shapes as in the notebook: input (n, h, w), kernels (d, n, k, k), biases and output
(d, h - k + 1, w - k + 1). The references are cnnlib's own ``Convolutional`` layer.
"""

import numpy as np
from scipy import signal

from cnnlib.checks import CheckResult, Mistake, check_function
from cnnlib.layers import Convolutional

# (input_shape, kernel_size, depth), reported in this order: depth > 1 and several kernels (first, so
# that forgetting the input depth shows at once), non-square inputs, a kernel as large as the input
# (one side or both), a 1x1 kernel, the original code's MNIST layer; the input depth differs from the number
# of kernels in every case, so mixing them up shows
SHAPE_CASES = [
    ((3, 5, 7), 2, 4),
    ((1, 28, 28), 3, 5),
    ((2, 4, 6), 4, 3),
    ((4, 3, 3), 3, 2),
    ((3, 6, 4), 1, 2),
    ((5, 26, 26), 3, 4),
    ((2, 9, 5), 5, 3),
]


def reference_output_shape(input_shape, kernel_size, depth):
    """(d, h - k + 1, w - k + 1), read from cnnlib's layer."""
    return Convolutional(tuple(input_shape), int(kernel_size), int(depth), rng=0).output_shape


def reference_parameter_count(input_shape, kernel_size, depth):
    """Kernel weights plus bias values of cnnlib's layer: d n k k + d h' w'."""
    layer = Convolutional(tuple(input_shape), int(kernel_size), int(depth), rng=0)
    return layer.kernels.size + layer.biases.size


def reference_forward(x, kernels, biases):
    """cnnlib's layer with these kernels (d, n, k, k) and biases (d, h', w'), applied to x (n, h, w)."""
    depth, _, kernel_size, _ = kernels.shape
    layer = Convolutional(x.shape, kernel_size, depth, rng=0)
    layer.kernels, layer.biases = kernels, biases
    return layer.forward(x)


def _sizes(input_shape, kernel_size, depth):
    n, h, w = input_shape
    return n, h, w, kernel_size, depth, h - kernel_size + 1, w - kernel_size + 1


def check_output_shape(learner) -> CheckResult:
    """``learner(input_shape, kernel_size, depth)`` must return the output's shape (d, h', w')."""

    def forgot_depth(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return (oh, ow)

    def kept_input_depth(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return (n, oh, ow)

    def off_by_one(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return (d, h - k, w - k)

    def full_mode(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return (d, h + k - 1, w + k - 1)

    def square(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return (d, oh, oh)

    def with_input_depth(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return (d, n, oh, ow)

    mistakes = [
        Mistake(
            "the output has one map per kernel: put the number of kernels d first, (d, h - k + 1, w - k + 1).",
            forgot_depth,
        ),
        Mistake(
            "the output's depth is the number of kernels d, not the input's depth n: each kernel spans all n input "
            "slices and sums them into ONE map.",
            kept_input_depth,
        ),
        Mistake(
            "off by one: a kernel of size k fits at h - k + 1 places down a column of h (try h = 3, k = 3: one place).",
            off_by_one,
        ),
        Mistake(
            "that is the full mode's size; the layer uses the valid cross-correlation: h - k + 1.", full_mode
        ),
        Mistake("height and width can differ: use h for the rows and w for the columns.", square),
        Mistake(
            "the input depth is summed away: each output map is 2D, so the output is 3D (d, h', w').",
            with_input_depth,
        ),
    ]
    return check_function("output shape", learner, reference_output_shape, SHAPE_CASES, mistakes)


def check_parameter_count(learner) -> CheckResult:
    """``learner(input_shape, kernel_size, depth)`` must return the number of kernel weights and bias values."""

    def bias_per_kernel(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return d * n * k * k + d

    def kernels_without_depth(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return d * k * k + d * oh * ow

    def kernels_only(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return d * n * k * k

    def biases_only(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return d * oh * ow

    def biases_like_input(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return d * n * k * k + d * h * w

    def flat_kernels_scalar_bias(input_shape, kernel_size, depth):
        n, h, w, k, d, oh, ow = _sizes(input_shape, kernel_size, depth)
        return d * k * k + d

    mistakes = [
        Mistake(
            "that counts one bias number per kernel (the common choice elsewhere); here each bias B_i is a whole "
            "matrix with the output map's shape: d * (h - k + 1) * (w - k + 1) bias values.",
            bias_per_kernel,
        ),
        Mistake(
            "each kernel spans the input's full depth: it holds n * k * k weights, not k * k.",
            kernels_without_depth,
        ),
        Mistake(
            "the biases are parameters too: add one bias value per output element, d * (h - k + 1) * (w - k + 1).",
            kernels_only,
        ),
        Mistake("the kernels are parameters too: d kernels of n * k * k weights each.", biases_only),
        Mistake(
            "a bias matrix has the OUTPUT map's shape (h - k + 1, w - k + 1), not the input's.",
            biases_like_input,
        ),
        Mistake(
            "each kernel spans the input's full depth (n * k * k weights), and each bias B_i is a matrix with the "
            "output map's shape, not one number.",
            flat_kernels_scalar_bias,
        ),
    ]
    return check_function("parameter count", learner, reference_parameter_count, SHAPE_CASES, mistakes)


def forward_cases(seed: int = 3) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Random (x, kernels, biases) triples with asymmetric kernels, smallest first.

    The smallest has as many kernels as input slices (n = d = 2), so mixing up K_ij and K_ji
    gives wrong numbers rather than an IndexError; the others have n != d, non-square inputs,
    a kernel as large as the input, a 1x1 kernel and the shapes of the original code's MNIST layer.
    """
    rng = np.random.default_rng(seed)
    shapes = [  # (input_shape, kernel_size, depth)
        ((2, 2, 3), 2, 2),
        ((1, 3, 3), 2, 3),
        ((3, 3, 2), 1, 2),
        ((2, 3, 4), 3, 3),
        ((3, 4, 4), 4, 2),
        ((2, 5, 4), 2, 1),
        ((3, 6, 5), 3, 4),
        ((1, 28, 28), 3, 5),
    ]
    cases = []
    for (n, h, w), k, d in shapes:
        x = rng.standard_normal((n, h, w))
        kernels = rng.standard_normal((d, n, k, k))
        biases = rng.standard_normal((d, h - k + 1, w - k + 1))
        cases.append((x, kernels, biases))
    return cases


def _layer_sum(x, kernels, biases, operation=signal.correlate2d, add_bias=True, bias_per_slice=False):
    output = biases.copy() if add_bias else np.zeros_like(biases)
    for i in range(kernels.shape[0]):
        for j in range(kernels.shape[1]):
            output[i] += operation(x[j], kernels[i, j], "valid")
            if bias_per_slice:  # the bias added inside the loop over the input's slices
                output[i] += biases[i]
    return output


def check_forward(learner) -> CheckResult:
    """``learner(x, kernels, biases)`` must return Y with Y_i = B_i + sum_j X_j ⋆ K_ij, shape (d, h', w')."""

    def convolution(x, kernels, biases):
        return _layer_sum(x, kernels, biases, signal.convolve2d)

    def no_bias(x, kernels, biases):
        return _layer_sum(x, kernels, biases, add_bias=False)

    def bias_in_slice_loop(x, kernels, biases):  # B_i added once per input slice: n times
        return _layer_sum(x, kernels, biases, add_bias=False, bias_per_slice=True)

    def bias_in_slice_loop_and_start(x, kernels, biases):  # started from B_i, and B_i again per slice
        return _layer_sum(x, kernels, biases, bias_per_slice=True)

    def last_slice_only(x, kernels, biases):  # `=` instead of `+=` in the loop over j
        n = x.shape[0]
        return _layer_sum(x[n - 1 :], kernels[:, n - 1 :], biases)

    def last_slice_no_bias(x, kernels, biases):
        n = x.shape[0]
        return _layer_sum(x[n - 1 :], kernels[:, n - 1 :], biases, add_bias=False)

    def first_slice_only(x, kernels, biases):
        return _layer_sum(x[:1], kernels[:, :1], biases)

    def swapped_indices(x, kernels, biases):  # K_ji for K_ij: only computable when n == d
        if kernels.shape[0] != kernels.shape[1]:
            return None
        return _layer_sum(x, kernels.transpose(1, 0, 2, 3), biases)

    def input_slice_i(x, kernels, biases):  # X_i ⋆ K_ij: only computable when n == d
        if kernels.shape[0] != kernels.shape[1]:
            return None
        output = biases.copy()
        for i in range(kernels.shape[0]):
            for j in range(kernels.shape[1]):
                output[i] += signal.correlate2d(x[i], kernels[i, j], "valid")
        return output

    depth_hint = "sum over the input's depth: Y_i = B_i + X_1 ⋆ K_i1 + ... + X_n ⋆ K_in."
    last_hint = f"{depth_hint} Add (+=) each slice's correlation to Y_i; `=` keeps only the last one."
    first_hint = f"{depth_hint} Yours uses the first slice X_1 alone: loop j over all n slices."
    bias_hint = (
        "the bias is added more than once: B_i belongs to the output map, not to each input slice. Add it "
        "once per map (start Y_i from B_i), outside the loop over the input's slices j."
    )
    index_hint = (
        "the indices are mixed up: output map i adds X_j ⋆ K_ij over j, that is input slice j "
        "correlated with kernels[i, j] (kernel i's slice j)."
    )
    mistakes = [
        Mistake(
            "that is convolution (the kernel rotated by 180°); the layer uses cross-correlation, "
            "signal.correlate2d or cnnlib.correlation.correlate2d.",
            convolution,
        ),
        Mistake("the bias is missing: start Y_i from B_i (biases[i]), then add the correlations.", no_bias),
        Mistake(bias_hint, bias_in_slice_loop),
        Mistake(bias_hint, bias_in_slice_loop_and_start),
        Mistake(last_hint, last_slice_only),
        Mistake(last_hint, last_slice_no_bias),
        Mistake(first_hint, first_slice_only),
        Mistake(index_hint, swapped_indices),
        Mistake(index_hint, input_slice_i),
    ]
    return check_function("forward pass", learner, reference_forward, forward_cases(), mistakes)
