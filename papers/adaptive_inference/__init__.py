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

"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "agents": ["confidence_cascade", "CascadeCurve"],
        "families": [
            "cross_fit",
            "CNNResolutionFamily",
            "CNNWidthFamily",
            "CrossFit",
            "EarlyExitCNN",
            "EarlyExitMLP",
            "ResolutionFamily",
            "WidthFamily",
        ],
        "gains": [
            "APPROXIMATIONS",
            "approximate_gains",
            "exact_gains",
            "oracle_states",
            "ApproximateGains",
            "Approximation",
            "CumulativeApproximation",
            "ExactGains",
        ],
        "published": ["load_table", "target_gains", "PublishedFamily"],
        "shapes": ["make_shapes"],
    },
)
