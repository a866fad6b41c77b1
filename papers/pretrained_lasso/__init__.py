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
- :func:`lasso_path` and :func:`cv_lasso`: the glmnet-faithful lasso path with offsets
  and penalty factors, and ``cv.glmnet`` with prevalidation, on which both rest (they live
  in :mod:`common.lasso` and are re-exported here).
"""

from common.lasso import CVLassoFit, LassoPath, cv_lasso, lasso_path
from papers.pretrained_lasso.cate import PretrainedRLearner
from papers.pretrained_lasso.ptlasso import AlphaPath, PretrainedLasso, pretraining_penalty

__all__ = [
    "AlphaPath",
    "CVLassoFit",
    "LassoPath",
    "PretrainedLasso",
    "PretrainedRLearner",
    "cv_lasso",
    "lasso_path",
    "pretraining_penalty",
]
