"""CIFAR-10 binary-version loader (exact values, errors), the stand-in writer, the two models."""

from pathlib import Path

import numpy as np
import pytest

from papers.convex_landscape.cifar import (
    MEAN,
    STD,
    load_cifar10,
    train_convex,
    train_nonconvex,
    write_standin,
)


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    return write_standin(tmp_path_factory.mktemp("cifar"), np.random.default_rng(0), 8, 6)


_NAMES = [*(f"data_batch_{k}.bin" for k in range(1, 6)), "test_batch.bin"]


def _write_fake(root: Path, sizes=(2, 3, 1, 2, 1, 3), seed=0):
    """A tiny binary distribution written by hand (not by write_standin): records per file."""
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    contents = []
    for name, n in zip(_NAMES, sizes, strict=True):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        pixels = rng.integers(0, 256, (n, 3072)).astype(np.uint8)
        pairs = zip(labels, pixels, strict=True)
        blob = b"".join(bytes([lab]) + row.tobytes() for lab, row in pairs)
        (folder / name).write_bytes(blob)
        contents.append((pixels, labels))
    return contents


def _expected_row(pixels_row):
    """Channel-major R, G, B 32x32 planes -> normalised, flattened channels-last, by hand."""
    out = np.empty(3072)
    for c in range(3):
        for i in range(32):
            for j in range(32):
                v = pixels_row[c * 1024 + i * 32 + j]
                out[(i * 32 + j) * 3 + c] = (np.float32(v) / np.float32(255.0) - MEAN[c]) / STD[c]
    return out.astype(np.float32)


def test_fake_binary_distribution_loads_exactly(tmp_path):
    contents = _write_fake(tmp_path)
    Xtr, ytr, Xte, yte = load_cifar10(tmp_path)
    train_px = np.concatenate([p for p, _ in contents[:5]])
    train_y = np.concatenate([lab for _, lab in contents[:5]])
    assert Xtr.shape == (9, 3072) and Xte.shape == (3, 3072)
    assert Xtr.dtype == Xte.dtype == np.float32 and ytr.dtype == yte.dtype == np.int64
    assert Xtr.flags.c_contiguous
    np.testing.assert_array_equal(ytr, train_y.astype(np.int64))  # file order, batches 1..5
    np.testing.assert_array_equal(yte, contents[5][1].astype(np.int64))
    for k in (0, 4, 8):
        np.testing.assert_array_equal(Xtr[k], _expected_row(train_px[k]))
    np.testing.assert_array_equal(Xte[2], _expected_row(contents[5][0][2]))
    # the folder itself may be given; n_train / n_test keep the first rows
    Xs, ys, Xt1, yt1 = load_cifar10(tmp_path / "cifar-10-batches-bin", n_train=4, n_test=1)
    np.testing.assert_array_equal(Xs, Xtr[:4])
    np.testing.assert_array_equal(ys, ytr[:4])
    np.testing.assert_array_equal(Xt1, Xte[:1])
    assert yt1.tolist() == yte[:1].tolist()


def test_standin_loads_with_the_real_shapes(standin):
    Xtr, ytr, Xte, _ = load_cifar10(standin)
    assert Xtr.shape == (40, 3072) and Xte.shape == (6, 3072)
    assert Xtr.dtype == np.float32 and set(np.unique(ytr)) <= set(range(10))
    assert load_cifar10(standin / "cifar-10-batches-bin", n_train=5)[0].shape == (5, 3072)
    sizes = [(standin / "cifar-10-batches-bin" / n).stat().st_size for n in _NAMES]
    assert sizes == [8 * 3073] * 5 + [6 * 3073]


def test_channels_last_normalisation(standin):
    raw = (standin / "cifar-10-batches-bin" / "data_batch_1.bin").read_bytes()[1:3073]
    X = load_cifar10(standin, n_train=1)[0][0]
    # raw is channel-first (3, 32, 32); ours is (32, 32, 3) flattened
    for c, i, j in [(0, 0, 0), (2, 5, 7), (1, 31, 30)]:
        want = (raw[c * 1024 + i * 32 + j] / 255.0 - MEAN[c]) / STD[c]
        assert X[(i * 32 + j) * 3 + c] == pytest.approx(want, rel=1e-5)


def test_missing_data_has_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="data_dir"):
        load_cifar10(None)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_cifar10(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match=r"data_batch_1\.bin is missing.*test_batch\.bin"):
        load_cifar10(tmp_path)
    _write_fake(tmp_path)
    (tmp_path / "cifar-10-batches-bin" / "test_batch.bin").unlink()
    with pytest.raises(FileNotFoundError, match=r"cifar-10-batches-bin/test_batch\.bin"):
        load_cifar10(tmp_path)
    with pytest.raises(NotADirectoryError, match="not a folder"):
        load_cifar10(tmp_path / "cifar-10-batches-bin" / "data_batch_1.bin")


def test_python_version_is_not_read(tmp_path):
    py = tmp_path / "cifar-10-batches-py"
    py.mkdir()
    (py / "data_batch_1").write_bytes(b"\x80\x04not read")
    with pytest.raises(FileNotFoundError, match="pickled batches, which are not read"):
        load_cifar10(tmp_path)
    with pytest.raises(FileNotFoundError, match="binary version"):
        load_cifar10(py)


@pytest.mark.parametrize("size", [0, 1, 3072, 3074, 2 * 3073 - 1])
def test_malformed_size(tmp_path, size):
    _write_fake(tmp_path)
    bad = tmp_path / "cifar-10-batches-bin" / "data_batch_3.bin"
    bad.write_bytes(bad.read_bytes()[:size] if size <= 3073 else b"\0" * size)
    with pytest.raises(ValueError, match=rf"data_batch_3\.bin is malformed: {size} bytes.*3073"):
        load_cifar10(tmp_path)


def test_label_byte_out_of_range(tmp_path):
    _write_fake(tmp_path)
    bad = tmp_path / "cifar-10-batches-bin" / "test_batch.bin"
    blob = bytearray(bad.read_bytes())
    blob[3073] = 57  # label of record 1
    bad.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="record 1 has label byte 57"):
        load_cifar10(tmp_path)


def test_standin_refuses_empty_batches(tmp_path):
    with pytest.raises(ValueError, match="n_test"):
        write_standin(tmp_path, np.random.default_rng(0), 3, 0)


@pytest.mark.parametrize("gate", ["dense", "patch"])
def test_models_train(standin, gate):
    data = load_cifar10(standin)
    kw = {"beta": 1e-3, "epochs": 2, "batch": 20, "seed": 1}
    h = train_convex(*data, n_gates=4, gate=gate, lr=1e-3, rho=1e-2, **kw)
    assert h["test_acc"].shape == (2,) and np.all(np.isfinite(h["objective"]))
    assert h["time"][1] >= h["time"][0]
    h = train_nonconvex(*data, width=8, lr=1e-3, **kw)
    assert np.all((0 <= h["train_acc"]) & (h["train_acc"] <= 1))


def test_digits_images_are_normalised_rows_of_8x8():
    from papers.convex_landscape.cifar import load_digits_images

    Xtr, ytr, Xte, yte = load_digits_images(np.random.default_rng(0), 0.2)
    assert Xtr.shape == (1438, 64) and Xte.shape == (359, 64) and Xtr.dtype == np.float32
    assert abs(float(Xtr.mean())) < 1e-5 and float(Xtr.std()) == pytest.approx(1.0, rel=1e-5)
    assert set(np.unique(ytr)) == set(range(10)) and len(yte) == 359
    again = load_digits_images(np.random.default_rng(0), 0.2)
    assert np.array_equal(again[0], Xtr) and np.array_equal(again[3], yte)
