"""A larger, harder image task generated in-process (nothing downloaded): procedurally drawn
shapes and textures in noise.

Ten classes, each drawn at a random centre, radius, contrast and background level, then
corrupted by Gaussian pixel noise: filled disc, ring, filled square, square outline,
triangle, cross, and a disc-shaped patch of horizontal, vertical or diagonal stripes or of a
checkerboard (random frequency and phase). Shapes are told apart by their outline, textures
by their orientation and frequency; the noise makes small receptive fields unreliable, so the
task separates cheap from expensive states more than digits does.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SHAPE_CLASSES", "make_shapes"]

SHAPE_CLASSES = (
    "disc",
    "ring",
    "square",
    "square outline",
    "triangle",
    "cross",
    "horizontal stripes",
    "vertical stripes",
    "diagonal stripes",
    "checkerboard",
)


def _masks(u: np.ndarray, v: np.ndarray, freq: np.ndarray, phase: np.ndarray) -> list:
    """Boolean mask of every class at the normalised coordinates ``(u, v)`` (1 = radius)."""
    rad = np.hypot(u, v)
    box = np.maximum(np.abs(u), np.abs(v))
    patch = rad <= 1.0
    f, ph = freq[:, None, None] * np.pi, phase[:, None, None]
    return [
        patch,
        (rad >= 0.55) & patch,
        box <= 0.8,
        (box >= 0.5) & (box <= 0.8),
        (v >= -0.8) & (v <= 0.8) & (np.abs(u) <= (v + 0.8) / 2),
        ((np.abs(u) <= 0.25) | (np.abs(v) <= 0.25)) & (box <= 0.9),
        patch & (np.sin(f * v + ph) > 0),
        patch & (np.sin(f * u + ph) > 0),
        patch & (np.sin(f * (u + v) / np.sqrt(2) + ph) > 0),
        patch & (np.sin(f * u + ph) * np.sin(f * v + ph) > 0),
    ]


def make_shapes(
    n: int, size: int, rng: np.random.Generator, noise: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images ``size x size`` (flattened, ``(n, size * size)``) and labels ``(n,)``.

    Classes are balanced (``n`` rounded up per class, then the first ``n`` of a random
    permutation); ``noise`` is the pixel noise's standard deviation (contrast 0.5-1).
    """
    for name, v in (("n", n), ("size", size)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if size < 8:
        raise ValueError(f"size must be >= 8 pixels, got {size}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be finite and >= 0, got {noise!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, got {type(rng).__name__}")
    k = len(SHAPE_CLASSES)
    y = rng.permutation(np.repeat(np.arange(k), -(-n // k)))[:n]
    radius = rng.uniform(0.25, 0.45, n) * size
    centre = size / 2 + rng.uniform(-1, 1, (n, 2)) * (size / 2 - radius[:, None])
    grid = np.arange(size) + 0.5
    u = (grid[None, None, :] - centre[:, 0, None, None]) / radius[:, None, None]
    v = (grid[None, :, None] - centre[:, 1, None, None]) / radius[:, None, None]
    masks = _masks(u, v, rng.uniform(2.0, 4.0, n), rng.uniform(0, 2 * np.pi, n))
    shape = np.choose(y[:, None, None], masks).astype(np.float64)
    contrast = rng.uniform(0.5, 1.0, n)[:, None, None]
    background = rng.uniform(-0.5, 0.5, n)[:, None, None]
    img = background + contrast * shape + noise * rng.standard_normal((n, size, size))
    return img.reshape(n, size * size), y.astype(np.int64)
