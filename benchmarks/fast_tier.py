"""The fast tier against the plain tier and against PyTorch on the CPU, side by side in one run.

Prints, per epoch, the seconds and the accuracy of:
  (a) the plain tier, the original network (100 zeros and 100 ones, one sample at a time);
  (b) the fast tier, the original network's layers, at batch 1 and batch 32 (its convolution has one
      bias per kernel, where the original code has one per output position);
  (c) a small LeNet-like network on all 60,000 training digits (conv 3x3x8, ReLU, max-pool 2, conv
      3x3x16, ReLU, max-pool 2, dense to 10; Adam 1e-3; batch 64), in the fast tier and in PyTorch
      (when it can be imported: never a dependency), same data, same order, same epochs;
and how close the fast tier's convolution, forward and backward, comes to the rate of the same
BLAS's matrix product (the machine's limit for this way of computing it).

Threads are pinned equal for NumPy's BLAS and PyTorch (``--threads``, set before either loads).
Run it where torch is importable to get (c)'s comparison, e.g. a separate venv with torch and this
repository on PYTHONPATH:

    CNNLIB_DATA_DIR=... python benchmarks/fast_tier.py [--threads 2] [--epochs 3]
"""

import argparse
import os
import sys
import time

if __name__ == "__main__":  # before NumPy or PyTorch load their thread pools
    threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else str(os.cpu_count())
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = threads

import numpy as np

from cnnlib.datasets import load_mnist, preprocess
from cnnlib.fast import layers as fast
from cnnlib.fast.losses import binary_cross_entropy, softmax_cross_entropy
from cnnlib.fast.network import Network, evaluate, fit
from cnnlib.fast.optimizers import SGD, Adam


def plain_original(x_train, y_train, x_test, y_test, epochs):
    from cnnlib.activations import Sigmoid
    from cnnlib.layers import Convolutional, Dense, Reshape
    from cnnlib.losses import binary_cross_entropy as bce
    from cnnlib.losses import binary_cross_entropy_prime as bce_prime
    from cnnlib.network import predict, train

    rng = np.random.default_rng(0)
    net = [
        Convolutional((1, 28, 28), 3, 5, rng=rng), Sigmoid(), Reshape((5, 26, 26), (3380, 1)),
        Dense(3380, 100, rng=rng), Sigmoid(), Dense(100, 2, rng=rng), Sigmoid(),
    ]  # fmt: skip
    start = time.perf_counter()
    train(net, bce, bce_prime, x_train, y_train, epochs=epochs, learning_rate=0.1)
    seconds = (time.perf_counter() - start) / epochs
    right = [np.argmax(predict(net, x)) == np.argmax(y) for x, y in zip(x_test, y_test)]
    return seconds, float(np.mean(right))


def fast_original(x_train, y_train, x_test, y_test, epochs, batch_size):
    rng = np.random.default_rng(0)
    net = Network(
        [
            fast.Conv2D(1, 5, 3, rng=rng, init="normal"), fast.Sigmoid(), fast.Flatten(),
            fast.Dense(3380, 100, rng=rng, init="normal"), fast.Sigmoid(),
            fast.Dense(100, 2, rng=rng, init="normal"), fast.Sigmoid(),
        ]
    )  # fmt: skip
    x, y = x_train.astype(np.float32), y_train[:, :, 0].astype(np.float32)
    history = fit(net, binary_cross_entropy, x, y, SGD(0.1), epochs, batch_size, rng=0, progress=False)
    _, accuracy = evaluate(net, binary_cross_entropy, x_test.astype(np.float32), y_test[:, :, 0])
    return np.mean([row["seconds"] for row in history]), accuracy


def fast_lenet(x_train, y_train, x_test, y_test, epochs):
    rng = np.random.default_rng(0)
    net = Network(
        [
            fast.Conv2D(1, 8, 3, rng=rng), fast.ReLU(), fast.MaxPool2D(2),
            fast.Conv2D(8, 16, 3, rng=rng), fast.ReLU(), fast.MaxPool2D(2),
            fast.Flatten(), fast.Dense(16 * 5 * 5, 10, rng=rng),
        ]
    )  # fmt: skip
    history = fit(net, softmax_cross_entropy, x_train, y_train, Adam(1e-3), epochs, 64, rng=0, progress=False)
    _, accuracy = evaluate(net, softmax_cross_entropy, x_test, y_test)
    return np.mean([row["seconds"] for row in history]), accuracy


def torch_lenet(x_train, y_train, x_test, y_test, epochs, threads):
    import torch
    from torch import nn

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    net = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 10),
    )  # fmt: skip
    optimizer, loss = torch.optim.Adam(net.parameters(), 1e-3), nn.CrossEntropyLoss()
    x, y = torch.from_numpy(x_train), torch.from_numpy(y_train.astype(np.int64))
    rng, seconds = np.random.default_rng(0), []
    for _ in range(epochs):
        start, order = time.perf_counter(), torch.from_numpy(rng.permutation(len(x)))
        for first in range(0, len(x), 64):
            chosen = order[first : first + 64]
            optimizer.zero_grad()
            loss(net(x[chosen]), y[chosen]).backward()
            optimizer.step()
        seconds.append(time.perf_counter() - start)
    with torch.no_grad():
        predicted = net(torch.from_numpy(x_test)).argmax(1).numpy()
    return np.mean(seconds), float(np.mean(predicted == y_test))


def convolution_rate(repeats=20):
    """The second convolution of the LeNet-like net, batch 64: its forward and backward rate in
    GFLOP/s, against the BLAS rate of the same matrix products and of a large square product."""
    rng = np.random.default_rng(0)
    layer = fast.Conv2D(8, 16, 3, rng=rng)
    x = rng.standard_normal((64, 8, 13, 13)).astype(np.float32)
    upstream = rng.standard_normal((64, 16, 11, 11)).astype(np.float32)
    flops = 3 * 2 * 64 * 11 * 11 * 16 * 8 * 9  # forward, kernel gradient, input gradient: one product each

    def best(run):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return min(times)

    conv = best(lambda: (layer.forward(x), layer.backward(upstream)))
    a = rng.standard_normal((64 * 11 * 11, 8 * 9)).astype(np.float32)
    b = rng.standard_normal((8 * 9, 16)).astype(np.float32)
    same_products = best(lambda: (a @ b, (a @ b).T @ a, (a @ b) @ b.T))
    square = rng.standard_normal((1024, 1024)).astype(np.float32)
    large = best(lambda: square @ square)
    return flops / conv / 1e9, flops / same_products / 1e9, 2 * 1024**3 / large / 1e9


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--epochs", type=int, default=3, help="epochs of the LeNet-like net on all digits")
    args = parser.parse_args()
    (x_all, y_all), (x_test_all, y_test_all) = load_mnist()
    x2, y2 = preprocess(x_all, y_all, (0, 1), 100, rng=0)
    x2_test, y2_test = preprocess(x_test_all, y_test_all, (0, 1), 100, rng=0)
    print(
        f"threads: {args.threads}; original network: 200 images, 20 epochs; LeNet-like: {args.epochs} epochs"
    )
    print(f"{'':<48}{'s/epoch':>9}{'ratio':>8}{'accuracy':>10}   (ratio: to (a), then to PyTorch)")
    plain = plain_original(x2, y2, x2_test, y2_test, 20)
    show("(a) plain tier, original network, batch 1", plain, plain[0])
    for batch in (1, 32):
        result = fast_original(x2, y2, x2_test, y2_test, 20, batch)
        show(f"(b) fast tier, original network, batch {batch}", result, plain[0])

    x = (x_all / 255).astype(np.float32)[:, None]
    x_test = (x_test_all / 255).astype(np.float32)[:, None]
    ours = fast_lenet(x, y_all, x_test, y_test_all, args.epochs)
    try:
        theirs = torch_lenet(x, y_all, x_test, y_test_all, args.epochs, args.threads)
    except ImportError:
        theirs = None
    show("(c) fast tier, LeNet-like, all digits", ours, theirs[0] if theirs else float("nan"))
    if theirs:
        show("(c) PyTorch CPU, LeNet-like, all digits", theirs, theirs[0])
    else:
        print("(c) PyTorch: not importable here, so no comparison (it is never a dependency)")
    conv, same_products, large = convolution_rate()
    print(
        f"conv 8->16, 3x3, batch 64, forward+backward: {conv:.1f} GFLOP/s, {conv / same_products:.0%} of "
        f"the BLAS rate of the same products ({same_products:.1f}), {conv / large:.0%} of a 1024 x 1024 "
        f"product's ({large:.1f})"
    )


def show(name, result, reference_seconds):
    seconds, accuracy = result
    print(f"{name:<48}{seconds:>9.3f}{seconds / reference_seconds:>8.2f}{accuracy:>10.2%}")


if __name__ == "__main__":
    main()
