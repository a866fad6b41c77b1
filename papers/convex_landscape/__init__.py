"""Ergen & Pilanci, "The Convex Landscape of Neural Networks: Characterizing Global Optima and
Stationary Points via Lasso Models", IEEE Trans. Inf. Theory (2025), arXiv:2312.12657.

Built on the shared convex core (:mod:`common.convex_nn`, :mod:`common.arrangements`). Public
API here: the ensemble non-convex trainer (:mod:`.training`), exact optima by column
generation, the stationary-point program and the low-rank approximation (:mod:`.landscape`),
and the CIFAR-10 loader and models (:mod:`.cifar`).

Names are resolved on first access (PEP 562), so that ``python -m papers.convex_landscape plot``
and ``check`` do not import JAX, CVXPY, scikit-learn or torch.
"""

from importlib import import_module

_API = {
    "EnsembleRun": "training",
    "train_ensemble": "training",
    "ExactOptimum": "landscape",
    "all_patterns": "landscape",
    "dual_constraint_all": "landscape",
    "exact_optimum": "landscape",
    "lowrank_patterns": "landscape",
    "recalled_ratio_bound": "landscape",
    "stationary_program": "landscape",
    "load_cifar10": "cifar",
    "write_standin": "cifar",
    "train_convex": "cifar",
    "train_nonconvex": "cifar",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'papers.convex_landscape' has no attribute {name!r}")
    return getattr(import_module(f"papers.convex_landscape.{_API[name]}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
