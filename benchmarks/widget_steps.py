"""How long each widget makes a learner wait: the kernel side of a slider step and of a bigger change.

A control's observers run synchronously, so setting ``value`` in Python and timing the assignment
measures compute, draw and PNG together, as a step costs in a notebook (the browser adds a little).
Each widget is built as its notebook builds it; steps walk its main slider, changes switch its
preset, mode or scale back and forth. The budget: a step within 100 ms (median), a change
within 300 ms. Prints one row per widget; run it before and after a change to compare.

    CNNLIB_DATA_DIR=... python benchmarks/widget_steps.py [--repeats 3] [arithmetic ...]
"""

import argparse
import statistics
import time

import numpy as np

from cnnlib.activations import Sigmoid, Tanh
from cnnlib.layers import Convolutional, Dense, Reshape
from cnnlib.losses import mse, mse_prime
from cnnlib.network import train

STEP_BUDGET, CHANGE_BUDGET = 0.100, 0.300
X5 = np.array([[1, 2, 0, 3, 1], [0, 1, 2, 1, 0], [3, 1, 0, 2, 2], [1, 0, 1, 3, 1], [2, 2, 1, 0, 1]], float)
K3 = np.array([[1, 0, -1], [2, 1, 0], [0, -1, 1]], float)


def ring(size=28):
    """A digit-like ring of ink, 28 x 28, so that no download is needed."""
    rows, cols = np.mgrid[:size, :size]
    return np.clip(1 - np.abs(np.hypot(rows - 13.5, (cols - 13.5) * 1.3) - 8) / 2.5, 0, 1)


def timed(assign) -> float:
    start = time.perf_counter()
    assign()
    return time.perf_counter() - start


def walk(control, values):
    """Times of setting ``control.value`` to each value in turn."""
    return [timed(lambda v=v: setattr(control, "value", v)) for v in values]


def toggle(control, values, rounds=2):
    """Times of switching ``control`` between ``values``, ``rounds`` times through."""
    return [t for _ in range(rounds) for t in walk(control, values[1:] + values[:1])]


def values(control) -> list:
    """The values a selection control can take (its options may be (label, value) pairs)."""
    return [option[1] if isinstance(option, tuple) else option for option in control.options]


def arithmetic_explorer():
    from cnnlib.widgets.arithmetic_explorer import ArithmeticExplorer

    w = ArithmeticExplorer(input_size=7, kernel_size=3, padding=1, stride=2, pool=2)
    steps = walk(w.slider, [*range(1, 16), 0])
    changes = walk(w.input_slider, [8, 9, 10, 11, 12, 7]) + walk(w.stride_slider, [1, 3, 4, 2])
    return steps, changes


def kernel_stepper_toy():
    from cnnlib.widgets.kernel_stepper import KernelStepper

    w = KernelStepper(X5, K3)
    return walk(w.slider, [1, 2, 3, 4, 5, 6, 7, 8, 0]), toggle(w.preset, ["identity", "sharpen"])


def kernel_stepper_digit():
    from cnnlib.widgets.kernel_stepper import KernelStepper

    w = KernelStepper(ring(), "vertical edge (Sobel)")
    return walk(w.slider, range(1, 400, 40)), toggle(w.preset, ["horizontal edge (Sobel)", "blur (box)"])


def convolution_stepper():
    from cnnlib.widgets.convolution_stepper import ConvolutionStepper

    w = ConvolutionStepper(
        np.array([[1, 2, 0], [3, 1, 2], [0, 2, 1]], float), np.array([[1, 2], [0, -1]], float)
    )
    steps = walk(w.slider, [1, 2, 3, 0])
    w.mode.value = "full"
    return steps + walk(w.slider, range(1, 16)), toggle(w.rotation, [0, 1, 2]) + toggle(
        w.mode, ["valid", "full"]
    )


def shapes_explorer():
    from cnnlib.widgets.shapes_explorer import ShapesExplorer

    w = ShapesExplorer(height=28, width=28, input_depth=1, kernel_size=3, depth=5)
    return walk(w.kernel_slider, [4, 5, 6, 5, 4, 3]) + walk(w.depth_slider, [6, 7, 8, 5]), []


def gradient_explorer():
    from cnnlib.widgets.gradient_explorer import GradientExplorer

    rng = np.random.default_rng(0)
    x, kernel, gradient = (
        rng.integers(-3, 4, (3, 3)),
        rng.integers(-2, 3, (2, 2)),
        rng.integers(-2, 3, (2, 2)),
    )
    w = GradientExplorer(x, kernel, gradient, mode="input")
    rows, cols = w.sliders["input"]
    steps = [t for r in range(3) for t in walk(rows, [r]) + walk(cols, [0, 1, 2])]
    return steps, toggle(w.mode_buttons, ["output", "kernel", "input"])


def loss_curves():
    from cnnlib.widgets.loss_curves import LossCurves

    w = LossCurves(x=2.0, label=1, y=0.3)
    steps = walk(w.x_slider, np.linspace(-6, 6, 9)) + walk(w.y_slider, np.linspace(0.05, 0.95, 9))
    return steps, toggle(w.label_buttons, [1, 0]) + toggle(w.scale_buttons, ["linear", "log"])


def step_size():
    from cnnlib.gradcheck import FUNCTIONS, STEPS
    from cnnlib.widgets.step_size import StepSize

    w = StepSize("sigmoid at 8 points in [-3, 3]", dtype="float64", h=1e-5)
    steps = walk(w.slider, STEPS[::6])
    return steps, toggle(w.dtype, ["float64", "float32"]) + toggle(w.function, list(FUNCTIONS)[:2])


def decision_boundary():
    from cnnlib.widgets.decision_boundary import BoundaryRecorder, DecisionBoundary

    x = np.reshape([[0, 0], [0, 1], [1, 0], [1, 1]], (4, 2, 1)).astype(float)
    y = np.reshape([0, 1, 1, 0], (4, 1, 1)).astype(float)
    rng = np.random.default_rng(1)
    network = [Dense(2, 3, rng=rng), Tanh(), Dense(3, 1, rng=rng), Tanh()]
    epochs = [0, 10, 50, 100, 200, 500, 1000]
    recorder = BoundaryRecorder(network, x, y, epochs)
    train(network, mse, mse_prime, x, y, epochs=1000, learning_rate=0.1, on_epoch_end=recorder)
    w = DecisionBoundary(recorder)
    return walk(w.slider, epochs[1:] + epochs[:1]), []


def prediction_browser():
    from cnnlib.widgets.prediction_browser import PredictionBrowser

    rng = np.random.default_rng(0)
    network = [
        Convolutional((1, 28, 28), 3, 5, rng=rng),
        Sigmoid(),
        Reshape((5, 26, 26), (3380, 1)),
        Dense(3380, 100, rng=rng),
        Sigmoid(),
        Dense(100, 2, rng=rng),
        Sigmoid(),
    ]
    images = rng.uniform(0, 1, (40, 1, 28, 28)) * ring()
    labels = np.eye(2)[rng.integers(0, 2, 40)][:, :, None]
    w = PredictionBrowser(network, images, labels, classes=(0, 1), margin=0.8)
    return walk(w.slider, range(1, 20)), toggle(w.show, values(w.show))


def training_monitor():
    from cnnlib.widgets.training_monitor import TrainingMonitor

    w = TrainingMonitor(epochs=20, accuracy=lambda: 0.9)
    steps = [timed(lambda e=e: w.update(e, 1 / e)) for e in range(1, 21)]
    return steps, toggle(w.scale, values(w.scale))


def draw_pad():
    from cnnlib.fast.layers import Conv2D, Dense, Flatten, MaxPool2D, ReLU
    from cnnlib.fast.network import Network
    from cnnlib.widgets.draw_pad import DrawPad

    rng = np.random.default_rng(0)  # notebook 08's network; its weights do not matter to the time
    network = Network([
        Conv2D(1, 16, 3, rng=rng), ReLU(), MaxPool2D(2), Conv2D(16, 32, 3, rng=rng), ReLU(), MaxPool2D(2),
        Flatten(), Dense(800, 128, rng=rng), ReLU(), Dense(128, 10, rng=rng),
    ])  # fmt: skip
    w = DrawPad(network)
    pad, frames = np.zeros((28, 28), int), []
    for row in range(4, 24):  # a stroke drawn down the pad, one frame as the browser sends each
        pad[row, 12:15] = 255
        frames.append(pad.ravel().tolist())
    steps = walk(w.pad, frames)
    return steps, toggle(w.pad, [[0] * 784, frames[-1]])  # clearing the pad and drawing again


WIDGETS = {
    "kernel stepper, 5 x 5 (01)": kernel_stepper_toy,
    "kernel stepper, 28 x 28 (01)": kernel_stepper_digit,
    "convolution stepper (02)": convolution_stepper,
    "shapes explorer (03)": shapes_explorer,
    "gradient explorer (04)": gradient_explorer,
    "loss curves (05)": loss_curves,
    "step size (05)": step_size,
    "decision boundary (00)": decision_boundary,
    "prediction browser (06)": prediction_browser,
    "training monitor (06)": training_monitor,
    "arithmetic explorer (07)": arithmetic_explorer,
    "draw pad (08)": draw_pad,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="times each widget's walk is run")
    parser.add_argument("only", nargs="*", help="run only the widgets whose names contain one of these")
    args = parser.parse_args()
    header = ("widget", "step median", "step worst", "change median", "change worst")
    print(f"{header[0]:<30} {header[1]:>11} {header[2]:>10} {header[3]:>13} {header[4]:>12}  budget")
    for name, run in WIDGETS.items():
        if args.only and not any(word in name for word in args.only):
            continue
        steps, changes = [], []
        for _ in range(args.repeats):
            s, c = run()
            steps += s
            changes += c
        ms = [
            f"{1000 * f(values):.0f} ms" if values else "-"
            for values in (steps, changes)
            for f in (statistics.median, max)
        ]
        within = statistics.median(steps) <= STEP_BUDGET and (
            not changes or statistics.median(changes) <= CHANGE_BUDGET
        )
        print(
            f"{name:<30} {ms[0]:>11} {ms[1]:>10} {ms[2]:>13} {ms[3]:>12}  {'ok' if within else 'OVER'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
