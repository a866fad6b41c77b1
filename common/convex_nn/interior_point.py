r"""Primal-dual interior point for the cone-constrained group Lasso (the working set's inner solve).

Solves

.. math::
    \min_{w,t}\ \tfrac12 w^\top Hw - c^\top w + \beta\textstyle\sum_b t_b
    \quad\text{s.t.}\quad g_r^\top w_{b(r)} \ge 0\ (r=1..n_l),\qquad (t_b, w_b)\in Q^{d+1}

with ``B`` blocks ``w_b`` of size ``d``, as the cone QP :math:`\min \tfrac12x^\top\bar Hx+q^\top x`
s.t. :math:`Gx+s=0,\ s\in\mathbb R_+^{n_l}\times(Q^{d+1})^B`, by the Mehrotra
predictor--corrector method with Nesterov--Todd scaling of CVXOPT's ``coneqp`` (Vandenberghe,
*The CVXOPT linear and quadratic cone program solvers*, 2010), written for this structure:

* :math:`G` is the ``(n_l, Bd)`` sparse row matrix plus identities on the cones; the reduced
  KKT matrix :math:`\bar H+G^\top W^{-2}G` is :math:`\bar H` plus, per block, a ``d x d`` sum
  of scaled row outer products and the ``(d+1) x (d+1)`` inverse squared cone scaling. It is
  formed in :math:`O(n_ld^2+Bd^2)` and factored once per iteration (LAPACK Cholesky in a
  preallocated buffer, one BLAS thread), then reused for the predictor and the corrector.
* Directions are computed in the scaled variables :math:`W^{-1}\Delta s`, :math:`W\Delta z`
  (never through :math:`W^{-2}G\Delta x`, whose entries reach 1e10 near the optimum), with one
  step of iterative refinement on the unreduced system in the corrector once the gap is below
  1e-4. The scalings are kept in product form and updated from the scaled iterates (CVXOPT's
  ``update_scaling``); ``s`` and ``z`` are derived from them. Recomputing the scalings from
  ``s`` and ``z`` instead loses the cone determinants to cancellation, and the steps stalled
  near a 1e-7 gap on the benchmark's working sets.
* Cone operations (Jordan products, scalings, step lengths) are vectorised over the ``B`` cones.

It replaces CVXOPT's ``coneqp`` with a custom KKT solver, which took the same iteration counts
(312 against our 303 on the 13 restricted programs of three benchmark problems) but spent most
of each iteration in its generic Python loop (cone arithmetic on CVXOPT matrices, two
refinement steps through the full KKT system). Step fraction 0.99 (0.995: 314 iterations,
0.999: 369) and the plain Mehrotra centring ``(1 - a)^3`` (CVXOPT's variant with the
``ds o dz`` term: 306 iterations and one failure) were chosen on those 13 programs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ._blas import cholesky_solver, single_thread_blas

__all__ = ["IPResult", "check_device", "cone_group_lasso", "woodbury_pays"]

_STEP = 0.99  # fraction of the step to the cone boundary
REFINE = 1  # iterative refinement steps per corrector solve (none for the predictor) ...
REFINE_BELOW = 1e-4  # ... once the relative gap is below this
# A solve that breaks down (a factorisation fails, or max_iter) returns its best feasible
# iterate as converged if that iterate's relative gap is <= REDUCED * tol (as CLARABEL's
# "AlmostSolved" and ECOS's reduced-accuracy exit): near the optimum the scalings reach ~1e8,
# the Newton systems lose accuracy and the residuals grow again (measured: rel 1.0e-9 with
# residuals 3e-11 at iteration 25, then 1.5e-7 / 1.7e-3 / 1.7e-1 until the Cholesky failed).
REDUCED = 1e3


class IPResult(NamedTuple):
    w: np.ndarray  # (B, d)
    iterations: int
    converged: bool
    reduced: bool = False  # converged at the reduced accuracy ``REDUCED * tol`` (see _solve)


# --- second-order cone arithmetic, vectorised over cones stored as rows of a (B, k) array ----


def _soc_det(u):
    """``u_0^2 - ||u_1||^2``, factored to limit cancellation near the boundary."""
    n1 = np.sqrt(np.einsum("bi,bi->b", u[:, 1:], u[:, 1:]))
    return (u[:, 0] - n1) * (u[:, 0] + n1)


def _soc_prod(u, v):
    """Jordan product ``u o v = (u^T v, u_0 v_1 + v_0 u_1)``."""
    return np.concatenate(
        [np.einsum("bi,bi->b", u, v)[:, None], u[:, :1] * v[:, 1:] + v[:, :1] * u[:, 1:]], axis=1
    )


def _soc_div(lam, v):
    """The ``x`` with ``lam o x = v`` (``lam`` in the cone's interior)."""
    x0 = (lam[:, 0] * v[:, 0] - np.einsum("bi,bi->b", lam[:, 1:], v[:, 1:])) / _soc_det(lam)
    return np.concatenate([x0[:, None], (v[:, 1:] - x0[:, None] * lam[:, 1:]) / lam[:, :1]], axis=1)


def _soc_max_step(lam, v):
    """Per cone, the largest ``a >= 0`` with ``lam + a v`` in the cone (``inf`` if unbounded).

    Roots of :math:`f(a)=\\det(\\lambda+av)=a_2a^2+a_1a+a_0`, :math:`a_0>0`, taken in the
    cancellation-free form.
    """
    a2 = _soc_det(v)
    a1 = 2.0 * (lam[:, 0] * v[:, 0] - np.einsum("bi,bi->b", lam[:, 1:], v[:, 1:]))
    a0 = _soc_det(lam)
    disc = a1 * a1 - 4.0 * a2 * a0
    sq = np.sqrt(np.maximum(disc, 0.0))
    out = np.full(lam.shape[0], np.inf)
    neg = (a1 < 0) & (disc >= 0)  # the smaller positive root
    out[neg] = 2.0 * a0[neg] / (-a1[neg] + sq[neg])
    down = ~neg & (a2 < 0)  # a1 >= 0: the one positive root
    out[down] = (a1[down] + sq[down]) / (-2.0 * a2[down])
    return out


def _max_step(lam_l, lam_s, *dirs):
    """Largest step along each direction ``(v_l, v_s)`` of ``dirs`` from the scaled point
    ``(lam_l, lam_s)``; the minimum over the directions (one vectorised pass)."""
    k = len(dirs) // 2
    v_l, v_s = np.concatenate(dirs[:k]), np.concatenate(dirs[k:])
    a = np.inf
    neg = v_l < 0
    if neg.any():
        a = float(np.min(-np.tile(lam_l, k)[neg] / v_l[neg]))
    if lam_s.shape[0]:
        a = min(a, float(np.min(_soc_max_step(np.tile(lam_s, (k, 1)), v_s))))
    return a


def _min_eig(u_l, u_s):
    """Smallest eigenvalue of a point of the product cone (``u_0 - ||u_1||`` per SOC)."""
    m = np.inf
    if u_l.size:
        m = float(u_l.min())
    if u_s.shape[0]:
        m = min(m, float(np.min(u_s[:, 0] - np.linalg.norm(u_s[:, 1:], axis=1))))
    return m


def _hyperbolic(w):
    r"""The matrix :math:`\bar W=\begin{pmatrix}w_0&w_1^\top\\w_1&I+w_1w_1^\top/(1+w_0)
    \end{pmatrix}` of each scaling point ``w`` (``det w = 1``); :math:`\bar W^{-1}=\bar W(Jw)`."""
    B, k = w.shape
    w0, w1 = w[:, 0], w[:, 1:]
    M = np.empty((B, k, k))
    M[:, 0, 0] = w0
    M[:, 0, 1:] = w1
    M[:, 1:, 0] = w1
    M[:, 1:, 1:] = np.eye(k - 1) + w1[:, :, None] * w1[:, None, :] / (1.0 + w0)[:, None, None]
    return M


def _update_scaling(wb, eta, st, zt):
    r"""New cone scalings from the new iterates ``st = W^{-1}s``, ``zt = W z`` in the current ones.

    Vectorised over cones, CVXOPT's ``update_scaling``: with :math:`v=\bar w^{1/2}` and ``q`` the
    scaling point of the normalised ``(st, zt)``, the new point is :math:`\bar W(\bar w)q`,
    :math:`\eta` gains :math:`(a/b)^{1/2}`, and :math:`\lambda=Wz` is formed from well-centred
    scaled quantities, not from the near-boundary ``s`` and ``z``. From the identity scaling
    (``wb = e``, ``eta = 1``) it is the Nesterov--Todd scaling of ``(st, zt)`` itself.
    """
    a, b = np.sqrt(_soc_det(st)), np.sqrt(_soc_det(zt))
    sn, zn = st / a[:, None], zt / b[:, None]
    c = np.sqrt(0.5 * (1.0 + np.einsum("bi,bi->b", sn, zn)))
    v = wb.copy()
    v[:, 0] += 1.0
    v /= np.sqrt(2.0 * v[:, :1])
    vs = np.einsum("bi,bi->b", v, sn)
    vz = v[:, 0] * zn[:, 0] - np.einsum("bi,bi->b", v[:, 1:], zn[:, 1:])  # v^T J zn
    vq, vu = 0.5 * (vs + vz) / c, vs - vz
    w0 = 2.0 * v[:, 0] * vq - 0.5 * (sn[:, 0] + zn[:, 0]) / c
    dd = (v[:, 0] * vu - 0.5 * sn[:, 0] + 0.5 * zn[:, 0]) / (w0 + 1.0)
    lam = np.empty_like(st)
    lam[:, 0] = c
    lam[:, 1:] = (
        (2.0 * (-dd * vq + 0.5 * vu))[:, None] * v[:, 1:]
        + (0.5 * (1.0 - dd / c))[:, None] * sn[:, 1:]
        + (0.5 * (1.0 + dd / c))[:, None] * zn[:, 1:]
    )
    lam *= np.sqrt(a * b)[:, None]
    # new scaling point (2 v v^T - J) q, q = (sn + J zn) / (2c)
    wn = (2.0 * vq)[:, None] * v
    wn[:, 0] -= 0.5 * (sn[:, 0] + zn[:, 0]) / c
    wn[:, 1:] += 0.5 * (sn[:, 1:] - zn[:, 1:]) / c[:, None]
    return wn, eta * np.sqrt(a / b), lam


def cone_group_lasso(H, c, beta, Glin, bid, B, *, K=None, offset=0.0, tol=1e-9, feastol=1e-8,
                     max_iter=60, device=None) -> IPResult:  # fmt: skip
    """Solve the program of the module docstring.

    ``H`` is ``(B d, B d)`` positive semidefinite, ``c`` ``(B d,)``, ``Glin`` ``(n_l, d)`` the
    cone rows sorted by their block ``bid`` (``(n_l,)``, values in ``0..B-1``). Stops when the
    duality gap relative to the objective plus ``offset`` is ``<= tol`` and the primal and dual
    residuals are ``<= feastol`` (CVXOPT's scaling of them). ``offset`` is the constant the
    objective leaves out (``0.5 ||y||^2`` for the least-squares loss, ``H = K^T K``,
    ``c = K^T y``); with ``offset = 0`` an optimal value of exactly 0 is never certified.
    After ``max_iter`` iterations or if the reduced KKT matrix cannot be factored, the best
    iterate with residuals ``<= feastol`` is returned with ``converged=True, reduced=True`` if
    its relative gap is ``<= REDUCED * tol``, else the last iterate with ``converged=False``.
    Runs under one BLAS thread.

    ``K`` (``(m, B d)`` with ``H = K^T K``, ``H`` then ``None``) gives the quadratic in factored
    form: if :func:`woodbury_pays` (``2 m <= B d``) each Newton system is solved by the
    Woodbury identity through an ``m x m`` Cholesky (``O(m^2 B d)`` per iteration instead of
    ``O((B d)^3)``; see :meth:`_ConeQP.factor`). ``device`` (a torch device, e.g.
    ``"cuda"``; :func:`check_device`) runs the factorisations with torch on that device:
    the Woodbury capacitances are formed and factored there (``O(m^2 B d)`` per iteration),
    and so is the dense reduced KKT matrix (``O((B d)^3)``; ``H`` is sent once, then each
    iteration only its ``B`` cone blocks); the rest
    of the iteration (cone arithmetic, ``O(B d^2 + n_l d)``) stays in numpy. ``None``:
    everything in numpy / LAPACK.
    """
    if K is not None:
        K = np.ascontiguousarray(K, dtype=np.float64)
        if H is None:
            H = _LowRank(K)
    c, Glin = (np.asarray(a, dtype=np.float64) for a in (c, Glin))
    if not isinstance(H, _LowRank):
        H = np.asarray(H, dtype=np.float64)
    bid = np.asarray(bid)
    B = int(B)
    if Glin.ndim != 2 or B < 1:
        raise ValueError(f"Glin must be (n_l, d) and B >= 1, got shape {Glin.shape}, B={B}")
    n = B * Glin.shape[1]
    if H.shape != (n, n) or c.shape != (n,):
        raise ValueError(f"H must be ({n}, {n}) and c ({n},) for B={B} blocks of "
                         f"d={Glin.shape[1]}, got {H.shape} and {c.shape}")  # fmt: skip
    if bid.shape != (Glin.shape[0],) or (bid.size and (np.any(np.diff(bid) < 0)
                                                       or bid[0] < 0 or bid[-1] >= B)):  # fmt: skip
        raise ValueError("bid must give each row of Glin its block in 0..B-1, sorted")
    if not all(np.all(np.isfinite(a)) for a in (H.K if isinstance(H, _LowRank) else H, c, Glin)):
        raise ValueError("H, c and Glin must be finite (NaN or inf found)")
    if not (beta > 0 and np.isfinite(beta)):
        raise ValueError(f"beta must be positive and finite, got {beta}")
    device = check_device(device)
    with single_thread_blas():
        return _solve(_ConeQP(H, c, float(beta), Glin, bid, B, device), float(offset), tol,
                      feastol, max_iter)  # fmt: skip


def check_device(device):
    """``None``, or the ``torch.device`` named by ``device``; a ValueError naming ``device``
    if torch does not know it or (CUDA) cannot use it here."""
    if device is None:
        return None
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(f"device={device!r} is not a torch device (e.g. 'cpu', 'cuda')") from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r}: torch.cuda.is_available() is False here (torch "
            f"{torch.__version__}); use device=None for the numpy/LAPACK solves"
        )
    return dev


def woodbury_pays(m: int, nvars: int) -> bool:
    """Whether a quadratic ``K^T K`` with ``m`` rows in ``nvars`` variables is solved by the
    Woodbury identity (:meth:`_ConeQP.factor`): ``2 m <= nvars``. Measured at n=500, d=20,
    P=100: with the switch at ``m < nvars`` the solve at beta = 0.1 max|X^T y| was 2.5x slower
    (working sets of 25-40 blocks, ``nvars`` just above ``m``); at 0.005 (117 blocks) 3.5-4x
    faster than the dense Cholesky."""
    return 2 * m <= nvars


class _LowRank:
    """``H = K^T K`` kept as its factor ``K (m, B d)``."""

    def __init__(self, K):
        self.K = K
        self.shape = (K.shape[1], K.shape[1])

    def __matmul__(self, x):
        return self.K.T @ (self.K @ x)


class _ConeQP:
    """The program as a cone QP: ``x = (w, t)``, ``G x = (-(g_r . w_b(r)))_r, (-(t_b, w_b))_b``."""

    def __init__(self, H, c, beta, Glin, bid, B, device=None):
        self.nl, self.d = nl, d = Glin.shape
        self.device = device
        self.B, Bd = B, B * d
        self.N = N = Bd + B
        self.q = np.concatenate([-c, np.full(B, beta)])
        # Woodbury when H = K^T K has at most half as many rows as variables (its m^2 (Bd + B)
        # Gram then costs less than the (Bd + B)^3 / 3 Cholesky); else the dense Cholesky
        self.K = H.K if isinstance(H, _LowRank) and woodbury_pays(H.K.shape[0], Bd) else None
        if self.K is None:
            self._Hw = H.K.T @ H.K if isinstance(H, _LowRank) else H
            self._A = np.empty((N, N))
            if device is not None:  # H once per solve on the device, then only the cone blocks
                import torch

                self._A = torch.zeros((N, N), dtype=torch.float64, device=device)
                self._A[:Bd, :Bd] = torch.as_tensor(self._Hw, device=device)
        else:
            self._Hw = H
            self._Kt = np.ascontiguousarray(self.K.reshape(-1, B, d).transpose(1, 2, 0))
            if device is not None:  # K^T once per solve on the device; per iteration only T
                import torch

                self._Kt = torch.as_tensor(self._Kt, device=device)
        self.Glin = Glin
        self.starts = np.concatenate([[0], np.cumsum(np.bincount(bid, minlength=B))])
        self.cone = np.concatenate([Bd + np.arange(B)[:, None], np.arange(Bd).reshape(B, d)], 1)
        cols = (bid[:, None] * d + np.arange(d)).ravel()  # the cone rows as a sparse (nl, B d)
        self.Gl = sp.csr_matrix((Glin.ravel(), (np.repeat(np.arange(nl), d), cols)), (nl, Bd))
        self.GlT = self.Gl.T.tocsr()

    def G(self, x):
        """``G x`` as (rows ``(n_l,)``, cones ``(B, d+1)``)."""
        return -(self.Gl @ x[: self.B * self.d]), -x[self.cone]

    def Gt(self, zl, zs):
        """``G^T z``."""
        out = np.empty(self.N)
        out[: self.B * self.d] = -(self.GlT @ zl) - zs[:, 1:].ravel()
        out[self.B * self.d :] = -zs[:, 0]
        return out

    def Hx(self, x):
        """``H x`` on the full variable ``x = (w, t)``."""
        out = np.zeros(self.N)
        out[: self.B * self.d] = self._Hw @ x[: self.B * self.d]
        return out

    def factor(self, dl, Wi2, Ws):
        """Solver for ``H + G^T W^{-2} G`` (``dl``: the rows' ``W^{-2}``; ``Wi2``: the cones'
        ``W^{-2}``, ``Ws`` their ``W``).

        ``G^T W^{-2} G = S`` is block diagonal: one ``(d+1) x (d+1)`` block per cone (its
        scaling plus its rows' outer products). Dense: ``H + S`` by Cholesky. Factored
        (``H = K^T K``, ``K`` with ``m < B d`` rows): by the Woodbury identity,
        ``(S + K^T K)^{-1} = S^{-1} - S^{-1} K^T C^{-1} K S^{-1}`` with the ``m x m``
        capacitance ``C = I + K S^{-1} K^T`` (eigenvalues >= 1), by Cholesky.
        """
        d = self.d
        Gs = self.Glin * np.sqrt(dl)[:, None]
        if self.K is not None:
            return self._woodbury(Gs, Ws)
        if self.device is not None:
            return self._dense_on_device(Gs, Wi2)
        A = self._A  # preallocated: a fresh copy each iteration costs page faults
        A.fill(0.0)
        A[: self.B * d, : self.B * d] = self._Hw
        for b in range(self.B):
            g = Gs[self.starts[b] : self.starts[b + 1]]
            A[b * d : (b + 1) * d, b * d : (b + 1) * d] += g.T @ g
        A[self.cone[:, :, None], self.cone[:, None, :]] += Wi2
        # (A diagonal scaling first would change nothing: Cholesky's accuracy and success are
        # invariant under it; iteration counts were identical on the benchmark's working sets.)
        return cholesky_solver(A)

    def _dense_on_device(self, Gs, Wi2):
        # the cone blocks (rows' outer products on the w part, plus W^{-2}) go to the device,
        # ``B (d+1)^2`` numbers, and are added there to H (which is there since __init__)
        import torch

        Sb = Wi2.copy()
        for b in range(self.B):
            g = Gs[self.starts[b] : self.starts[b + 1]]
            Sb[b, 1:, 1:] += g.T @ g
        cone = torch.as_tensor(self.cone, device=self.device)
        A = self._A.clone()
        A[cone[:, :, None], cone[:, None, :]] += torch.as_tensor(Sb, device=self.device)
        solve = _torch_cholesky(A)
        return lambda r: solve(torch.as_tensor(r, device=self.device)).cpu().numpy()

    def _woodbury(self, Gs, Ws):
        # S = W^{-2} + E^T E per cone (E its scaled rows), so S^{-1} = T T^T with
        # T = W chol(I + W E^T E W)^{-T}: no inverse of the ill-conditioned W^{-2} is formed.
        # Then A^{-1} = T (I + F^T F)^{-1} T^T, F = K T, and (I + F^T F)^{-1} =
        # I - F^T C^{-1} F with C = I + F F^T (m x m, eigenvalues >= 1).
        B, k = self.B, self.d + 1
        Mid = np.broadcast_to(np.eye(k), (B, k, k)).copy()
        for b in range(B):
            gw = Gs[self.starts[b] : self.starts[b + 1]] @ Ws[b, 1:, :]
            Mid[b] += gw.T @ gw
        T = np.swapaxes(np.linalg.solve(np.linalg.cholesky(Mid), Ws), 1, 2)  # (B, k, k)
        Tu = np.ascontiguousarray(np.swapaxes(T[:, 1:, :], 1, 2))  # (B, k, d)
        correction = (_capacitance if isinstance(self._Kt, np.ndarray) else _capacitance_torch)(
            Tu, self._Kt
        )
        cone = self.cone

        def solve(r):
            u = np.einsum("bji,bj->bi", T, r[cone]).ravel()  # T^T r
            u -= correction(u)
            x = np.empty(self.N)
            x[cone] = np.einsum("bij,bj->bi", T, u.reshape(B, k))
            return x

        return solve


def _capacitance(Tu, Kt):
    """``u -> F^T C^{-1} F u`` with ``F^T = T^T K^T`` (``(B (d+1), m)``, blockwise by batched
    BLAS products ``(B, k, d) @ (B, d, m)``) and ``C = I + F F^T`` by Cholesky (LAPACK)."""
    Ft = np.matmul(Tu, Kt).reshape(-1, Kt.shape[2])
    C = Ft.T @ Ft
    C[np.diag_indices_from(C)] += 1.0
    csolve = cholesky_solver(C)
    return lambda u: Ft @ csolve(Ft.T @ u)


def _capacitance_torch(Tu, Kt):
    """:func:`_capacitance` with torch on ``Kt``'s device: ``T`` goes there (``B (d+1)^2``
    numbers), the product and the Cholesky run there, and each solve moves one vector each
    way."""
    import torch

    Ft = torch.matmul(torch.as_tensor(Tu, device=Kt.device), Kt).reshape(-1, Kt.shape[2])
    C = Ft.T @ Ft
    C.diagonal().add_(1.0)
    csolve = _torch_cholesky(C)
    return lambda u: (Ft @ csolve(Ft.T @ torch.as_tensor(u, device=Kt.device))).cpu().numpy()


def _torch_cholesky(A):
    """Factor the symmetric positive definite torch tensor ``A`` on its device; ``solve(r)``
    takes and returns a vector there (``numpy.linalg.LinAlgError`` as :func:`cholesky_solver`)."""
    import torch

    L, info = torch.linalg.cholesky_ex(A)
    if int(info) != 0:
        raise np.linalg.LinAlgError(f"matrix not positive definite (leading minor {int(info)})")
    return lambda r: torch.cholesky_solve(r[:, None], L)[:, 0]


class _Newton:
    """The Newton system at one scaling ``W`` (rows ``diag(wl)``; cones ``Ws``, inverse ``Wis``)."""

    def __init__(self, qp: _ConeQP, wl, Ws, Wis):
        self.qp, self.wl, self.Ws, self.Wis = qp, wl, Ws, Wis
        self.solve = qp.factor(1.0 / (wl * wl), Wis @ Wis, Ws)

    def W(self, ul, us):
        return self.wl * ul, np.einsum("bij,bj->bi", self.Ws, us)

    def Wi(self, ul, us):
        return ul / self.wl, np.einsum("bij,bj->bi", self.Wis, us)

    def _direction(self, bx, bzl, bzs, rsl, rss):
        """Solve ``H dx + G^T dz = bx``, ``G dx + ds = bz``, ``W^{-1}ds + W dz = r_s``; return
        ``dx`` and the *scaled* ``W^{-1}ds``, ``W dz`` -- as CVXOPT, never through
        ``W^{-2} G dx``, whose entries reach 1e10 near the optimum and cancel digits."""
        qp = self.qp
        wrl, wrs = self.W(rsl, rss)
        cl, cs = bzl - wrl, bzs - wrs  # G dx - W (W dz) = c
        dx = self.solve(bx + qp.Gt(*self.Wi(*self.Wi(cl, cs))))
        gdl, gds = qp.G(dx)
        tzl, tzs = self.Wi(gdl - cl, gds - cs)
        return dx, rsl - tzl, rss - tzs, tzl, tzs

    def direction(self, bx, bzl, bzs, rsl, rss, refine=REFINE):
        """``_direction`` plus ``REFINE`` steps of iterative refinement on the unreduced system
        (without one, 4 of 13 benchmark working sets stalled near a 1e-7 gap)."""
        qp = self.qp
        out = self._direction(bx, bzl, bzs, rsl, rss)
        for _ in range(refine):
            dx, tsl, tss, tzl, tzs = out
            gdl, gds = qp.G(dx)
            wsl, wss = self.W(tsl, tss)
            corr = self._direction(bx - qp.Hx(dx) - qp.Gt(*self.Wi(tzl, tzs)), bzl - gdl - wsl,
                                   bzs - gds - wss, rsl - tsl - tzl, rss - tss - tzs)  # fmt: skip
            out = tuple(u + v for u, v in zip(out, corr, strict=True))
        return out


def _solve(qp: _ConeQP, offset, tol, feastol, max_iter):
    B, d, nl = qp.B, qp.d, qp.nl
    k = d + 1
    # starting point (CVXOPT's): the W = I system, then s and z shifted into the cone
    try:
        eye = np.broadcast_to(np.eye(k), (B, k, k))
        solve = qp.factor(np.ones(nl), eye, eye)
    except np.linalg.LinAlgError:
        return IPResult(np.zeros((B, d)), 0, False)
    x = solve(-qp.q)
    gl, gs = qp.G(x)
    sl, ss, zl, zs = -gl, -gs, gl.copy(), gs.copy()
    for ul, us in ((sl, ss), (zl, zs)):
        m = _min_eig(ul, us)
        if m <= 1e-8 * max(np.sqrt(ul @ ul + np.sum(us * us)), 1.0):
            ul += 1.0 - m
            us[:, 0] += 1.0 - m
    # the scalings are kept in product form and updated from the scaled iterates (CVXOPT's
    # update_scaling): recomputed from s and z, the cone determinants are lost to cancellation
    # once the gap is below about 1e-6, and the steps stall
    wl, lam_l = np.sqrt(sl / zl), np.sqrt(sl * zl)  # rows: W = diag(wl)
    e = np.zeros((B, k))
    e[:, 0] = 1.0
    wb, eta, lam_s = _update_scaling(e, np.ones(B), ss, zs)  # cones: W = eta * Wbar(wb)
    resx0 = max(1.0, float(np.linalg.norm(qp.q)))
    best_rel, best_x = np.inf, x
    for it in range(max_iter + 1):
        Wbar = _hyperbolic(wb)
        Ws, Wis = eta[:, None, None] * Wbar, Wbar / eta[:, None, None]
        Wis[:, 0, 1:] *= -1.0  # Wbar^{-1} = J Wbar J
        Wis[:, 1:, 0] *= -1.0
        # the unscaled s = W lambda and z = W^{-1} lambda, used only in the residuals
        sl, zl = wl * lam_l, lam_l / wl
        ss, zs = np.einsum("bij,bj->bi", Ws, lam_s), np.einsum("bij,bj->bi", Wis, lam_s)
        gl, gs = qp.G(x)
        Hx = qp.Hx(x)
        rx = Hx + qp.q + qp.Gt(zl, zs)
        rzl, rzs = gl + sl, gs + ss
        gap = float(lam_l @ lam_l + np.sum(lam_s * lam_s))  # = s^T z
        pcost = 0.5 * float(x @ Hx) + float(qp.q @ x)
        dcost = pcost - gap + float(zl @ rzl + np.sum(zs * rzs))
        pres = np.sqrt(rzl @ rzl + np.sum(rzs * rzs))
        dres = float(np.linalg.norm(rx)) / resx0
        rel = gap / max(abs(pcost + offset), abs(dcost + offset), 1e-300)
        if pres <= feastol and dres <= feastol:
            if rel <= tol:
                return IPResult(x[: B * d].reshape(B, d).copy(), it, True)
            if rel < best_rel:
                best_rel, best_x = rel, x
        if it == max_iter:
            break
        try:
            nt = _Newton(qp, wl, Ws, Wis)
        except np.linalg.LinAlgError:
            break
        # predictor (affine scaling): lam o (W^{-1}ds + W dz) = -lam o lam
        _, sal, sas, zal, zas = nt.direction(-rx, -rzl, -rzs, -lam_l, -lam_s, refine=0)
        a = min(1.0, _max_step(lam_l, lam_s, sal, zal, sas, zas))
        sigma_mu = (1.0 - a) ** 3 * gap / (nl + B)
        # corrector: lam o (W^{-1}ds + W dz) = -lam o lam - (W^{-1}ds_a) o (W dz_a) + sigma mu e
        bl = -lam_l * lam_l - sal * zal + sigma_mu
        bs = -_soc_prod(lam_s, lam_s) - _soc_prod(sas, zas)
        bs[:, 0] += sigma_mu
        dx, tsl, tss, tzl, tzs = nt.direction(
            -rx,
            -rzl,
            -rzs,
            bl / lam_l,
            _soc_div(lam_s, bs),
            refine=REFINE if rel < REFINE_BELOW else 0,
        )
        a = min(1.0, _STEP * _max_step(lam_l, lam_s, tsl, tzl, tss, tzs))
        x = x + a * dx
        # the new iterates in the current scaling give the next scaling and lambda
        stl, ztl = lam_l + a * tsl, lam_l + a * tzl
        wl, lam_l = wl * np.sqrt(stl / ztl), np.sqrt(stl * ztl)
        wb, eta, lam_s = _update_scaling(wb, eta, lam_s + a * tss, lam_s + a * tzs)
    if best_rel <= REDUCED * tol:
        return IPResult(best_x[: B * d].reshape(B, d).copy(), it, True, reduced=True)
    return IPResult(x[: B * d].reshape(B, d).copy(), it, False)
