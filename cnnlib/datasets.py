"""MNIST for the course: download once, cache, verify, parse, and pick digits.

The four standard IDX files are read from one folder: the ``data_dir`` argument, else the
folder named by the environment variable ``CNNLIB_DATA_DIR``, else a per-user cache
(``pooch.os_cache("cnnlib")``). A missing file is downloaded into that folder from the
``MIRRORS`` in turn, and kept only if its md5 is the official one. Every file is then checked
by the md5 of its *decompressed* content, so a valid copy stored uncompressed (``NAME``) or
compressed again (``NAME.gz``) is used as it is, and nothing is written next to it.

Offline classroom: run ``python -m cnnlib.datasets download --dir DIR`` where there is
internet, copy DIR, and set ``CNNLIB_DATA_DIR=DIR`` on the machines without.
"""

import argparse
import gzip
import hashlib
import math
import os
import zlib
from pathlib import Path

import numpy as np
import pooch
import requests  # pooch downloads with it; we catch its network errors

ENV_VAR = "CNNLIB_DATA_DIR"
DOWNLOAD_COMMAND = "python -m cnnlib.datasets download --dir DIR"
MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
]
# name: (md5 of the official NAME.gz download, md5 of the decompressed IDX file)
FILES = {
    "train-images-idx3-ubyte": ("f68b3c2dcbeaaa9fbdd348bbdeb94873", "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": ("d53e105ee54ea40749a09fcbcd1e9432", "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": ("9fb629c4189551a2d022fa330f9573f3", "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": ("ec29112dd5afa0611ce80d1b7f02629c", "27ae3e4e09519cfbb04c329615203637"),
}


class MnistFileError(ValueError):
    """An MNIST file is truncated, corrupt, or not the file it should be."""


class MnistNotAvailableError(RuntimeError):
    """MNIST files are missing and no mirror could supply them."""


def data_folder(data_dir: str | os.PathLike | None = None) -> tuple[Path, str]:
    """Return the folder MNIST is read from (and downloaded into), and what chose it."""
    if data_dir is not None:
        return Path(data_dir).expanduser().absolute(), "the data_dir argument"
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser().absolute(), f"set by {ENV_VAR}"
    return Path(pooch.os_cache("cnnlib")), f"the per-user cache; {ENV_VAR} names another folder"


def _find(folder: Path, name: str) -> Path | None:
    """Return ``folder/NAME.gz`` or ``folder/NAME``, whichever exists first, else None."""
    return next((path for path in (folder / f"{name}.gz", folder / name) if path.exists()), None)


def download(data_dir: str | os.PathLike | None = None) -> Path:
    """Download the MNIST files missing from the data folder, with a progress bar.

    Each missing ``NAME.gz`` is tried on every mirror in turn; pooch keeps it only if its md5
    matches the official one. Files already in the folder are not touched.
    Returns the folder. Raises MnistNotAvailableError when no mirror supplies a file.
    """
    folder, chosen_by = data_folder(data_dir)
    for name in [name for name in FILES if _find(folder, name) is None]:
        failures = []
        for base_url in MIRRORS:
            try:
                path = pooch.retrieve(
                    base_url + f"{name}.gz",
                    f"md5:{FILES[name][0]}",
                    fname=f"{name}.gz",
                    path=folder,
                    downloader=pooch.HTTPDownloader(progressbar=True),
                )
                os.chmod(path, 0o644)  # pooch saves it private (0600): a shared folder must be read
                break
            except (requests.RequestException, ValueError) as err:  # network error, bad md5
                if getattr(err, "response", None) is not None:
                    err.response.close()  # pooch leaves a refused (e.g. 404) download's socket open
                failures.append(f"  {base_url}: {err}")
                last_error = err
        else:
            missing = [f"{name}.gz" for name in FILES if _find(folder, name) is None]
            raise MnistNotAvailableError(
                f"MNIST files are missing and could not be downloaded: {', '.join(missing)}\n"
                f"Looked in {folder} ({chosen_by}), for NAME.gz or NAME uncompressed.\n"
                "Mirrors tried:\n" + "\n".join(failures) + "\n"
                f"Offline? Where there is internet, run `{DOWNLOAD_COMMAND}`, then copy DIR "
                f"to this machine and set {ENV_VAR} to it (or copy the files into {folder})."
            ) from last_error
    return folder


def read_idx(path: str | os.PathLike, md5: str | None = None) -> np.ndarray:
    """Read an MNIST IDX file, gzip-compressed (``.gz``) or raw, checking it on the way.

    Parameters: ``path``; ``md5``, if given, the expected md5 of the decompressed content.
    Returns a uint8 array: images ``(N, 28, 28)`` or labels ``(N,)`` with values 0-9.
    Raises MnistFileError naming the file, what was expected and what was found.
    """
    path = Path(path)
    data = path.read_bytes()
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (gzip.BadGzipFile, EOFError, zlib.error) as err:
            message = f"expected a gzip stream, found a corrupt one ({err})"
            raise MnistFileError(f"{path}: {message}") from err
    if len(data) < 8:
        raise MnistFileError(f"{path}: expected an IDX header of at least 8 bytes, found {len(data)} bytes")
    magic = int.from_bytes(data[:4], "big")
    if magic not in (2049, 2051):
        raise MnistFileError(f"{path}: expected magic number 2049 (labels) or 2051 (images), found {magic}")
    header = 8 if magic == 2049 else 16  # magic, then one 4-byte size per dimension
    if len(data) < header:
        raise MnistFileError(f"{path}: expected a {header}-byte IDX header, found {len(data)} bytes")
    shape = tuple(int.from_bytes(data[i : i + 4], "big") for i in range(4, header, 4))
    if magic == 2051 and shape[1:] != (28, 28):
        raise MnistFileError(f"{path}: expected 28 x 28 images, found {shape[1]} x {shape[2]}")
    size = header + math.prod(shape)
    if len(data) != size:
        raise MnistFileError(
            f"{path}: expected {size} bytes for shape {shape} "
            f"({header}-byte header), found {len(data)}; truncated or corrupt"
        )
    array = np.frombuffer(data, np.uint8, offset=header).reshape(shape).copy()
    if magic == 2049 and array.max(initial=0) > 9:
        index = int(array.argmax())
        raise MnistFileError(f"{path}: expected labels 0-9, found {array[index]} at index {index}")
    if md5 is not None and (found := hashlib.md5(data).hexdigest()) != md5:
        raise MnistFileError(
            f"{path}: expected the official content (md5 {md5}), "
            f"found md5 {found}; replace it, or delete it to download it again"
        )
    return array


def load_mnist(data_dir: str | os.PathLike | None = None):
    """Load MNIST like ``keras.datasets.mnist.load_data()``, downloading missing files once.

    ``data_dir``: the folder to use, else ``$CNNLIB_DATA_DIR``, else the per-user cache.
    Returns ``(x_train, y_train), (x_test, y_test)``, uint8 arrays of shapes
    ``(60000, 28, 28)``, ``(60000,)``, ``(10000, 28, 28)``, ``(10000,)``.
    """
    folder = download(data_dir)
    splits = []
    for split in ("train", "t10k"):
        names = [f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"]
        paths = [_find(folder, name) for name in names]
        images, labels = (read_idx(path, FILES[name][1]) for path, name in zip(paths, names))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise MnistFileError(
                f"expected as many images in {paths[0]} as labels in {paths[1]}, "
                f"found shapes {images.shape} and {labels.shape}"
            )
        splits.append((images, labels))
    return tuple(splits)


def select_digits(x: np.ndarray, y: np.ndarray, digits=(0, 1), limit: int = 100, rng=0):
    """Take the first ``limit`` samples of each digit in ``digits``, shuffled together.

    ``x``: images ``(N, 28, 28)``; ``y``: labels ``(N,)``; ``rng``: a np.random.Generator or
    a seed for the shuffle. Returns ``x, y`` of the selection, ``(M, 28, 28)`` and ``(M,)``,
    with ``M = limit * len(digits)`` (fewer if a digit has fewer samples).
    """
    if len(x) != len(y):
        raise ValueError(f"expected as many images as labels, found {len(x)} and {len(y)}")
    if not digits or len(set(digits)) != len(digits) or not set(digits) <= set(range(10)):
        raise ValueError(f"expected distinct digits from 0 to 9, found {digits}")
    if limit < 1:
        raise ValueError(f"expected limit >= 1, found {limit}")
    indices = np.hstack([np.flatnonzero(y == digit)[:limit] for digit in digits])
    indices = np.random.default_rng(rng).permutation(indices)
    return x[indices], y[indices]


def to_images(x: np.ndarray) -> np.ndarray:
    """Scale uint8 images to [0, 1] and give them one channel: ``(N, h, w) -> (N, 1, h, w)``.

    float64, the plain layers' dtype: a numerical gradient check nudges an input by ~1e-6,
    which float32 (7 significant digits) would blur. All 60000 training images take 376 MB.
    """
    if x.dtype != np.uint8 or x.ndim != 3:
        raise ValueError(f"expected uint8 images of shape (N, height, width), found {x.dtype} {x.shape}")
    return x[:, np.newaxis].astype(np.float64) / 255


def one_hot(labels: np.ndarray, classes) -> np.ndarray:
    """Encode labels as one-hot column vectors: ``(N,) -> (N, len(classes), 1)``, float64.

    ``classes``: the label each row stands for, e.g. ``(0, 1)`` or ``range(10)``.
    """
    labels, classes = np.asarray(labels), np.asarray(classes)
    if labels.ndim != 1:
        raise ValueError(f"expected labels of shape (N,), found {labels.shape}")
    hits = labels[:, np.newaxis] == classes[np.newaxis, :]  # (N, C)
    known = hits.any(axis=1)
    if not known.all():
        unknown = np.unique(labels[~known])
        raise ValueError(f"expected labels in classes {classes.tolist()}, found {unknown.tolist()}")
    return hits.astype(np.float64)[:, :, np.newaxis]


def preprocess(x: np.ndarray, y: np.ndarray, digits=(0, 1), limit: int = 100, rng=0):
    """The original code's preparation: select digits, shuffle, scale to [0, 1], one-hot encode.

    Returns images ``(M, 1, 28, 28)`` and labels ``(M, len(digits), 1)``; see select_digits.
    """
    x, y = select_digits(x, y, digits, limit, rng)
    return to_images(x), one_hot(y, digits)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m cnnlib.datasets download [--dir DIR]``."""
    parser = argparse.ArgumentParser(
        prog="python -m cnnlib.datasets", description="Pre-download MNIST for offline use."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("download", help="download and verify the four MNIST files")
    command.add_argument("--dir", help=f"their folder (default: ${ENV_VAR}, else a per-user cache)")
    args = parser.parse_args(argv)
    try:
        (x_train, _), (x_test, _) = load_mnist(args.dir)
    except (MnistNotAvailableError, MnistFileError) as err:
        parser.exit(1, f"error: {err}\n")
    folder, _ = data_folder(args.dir)
    print(f"MNIST is ready in {folder}: {len(x_train)} training and {len(x_test)} test images, verified.")
    print(f"To use this copy on another machine, copy the folder and set {ENV_VAR} to it.")


if __name__ == "__main__":
    main()
