"""Adaptive Inference: Theoretical Limits and Unexplored Opportunities.

Soheil Hor, Ying Qian, Mert Pilanci and Amin Arbabian. arXiv:2402.04359 (2024). The body of
the paper could not be read; the formalisation follows ``../shared/papers/adaptive_inference.md``
(see the README for what is reconstructed).

Public API:

- :func:`exact_gains`: the oracle's efficiency, accuracy and iso-accuracy gains and its
  accuracy-cost frontier from a (states x inputs) correctness matrix;
- :func:`approximate_gains`: the iso-accuracy gain from aggregate accuracies only, with the
  ``"nested"`` (lower bound), ``"union"`` (upper bound) and ``"independent"``
  approximations, or any :class:`Approximation`;
- :func:`confidence_cascade`: a realistic agent (softmax-confidence cascade) on the same
  recorded outputs;
- :class:`WidthFamily`, :class:`ResolutionFamily`, :class:`EarlyExitMLP` (MLPs),
  :class:`CNNWidthFamily`, :class:`CNNResolutionFamily`, :class:`EarlyExitCNN` (CNNs) and
  :func:`cross_fit`: torch state spaces and their out-of-fold correctness;
- :func:`make_shapes`: a generated image task (shapes and textures in noise);
- :func:`load_table` / :func:`target_gains`: the published-table mode.

The torch state spaces are imported on first use, so that plotting and checking claims
(which read stored results) do not pay for importing torch.
"""

from importlib import import_module

from papers.adaptive_inference.agents import CascadeCurve, confidence_cascade
from papers.adaptive_inference.gains import (
    APPROXIMATIONS,
    ApproximateGains,
    Approximation,
    CumulativeApproximation,
    ExactGains,
    approximate_gains,
    exact_gains,
    oracle_states,
)
from papers.adaptive_inference.published import PublishedFamily, load_table, target_gains
from papers.adaptive_inference.shapes import make_shapes

__all__ = [
    "APPROXIMATIONS",
    "ApproximateGains",
    "Approximation",
    "CNNResolutionFamily",
    "CNNWidthFamily",
    "CascadeCurve",
    "CrossFit",
    "CumulativeApproximation",
    "EarlyExitCNN",
    "EarlyExitMLP",
    "ExactGains",
    "PublishedFamily",
    "ResolutionFamily",
    "WidthFamily",
    "approximate_gains",
    "confidence_cascade",
    "cross_fit",
    "exact_gains",
    "load_table",
    "make_shapes",
    "oracle_states",
    "target_gains",
]


def __getattr__(name: str):
    if name in __all__:  # not imported above: a torch state space, imported on first use
        return getattr(import_module("papers.adaptive_inference.families"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
