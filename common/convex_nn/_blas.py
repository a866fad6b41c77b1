"""One BLAS thread for small dense factorizations.

On small matrices (a few hundred to a few thousand rows) OpenBLAS's threaded Cholesky and LU
are slower than the single-threaded ones (measured on 2 cores: ``cho_factor`` of a 580 x 580
matrix 2.9 ms with one thread, 5.4-12 ms with two), so the dense Newton and interior-point
solves run inside :func:`single_thread_blas`.
"""

from __future__ import annotations

import functools


@functools.cache
def _controller():
    import scipy.linalg  # noqa: F401 - load scipy's BLAS before inspecting the thread pools
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_thread_blas():
    """Context manager limiting every loaded BLAS to one thread."""
    return _controller().limit(limits=1, user_api="blas")
