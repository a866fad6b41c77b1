"""Gaussian (Bures) 2-Wasserstein distances and the Gaussian fit of Monte-Carlo samples."""

from __future__ import annotations

import numpy as np

__all__ = ["gaussian_fit", "psd_sqrt", "w2", "w2_curves"]


def psd_sqrt(mat: np.ndarray) -> np.ndarray:
    """The symmetric square root of (a batch of) symmetric PSD matrices, by ``eigh``
    (negative rounding-level eigenvalues are clipped to 0)."""
    mat = (mat + np.swapaxes(mat, -1, -2)) / 2
    vals, vecs = np.linalg.eigh(mat)
    return (vecs * np.sqrt(np.clip(vals, 0.0, None))[..., None, :]) @ np.swapaxes(vecs, -1, -2)


def w2(mean1, cov1, mean2, cov2) -> np.ndarray:
    """``W_2(N(mean1, cov1), N(mean2, cov2))``, broadcast over leading axes:
    ``||m1 - m2||^2 + tr(S1 + S2 - 2 (S2^1/2 S1 S2^1/2)^1/2)``, square-rooted."""
    m1, m2 = np.asarray(mean1, dtype=np.float64), np.asarray(mean2, dtype=np.float64)
    s1, s2 = np.asarray(cov1, dtype=np.float64), np.asarray(cov2, dtype=np.float64)
    d = m1.shape[-1]
    if m2.shape[-1] != d or s1.shape[-2:] != (d, d) or s2.shape[-2:] != (d, d):
        raise ValueError(
            f"means must end in ({d},) and covariances in ({d}, {d}); got {m1.shape}, "
            f"{s1.shape}, {m2.shape}, {s2.shape}"
        )
    for name, arr in (("mean1", m1), ("cov1", s1), ("mean2", m2), ("cov2", s2)):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must be finite")
    root = psd_sqrt(s2)
    cross = np.trace(psd_sqrt(root @ s1 @ root), axis1=-2, axis2=-1)
    sq = np.sum((m1 - m2) ** 2, axis=-1) + np.trace(s1 + s2, axis1=-2, axis2=-1) - 2 * cross
    return np.sqrt(np.clip(sq, 0.0, None))


def gaussian_fit(samples, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and maximum-likelihood covariance (``1/n``) of ``samples`` over ``axis``
    (the vector axis is the last one)."""
    x = np.moveaxis(np.asarray(samples, dtype=np.float64), axis, -2)
    mean = x.mean(axis=-2)
    cen = x - mean[..., None, :]
    return mean, np.swapaxes(cen, -1, -2) @ cen / x.shape[-2]


def w2_curves(iterates, mean, cov) -> tuple[np.ndarray, np.ndarray]:
    """The "ag" (agent 0) and "avg" (network average) W2 curves of sampler output
    ``(n_iter + 1, n_trials, n_agents, d)`` to ``N(mean, cov)``, each ``(n_iter + 1,)``:
    a Gaussian fitted over the trials at every iteration."""
    x = np.asarray(iterates)
    if x.ndim != 4:
        raise ValueError(
            f"iterates must have shape (n_iter+1, n_trials, n_agents, d), got {x.shape}"
        )
    ag = w2(*gaussian_fit(x[:, :, 0], axis=1), mean, cov)
    avg = w2(*gaussian_fit(x.mean(axis=2), axis=1), mean, cov)
    return ag, avg
