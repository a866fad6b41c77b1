"""The lasso path of glmnet, its cross-validation and predictions (guide: ``README.md``).

Public API:

- :func:`lasso_path` -> :class:`LassoPath`: the whole regularisation path for family
  ``"gaussian"``, ``"binomial"`` or ``"multinomial"`` with offsets, penalty factors
  (``0`` unpenalised, ``inf`` excluded), optional intercept and standardisation, as R's
  ``glmnet`` (conventions in :mod:`common.lasso.path`);
- :func:`cv_lasso` -> :class:`CVLassoFit`: ``cv.glmnet`` with given folds: CV curve,
  ``lambda.min`` / ``lambda.1se``, prevalidated (out-of-fold) predictions
  (:mod:`common.lasso.cv`);
- ``LassoPath.predict`` / ``CVLassoFit.predict`` (``kind="link"``, ``"response"`` or
  ``"class"``) and ``.link``; ``CVLassoFit.coef(s)``;
- :func:`random_folds`, :func:`pointwise_loss` (cv.glmnet's losses, ``MEASURES``),
  :func:`cv_curve` (the CV curve and both rules from any out-of-fold losses, e.g. of a
  solver of one's own), :func:`first_minimum` (the argmin that ignores rounding);
- input checks for estimators built on it: :mod:`common.checks`.

Bad input raises a ValueError/TypeError naming the argument; a path that does not
converge warns with :class:`ConvergenceWarning` (scikit-learn's).
"""

from common.lasso.cv import (
    MEASURES,
    CVLassoFit,
    cv_curve,
    cv_lasso,
    first_minimum,
    pointwise_loss,
    random_folds,
)
from common.lasso.path import FAMILIES, PREDICT_KINDS, ConvergenceWarning, LassoPath, lasso_path

__all__ = [
    "FAMILIES",
    "MEASURES",
    "PREDICT_KINDS",
    "CVLassoFit",
    "ConvergenceWarning",
    "LassoPath",
    "cv_curve",
    "cv_lasso",
    "first_minimum",
    "lasso_path",
    "pointwise_loss",
    "random_folds",
]
