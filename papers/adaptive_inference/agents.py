"""A realistic adaptation agent: the softmax-confidence cascade.

The cascade runs the states in cost order and stops at the first state ``i`` whose
confidence (its largest softmax probability) on input ``x`` is at least the threshold
``tau``; the last state answers whatever its confidence. It sees only the states' own
outputs, unlike the oracle, which knows which states are right.

Two cost accountings (brief, "cost accounting variants"):

- ``sequential``: the states ``1..i`` were all run, so stopping at ``i`` costs
  ``stop_costs[i]`` (default ``cumsum(costs)``; for the exits of one network, where each exit
  reuses the earlier layers, pass the cumulative cost of the backbone and the heads run);
- ``direct``: cost ``costs[i]``, as if a router had picked the state that the cascade stops
  at without running the others (a lower bound on any router that imitates the cascade).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from papers.adaptive_inference.gains import check_correct, check_costs

__all__ = ["CascadeCurve", "confidence_cascade"]


@dataclass(frozen=True)
class CascadeCurve:
    """One operating point per threshold: accuracy and mean cost per input."""

    thresholds: np.ndarray
    accuracy: np.ndarray
    sequential_cost: np.ndarray
    direct_cost: np.ndarray
    stop_share: np.ndarray  # (thresholds, states): share of inputs stopping at each state

    def best_cost_at(self, accuracy: float, accounting: str = "direct") -> float:
        """The smallest cost among the thresholds whose accuracy is >= ``accuracy``
        (inf when no threshold reaches it)."""
        if accounting not in ("direct", "sequential"):
            raise ValueError(f"accounting must be 'direct' or 'sequential', got {accounting!r}")
        cost = self.direct_cost if accounting == "direct" else self.sequential_cost
        ok = self.accuracy >= accuracy - 1e-12
        return float(cost[ok].min()) if ok.any() else float("inf")


def confidence_cascade(confidence, correct, costs, thresholds, stop_costs=None) -> CascadeCurve:
    """Evaluate the confidence cascade at each threshold on recorded outputs.

    Parameters
    ----------
    confidence : (N, n) array in [0, 1]
        Each state's largest softmax probability on each input.
    correct : (N, n) bool array
        Whether each state gets each input right (the same inputs).
    costs : (N,) array
        Per-input cost of each state (non-decreasing; the direct accounting).
    thresholds : 1-D array in [0, 1] (a value above 1 means "always run to the last state")
    stop_costs : (N,) array, optional
        Cost of stopping at each state after running the earlier ones; default
        ``cumsum(costs)``.
    """
    c = check_correct(correct)
    conf = np.asarray(confidence, dtype=np.float64)
    if conf.shape != c.shape:
        raise ValueError(f"confidence has shape {conf.shape}, correct has {c.shape}")
    if not np.isfinite(conf).all() or (conf < 0).any() or (conf > 1).any():
        raise ValueError("confidence must be probabilities in [0, 1]")
    r = check_costs(costs, c.shape[0])
    seq = np.cumsum(r) if stop_costs is None else np.asarray(stop_costs, dtype=np.float64)
    if seq.shape != r.shape or not np.isfinite(seq).all() or (seq < r - 1e-12).any():
        raise ValueError(f"stop_costs must be {r.size} finite costs, each >= the state's own cost")
    tau = np.asarray(thresholds, dtype=np.float64)
    if tau.ndim != 1 or tau.size == 0 or not np.isfinite(tau).all() or (tau < 0).any():
        raise ValueError("thresholds must be a non-empty 1-D array of finite values >= 0")
    n_states, n = c.shape
    accept = conf[None, :, :] >= tau[:, None, None]  # (T, N, n)
    accept[:, -1, :] = True  # the last state always answers
    stop = np.argmax(accept, axis=1)  # (T, n)
    cols = np.arange(n)
    accuracy = c[stop, cols[None, :]].mean(axis=1)
    share = np.stack([(stop == i).mean(axis=1) for i in range(n_states)], axis=1)
    return CascadeCurve(
        thresholds=tau,
        accuracy=accuracy,
        sequential_cost=seq[stop].mean(axis=1),
        direct_cost=r[stop].mean(axis=1),
        stop_share=share,
    )
