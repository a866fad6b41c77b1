"""The limits of adaptive inference: oracle gains from a correctness matrix, and
approximations of them from aggregate accuracies only.

A *state space* is a family of ``N`` states (models, exits, configurations) sorted by
per-input cost ``R_1 <= ... <= R_N``. Running every state on every one of ``n`` inputs gives
the correctness matrix ``C`` (``C[i, x] = 1`` when state ``i`` gets input ``x`` right). An
adaptive agent picks one state per input; the **oracle** picks the cheapest correct one,

    s*(x) = min{i : C[i, x] = 1},

and routes an input that no state gets right to the cheapest state (state 1): its answer is
wrong anyway. This convention is ours (the paper's body could not be read; see the README).

Gains (the formalisation of ``../shared/papers/adaptive_inference.md``, reconstructed):

- efficiency gain (max-performance oracle): ``G = R_N / mean_x R_{s*(x)}``;
- accuracy gain: ``A_oracle - A_N`` with ``A_oracle = P(some state is right)``;
- iso-accuracy oracle: to reach accuracy ``a`` it answers correctly the ``k = a n`` solvable
  inputs with the smallest ``R_{s*}`` and sends every other input to state 1; its cost
  ``cost_iso(a)`` is the oracle's accuracy-cost frontier, and ``G_iso(a) = R_N / cost_iso(a)``.
  Between the points ``a = k / n`` the frontier is linear (a randomised choice between two
  neighbouring policies), so it is defined for every ``a`` in ``[0, A_oracle]``.

Approximations from aggregate accuracies ``A_i`` and costs only (for published tables) all
have the form of a *cumulative solved fraction* ``U_i``: the share of inputs that some state
``j <= i`` gets right. Given any ``U`` (non-decreasing), the cheapest-first cost of accuracy
``a <= U_N`` is

    cost_U(a) = sum_i R_i [min(U_i, a) - min(U_{i-1}, a)] + (1 - a) R_1,

which decreases as any ``U_i`` grows (summation by parts: the coefficient of ``min(U_i, a)``
is ``R_i - R_{i+1} <= 0``). The exact ``U_i = P(exists j <= i: C[j, x] = 1)`` obeys
Boole/Frechet bounds ``max_{j<=i} A_j <= U_i <= min(1, sum_{j<=i} A_j)``, so

- ``"nested"`` (``U_i = max_{j<=i} A_j``: every input a state gets right is right for every
  larger state) gives a cost above the exact one: a *lower bound* on the gain (the brief's
  approximation; conservative);
- ``"union"`` (``U_i = min(1, sum_{j<=i} A_j)``: the states' correct sets are disjoint)
  gives an *upper bound* on the gain;
- ``"independent"`` (``U_i = 1 - prod_{j<=i}(1 - A_j)``) is an estimate in between, not a
  bound.

The paper's own approximate ("constant-alpha") bound could not be read; a new approximation
is any object with a ``name`` and a ``cost(accuracies, costs, at)`` method
(:class:`Approximation`), passed to :func:`approximate_gains` as ``method``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = [
    "APPROXIMATIONS",
    "ApproximateGains",
    "Approximation",
    "CumulativeApproximation",
    "ExactGains",
    "approximate_gains",
    "check_correct",
    "check_costs",
    "exact_gains",
    "oracle_states",
]


# -- validation ---------------------------------------------------------------------------
def check_costs(costs, n_states: int | None = None, name: str = "costs") -> np.ndarray:
    """``costs`` as a float64 vector: finite, >= 0, non-decreasing, the last one > 0."""
    r = np.asarray(costs, dtype=np.float64)
    if r.ndim != 1 or r.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {r.shape}")
    if n_states is not None and r.size != n_states:
        raise ValueError(f"{name} has {r.size} entries but there are {n_states} states")
    if not np.isfinite(r).all():
        raise ValueError(f"{name} must be finite, got {r.tolist()}")
    if (r < 0).any():
        raise ValueError(f"{name} must be >= 0, got {r.tolist()}")
    if (np.diff(r) < 0).any():
        raise ValueError(f"{name} must be sorted increasingly (states in cost order), got {r}")
    if r[-1] <= 0:
        raise ValueError(f"{name}: the largest state's cost must be > 0, got {r[-1]}")
    return r


def check_correct(correct) -> np.ndarray:
    c = np.asarray(correct)
    if c.ndim != 2 or 0 in c.shape:
        raise ValueError(f"correct must be a non-empty (states, inputs) matrix, got {c.shape}")
    if c.dtype != bool:
        if not np.issubdtype(c.dtype, np.number) or not np.isin(c, (0, 1)).all():
            raise ValueError("correct must hold booleans or 0/1 values only")
        c = c.astype(bool)
    return c


def _check_accuracies(accuracies, name: str = "accuracies") -> np.ndarray:
    a = np.asarray(accuracies, dtype=np.float64)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    if not np.isfinite(a).all() or (a < 0).any() or (a > 1).any():
        raise ValueError(f"{name} must be fractions in [0, 1], got {a.tolist()}")
    return a


def _check_target(at, low: float, high: float, what: str) -> float:
    try:
        a = float(at)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"at must be a real number, got {at!r}") from exc
    if not np.isfinite(a) or a < low - 1e-12 or a > high + 1e-12:
        raise ValueError(f"at must be in [{low:.6g}, {high:.6g}] ({what}), got {at!r}")
    return min(max(a, low), high)


# -- the exact oracle ---------------------------------------------------------------------
def oracle_states(correct) -> np.ndarray:
    """``s*(x)``, 0-based: the cheapest state that gets input ``x`` right; 0 (the cheapest
    state) for an input that no state gets right (its answer is wrong anyway)."""
    c = check_correct(correct)
    return np.argmax(c, axis=0)  # first True; 0 where the column has none


@dataclass(frozen=True)
class ExactGains:
    """The oracle's gains on one correctness matrix (see the module docstring).

    ``frontier_accuracy`` / ``frontier_cost``: the iso-accuracy oracle's frontier at
    ``a = k / n`` for ``k = 0 .. n_solvable`` (cost per input, the costs' unit).
    """

    efficiency_gain: float
    accuracy_gain: float
    iso_gain: float
    oracle_cost: float
    oracle_accuracy: float
    accuracies: np.ndarray
    costs: np.ndarray
    oracle_state: np.ndarray
    frontier_accuracy: np.ndarray
    frontier_cost: np.ndarray

    @property
    def frontier(self) -> tuple[np.ndarray, np.ndarray]:
        """``(accuracy, cost)`` of the iso-accuracy oracle."""
        return self.frontier_accuracy, self.frontier_cost

    def iso_cost(self, at: float) -> float:
        """The iso-accuracy oracle's cost per input at accuracy ``at`` (linear between the
        frontier's points ``k / n``), ``at`` in ``[0, oracle_accuracy]``."""
        a = _check_target(at, 0.0, self.oracle_accuracy, "up to the oracle's accuracy")
        return float(np.interp(a, self.frontier_accuracy, self.frontier_cost))

    def iso_gain_at(self, at: float) -> float:
        """``R_N / iso_cost(at)`` (inf where the frontier costs nothing)."""
        cost = self.iso_cost(at)
        return float(self.costs[-1] / cost) if cost > 0 else float("inf")


def exact_gains(correct, costs) -> ExactGains:
    """The exact oracle gains of a state space.

    Parameters
    ----------
    correct : (N, n) array of bool (or 0/1)
        ``correct[i, x]``: state ``i`` gets input ``x`` right; states sorted by cost.
    costs : (N,) array
        Per-input cost of each state, non-decreasing, >= 0, the last one > 0.

    Returns
    -------
    ExactGains
        ``efficiency_gain = R_N / mean R_{s*}`` (inputs no state solves are routed to the
        cheapest state), ``accuracy_gain = A_oracle - A_N``, ``iso_gain = R_N /
        cost_iso(A_N)`` (the iso-accuracy oracle at the largest state's accuracy) and the
        frontier ``cost_iso(a)``.
    """
    c = check_correct(correct)
    r = check_costs(costs, c.shape[0])
    n = c.shape[1]
    s = np.argmax(c, axis=0)
    solvable = c.any(axis=0)
    per_input = r[s]
    oracle_cost = float(per_input.mean())
    acc = c.mean(axis=1)
    # frontier: the k cheapest solvable inputs at their first-correct cost, the rest at R_1
    first = np.sort(per_input[solvable])
    k = np.arange(first.size + 1)
    frontier_cost = (np.concatenate(([0.0], np.cumsum(first))) + (n - k) * r[0]) / n
    frontier_acc = k / n
    oracle_acc = float(solvable.mean())
    iso = float(np.interp(acc[-1], frontier_acc, frontier_cost))
    inf = float("inf")
    return ExactGains(
        efficiency_gain=float(r[-1] / oracle_cost) if oracle_cost > 0 else inf,
        accuracy_gain=oracle_acc - float(acc[-1]),
        iso_gain=float(r[-1] / iso) if iso > 0 else inf,
        oracle_cost=oracle_cost,
        oracle_accuracy=oracle_acc,
        accuracies=acc,
        costs=r,
        oracle_state=s,
        frontier_accuracy=frontier_acc,
        frontier_cost=frontier_cost,
    )


# -- approximations from aggregate accuracies ---------------------------------------------
@runtime_checkable
class Approximation(Protocol):
    """An estimate of the iso-accuracy oracle's cost from aggregate accuracies only."""

    name: str

    def max_accuracy(self, accuracies: np.ndarray) -> float:
        """The largest accuracy the approximate oracle reaches."""

    def cost(self, accuracies: np.ndarray, costs: np.ndarray, at: float) -> float:
        """Approximate cost per input at accuracy ``at`` (validated inputs)."""


@dataclass(frozen=True)
class CumulativeApproximation:
    """An approximation given by a cumulative solved fraction ``U_i`` (module docstring)."""

    name: str

    def solved_fraction(self, accuracies: np.ndarray) -> np.ndarray:
        a = np.asarray(accuracies, dtype=np.float64)
        if self.name == "nested":
            return np.maximum.accumulate(a)
        if self.name == "union":
            return np.minimum(np.cumsum(a), 1.0)
        if self.name == "independent":
            return 1.0 - np.cumprod(1.0 - a)
        raise ValueError(f"unknown cumulative approximation {self.name!r}")

    def max_accuracy(self, accuracies: np.ndarray) -> float:
        return float(self.solved_fraction(accuracies)[-1])

    def cost(self, accuracies: np.ndarray, costs: np.ndarray, at: float) -> float:
        u = np.concatenate(([0.0], self.solved_fraction(accuracies)))
        m = np.minimum(u, at)
        return float(np.sum(costs * np.diff(m)) + (1.0 - at) * costs[0])


#: The approximations shipped here, by name.
APPROXIMATIONS: dict[str, Approximation] = {
    name: CumulativeApproximation(name) for name in ("nested", "union", "independent")
}


@dataclass(frozen=True)
class ApproximateGains:
    """``gain = R_N / cost`` of an approximation at accuracy ``at``."""

    method: str
    at: float
    cost: float
    gain: float
    max_accuracy: float


def approximate_gains(accuracies, costs, at=None, method="nested") -> ApproximateGains:
    """The iso-accuracy gain estimated from aggregate accuracies and costs only.

    Parameters
    ----------
    accuracies : (N,) array of fractions in [0, 1]
        Each state's accuracy, states sorted by cost.
    costs : (N,) array
        Per-input costs, non-decreasing, >= 0, the last one > 0.
    at : float, optional
        Target accuracy; default the largest state's accuracy ``A_N`` (no performance
        penalty). Must not exceed the approximation's largest accuracy.
    method : str or Approximation
        ``"nested"`` (lower bound on the exact ``iso_gain``), ``"union"`` (upper bound),
        ``"independent"`` (an estimate), or any :class:`Approximation`.
    """
    acc = _check_accuracies(accuracies)
    r = check_costs(costs, acc.size)
    if isinstance(method, str):
        if method not in APPROXIMATIONS:
            raise ValueError(f"method must be one of {sorted(APPROXIMATIONS)}, got {method!r}")
        method = APPROXIMATIONS[method]
    elif not isinstance(method, Approximation):
        raise TypeError(
            "method must be a name or an Approximation (name, max_accuracy, cost), "
            f"got {type(method).__name__}"
        )
    top = method.max_accuracy(acc)
    a = acc[-1] if at is None else at
    a = _check_target(a, 0.0, top, f"the largest accuracy of the {method.name!r} approximation")
    cost = float(method.cost(acc, r, a))
    gain = float(r[-1] / cost) if cost > 0 else float("inf")
    return ApproximateGains(method=method.name, at=a, cost=cost, gain=gain, max_accuracy=top)
