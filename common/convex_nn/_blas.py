"""One BLAS thread for small dense factorizations, and a lean Cholesky solver.

On small matrices (a few hundred to a few thousand rows) OpenBLAS's threaded Cholesky and LU
are slower than the single-threaded ones (measured on 2 cores: ``cho_factor`` of a 580 x 580
matrix 2.9 ms with one thread, 5.4-12 ms with two), so the dense Newton and interior-point
solves run inside :func:`single_thread_blas`.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.linalg import blas, lapack


@functools.cache
def _controller():
    import scipy.linalg  # noqa: F401 - load scipy's BLAS before inspecting the thread pools
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_thread_blas():
    """Context manager limiting every loaded BLAS to one thread."""
    return _controller().limit(limits=1, user_api="blas")


def cholesky_solver(A):
    """Factor the symmetric positive definite ``A`` (C-ordered, float64 or float32,
    **overwritten**) and return ``solve(r) = A^{-1} r`` (in ``A``'s precision); raises
    ``numpy.linalg.LinAlgError`` if ``A`` is not positive definite.

    LAPACK and BLAS directly: ``A.T`` is the Fortran-ordered view of the symmetric matrix, so
    ``potrf`` factors it in place without a copy, and two triangular ``trsv`` solves (which
    read only the factor's triangle) are 3x faster than ``potrs`` or scipy's ``cho_solve``
    for one right-hand side (measured at n = 560).
    """
    (potrf,) = lapack.get_lapack_funcs(("potrf",), (A,))  # dpotrf or spotrf by dtype
    (trsv,) = blas.get_blas_funcs(("trsv",), (A,))
    U, info = potrf(A.T, lower=False, clean=False, overwrite_a=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"matrix not positive definite (leading minor {info})")
    return lambda r: trsv(U, trsv(U, np.asarray(r, A.dtype), trans=1), trans=0)
