"""MNIST: the IDX parser on small files, downloads from a local server, the real data, the selection."""

import gzip
import hashlib
import http.server
import os
import re
import socket
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import requests

from cnnlib import datasets
from cnnlib.datasets import (
    MnistFileError,
    MnistNotAvailableError,
    load_mnist,
    one_hot,
    preprocess,
    read_idx,
    select_digits,
    to_images,
)

REAL_DATA = os.environ.get("CNNLIB_DATA_DIR")  # read before the `isolated` fixture clears it
needs_real_data = pytest.mark.skipif(
    not REAL_DATA, reason="CNNLIB_DATA_DIR is not set, so there is no MNIST copy"
)
IMAGES = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
LABELS = np.array([5, 0, 1], np.uint8)


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """The IDX encoding of a uint8 array: magic number, one 4-byte size per dimension, the bytes."""
    magic = magic or (2051 if array.ndim == 3 else 2049)
    return magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape) + array.tobytes()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's size and modification time, to show a folder was left alone."""
    return {path.name: (path.stat().st_size, path.stat().st_mtime_ns) for path in folder.iterdir()}


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No test sees CNNLIB_DATA_DIR or the real per-user cache: the cache is a temporary folder."""
    monkeypatch.delenv("CNNLIB_DATA_DIR", raising=False)
    monkeypatch.setattr(datasets.pooch, "os_cache", lambda project: tmp_path / "user-cache" / project)


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A tiny MNIST (6 training, 4 test samples) as .gz files in tmp_path/served; FILES set to their md5s."""
    rng = np.random.default_rng(1)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.array([5, 0, 4, 1, 9, 2], np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.array([7, 2, 1, 0], np.uint8),
    }
    served = tmp_path / "served"
    served.mkdir(exist_ok=True)
    files = {}
    for name, array in arrays.items():
        content = idx_bytes(array)
        compressed = gzip.compress(content, mtime=0)
        (served / f"{name}.gz").write_bytes(compressed)
        files[name] = (md5(compressed), md5(content))
    monkeypatch.setattr(datasets, "FILES", files)
    return arrays


@pytest.fixture
def server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/served; yields its base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    (tmp_path / "served").mkdir(exist_ok=True)
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(QuietHandler, directory=tmp_path / "served")
    )
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01})  # quick shutdown
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def closed_url():
    """A URL on a local port nobody listens on: connections are refused, as offline."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def corrupt_copy(tmp_path: Path, name: str) -> None:
    """Serve a copy of the files under tmp_path/served/corrupt/, with one byte of `name` changed."""
    corrupt = tmp_path / "served" / "corrupt"
    corrupt.mkdir()
    for path in (tmp_path / "served").glob("*.gz"):
        data = bytearray(path.read_bytes())
        if path.name == name:
            data[len(data) // 2] ^= 0xFF
        (corrupt / path.name).write_bytes(data)


# --- the parser, on files the tests write ---


@pytest.mark.parametrize("suffix", [".gz", ""])
@pytest.mark.parametrize("array", [IMAGES, LABELS], ids=["images", "labels"])
def test_read_idx_reads_gzip_and_raw(tmp_path, suffix, array):
    content = idx_bytes(array)
    path = tmp_path / f"sample-ubyte{suffix}"
    path.write_bytes(gzip.compress(content) if suffix else content)
    result = read_idx(path, md5=md5(content))
    assert result.dtype == np.uint8 and result.flags.writeable
    np.testing.assert_array_equal(result, array)


GOOD_IMAGES = idx_bytes(IMAGES)  # 16-byte header + 3 * 784 = 2368 bytes
GOOD_GZIP = gzip.compress(GOOD_IMAGES, mtime=0)
FLIPPED_GZIP = GOOD_GZIP[:40] + bytes([GOOD_GZIP[40] ^ 0xFF]) + GOOD_GZIP[41:]


@pytest.mark.parametrize(
    "suffix, data, expected",
    [
        (
            "",
            GOOD_IMAGES[:-10],
            r"expected 2368 bytes for shape \(3, 28, 28\) \(16-byte header\), found 2358",
        ),
        (
            "",
            GOOD_IMAGES + b"\0",
            r"expected 2368 bytes for shape \(3, 28, 28\) \(16-byte header\), found 2369",
        ),
        ("", idx_bytes(LABELS)[:-1], r"expected 11 bytes for shape \(3,\) \(8-byte header\), found 10"),
        ("", GOOD_IMAGES[:12], r"expected a 16-byte IDX header, found 12 bytes"),
        ("", b"", r"expected an IDX header of at least 8 bytes, found 0 bytes"),
        (
            "",
            idx_bytes(IMAGES, magic=2050),
            r"expected magic number 2049 \(labels\) or 2051 \(images\), found 2050",
        ),
        ("", idx_bytes(np.zeros((2, 27, 28), np.uint8)), r"expected 28 x 28 images, found 27 x 28"),
        ("", idx_bytes(np.array([5, 12, 1], np.uint8)), r"expected labels 0-9, found 12 at index 1"),
        (".gz", GOOD_GZIP[: len(GOOD_GZIP) // 2], r"expected a gzip stream, found a corrupt one"),
        (".gz", FLIPPED_GZIP, r"expected a gzip stream, found a corrupt one"),
        (".gz", GOOD_IMAGES, r"expected a gzip stream, found a corrupt one \(Not a gzipped file"),
        (".gz", gzip.compress(GOOD_IMAGES[:-10]), r"expected 2368 bytes .* found 2358"),
    ],
    ids=[
        "truncated images",
        "trailing bytes",
        "truncated labels",
        "truncated header",
        "empty file",
        "wrong magic",
        "wrong image size",
        "label out of range",
        "truncated gzip",
        "corrupt gzip",
        "not gzip",
        "truncated inside gzip",
    ],
)
def test_read_idx_names_file_expected_and_found(tmp_path, suffix, data, expected):
    path = tmp_path / f"sample-ubyte{suffix}"
    path.write_bytes(data)
    with pytest.raises(MnistFileError, match=f"{re.escape(str(path))}: {expected}"):
        read_idx(path)


def test_read_idx_checks_decompressed_md5(tmp_path):
    path = tmp_path / "sample-ubyte.gz"
    path.write_bytes(GOOD_GZIP)
    with pytest.raises(
        MnistFileError,
        match=rf"sample-ubyte.gz: expected the official content "
        rf"\(md5 0{{32}}\), found md5 {md5(GOOD_IMAGES)}",
    ):
        read_idx(path, md5="0" * 32)


def write_folder(folder: Path, arrays: dict, compresslevel: int | None) -> None:
    """Write arrays as IDX files, gzip-compressed at `compresslevel`, or raw when it is None."""
    folder.mkdir(exist_ok=True)
    for name, array in arrays.items():
        if compresslevel is None:
            (folder / name).write_bytes(idx_bytes(array))
        else:
            (folder / f"{name}.gz").write_bytes(gzip.compress(idx_bytes(array), compresslevel, mtime=1))


@pytest.mark.parametrize("compresslevel", [1, None], ids=["recompressed", "raw"])
def test_valid_local_copy_is_used_as_it_is(tiny, tmp_path, monkeypatch, closed_url, compresslevel):
    # like the shared copy whose train-images .gz was recompressed: its .gz md5 is not the official one
    folder = tmp_path / "local"
    write_folder(folder, tiny, compresslevel)
    before = snapshot(folder)
    monkeypatch.setattr(datasets, "MIRRORS", [closed_url])  # a download attempt would fail
    (x_train, y_train), (x_test, y_test) = load_mnist(folder)
    np.testing.assert_array_equal(x_train, tiny["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, tiny["t10k-labels-idx1-ubyte"])
    assert snapshot(folder) == before


def test_local_copy_with_other_content_is_rejected(tiny, tmp_path, monkeypatch):
    write_folder(tmp_path / "local", tiny, compresslevel=9)
    monkeypatch.setitem(datasets.FILES, "t10k-images-idx3-ubyte", ("unused", "0" * 32))
    with pytest.raises(
        MnistFileError,
        match=r"t10k-images-idx3-ubyte.gz: expected the official content "
        r"\(md5 0{32}\), found md5 [0-9a-f]{32}; replace it, or delete it",
    ):
        load_mnist(tmp_path / "local")


def test_image_and_label_counts_must_agree(tiny, tmp_path, monkeypatch):
    labels = tiny["train-labels-idx1-ubyte"] = tiny["train-labels-idx1-ubyte"][:5]
    write_folder(tmp_path / "local", tiny, compresslevel=9)
    monkeypatch.setitem(datasets.FILES, "train-labels-idx1-ubyte", ("unused", md5(idx_bytes(labels))))
    with pytest.raises(
        MnistFileError,
        match=r"expected as many images in .*train-images-idx3-ubyte.gz as labels in "
        r".*train-labels-idx1-ubyte.gz, found shapes \(6, 28, 28\) and \(5,\)",
    ):
        load_mnist(tmp_path / "local")


# --- downloads, from a server on 127.0.0.1 ---


def choose_folder(chooser: str, tmp_path: Path, monkeypatch) -> tuple[Path, Path | None]:
    """Make `chooser` pick the data folder; return the folder and the data_dir argument to pass."""
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path / "variable"))  # the argument beats it
    if chooser == "argument":
        return tmp_path / "argument", tmp_path / "argument"
    if chooser == "cache":
        monkeypatch.delenv("CNNLIB_DATA_DIR")
    return tmp_path / ("variable" if chooser == "variable" else "user-cache/cnnlib"), None


CHOOSERS = ["argument", "variable", "cache"]


@pytest.mark.parametrize("chooser", CHOOSERS)
def test_data_folder_order(tmp_path, monkeypatch, chooser):
    folder, data_dir = choose_folder(chooser, tmp_path, monkeypatch)
    assert datasets.data_folder(data_dir)[0] == folder


@pytest.mark.parametrize("chooser", CHOOSERS)
def test_download_verify_and_load(tiny, server, tmp_path, monkeypatch, closed_url, chooser):
    folder, data_dir = choose_folder(chooser, tmp_path, monkeypatch)
    monkeypatch.setattr(datasets, "MIRRORS", [server])
    (x_train, y_train), (x_test, y_test) = load_mnist(data_dir)
    np.testing.assert_array_equal(x_train, tiny["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_train, tiny["train-labels-idx1-ubyte"])
    np.testing.assert_array_equal(x_test, tiny["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, tiny["t10k-labels-idx1-ubyte"])
    assert sorted(path.name for path in folder.iterdir()) == sorted(f"{name}.gz" for name in tiny)
    assert {path.stat().st_mode & 0o777 for path in folder.iterdir()} == {0o644}  # others may read
    monkeypatch.setattr(datasets, "MIRRORS", [closed_url])  # the second load needs no network
    np.testing.assert_array_equal(load_mnist(data_dir)[0][1], y_train)


@pytest.mark.parametrize("first_mirror", ["not found", "closed port", "corrupt file"])
def test_falls_back_to_the_next_mirror(tiny, server, tmp_path, monkeypatch, closed_url, first_mirror):
    corrupt_copy(tmp_path, "train-labels-idx1-ubyte.gz")
    bad = {"not found": server + "nowhere/", "closed port": closed_url, "corrupt file": server + "corrupt/"}
    monkeypatch.setattr(datasets, "MIRRORS", [bad[first_mirror], server])
    (_, y_train), _ = load_mnist()
    np.testing.assert_array_equal(y_train, tiny["train-labels-idx1-ubyte"])


def test_corrupt_download_is_rejected_and_not_kept(tiny, server, tmp_path, monkeypatch):
    corrupt_copy(tmp_path, "train-labels-idx1-ubyte.gz")
    monkeypatch.setattr(datasets, "MIRRORS", [server + "corrupt/"])
    with pytest.raises(
        MnistNotAvailableError, match=r"train-labels-idx1-ubyte.gz\) does not match the known hash"
    ):
        load_mnist()
    # the file before it was kept; the corrupt one, and any temporary file, were not
    assert [path.name for path in (tmp_path / "user-cache" / "cnnlib").iterdir()] == [
        "train-images-idx3-ubyte.gz"
    ]


@pytest.mark.parametrize("chooser", CHOOSERS)
def test_offline_with_nothing_cached_says_what_to_do(tiny, tmp_path, monkeypatch, closed_url, chooser):
    folder, data_dir = choose_folder(chooser, tmp_path, monkeypatch)
    monkeypatch.setattr(datasets, "MIRRORS", [closed_url, closed_url.replace("http:", "https:")])
    with pytest.raises(MnistNotAvailableError) as excinfo:
        load_mnist(data_dir)
    message = str(excinfo.value)
    for expected in [
        *(f"{name}.gz" for name in tiny),
        str(folder),
        "CNNLIB_DATA_DIR",
        "python -m cnnlib.datasets download --dir DIR",
        closed_url,
    ]:
        assert expected in message
    assert isinstance(excinfo.value.__cause__, requests.ConnectionError)


# --- the command `python -m cnnlib.datasets download` ---


def test_download_command(tiny, server, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(datasets, "MIRRORS", [server])
    datasets.main(["download", "--dir", str(tmp_path / "classroom")])
    assert (
        f"MNIST is ready in {tmp_path / 'classroom'}: 6 training and 4 test images" in capsys.readouterr().out
    )
    assert sorted(path.name for path in (tmp_path / "classroom").iterdir()) == sorted(
        f"{name}.gz" for name in tiny
    )


def test_download_command_offline_exits_with_the_message(tiny, tmp_path, monkeypatch, capsys, closed_url):
    monkeypatch.setattr(datasets, "MIRRORS", [closed_url])
    with pytest.raises(SystemExit) as excinfo:
        datasets.main(["download", "--dir", str(tmp_path / "classroom")])
    assert excinfo.value.code == 1
    assert "could not be downloaded: train-images-idx3-ubyte.gz" in capsys.readouterr().err


@needs_real_data
def test_module_runs_as_a_command_on_the_real_copy():
    result = subprocess.run(
        [sys.executable, "-m", "cnnlib.datasets", "download", "--dir", REAL_DATA],
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        f"MNIST is ready in {Path(REAL_DATA).absolute()}: 60000 training and 10000 test images"
        in result.stdout
    )


# --- the real data and the original code's selection ---


@pytest.fixture(scope="module")
def mnist():
    if not REAL_DATA:
        pytest.skip("CNNLIB_DATA_DIR is not set, so there is no MNIST copy")
    return load_mnist(REAL_DATA)


@needs_real_data
def test_real_mnist_from_the_variable_is_read_not_written(monkeypatch):
    monkeypatch.setenv("CNNLIB_DATA_DIR", REAL_DATA)
    before = snapshot(Path(REAL_DATA))
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert snapshot(Path(REAL_DATA)) == before
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {x_train.dtype, y_train.dtype, x_test.dtype, y_test.dtype} == {np.dtype(np.uint8)}
    assert y_train[0] == 5
    assert np.bincount(y_train)[:2].tolist() == [5923, 6742]
    assert np.bincount(y_test)[:2].tolist() == [980, 1135]


@pytest.mark.parametrize("split", [0, 1], ids=["train", "test"])
def test_the_original_selection(mnist, split):
    x, y = mnist[split]
    images, labels = preprocess(x, y, digits=(0, 1), limit=100, rng=0)
    assert images.shape == (200, 1, 28, 28) and labels.shape == (200, 2, 1)
    assert images.dtype == labels.dtype == np.float64
    assert 0 <= images.min() and images.max() <= 1
    assert labels.sum(axis=0).ravel().tolist() == [100, 100] and (labels.sum(axis=1) == 1).all()
    zeros = labels[:, 0, 0] == 1  # the first 100 zeros of the split, in some order
    np.testing.assert_allclose(images[zeros].sum(), x[np.flatnonzero(y == 0)[:100]].sum() / 255)
    again, _ = preprocess(x, y, digits=(0, 1), limit=100, rng=np.random.default_rng(0))
    other, _ = preprocess(x, y, digits=(0, 1), limit=100, rng=1)
    np.testing.assert_array_equal(images, again)
    assert not np.array_equal(images, other)


# --- the preprocessing functions on small arrays ---


def test_select_digits_takes_at_most_limit_of_each():
    y = np.array([0, 3, 0, 0, 7, 3])
    x = np.arange(6 * 28 * 28).reshape(6, 28, 28)
    x_sel, y_sel = select_digits(x, y, digits=(3, 0), limit=2, rng=0)
    assert sorted(y_sel.tolist()) == [0, 0, 3, 3]
    assert sorted(x_sel[:, 0, 0].tolist()) == sorted(x[[0, 1, 2, 5], 0, 0].tolist())


@pytest.mark.parametrize(
    "digits, limit, n_labels, expected",
    [
        ((0, 10), 1, 4, r"expected distinct digits from 0 to 9, found \(0, 10\)"),
        ((1, 1), 1, 4, r"expected distinct digits from 0 to 9, found \(1, 1\)"),
        ((), 1, 4, r"expected distinct digits from 0 to 9, found \(\)"),
        ((0, 1), 0, 4, r"expected limit >= 1, found 0"),
        ((0, 1), 1, 3, r"expected as many images as labels, found 4 and 3"),
    ],
)
def test_select_digits_rejects_bad_input(digits, limit, n_labels, expected):
    with pytest.raises(ValueError, match=expected):
        select_digits(np.zeros((4, 28, 28), np.uint8), np.zeros(n_labels, np.uint8), digits, limit)


def test_to_images():
    images = to_images(np.array([[[0, 255], [51, 102]]], np.uint8))
    assert images.shape == (1, 1, 2, 2) and images.dtype == np.float64
    np.testing.assert_allclose(images[0, 0], [[0, 1], [0.2, 0.4]])


@pytest.mark.parametrize("x", [np.zeros((2, 28, 28)), np.zeros((28, 28), np.uint8)], ids=["float", "2d"])
def test_to_images_rejects_bad_input(x):
    with pytest.raises(
        ValueError, match=rf"expected uint8 images of shape \(N, height, width\), found {x.dtype}"
    ):
        to_images(x)


def test_one_hot_columns_follow_classes():
    encoded = one_hot(np.array([7, 3, 7]), classes=(3, 7))
    assert encoded.shape == (3, 2, 1) and encoded.dtype == np.float64
    np.testing.assert_array_equal(encoded[:, :, 0], [[0, 1], [1, 0], [0, 1]])


@pytest.mark.parametrize(
    "labels, expected",
    [
        (np.array([0, 2, 1, 5, 2]), r"expected labels in classes \[0, 1\], found \[2, 5\]"),
        (np.zeros((3, 1), int), r"expected labels of shape \(N,\), found \(3, 1\)"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, expected):
    with pytest.raises(ValueError, match=expected):
        one_hot(labels, classes=(0, 1))
