"""Derived seeds: one base seed mixed with names, never global RNG state.

Every random draw in the project comes from a seed derived from the config's
base seed and the names that identify the draw, e.g.
``("pretrained_lasso", "simulation", "rep3")``. Names are hashed with SHA-256,
so the derivation is stable across Python processes, platforms and releases
(unlike ``hash()``), and distinct names give independent streams through
:class:`numpy.random.SeedSequence`.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["derive_seed", "jax_key", "numpy_rng", "seed_sequence", "torch_generator"]


def _check(base: int, names: tuple) -> None:
    if isinstance(base, bool) or not isinstance(base, int | np.integer):
        raise TypeError(f"base seed must be an int, got {type(base).__name__}")
    if base < 0:
        raise ValueError(f"base seed must be non-negative, got {base}")
    for name in names:
        if not isinstance(name, str | int) or isinstance(name, bool):
            raise TypeError(f"seed names must be str or int, got {name!r}")


def seed_sequence(base: int, *names: str | int) -> np.random.SeedSequence:
    """The :class:`numpy.random.SeedSequence` for ``base`` and ``names``."""
    _check(base, names)
    words = [int(base)]
    for name in names:
        digest = hashlib.sha256(f"{type(name).__name__}:{name}".encode()).digest()
        words.extend(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    return np.random.SeedSequence(words)


def derive_seed(base: int, *names: str | int) -> int:
    """A 63-bit integer seed derived from ``base`` and ``names``."""
    state = seed_sequence(base, *names).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) & ((1 << 63) - 1)


def numpy_rng(base: int, *names: str | int) -> np.random.Generator:
    """A fresh numpy ``Generator`` seeded from ``base`` and ``names``."""
    return np.random.default_rng(seed_sequence(base, *names))


def torch_generator(base: int, *names: str | int, device: str = "cpu"):
    """A ``torch.Generator`` on ``device`` seeded from ``base`` and ``names``."""
    import torch

    gen = torch.Generator(device=device)
    gen.manual_seed(derive_seed(base, *names))
    return gen


def jax_key(base: int, *names: str | int):
    """A ``jax.random`` key seeded from ``base`` and ``names``."""
    import jax

    return jax.random.key(derive_seed(base, *names) & 0xFFFFFFFF)
