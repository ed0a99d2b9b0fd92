"""Numerical gradients by central differences, to check every derived gradient.

The check uses the loss ``E = sum(R * y)`` with a random R, so ``dE/dY = R``: a random
upstream gradient exposes transposes and flips that ``ones_like`` would hide.

The step h errs both ways (notebook 05). **Truncation**: Taylor's series leaves out about
``f''' h^2 / 6``, so a large h errs like ``h^2``. **Round-off**: f's values carry a relative error
of about eps (the dtype's machine epsilon), which the difference keeps and dividing by 2h
magnifies, so a small h errs like ``eps / h``. The best h lies between, near ``eps^(1/3)``:
``GradientProblem.errors`` measures that curve for the small functions in ``FUNCTIONS``.
"""

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cnnlib.activations import Sigmoid
from cnnlib.layers import Dense, Layer
from cnnlib.network import predict


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """dF/dx by central differences ``(f(x + h) - f(x - h)) / 2h``, one element at a time.

    ``f`` takes no argument and reads ``x``, which is nudged in place and restored.
    Returns an array shaped like ``x``; error O(h^2) plus round-off O(eps / h).
    """
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a floating-point array to be nudged by h, got dtype {x.dtype}")
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f()
        x[index] = original - h
        f_minus = f()
        x[index] = original
        gradient[index] = (f_plus - f_minus) / (2 * h)
    return gradient


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """|a - n| / (|a| + |n|) in the Frobenius norm; 0 when both are zero."""
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denominator == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denominator)


def check_layer(layer: Layer, x: np.ndarray, rng=None, h: float = 1e-5) -> dict[str, float]:
    """Relative error between the layer's analytic gradients and central differences.

    x: one input of the layer's input shape, float64. Checks dE/dX (key "input") and
    dE/d(each parameter) (keys from ``layer.parameters()``). Changes no parameter.
    """
    x = np.array(x, dtype=np.float64)
    upstream = np.random.default_rng(rng).standard_normal(np.shape(layer.forward(x)))

    def loss():
        return np.sum(upstream * layer.forward(x))

    layer.forward(x)
    input_gradient, parameter_gradients = layer.gradients(upstream)
    errors = {"input": relative_error(input_gradient, numerical_gradient(loss, x, h))}
    for name, parameter in layer.parameters().items():
        errors[name] = relative_error(parameter_gradients[name], numerical_gradient(loss, parameter, h))
    return errors


def check_loss(loss: Callable, loss_prime: Callable, y_true, y_pred, h: float = 1e-6) -> float:
    """Relative error between ``loss_prime(y_true, y_pred)`` and central differences of ``loss``."""
    y_pred = np.array(y_pred, dtype=np.float64)
    numeric = numerical_gradient(lambda: loss(y_true, y_pred), y_pred, h)
    return relative_error(loss_prime(y_true, y_pred), numeric)


# --- the step h: truncation against round-off (notebook 05) ---------------------------------------
SEED = 5
DTYPES = {"float64": np.float64, "float32": np.float32}
STEPS = 10.0 ** np.arange(-12, 0.01, 0.25)  # h from 1e-12 to 1, four steps a decade

# name: builder(rng) -> (layers, x); each is checked for dE/dX with E = sum(R * output), R random
FUNCTIONS: dict[str, Callable] = {
    "sigmoid at 8 points in [-3, 3]": lambda rng: ([Sigmoid()], np.linspace(-3, 3, 8).reshape(8, 1)),
    "Dense(4, 3) → Sigmoid": lambda rng: ([Dense(4, 3, rng=rng), Sigmoid()], rng.standard_normal((4, 1))),
    "Dense(4, 3) → Sigmoid → Dense(3, 2) → Sigmoid": lambda rng: (
        [Dense(4, 3, rng=rng), Sigmoid(), Dense(3, 2, rng=rng), Sigmoid()],
        rng.standard_normal((4, 1)),
    ),
    "Dense(4, 3) alone (linear)": lambda rng: ([Dense(4, 3, rng=rng)], rng.standard_normal((4, 1))),
}


@dataclass
class GradientProblem:
    """E(x) = sum(R * network(x)) with its exact gradient dE/dX, to try central differences on.

    network: the layers, float64; x: (inputs, 1); upstream: R, shaped like the output;
    analytic: dE/dX from the layers' own ``gradients`` in float64, shaped like x.
    """

    name: str
    network: list
    x: np.ndarray
    upstream: np.ndarray
    analytic: np.ndarray

    def numerical(self, dtype, h: float) -> np.ndarray:
        """dE/dX by central differences with step h, every array (so every operation) in ``dtype``."""
        return self.numerical_all(dtype, [h])[0]

    def numerical_all(self, dtype, hs: Sequence[float]) -> list[np.ndarray]:
        """The numerical gradient for each step in ``hs``; the network is cast once."""
        dtype = _dtype(dtype)
        network = copy.deepcopy(self.network)
        for layer in network:  # cnnlib names a layer's attributes by its parameters
            for name, parameter in layer.parameters().items():
                setattr(layer, name, parameter.astype(dtype))
        x, upstream = self.x.astype(dtype), self.upstream.astype(dtype)
        return [numerical_gradient(lambda: np.sum(upstream * predict(network, x)), x, float(h)) for h in hs]

    def errors(self, dtype, hs: Sequence[float] = STEPS) -> np.ndarray:
        """The relative error at each step h, shape (len(hs),); 1 (not NaN) where x + h rounds back to x."""
        return np.array(
            [relative_error(self.analytic, n.astype(np.float64)) for n in self.numerical_all(dtype, hs)]
        )

    def unmoved(self, dtype, h: float) -> int:
        """How many inputs x + h leaves unchanged in ``dtype``: a step too small to register."""
        x = self.x.astype(_dtype(dtype))
        return int(np.sum(x + float(h) == x))


def make_problem(name: str) -> GradientProblem:
    """The problem named ``name`` in FUNCTIONS, from a fixed seed: the same numbers every time."""
    if name not in FUNCTIONS:
        raise ValueError(f"function must be one of {list(FUNCTIONS)}, got {name!r}")
    rng = np.random.default_rng(SEED)
    network, x = FUNCTIONS[name](rng)
    upstream = rng.standard_normal(np.shape(predict(network, x)))
    gradient = upstream
    for layer in reversed(network):  # forward has just run: each layer holds its input
        gradient, _ = layer.gradients(gradient)
    return GradientProblem(name, network, x, upstream, gradient)


def best_step(hs: Sequence[float], errors: Sequence[float]) -> tuple[float, float]:
    """The step with the smallest error on the curve, and that error."""
    index = int(np.argmin(errors))
    return float(hs[index]), float(errors[index])


def _dtype(dtype) -> type:
    name = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    if name not in DTYPES:
        raise ValueError(f"dtype must be one of {list(DTYPES)}, got {name!r}")
    return DTYPES[name]
