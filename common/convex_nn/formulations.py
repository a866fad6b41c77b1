r"""Formulations (the penalty and constraints) of the convex programs.

For patterns :math:`D_i` and a piecewise-linear activation with slopes ``(a, b)`` (masks
:math:`M_i=aD_i+b(I-D_i)`):

* ``Formulation("gated", (a, b))``: :math:`\min_{u_i} f(\sum_iM_iXu_i)+\beta\sum_i\|u_i\|`
  (a group Lasso; the gated-ReLU network);
* ``Formulation("relu", (a, b))``: :math:`u_i,v_i\in K_i=\{u:(2D_i-I)Xu\ge0\}` and
  :math:`f(\sum_iM_iX(u_i-v_i))+\beta\sum_i(\|u_i\|+\|v_i\|)` (a group Lasso with cone
  constraints; the ReLU network).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import activation_coefficients, masks

__all__ = ["FORMULATIONS", "Formulation", "as_formulation"]

FORMULATIONS = ("relu", "gated")


@dataclass(frozen=True)
class Formulation:
    """What program is solved: ``name`` in :data:`FORMULATIONS` and the activation slopes."""

    name: str = "relu"
    activation: tuple[float, float] = (1.0, 0.0)

    def __post_init__(self):
        if self.name not in FORMULATIONS:
            raise ValueError(f"formulation must be 'relu' or 'gated', got {self.name!r}")
        object.__setattr__(self, "activation", tuple(activation_coefficients(self.activation)))

    @property
    def constrained(self) -> bool:
        """Whether the blocks carry cone constraints (and a second, ``v``, block per pattern)."""
        return self.name == "relu"

    def masks(self, patterns: np.ndarray) -> np.ndarray:
        """``(n, P)`` masks ``a D_i + b (I - D_i)``."""
        return masks(patterns, self.activation)

    @staticmethod
    def signs(patterns: np.ndarray) -> np.ndarray:
        """``(n, P)`` cone signs ``2 D_i - 1``."""
        return 2.0 * np.asarray(patterns).T.astype(np.float64) - 1.0

    def __str__(self) -> str:
        return self.name


def as_formulation(formulation, activation="relu") -> Formulation:
    """A :class:`Formulation` from one or from ``"relu"`` / ``"gated"`` and an activation."""
    if isinstance(formulation, Formulation):
        if activation not in ("relu", formulation.activation) and (
            activation_coefficients(activation) != formulation.activation
        ):
            raise ValueError(
                f"activation={activation!r} disagrees with the formulation's "
                f"{formulation.activation}; pass one of them"
            )
        return formulation
    if not isinstance(formulation, str) or formulation not in FORMULATIONS:
        raise ValueError(f"formulation must be 'relu' or 'gated', got {formulation!r}")
    return Formulation(formulation, activation)
