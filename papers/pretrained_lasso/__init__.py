"""Pretraining and the Lasso.

Erin Craig, Mert Pilanci, Thomas Le Menestrel, Balasubramanian Narasimhan, Manuel A.
Rivas, Stein-Erik Gullaksen, Roozbeh Dehghannasiri, Julia Salzman, Jonathan Taylor and
Robert Tibshirani. arXiv:2401.12911 (2024); J. R. Stat. Soc. B (2025),
doi:10.1093/jrsssb/qkaf050. Reference implementation: the R package ``ptLasso``.

Public API:

- :class:`PretrainedLasso`: input-grouped pretrained lasso (Gaussian, binomial, multinomial), alpha
  chosen by cross-validation (shared or per group), with R ``ptLasso``'s semantics;
- :class:`PretrainedRLearner`: pretrained R-learner for conditional average treatment
  effects;
- both rest on :func:`common.lasso.lasso_path` and :func:`common.lasso.cv_lasso`: the
  glmnet-faithful lasso path with offsets and penalty factors, and ``cv.glmnet`` with
  prevalidation.
"""

import lazy_loader

# The names below are imported from their modules on first use, so that the plot and check
# jobs, which read stored results, do not pay for importing torch, JAX or CVXPY.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "cate": ["PretrainedRLearner"],
        "ptlasso": ["AlphaPath", "PretrainedLasso", "pretraining_penalty"],
    },
)
