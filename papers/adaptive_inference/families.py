"""State spaces trained here: families of torch classifiers of increasing cost, and the
cross-fitting that records every state's out-of-fold correctness on every input.

A family is an ``nn.Module`` whose forward pass returns the logits of all its states,
shape ``(states, batch, classes)``; it is trained on the sum of the states' cross-entropy
losses. For families of separate models (:class:`WidthFamily`, :class:`ResolutionFamily`)
each state's parameters enter only its own loss and Adam's update is per parameter, so
training them together is exactly training each on its own with the same mini-batches (and
much faster on one core). :class:`EarlyExitMLP` shares its backbone, trained jointly on the
sum of the exit losses, as the brief asks.

The CNN families of the brief's full scale (:class:`CNNWidthFamily`,
:class:`CNNResolutionFamily`, :class:`EarlyExitCNN`) take square one-channel images,
flattened to ``(batch, size * size)`` like the MLP families' inputs, and share one layer
type: a 3x3 convolution (zero padding 1, so the map keeps its size) and a ReLU, followed
by a 2x2 max-pool while the map is at least 4 pixels wide; a head is a global average
pool and a linear layer.

Costs are FLOPs per input, ``2 x`` multiply-adds of the linear and convolution layers
(biases, activations, max-pools and global average pools ignored; a 3x3 convolution
producing ``c_out`` maps of ``s x s`` pixels from ``c_in`` maps counts ``9 c_in c_out s^2``
multiply-adds, the zero padding included as a dense implementation computes it); see each
``costs`` method.
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
from common.optim import adam_step

__all__ = [
    "CNNResolutionFamily",
    "CNNWidthFamily",
    "CrossFit",
    "EarlyExitCNN",
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


class _Conv(nn.Module):
    """3x3 convolution, zero padding 1, seeded like :class:`_Linear` (fan-in ``9 c_in``)."""

    def __init__(self, c_in: int, c_out: int, g: torch.Generator):
        super().__init__()
        self.weight = _uniform((c_out, c_in, 3, 3), 9 * c_in, g)
        self.bias = _uniform((c_out,), 9 * c_in, g)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.conv2d(x, self.weight, self.bias, padding=1)


def _check_image(size: int) -> int:
    (size,) = _positive_ints((size,), "image size")
    if size < 2:
        raise ValueError(f"image size must be >= 2 pixels, got {size}")
    return size


def _images(x: torch.Tensor, size: int) -> torch.Tensor:
    """Flattened ``(batch, size * size)`` inputs as ``(batch, 1, size, size)`` images."""
    if x.ndim != 2 or x.shape[1] != size * size:
        raise ValueError(f"x must have shape (batch, {size * size}), got {tuple(x.shape)}")
    return x.reshape(-1, 1, size, size)


def conv_sizes(size: int, depth: int) -> list[int]:
    """Map width at which each of ``depth`` conv layers runs: a 2x2 max-pool follows a
    layer while its map is at least 4 wide (8x8 input, depth 4: 8, 4, 2, 2)."""
    out = []
    for _ in range(depth):
        out.append(size)
        size = size // 2 if size >= 4 else size
    return out


class _ConvStack(nn.Module):
    """``depth`` conv layers of ``channels`` maps; :meth:`forward` yields every layer's
    output (before its pooling), so heads can sit after any layer."""

    def __init__(self, size: int, channels: int, depth: int, g: torch.Generator):
        super().__init__()
        self.size, self.channels = size, channels
        self.sizes = conv_sizes(size, depth)
        self.convs = nn.ModuleList(
            _Conv(1 if i == 0 else channels, channels, g) for i in range(depth)
        )

    def forward(self, x: torch.Tensor):
        """``x``: ``(batch, 1, size, size)``."""
        for i, conv in enumerate(self.convs):
            x = torch.relu(conv(x))
            yield x
            if i + 1 < len(self.sizes) and self.sizes[i + 1] < self.sizes[i]:
                x = nn.functional.max_pool2d(x, 2)

    def layer_costs(self) -> np.ndarray:
        """FLOPs of each conv layer: ``2 * 9 * c_in * c_out * s^2``."""
        c = self.channels
        c_in = [1] + [c] * (len(self.sizes) - 1)
        return np.array([2.0 * 9 * a * c * s * s for a, s in zip(c_in, self.sizes, strict=True)])


class _Head(nn.Module):
    """Global average pool and a linear layer: ``2 c C`` FLOPs."""

    def __init__(self, channels: int, n_classes: int, g: torch.Generator):
        super().__init__()
        self.linear = _Linear(channels, n_classes, g)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.mean(dim=(2, 3)))


class CNNWidthFamily(nn.Module):
    """CNNs of ``depth`` conv layers with ``c`` channels each (``c`` in ``widths``), each
    with its own head, trained side by side on the sum of their losses.

    Cost of width ``c``: ``2 (9 c s_1^2 + 9 c^2 (s_2^2 + ... + s_depth^2) + c C)`` FLOPs
    with ``s_l`` the map widths of :func:`conv_sizes`.
    """

    def __init__(
        self, size: int, n_classes: int, widths: Sequence[int], depth: int, g: torch.Generator
    ):
        super().__init__()
        self.widths = _positive_ints(widths, "widths")
        (self.depth,) = _positive_ints((depth,), "depth")
        self.size, self.n_classes = _check_image(size), n_classes
        self.nets = nn.ModuleList(_ConvStack(self.size, c, self.depth, g) for c in self.widths)
        self.heads = nn.ModuleList(_Head(c, n_classes, g) for c in self.widths)

    def names(self) -> list[str]:
        return [f"{c} channels" for c in self.widths]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _images(x, self.size)
        return torch.stack(
            [head(list(net(x))[-1]) for net, head in zip(self.nets, self.heads, strict=True)]
        )

    def costs(self) -> np.ndarray:
        return np.array(
            [
                net.layer_costs().sum() + 2.0 * c * self.n_classes
                for net, c in zip(self.nets, self.widths, strict=True)
            ]
        )


class CNNResolutionFamily(nn.Module):
    """The ``size x size`` image average-pooled to ``k x k`` (``k`` in ``sizes``, dividing
    ``size``), each fed to its own CNN (``depth`` conv layers of ``channels`` maps, a head).

    Cost: the pooling (``size^2`` additions for ``k < size``, none at ``k = size``) plus the
    CNN's FLOPs at ``k x k`` (see :class:`CNNWidthFamily`).
    """

    def __init__(
        self,
        size: int,
        n_classes: int,
        sizes: Sequence[int],
        channels: int,
        depth: int,
        g: torch.Generator,
    ):
        super().__init__()
        self.size = _check_image(size)
        self.sizes = _positive_ints(sizes, "sizes")
        if any(self.size % k for k in self.sizes):
            raise ValueError(f"sizes must divide the image size {self.size}, got {list(sizes)}")
        (self.channels, self.depth) = _positive_ints((channels, depth), "channels and depth")
        self.n_classes = n_classes
        self.nets = nn.ModuleList(_ConvStack(k, self.channels, self.depth, g) for k in self.sizes)
        self.heads = nn.ModuleList(_Head(self.channels, n_classes, g) for _ in self.sizes)

    def names(self) -> list[str]:
        return [f"{k}x{k}" for k in self.sizes]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        img = _images(x, self.size)
        out = []
        for k, net, head in zip(self.sizes, self.nets, self.heads, strict=True):
            pooled = nn.functional.avg_pool2d(img, self.size // k) if k < self.size else img
            out.append(head(list(net(pooled))[-1]))
        return torch.stack(out)

    def costs(self) -> np.ndarray:
        pool = [float(self.size**2) if k < self.size else 0.0 for k in self.sizes]
        head = 2.0 * self.channels * self.n_classes
        return np.array(
            [p + n.layer_costs().sum() + head for p, n in zip(pool, self.nets, strict=True)]
        )


class EarlyExitCNN(nn.Module):
    """A CNN of ``depth`` conv layers (``channels`` maps) with an exit head after each
    layer, trained on the sum of the exit losses.

    Cost of exit ``i``: the conv layers up to ``i`` and that head; a cascade that stops at
    ``i`` has also run heads ``1..i-1`` (:meth:`stop_costs`).
    """

    def __init__(self, size: int, n_classes: int, channels: int, depth: int, g: torch.Generator):
        super().__init__()
        (self.channels, self.depth) = _positive_ints((channels, depth), "channels and depth")
        self.size, self.n_classes = _check_image(size), n_classes
        self.net = _ConvStack(self.size, self.channels, self.depth, g)
        self.heads = nn.ModuleList(_Head(self.channels, n_classes, g) for _ in range(self.depth))

    def names(self) -> list[str]:
        return [f"exit {i}" for i in range(1, self.depth + 1)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        maps = self.net(_images(x, self.size))
        return torch.stack([head(h) for head, h in zip(self.heads, maps, strict=True)])

    def costs(self) -> np.ndarray:
        return np.cumsum(self.net.layer_costs()) + 2.0 * self.channels * self.n_classes

    def stop_costs(self) -> np.ndarray:
        head = 2.0 * self.channels * self.n_classes
        return np.cumsum(self.net.layer_costs()) + head * np.arange(1, self.depth + 1)


@dataclass(frozen=True)
class CrossFit:
    """Out-of-fold results of every state on every input, per repeat.

    ``correct`` and ``confidence`` (largest softmax probability): ``(repeats, states, n)``.
    """

    correct: np.ndarray
    confidence: np.ndarray


def _train(model: nn.Module, X, y, *, epochs, batch, lr, weight_decay, g) -> None:
    """Adam (default betas and eps) with L2 weight decay, as ``torch.optim.Adam(...,
    weight_decay=weight_decay)``, stepped by :func:`common.optim.adam_step` (tested equal)."""
    params = list(model.parameters())
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    n, t = X.shape[0], 0
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
            grads = torch.autograd.grad(loss, params)
            t += 1
            with torch.no_grad():
                for p, grad, (mean, sq) in zip(params, grads, moments, strict=True):
                    adam_step(p, grad.add(p, alpha=weight_decay), mean, sq, t, lr)


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
