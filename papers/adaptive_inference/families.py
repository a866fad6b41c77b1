"""State spaces trained here: families of torch classifiers of increasing cost, and the
cross-fitting that records every state's out-of-fold correctness on every input.

A family is an ``nn.Module`` whose forward pass returns the logits of all its states,
shape ``(states, batch, classes)``; it is trained on the sum of the states' cross-entropy
losses. For families of separate models (:class:`WidthFamily`, :class:`ResolutionFamily`)
each state's parameters enter only its own loss and Adam's update is per parameter, so
training them together is exactly training each on its own with the same mini-batches (and
much faster on one core). :class:`EarlyExitMLP` shares its backbone, trained jointly on the
sum of the exit losses, as the brief asks.

Costs are FLOPs per input, ``2 x`` multiply-adds of the linear layers (biases and
activations ignored); see each ``costs`` method.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from common.datasets import standardize_columns

__all__ = [
    "CrossFit",
    "EarlyExitMLP",
    "ResolutionFamily",
    "WidthFamily",
    "cross_fit",
]


def _positive_ints(values, name: str) -> tuple[int, ...]:
    out = tuple(values)
    if not out or any(isinstance(v, bool) or not isinstance(v, int | np.integer) for v in out):
        raise ValueError(f"{name} must be a non-empty sequence of integers, got {values!r}")
    if min(out) < 1:
        raise ValueError(f"{name} must be >= 1, got {list(out)}")
    return tuple(int(v) for v in out)


def _uniform(shape, fan_in: int, g: torch.Generator) -> nn.Parameter:
    """torch.nn.Linear's default initialisation U(-1/sqrt(fan_in), 1/sqrt(fan_in)), seeded."""
    bound = 1.0 / math.sqrt(fan_in)
    return nn.Parameter((torch.rand(shape, generator=g) * 2 - 1) * bound)


class _Linear(nn.Module):
    def __init__(self, d_in: int, d_out: int, g: torch.Generator):
        super().__init__()
        self.weight = _uniform((d_in, d_out), d_in, g)
        self.bias = _uniform((d_out,), d_in, g)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight + self.bias


class WidthFamily(nn.Module):
    """F1: one-hidden-layer ReLU MLPs of the given widths, trained side by side.

    Cost of width ``h``: ``2 (d_in h + h C)`` FLOPs.
    """

    def __init__(self, d_in: int, n_classes: int, widths: Sequence[int], g: torch.Generator):
        super().__init__()
        self.widths = _positive_ints(widths, "widths")
        self.d_in, self.n_classes = d_in, n_classes
        # every width's hidden layer side by side: one matmul for all (same init as separate)
        self.hidden = _Linear(d_in, sum(self.widths), g)
        self.heads = nn.ModuleList(_Linear(h, n_classes, g) for h in self.widths)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        parts = torch.split(torch.relu(self.hidden(x)), self.widths, dim=1)
        return torch.stack([head(p) for head, p in zip(self.heads, parts, strict=True)])

    def costs(self) -> np.ndarray:
        h = np.asarray(self.widths, dtype=np.float64)
        return 2.0 * (self.d_in * h + h * self.n_classes)


class ResolutionFamily(nn.Module):
    """F2: 8x8 images average-pooled to ``k x k`` (k in ``sizes``), each fed to a linear
    softmax classifier and to a one-hidden-layer MLP of width ``width``.

    States in the order (linear, mlp) per size; cost = pooling (64 additions for k < 8, none
    at k = 8) + ``2 k^2 C`` (linear) or ``2 (k^2 w + w C)`` (MLP) FLOPs.
    """

    def __init__(self, n_classes: int, width: int, sizes: Sequence[int], g: torch.Generator):
        super().__init__()
        self.sizes = _positive_ints(sizes, "sizes")
        if any(8 % k for k in self.sizes):
            raise ValueError(f"sizes must divide 8, got {list(self.sizes)}")
        self.width, self.n_classes = int(width), n_classes
        models = []
        for k in self.sizes:
            models.append(_Linear(k * k, n_classes, g))
            models.append(
                nn.Sequential(_Linear(k * k, width, g), nn.ReLU(), _Linear(width, n_classes, g))
            )
        self.models = nn.ModuleList(models)

    def names(self) -> list[str]:
        return [f"{kind} {k}x{k}" for k in self.sizes for kind in ("linear", "MLP")]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        img = x.reshape(-1, 8, 8)
        out = []
        for j, k in enumerate(self.sizes):
            s = 8 // k
            pooled = img.reshape(-1, k, s, k, s).mean(dim=(2, 4)).reshape(-1, k * k)
            out += [self.models[2 * j](pooled), self.models[2 * j + 1](pooled)]
        return torch.stack(out)

    def costs(self) -> np.ndarray:
        out = []
        for k in self.sizes:
            pool = 64.0 if k < 8 else 0.0
            c = self.n_classes
            out += [pool + 2.0 * k * k * c, pool + 2.0 * (k * k * self.width + self.width * c)]
        return np.asarray(out)


class EarlyExitMLP(nn.Module):
    """F3: a ReLU MLP with ``depth`` hidden layers of width ``width`` and a linear exit
    head after each one, trained on the sum of the exit losses.

    Cost of exit ``i`` (1-based): the layers up to ``i`` and that head,
    ``2 (d_in w + (i - 1) w^2 + w C)``; a cascade that stops at ``i`` has also run heads
    ``1..i-1`` (:meth:`stop_costs`).
    """

    def __init__(self, d_in: int, n_classes: int, width: int, depth: int, g: torch.Generator):
        super().__init__()
        (self.width, self.depth) = _positive_ints((width, depth), "width and depth")
        self.d_in, self.n_classes = d_in, n_classes
        dims = [d_in] + [self.width] * self.depth
        self.layers = nn.ModuleList(_Linear(a, b, g) for a, b in itertools.pairwise(dims))
        self.heads = nn.ModuleList(_Linear(self.width, n_classes, g) for _ in range(self.depth))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = []
        for layer, head in zip(self.layers, self.heads, strict=True):
            x = torch.relu(layer(x))
            out.append(head(x))
        return torch.stack(out)

    def costs(self) -> np.ndarray:
        w, i = self.width, np.arange(1, self.depth + 1)
        return 2.0 * (self.d_in * w + (i - 1) * w * w + w * self.n_classes)

    def stop_costs(self) -> np.ndarray:
        w, i = self.width, np.arange(1, self.depth + 1)
        return 2.0 * (self.d_in * w + (i - 1) * w * w + i * w * self.n_classes)


@dataclass(frozen=True)
class CrossFit:
    """Out-of-fold results of every state on every input, per repeat.

    ``correct`` and ``confidence`` (largest softmax probability): ``(repeats, states, n)``.
    """

    correct: np.ndarray
    confidence: np.ndarray


def _train(model: nn.Module, X, y, *, epochs, batch, lr, weight_decay, g) -> None:
    opt = torch.optim.Adam(
        model.parameters(), lr=lr, weight_decay=weight_decay, fused=X.device.type == "cpu"
    )
    n = X.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n, generator=g).to(X.device)
        for start in range(0, n, batch):
            idx = order[start : start + batch]
            logits = model(X[idx])  # (states, b, C)
            k, b, c = logits.shape
            loss = (
                nn.functional.cross_entropy(
                    logits.reshape(k * b, c), y[idx].repeat(k), reduction="sum"
                )
                / b
            )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()


def cross_fit(
    make_family: Callable[[torch.Generator], nn.Module],
    X: np.ndarray,
    y: np.ndarray,
    *,
    folds: int,
    repeats: int,
    epochs: int,
    batch: int,
    lr: float,
    weight_decay: float,
    seed: Callable[..., int],
    device: str = "cpu",
    standardize: bool = False,
) -> CrossFit:
    """Stratified ``folds``-fold cross-fitting, ``repeats`` times with fresh splits and
    initialisations: each state is trained on the other folds and predicts the held-out
    fold, so every input gets one out-of-fold prediction per state and repeat.

    ``seed(*names)`` derives the integer seeds (e.g. ``RunContext.derive``);
    ``standardize`` centres and scales the columns with the training folds' statistics.
    """
    from sklearn.model_selection import StratifiedKFold

    for name, v in (("folds", folds), ("repeats", repeats), ("epochs", epochs), ("batch", batch)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if folds < 2:
        raise ValueError(f"folds must be >= 2, got {folds}")
    for name, v in (("lr", lr), ("weight_decay", weight_decay)):
        if not np.isfinite(v) or v < 0 or (name == "lr" and v == 0):
            raise ValueError(f"{name} must be finite and {'> 0' if name == 'lr' else '>= 0'}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],) or not np.isfinite(X).all():
        raise ValueError(f"X must be a finite (n, d) array and y (n,), got {X.shape}, {y.shape}")
    _, y_idx = np.unique(y, return_inverse=True)
    correct, confidence = None, None
    for rep in range(repeats):
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed("split", rep) % 2**32)
        for fold, (tr, te) in enumerate(splitter.split(X, y_idx)):
            Xtr, Xte = standardize_columns(X[tr], X[te]) if standardize else (X[tr], X[te])
            g = torch.Generator().manual_seed(seed("model", rep, fold))
            model = make_family(g).to(device)
            to = dict(dtype=torch.float32, device=device)
            _train(
                model,
                torch.as_tensor(Xtr, **to),
                torch.as_tensor(y_idx[tr], device=device),
                epochs=epochs,
                batch=batch,
                lr=lr,
                weight_decay=weight_decay,
                g=g,
            )
            with torch.no_grad():
                prob = torch.softmax(model(torch.as_tensor(Xte, **to)), dim=-1).cpu().numpy()
            if correct is None:
                correct = np.zeros((repeats, prob.shape[0], X.shape[0]), dtype=bool)
                confidence = np.zeros((repeats, prob.shape[0], X.shape[0]))
            correct[rep][:, te] = prob.argmax(axis=-1) == y_idx[te][None, :]
            confidence[rep][:, te] = prob.max(axis=-1)
    return CrossFit(correct=correct, confidence=confidence)
