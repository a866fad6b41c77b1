"""CIFAR-10 python-batch loader on a synthetic stand-in of the same format, and the two models."""

import pickle

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


def test_standin_loads_with_the_real_shapes(standin):
    Xtr, ytr, Xte, _ = load_cifar10(standin)
    assert Xtr.shape == (40, 3072) and Xte.shape == (6, 3072)
    assert Xtr.dtype == np.float32 and set(np.unique(ytr)) <= set(range(10))
    assert load_cifar10(standin / "cifar-10-batches-py", n_train=5)[0].shape == (5, 3072)


def test_channels_last_normalisation(standin):
    with (standin / "cifar-10-batches-py" / "data_batch_1").open("rb") as fh:
        raw = pickle.load(fh, encoding="bytes")[b"data"][0]
    X = load_cifar10(standin, n_train=1)[0][0]
    # raw is channel-first (3, 32, 32); ours is (32, 32, 3) flattened
    for c, i, j in [(0, 0, 0), (2, 5, 7), (1, 31, 30)]:
        want = (raw[c * 1024 + i * 32 + j] / 255.0 - MEAN[c]) / STD[c]
        assert X[(i * 32 + j) * 3 + c] == pytest.approx(want, rel=1e-5)


def test_missing_data_has_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="data_dir"):
        load_cifar10(None)
    with pytest.raises(FileNotFoundError, match="missing"):
        load_cifar10(tmp_path)


def test_bad_batch_shape(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [*(f"data_batch_{k}" for k in range(1, 6)), "test_batch"]:
        with (folder / name).open("wb") as fh:
            pickle.dump({b"data": np.zeros((2, 10), np.uint8), b"labels": [0, 1]}, fh)
    with pytest.raises(ValueError, match="3072"):
        load_cifar10(tmp_path)


@pytest.mark.parametrize("gate", ["dense", "patch"])
def test_models_train(standin, gate):
    data = load_cifar10(standin)
    kw = {"beta": 1e-3, "epochs": 2, "batch": 20, "seed": 1}
    h = train_convex(*data, n_gates=4, gate=gate, lr=1e-3, rho=1e-2, **kw)
    assert h["test_acc"].shape == (2,) and np.all(np.isfinite(h["objective"]))
    assert h["time"][1] >= h["time"][0]
    h = train_nonconvex(*data, width=8, lr=1e-3, **kw)
    assert np.all((0 <= h["train_acc"]) & (h["train_acc"] <= 1))
