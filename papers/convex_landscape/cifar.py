r"""CIFAR-10 experiment of the authors' public code (``pilancilab/convex_nn``), in torch.

Data: the CIFAR-10 *binary version* (``cifar-10-batches-bin/data_batch_{1..5}.bin``,
``test_batch.bin``; each record is one label byte followed by 3072 pixel bytes, channel-major
32x32 R, G, B planes), read from a local folder only (nothing is downloaded). The python
version's pickled batches are not read: nothing in this project unpickles files. Images are
normalised with the per-channel mean (0.507, 0.487, 0.441) and std (0.267, 0.256, 0.276) of the
authors' script and flattened channels-last (``H, W, C``) so that patch gates
(:func:`common.arrangements.sample_gates` with ``gate="patch"``) cover 3x3x3 image patches.
Targets are one-hot.

Models (paper scaling divided by the batch size, as in the script):

* non-convex: :math:`x\mapsto W_2(W_1x)_+`, loss
  :math:`[\tfrac12\|\hat Y-Y\|^2+\tfrac\beta2\|W_1\|_F^2+\tfrac\beta2\sum_j\|W_2[:,j]\|_1^2]/b`,
  SGD with momentum 0.9 (the core trainer, :func:`common.convex_nn.train_ensemble`);
* convex: gates :math:`g_i` (``P`` of them, dense Gaussian = "Convex-Random", 3x3 patch =
  "Convex-Conv") give :math:`D_i(x)=\mathbb 1[g_i^\top x\ge0]`; output
  :math:`\hat y_c=\sum_iD_i(x)\,x^\top(v_{ic}-w_{ic})`; loss
  :math:`[\tfrac12\|\hat Y-Y\|^2+\beta\sum_{i,c}(\|v_{ic}\|+\|w_{ic}\|)
  +\rho\sum_{i,c}\mathbf 1^\top(-(2D_i-I)Xv_{ic})_++(\text{same for }w)]/b`,
  Adam. The cone penalty is per class (the script penalises the sum over classes, brief
  quirk); the exact constrained program is what the penalty approximates.

:func:`write_standin` writes a small synthetic data set in the same format (tests).
:func:`load_digits_images` is the quick scale's real-data proxy: scikit-learn's 8x8 grey digits
(10 classes, shipped with scikit-learn, offline), normalised the same way (one channel), run
through the same two models with 3x3x1 patch gates.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import torch

from common.arrangements import sample_gates
from common.convex_nn import network_forward, train_ensemble
from common.datasets import require_path, sklearn_dataset, split_rows

__all__ = [
    "DIGITS_SHAPE",
    "IMAGE_SHAPE",
    "MEAN",
    "STD",
    "load_cifar10",
    "load_digits_images",
    "train_convex",
    "train_nonconvex",
    "write_standin",
]

MEAN = np.array([0.507, 0.487, 0.441])
STD = np.array([0.267, 0.256, 0.276])
IMAGE_SHAPE = (32, 32, 3)  # CIFAR-10, channels last
DIGITS_SHAPE = (8, 8, 1)
_TRAIN = tuple(f"data_batch_{k}.bin" for k in range(1, 6))
_TEST = "test_batch.bin"
_SUBDIR = "cifar-10-batches-bin"
_PIXELS = 3072
_RECORD = 1 + _PIXELS  # label byte + 32x32x3 pixel bytes
_EXPECTED = (
    f"the CIFAR-10 binary version ({_SUBDIR}/: {', '.join(_TRAIN)}, {_TEST}; from "
    "cifar-10-binary.tar.gz, records of 1 label byte + 3072 pixel bytes)"
)


def _batch_dir(data_dir) -> Path:
    root = require_path(data_dir, "the CIFAR-10 binary batches folder", "data_dir")
    if not root.is_dir():
        raise NotADirectoryError(f"CIFAR-10 data_dir {root} is not a folder; expected {_EXPECTED}")
    sub = root / _SUBDIR
    return sub if sub.is_dir() else root


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(data uint8 (N, 3072), labels int64 (N,))`` of one binary batch file."""
    if not path.is_file():
        hint = ""
        pickled = path.parent / "cifar-10-batches-py", path.parent / "data_batch_1"
        if pickled[0].is_dir() or pickled[1].is_file():
            hint = (
                "; found the python version's pickled batches, which are not read (no "
                "unpickling): use the binary version instead"
            )
        raise FileNotFoundError(f"CIFAR-10 batch {path} is missing: expected {_EXPECTED}{hint}")
    raw = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    if raw.size == 0 or raw.size % _RECORD:
        raise ValueError(
            f"CIFAR-10 batch {path} is malformed: {raw.size} bytes is not a positive multiple of "
            f"the record size {_RECORD} (1 label byte + {_PIXELS} pixel bytes); expected "
            f"{_EXPECTED}"
        )
    records = raw.reshape(-1, _RECORD)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        bad = int(np.argmax(labels > 9))
        raise ValueError(
            f"CIFAR-10 batch {path} is malformed: record {bad} has label byte {labels[bad]} "
            "(labels are 0..9); is this the binary version of CIFAR-10 (not CIFAR-100)?"
        )
    return np.ascontiguousarray(records[:, 1:]), labels


def _prepare(data: np.ndarray) -> np.ndarray:
    img = data.reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    img = (img - MEAN[None, :, None, None]) / STD[None, :, None, None]
    return np.ascontiguousarray(img.transpose(0, 2, 3, 1).reshape(len(data), 3072), np.float32)


def load_cifar10(data_dir, n_train: int | None = None, n_test: int | None = None):
    """``(X_train, y_train, X_test, y_test)``: normalised float32 ``(N, 3072)`` channels-last.

    ``data_dir`` holds ``cifar-10-batches-bin/`` (or is that folder), the CIFAR-10 binary
    version. ``n_train``/``n_test`` keep the first rows (``None``: all). Rows are in file order
    (batches 1..5, then the test batch), as in the python version.

    Raises
    ------
    FileNotFoundError
        ``data_dir`` unset or absent, or a batch file missing (the message names the path and the
        expected files).
    ValueError
        A batch file whose size is not a positive multiple of 3073 bytes, or a label byte > 9.
    """
    folder = _batch_dir(data_dir)
    parts = [_read(folder / name) for name in _TRAIN]
    Xtr = np.concatenate([p[0] for p in parts])
    ytr = np.concatenate([p[1] for p in parts])
    Xte, yte = _read(folder / _TEST)
    Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    Xte, yte = Xte[:n_test], yte[:n_test]
    return _prepare(Xtr), ytr, _prepare(Xte), yte


def load_digits_images(rng: np.random.Generator, test_fraction: float = 0.2):
    """``(X_train, y_train, X_test, y_test)`` of scikit-learn's digits (1797 8x8 grey images,
    labels 0..9): a random train/test split by ``rng``, pixels scaled to [0, 1] and normalised
    with the training set's mean and std (one channel, as CIFAR-10's per-channel
    normalisation), float32 ``(N, 64)`` rows in row-major (``H, W, C=1``) order."""
    X, y = sklearn_dataset("digits")
    Xtr, Xte, ytr, yte = split_rows(X / 16.0, np.asarray(y, np.int64), test_fraction, rng)
    mean, std = float(Xtr.mean()), float(Xtr.std())
    prep = [np.ascontiguousarray((A - mean) / std, np.float32) for A in (Xtr, Xte)]
    return prep[0], ytr, prep[1], yte


def write_standin(folder, rng: np.random.Generator, n_per_batch: int = 40, n_test: int = 50):
    """Write a tiny synthetic CIFAR-10 in the binary-version format; returns ``folder``.

    Files ``folder/cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin``. Labels are a linear
    function of a random projection (so the task is learnable); images are uniform ``uint8``
    noise of the real shape ``(N, 3072)``. (The draws from ``rng`` are those of the former
    python-batch stand-in, so the loaded arrays are unchanged.)
    """
    for what, n in (("n_per_batch", n_per_batch), ("n_test", n_test)):
        if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
            raise ValueError(f"{what} must be an integer >= 1, got {n!r}")
    out = Path(folder) / _SUBDIR
    out.mkdir(parents=True, exist_ok=True)
    proj = rng.standard_normal((_PIXELS, 10))
    for name, size in [*((b, n_per_batch) for b in _TRAIN), (_TEST, n_test)]:
        data = rng.integers(0, 256, size=(size, _PIXELS), dtype=np.uint8)
        labels = np.argmax((data.astype(np.float64) - 127.5) @ proj, axis=1)
        records = np.concatenate([labels.astype(np.uint8)[:, None], data], axis=1)
        (out / name).write_bytes(records.tobytes())
    return Path(folder)


def _onehot(y: np.ndarray) -> np.ndarray:
    return np.eye(10, dtype=np.float32)[y]


def _history(model_fn, step_fn, Xtr, ytr, Xte, yte, epochs, batch, gen, device):
    Xt, Yt = torch.as_tensor(Xtr, device=device), torch.as_tensor(_onehot(ytr), device=device)
    Xv, yv = torch.as_tensor(Xte, device=device), torch.as_tensor(yte, device=device)
    ytr_t = torch.as_tensor(ytr, device=device)
    hist = {"time": [], "objective": [], "train_acc": [], "test_acc": []}
    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(Xt), generator=gen, device="cpu").to(device)
        total = 0.0
        for k in range(0, len(Xt), batch):
            idx = perm[k : k + batch]
            total += float(step_fn(Xt[idx], Yt[idx])) * len(idx)
        if device != "cpu":
            torch.cuda.synchronize()
        with torch.no_grad():
            tr = float((_predict(model_fn, Xt, batch).argmax(1) == ytr_t).float().mean())
            te = float((_predict(model_fn, Xv, batch).argmax(1) == yv).float().mean())
        hist["time"].append(time.perf_counter() - start)
        hist["objective"].append(total / len(Xt))
        hist["train_acc"].append(tr)
        hist["test_acc"].append(te)
    return {k: np.asarray(v) for k, v in hist.items()}


def _predict(model_fn, X, batch):
    return torch.cat([model_fn(X[k : k + batch]) for k in range(0, len(X), batch)])


def train_nonconvex(Xtr, ytr, Xte, yte, *, width, lr, beta, epochs, batch, seed, device="cpu"):
    """SGD (momentum 0.9) on the two-layer ReLU net; per-epoch history of time/objective/acc.

    The script's per-batch loss ``[paper loss + beta/2 (||W1||^2 + sum_j ||W2[:, j]||_1^2)] / b``
    is the core trainer's (:func:`common.convex_nn.train_ensemble`, ``output_penalty="l1"``)
    objective with weight decay ``beta n / b``, divided by ``n``: the same SGD steps with
    learning rate ``lr / n``; the recorded objective (full data, end of epoch) is divided by
    ``n`` back to the script's scale.
    """
    n = len(Xtr)
    per_epoch = -(-n // batch)
    Xv, yv = torch.as_tensor(Xte, device=device), torch.as_tensor(yte, device=device)
    Xt, ytr_t = torch.as_tensor(Xtr, device=device), torch.as_tensor(ytr, device=device)
    hist = {"time": [], "train_acc": [], "test_acc": []}
    start = time.perf_counter()

    def record(step, W1, W2):
        if step == 0:
            return
        if device != "cpu":
            torch.cuda.synchronize()
        for X, y, key in ((Xt, ytr_t, "train_acc"), (Xv, yv, "test_acc")):
            out = torch.cat(
                [network_forward(X[k : k + batch], W1, W2) for k in range(0, len(X), batch)], 1
            )
            hist[key].append(float((out[0].argmax(1) == y).float().mean()))
        hist["time"].append(time.perf_counter() - start)

    run = train_ensemble(
        Xtr, _onehot(ytr), width, beta * n / batch, lrs=[lr / n], optimizer="sgd",
        steps=epochs * per_epoch, batch_size=batch, momentum=0.9, seed=seed,
        output_penalty="l1", trace_steps=np.arange(epochs + 1) * per_epoch, callback=record,
        dtype="float32", device=device, progress=False,
    )  # fmt: skip
    return {**{k: np.asarray(v) for k, v in hist.items()}, "objective": run.trace[0, 1:] / n}


def train_convex(
    Xtr, ytr, Xte, yte, *, n_gates, gate, lr, beta, rho, epochs, batch, seed, device="cpu",
    image_shape=IMAGE_SHAPE,
):  # fmt: skip
    """Adam on the penalised convex program with ``n_gates`` gates (``"dense"``/``"patch"``;
    patch gates cover 3x3xC patches of images of ``image_shape = (H, W, C)``)."""
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    d = Xtr.shape[1]
    shape = tuple(image_shape) if gate == "patch" else None
    G = sample_gates(d, n_gates, seed=int(seed), gate=gate, image_shape=shape, kernel=3)
    G = torch.as_tensor(G.T, dtype=torch.float32, device=device)  # (d, P)
    V = torch.zeros(n_gates, d, 10, device=device, requires_grad=True)
    W = torch.zeros(n_gates, d, 10, device=device, requires_grad=True)
    opt = torch.optim.Adam([V, W], lr=lr)
    P = n_gates

    def parts(X):
        D = (X @ G >= 0).float()  # (b, P)
        ZV = (X @ V.permute(1, 0, 2).reshape(d, P * 10)).reshape(-1, P, 10)
        ZW = (X @ W.permute(1, 0, 2).reshape(d, P * 10)).reshape(-1, P, 10)
        return D, ZV, ZW

    def model(X):
        D, ZV, ZW = parts(X)
        return torch.einsum("bp,bpc->bc", D, ZV - ZW)

    def step(X, Y):
        opt.zero_grad()
        D, ZV, ZW = parts(X)
        pred = torch.einsum("bp,bpc->bc", D, ZV - ZW)
        S = (2.0 * D - 1.0)[:, :, None]
        cone = torch.relu(-S * ZV).sum() + torch.relu(-S * ZW).sum()
        group = V.norm(dim=1).sum() + W.norm(dim=1).sum()
        loss = (0.5 * ((pred - Y) ** 2).sum() + beta * group + rho * cone) / len(X)
        loss.backward()
        opt.step()
        return loss.detach()

    return _history(model, step, Xtr, ytr, Xte, yte, epochs, batch, gen, device)
