r"""Fast first-order solvers in JAX (jit; float32/float64; same code on CPU and GPU).

Blocks are stored as ``W (c, B, d)`` (``c`` outputs, ``B`` blocks). The linear operator is
matrix-free (brief §7.1): with :math:`Z = XW^\top\in\mathbb R^{n\times c\times B}`,

.. math:: \mathcal A(W) = (Z\odot M)\mathbf 1,\qquad \mathcal A^*(R) = (M\odot R)^\top X,

so one iteration costs two ``(n, d) x (d, cB)`` products and memory
:math:`O(nd + cBd + ncB)`; the ``D_iX`` blocks are never formed.

* :func:`fista` -- accelerated proximal gradient (Beck & Teboulle 2009) with backtracking line
  search (factor 0.8), Lassplore-style step growth (x1.25), the *correct* momentum
  :math:`t_{k+1}=\tfrac12(1+\sqrt{1+4t_k^2})` (scnn has a precedence slip, brief §9.1) and
  gradient-mapping restarts (O'Donoghue & Candes 2015). Stops on the relative duality gap
  (without cone constraints, any loss with a conjugate: :mod:`common.convex_nn.losses`) or on
  the relative minimum-norm subgradient (the AL's inner solves).
  With ``newton=True`` (default; squared loss, float64) R-FISTA runs in float32 to a 1e-2 gap
  (``NEWTON_FROM``), which all but identifies the active blocks, and damped Newton with
  active-set corrections finishes to float64 accuracy (exact float64 gradients, Hessian
  factored in float32; :mod:`common.convex_nn.newton`); the result is kept only if its gap on
  the full program is ``<= tol`` (else R-FISTA continues in float64). Without cone
  constraints the iteration carries the prediction :math:`\mathcal AW` (``(n, c)``) instead
  of every block's image ``Z`` (``(n, c, B)``).
* :func:`augmented_lagrangian` -- method of multipliers for the cone constraints
  :math:`(2D_i-I)Xw_i\ge0` with the textbook update :math:`\gamma\leftarrow(\gamma-\delta c)_+`
  (scnn's never decreases, brief §9.2), R-FISTA inner solves with decreasing tolerance, and a
  certified duality gap from the multipliers (see :mod:`common.convex_nn.certificates`).

Precision: ``float64`` needs JAX's x64 mode. The solvers enable it *locally* with the
``jax.enable_x64(True)`` context manager (thread-local) around tracing and execution; the global
``jax_enable_x64`` flag is never changed.
"""

from __future__ import annotations

import functools
import warnings
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from common.checks import check_real

from .certificates import gated_gap
from .losses import Loss, as_loss
from .newton import newton_active_set

__all__ = ["FastResult", "augmented_lagrangian", "fista"]

NEWTON_FROM = 1e-2  # R-FISTA gap at which the gated Newton phase takes over


class FastResult(NamedTuple):
    W: np.ndarray  # (c, B, d)
    iterations: int
    converged: bool
    metric: float  # relative gap or relative min-norm subgradient
    gamma: np.ndarray | None  # AL multipliers (n, c, B)
    constraint_violation: float
    outer_iterations: int


# ----------------------------------------------------------------------------- kernels
def _Z(X, W):
    c, B, d = W.shape
    return (X @ W.reshape(c * B, d).T).reshape(X.shape[0], c, B)


def _gradW(X, dZ):
    n, c, B = dZ.shape
    return (dZ.reshape(n, c * B).T @ X).reshape(c, B, X.shape[1])


def _norms(W):
    return jnp.sqrt(jnp.sum(W * W, axis=-1))


def _prox(W, thr):
    nrm = _norms(W)
    scale = jnp.maximum(0.0, 1.0 - thr / jnp.maximum(nrm, jnp.finfo(W.dtype).tiny))
    return W * scale[..., None]


def _pred(Z, M):
    return jnp.einsum("ncb,nb->nc", Z, M)


def _loss(pred, y, loss: Loss):
    return loss.value(pred, y, xp=jnp)


def _al_smooth(Z, y, M, S, gamma, delta, loss):
    """Smooth part of the AL subproblem: the loss plus the cone penalty, on the blocks' images
    ``Z``."""
    G = Z * S[:, None, :]
    return _loss(_pred(Z, M), y, loss) + 0.5 * delta * jnp.sum(
        jnp.maximum(gamma / delta - G, 0.0) ** 2
    )


def _mns_norms(W, g, beta):
    """Block norms of the minimum-norm subgradient of f + beta*sum||w_b||."""
    nw = _norms(W)
    ng = _norms(g)
    act = g + beta * W / jnp.maximum(nw, jnp.finfo(W.dtype).tiny)[..., None]
    inact = ng * jnp.maximum(0.0, 1.0 - beta / jnp.maximum(ng, jnp.finfo(W.dtype).tiny))
    return jnp.where(nw > 0, _norms(act), inact)


def _gap(W, pred, g, y, beta):
    """Relative duality gap (squared loss) at W with prediction ``pred = A W``; ``g`` =
    gradient of the smooth part at W.

    With the AL penalty in the smooth part, ``-g = A^T r + G^T gamma_new`` and the same formula
    gives the gap of the cone-constrained program with multipliers ``gamma_new``.
    """
    r = y - pred  # (n, c)
    primal = 0.5 * jnp.sum(r * r) + beta * jnp.sum(_norms(W))
    t = jnp.max(_norms(g), axis=1)  # (c,)
    s = jnp.minimum(1.0, beta / jnp.maximum(t, jnp.finfo(W.dtype).tiny))
    dual = jnp.sum(-0.5 * jnp.sum((s[None, :] * r - y) ** 2, axis=0) + 0.5 * jnp.sum(y * y, 0))
    return (primal - dual) / jnp.maximum(jnp.abs(primal), jnp.finfo(W.dtype).tiny)


def _conjugate_gap(W, pred, g, y, beta, loss, offset):
    """Relative duality gap of the gated program for any loss with a conjugate: the dual point
    ``-grad f(pred)``, scaled into the dual-feasible set, through ``loss.dual_value``.
    ``offset``: the constant the zero-padded rows add to both values (logistic: log 2 each),
    left out of the relative scale."""
    tiny = jnp.finfo(W.dtype).tiny
    r = -loss.gradient(pred, y, xp=jnp)  # (n, c)
    primal = loss.value(pred, y, xp=jnp) + beta * jnp.sum(_norms(W))
    t = jnp.max(_norms(g), axis=1)  # (c,)
    s = jnp.minimum(1.0, beta / jnp.maximum(t, tiny))
    dual = loss.dual_value(s[None, :] * r, y, xp=jnp)
    return (primal - dual) / jnp.maximum(jnp.abs(primal - offset), tiny)


def _al_gap(W, Z, g, y, M, S, gamma, delta, beta):
    r"""Relative Fenchel duality gap of the AL subproblem (squared loss).

    The subproblem is :math:`\min_W f(\mathcal AW)+h(GW)+\beta\sum_b\|w_b\|` with
    :math:`h(z)=\tfrac\delta2\|(\gamma/\delta-z)_+\|^2`, whose conjugate at
    :math:`-\gamma^+` (:math:`\gamma^+=(\gamma-\delta GW)_+`) is
    :math:`\|\gamma^+\|^2/(2\delta)-\gamma^+\cdot\gamma/\delta`. The dual point
    :math:`s\,(r,\gamma^+)` is scaled into the dual-feasible set; the gap is >= 0 and vanishes
    at the subproblem optimum (Rockafellar's inexact-AL criterion).
    """
    tiny = jnp.finfo(W.dtype).tiny
    r = y - _pred(Z, M)  # (n, c)
    G = Z * S[:, None, :]
    gnew = jnp.maximum(gamma - delta * G, 0.0)  # (n, c, B)
    pen = 0.5 * delta * jnp.sum(jnp.maximum(gamma / delta - G, 0.0) ** 2, axis=(0, 2))
    primal = 0.5 * jnp.sum(r * r, axis=0) + beta * jnp.sum(_norms(W), axis=1) + pen  # (c,)
    t = jnp.max(_norms(g), axis=1)  # (c,)
    s = jnp.minimum(1.0, beta / jnp.maximum(t, tiny))
    dual = (
        -0.5 * jnp.sum((s[None, :] * r - y) ** 2, axis=0)
        + 0.5 * jnp.sum(y * y, axis=0)
        - 0.5 * s * s * jnp.sum(gnew * gnew, axis=(0, 2)) / delta
        + s * jnp.sum(gnew * gamma, axis=(0, 2)) / delta
    )
    tot = jnp.sum(primal)
    return jnp.sum(primal - dual) / jnp.maximum(jnp.abs(tot), tiny)


@functools.partial(jax.jit, static_argnames=("loss", "constrained", "metric_kind", "check_every"))
def _fista_jit(
    W0,
    X,
    y,
    M,
    S,
    gamma,
    delta,
    beta,
    eta0,
    tol,
    max_iter,
    scale,
    offset=0.0,
    *,
    loss,
    constrained,
    metric_kind,
    check_every,
):
    dt = W0.dtype
    if constrained:  # the AL penalty needs every block's image Z = X W^T, (n, c, B)
        image = functools.partial(_Z, X)
        f = functools.partial(_al_smooth, y=y, M=M, S=S, gamma=gamma, delta=delta, loss=loss)
        grad = functools.partial(_gradW, X)
    else:  # only the prediction A W = (Z M) 1, (n, c), is needed: less memory traffic

        def image(W):
            return _pred(_Z(X, W), M)

        def grad(dP):
            return _gradW(X, dP[:, :, None] * M[:, None, :])

        f = functools.partial(_loss, y=y, loss=loss)
    quadratic = loss.quadratic and not constrained  # f(P) = 0.5 ||P - y||^2
    vg = jax.value_and_grad(f)
    eps = jnp.finfo(dt).eps

    def metric(W, Z):  # Z: the image of W
        _, dZ = vg(Z)
        g = grad(dZ)
        if metric_kind == "gap":
            return _gap(W, _pred(Z, M) if constrained else Z, g, y, beta)
        if metric_kind == "cgap":  # unconstrained only: Z is the prediction
            return _conjugate_gap(W, Z, g, y, beta, loss, offset)
        if metric_kind == "algap":
            return _al_gap(W, Z, g, y, M, S, gamma, delta, beta)
        return jnp.max(_mns_norms(W, g, beta)) / scale

    Z0 = image(W0)
    state0 = (
        jnp.array(0),
        W0,
        Z0,
        W0,
        Z0,
        jnp.array(1.0, dt),
        jnp.asarray(eta0, dt),
        metric(W0, Z0),
    )

    def cond(s):
        return (s[0] < max_iter) & (s[7] > tol)

    def body(s):
        k, x, Zx, xp, Zxp, t, eta, met = s
        t_new = 0.5 * (1.0 + jnp.sqrt(1.0 + 4.0 * t * t))
        mom = (t - 1.0) / t_new
        Y = x + mom * (x - xp)
        Zy = Zx + mom * (Zx - Zxp)
        fy, dZ = vg(Zy)
        g = grad(dZ)

        def ls_cond(c):
            return (~c[4]) & (c[0] < 60)

        def ls_body(c):
            j, eta_try, _, _, _, _ = c
            xn = _prox(Y - eta_try * g, eta_try * beta)
            Zn = image(xn)
            st = xn - Y
            sq = jnp.vdot(st, st)
            if quadratic:
                # f(Zn) - f(Zy) - <g, st> = 0.5 ||Zn - Zy||^2 exactly: no cancellation of
                # f values; the slack covers the rounding of the images (Zy is extrapolated)
                dz = Zn - Zy
                quad = eta_try * jnp.vdot(dz, dz)
                ok = quad <= sq + eta_try * (8.0 * eps) ** 2 * jnp.vdot(Zy, Zy)
            else:
                fn = f(Zn)
                quad = 2.0 * eta_try * (fn - fy - jnp.vdot(g, st))
                ok = quad <= sq + 8.0 * eta_try * eps * (jnp.abs(fy) + jnp.abs(fn))
            return (j + 1, jnp.where(ok, eta_try, 0.8 * eta_try), xn, Zn, ok, quad - sq / 5.0)

        ls0 = (jnp.array(0), eta, Y, Zy, jnp.array(False), jnp.array(0.0, dt))
        _, eta_acc, xn, Zn, ok, slack = lax.while_loop(ls_cond, ls_body, ls0)
        # growth after an easy step; a search that found no step (rounding noise at the
        # optimum) keeps the step size rather than letting it collapse
        eta_next = jnp.where(ok, jnp.where(slack <= 0.0, 1.25 * eta_acc, eta_acc), eta)
        restart = jnp.vdot(xn - x, Y - xn) > 0
        t_next = jnp.where(restart, jnp.array(1.0, dt), t_new)
        xp_next = jnp.where(restart, xn, x)
        Zxp_next = jnp.where(restart, Zn, Zx)
        met_next = lax.cond(
            (k + 1) % check_every == 0, lambda: metric(xn, Zn).astype(dt), lambda: met
        )
        return (k + 1, xn, Zn, xp_next, Zxp_next, t_next, eta_next, met_next)

    k, x, Zx, _, _, _, eta, met = lax.while_loop(cond, body, state0)
    met = metric(x, Zx)
    return x, k, met, eta


@functools.partial(jax.jit, static_argnames=("loss",))
def _al_step(W, X, y, M, S, gamma, delta, beta, *, loss):
    """Multiplier update and certificate at W: returns gamma_new, gap, violation."""
    Z = _Z(X, W)
    G = Z * S[:, None, :]
    gamma_new = jnp.maximum(gamma - delta * G, 0.0)
    viol = jnp.max(jnp.sum(jnp.maximum(-G, 0.0), axis=2))  # worst per-sample output distortion
    if loss.quadratic:
        dZ = jax.grad(
            functools.partial(_al_smooth, y=y, M=M, S=S, gamma=gamma, delta=delta, loss=loss)
        )(Z)
        cert = _gap(W, _pred(Z, M), _gradW(X, dZ), y, beta)
    else:
        cert = jnp.array(jnp.nan, W.dtype)
    return gamma_new, cert, viol


@functools.partial(jax.jit, static_argnames=("c", "iters"))
def _power(X, M, *, c, iters=30):
    """Estimate ||A||^2 (largest eigenvalue of A^T A, ``c`` outputs) by power iteration from a
    fixed random start (drawn inside the jit: outside it, the draw cost 0.5 ms)."""
    v0 = jax.random.normal(jax.random.key(0), (c, M.shape[1], X.shape[1]), X.dtype)

    def body(_, v):
        Z = _Z(X, v)
        pred = _pred(Z, M)
        w = _gradW(X, pred[:, :, None] * M[:, None, :])
        return w / jnp.maximum(jnp.sqrt(jnp.vdot(w, w)), jnp.finfo(v.dtype).tiny)

    v = lax.fori_loop(0, iters, body, v0 / jnp.sqrt(jnp.vdot(v0, v0)))
    pred = _pred(_Z(X, v), M)
    return jnp.vdot(pred, pred)


@functools.partial(jax.jit, static_argnames=("loss",))
def _scale_at_zero_jit(X, y, M, *, loss):
    R = loss.gradient(jnp.zeros_like(y), y, xp=jnp)  # the loss's gradient at prediction 0
    return jnp.max(_norms(_gradW(X, R[:, :, None] * M[:, None, :])))


def _scale_at_zero(X, y, M, loss):
    return float(_scale_at_zero_jit(X, y, M, loss=loss))


def _bucket(k: int) -> int:
    """Smallest size in {8, 10, 12, 14, 16, 20, 24, 28, 32, 40, ...} (four per octave) that is
    >= k: at most 25% padding, and few distinct shapes to compile."""
    b = 8
    while True:
        for j in range(4):
            if b + j * b // 4 >= k:
                return b + j * b // 4
        b *= 2


def _pad(X, y, M, S=None, W0=None):
    """Zero-pad rows (n), blocks (B) and features (d) to bucket sizes.

    Padded rows have ``x = 0, y = 0, mask = 0``; padded blocks have mask and cone sign 0;
    padded features are zero columns. None of them changes the objective, gradients on the
    original coordinates or the certificates, and padded coordinates stay exactly zero.
    """
    n, d = X.shape
    B = M.shape[1]
    n2, d2, B2 = _bucket(n), _bucket(d), _bucket(B)
    Xp = np.zeros((n2, d2))
    Xp[:n, :d] = X
    yp = np.zeros((n2, y.shape[1]))
    yp[:n] = y
    Mp = np.zeros((n2, B2))
    Mp[:n, :B] = M
    Sp = None
    if S is not None:
        Sp = np.zeros((n2, B2))
        Sp[:n, :B] = S
    Wp = None
    if W0 is not None:
        W0 = np.asarray(W0)
        Wp = np.zeros((W0.shape[0], B2, d2))
        Wp[:, :B, :d] = W0
    return Xp, yp, Mp, Sp, Wp, (n, d, B)


def _prep(X, y, M, dtype):
    """``X``, ``y (n, c)`` and ``M`` on the device, in one transfer."""
    return jax.device_put(tuple(np.asarray(a, dtype) for a in (X, y.reshape(len(y), -1), M)))


def _fista_run(X, y, M, beta, loss, W0, tol, max_iter, check_every, dtype):
    """One padded R-FISTA run; returns ``(W (c, B, d) float64, iterations, metric, kind)``."""
    X, y, M, _, W0, (n0, d0, B0) = _pad(np.asarray(X), np.asarray(y), np.asarray(M), W0=W0)
    pad = np.zeros((X.shape[0] - n0, y.shape[1]))
    offset = float(loss.value(pad, pad))  # the padded rows' constant loss
    with jax.enable_x64(np.dtype(dtype) == np.float64):
        Xj, yj, Mj = _prep(X, y, M, dtype)
        d = Xj.shape[1]
        c, B = yj.shape[1], Mj.shape[1]
        W = np.zeros((c, B, d), dtype) if W0 is None else np.asarray(W0, dtype)
        L = loss.lipschitz * float(_power(Xj, Mj, c=c, iters=10))
        eta0 = 1.0 / max(L, 1e-300)
        scale = max(beta, _scale_at_zero(Xj, yj, Mj, loss), 1e-300)
        # the relative duality gap: the squared loss's (no cancellation), or through the conjugate
        kind = "mns" if beta <= 0 else ("gap" if loss.quadratic else "cgap")
        s0 = np.zeros((1, 1), dtype)  # cone signs, multipliers, penalty: unused without cones
        x, k, met, _ = _fista_jit(
            W, Xj, yj, Mj, s0, s0[None], np.asarray(1.0, dtype), np.asarray(beta, dtype),
            np.asarray(eta0, dtype), np.asarray(tol, dtype), int(max_iter),
            np.asarray(scale, dtype), np.asarray(offset, dtype), loss=loss, constrained=False,
            metric_kind=kind,
            check_every=int(check_every),
        )  # fmt: skip
        return np.asarray(x, dtype=np.float64)[:, :B0, :d0], int(k), float(met), kind


def fista(
    X,
    y,
    M,
    beta,
    *,
    loss: Loss | str = "squared",
    W0=None,
    tol=1e-6,
    max_iter=10_000,
    check_every=10,
    dtype=np.float64,
    newton=True,
):
    """R-FISTA for the (gated) group-Lasso program ``min f(A W) + beta sum ||w_b||``.

    ``M`` is the ``(n, B)`` mask matrix (``a D + b (I - D)``, negated columns for ``v``-blocks),
    ``y`` is ``(n, c)``. Returns a :class:`FastResult`. ``tol`` is the relative duality gap
    (for ``beta > 0``; the relative min-norm subgradient ``/ max(beta, max_b ||grad_b f(0)||)``
    otherwise). Float64 is enabled locally (see module docstring).

    ``loss`` is a :class:`~common.convex_nn.losses.Loss` or its name; the initial step is
    ``1 / (loss.lipschitz ||A||^2)``.

    ``newton=True`` (squared loss, ``beta > 0``, float64): R-FISTA runs only to a relative gap
    of ``NEWTON_FROM`` (1e-2; in float32, which is enough to find the active blocks), then
    :func:`~common.convex_nn.newton.newton_active_set` solves the program on them; the result
    is accepted if its gap on the *full* program is ``<= tol``, otherwise R-FISTA continues from
    it to ``tol`` (float64).
    Measured on six benchmark sizes, the 1e-2 iterate had exactly the optimal blocks on five
    and missed one block on the sixth (n=1000, P=50), which the corrections then add.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    M = np.asarray(M, dtype=np.float64)
    loss = as_loss(loss)
    polish = newton and loss.quadratic and beta > 0 and np.dtype(dtype) == np.float64
    total, best = 0, None
    if polish and tol < NEWTON_FROM:
        # phase 1 only has to find the active blocks: float32 is 1.3-2.4x cheaper (measured)
        W, k, met, kind = _fista_run(X, y, M, beta, loss, W0, NEWTON_FROM, max_iter, check_every,
                                     np.float32)  # fmt: skip
        total += k
        if not np.all(np.isfinite(W)):  # float32 overflow (data near 1e19): redo in float64
            W, met = W0, np.inf
        Wn = newton_active_set(X, y, M, W, beta) if met <= NEWTON_FROM else None
        if Wn is not None:
            gap = gated_gap(X, y, M, Wn, beta)
            if gap <= tol:
                return FastResult(Wn, total, True, gap, None, 0.0, 0)
            W0 = Wn if gap < met else W
            best = (Wn, gap)
        else:
            W0 = W
    W, k, met, kind = _fista_run(X, y, M, beta, loss, W0, tol, max(max_iter - total, 1),
                                 check_every, dtype)  # fmt: skip
    total += k
    if best is not None and best[1] < met:  # R-FISTA is not monotone: keep the better point
        W, met = best
    converged = bool(met <= tol)
    if not converged:
        warnings.warn(
            f"fista: stopped at max_iter={max_iter} with {kind}={met:.3e} > tol={tol:.1e} "
            "(converged=False; the result's certificate is this gap): raise max_iter "
            "(solve_convex(..., max_iter=...)) or tol",
            RuntimeWarning,
            stacklevel=3,
        )
    return FastResult(W, total, converged, met, None, 0.0, 0)


def augmented_lagrangian(
    X,
    y,
    M,
    S,
    beta,
    *,
    loss: Loss | str = "squared",
    W0=None,
    tol=1e-6,
    constraint_tol=None,
    max_iter=20_000,
    max_outer=200,
    delta=None,
    check_every=10,
    dtype=np.float64,
    verbose=False,
    certify=None,
    delta_scale=100.0,
    delta_growth=2.0,
    inner_max_iter=None,
    inner_metric="mns",
    omega0=1e-2,
    omega_min=None,
):
    r"""Augmented Lagrangian for ``min f(A W) + beta sum ||w_b||  s.t.  S_b * (X w_b) >= 0``.

    .. math::
        \mathcal L_\delta(W;\gamma)=f(\mathcal AW)+\beta\sum_b\|w_b\|
            +\tfrac\delta2\sum_b\|(\gamma_b/\delta-S_b\odot Xw_b)_+\|^2,
        \qquad \gamma_b\leftarrow(\gamma_b-\delta\,S_b\odot Xw_b)_+ .

    Inner problems are solved by R-FISTA (warm-started) to a tolerance that shrinks by 10x per
    outer step down to ``tol / 10``; ``delta`` starts at ``100 ||A||^2 / ||X||^2`` (tuned by
    hand on random problems) and doubles while the violation does not halve.
    Stops when the certified relative duality gap (squared loss; min-norm subgradient
    otherwise) is ``<= tol`` and the worst per-sample constraint violation
    ``max_i sum_b (-(S_b)_i x_i^T w_b)_+`` is ``<= constraint_tol * max|y|`` (default
    ``tol / 10``).
    ``max_iter`` bounds the total number of inner iterations. ``certify(W)``, if given, returns
    an exact relative gap (e.g. by NNLS, :func:`common.convex_nn.duality_gap`); it is called
    after each outer step whose iterate is feasible (violation ``<= constraint_tol``) and whose
    inner solve converged while the multiplier bound is above ``tol``.

    Tuning (defaults reproduce the original schedule): ``delta_scale`` (initial
    ``delta = delta_scale ||A||^2/||X||^2``), ``delta_growth`` (factor applied when the
    violation does not halve), ``inner_max_iter`` (cap per inner solve; an unconverged inner
    solve is continued warm with the same multipliers' update and tolerance),
    ``inner_metric="algap"`` (stop inner solves on the relative duality gap of the AL
    subproblem, squared loss, instead of the min-norm subgradient), ``omega0`` / ``omega_min``
    (inner tolerance schedule, x0.1 per outer step). ``delta_scale=1, delta_growth=4,
    inner_max_iter=2000, inner_metric="algap"`` is the coarse phase used by ``solve_convex``.
    """
    constraint_tol = 0.1 * tol if constraint_tol is None else constraint_tol
    omega_min = 0.1 * tol if omega_min is None else omega_min
    for name, v in (
        ("constraint_tol", constraint_tol),
        ("omega_min", omega_min),
        ("omega0", omega0),
        ("delta", delta),
        ("delta_scale", delta_scale),
    ):
        if v is not None:
            check_real(v, name, 0.0, np.inf)
    check_real(delta_growth, "delta_growth", 1.0, np.inf, closed="left")
    loss = as_loss(loss)
    X, y, M, S, W0, (n0, d0, B0) = _pad(
        np.asarray(X), np.asarray(y), np.asarray(M), np.asarray(S), W0=W0
    )
    if certify is not None:
        certify0 = certify

        def certify(Wp):
            return certify0(Wp[:, :B0, :d0])

    with jax.enable_x64(np.dtype(dtype) == np.float64):
        Xj, yj, Mj = _prep(X, y, M, dtype)
        Sj = jnp.asarray(S, dtype)
        n, d = Xj.shape
        c, B = yj.shape[1], Mj.shape[1]
        W = jnp.zeros((c, B, d), dtype) if W0 is None else jnp.asarray(W0, dtype)
        L = float(_power(Xj, Mj, c=c))  # ||A||^2
        LX = float(jnp.linalg.norm(Xj, 2) ** 2)
        dlt = float(delta_scale) * float(L / LX) if delta is None else float(delta)
        # inner accuracy relative to beta: the multiplier certificate loses ~ omega * ||r||^2
        scale = beta if beta > 0 else max(_scale_at_zero(Xj, yj, Mj, loss), 1e-300)
        ymax = max(float(jnp.max(jnp.abs(yj))), 1e-300)
        gamma = jnp.zeros((n, c, B), dtype)
        inner_kind = "algap" if (inner_metric == "algap" and loss.quadratic and beta > 0) else "mns"
        inner_max_iter = max_iter if inner_max_iter is None else int(inner_max_iter)
        omega = omega0
        total, outer, prev_viol = 0, 0, np.inf
        cert, viol, met = np.inf, np.inf, np.inf
        converged = False
        eta = None
        while outer < max_outer and total < max_iter:
            outer += 1
            eta0 = 1.0 / (loss.lipschitz * L + dlt * LX) if eta is None else float(eta)
            x, k, met, eta = _fista_jit(
                W,
                Xj,
                yj,
                Mj,
                Sj,
                gamma,
                jnp.asarray(dlt, dtype),
                jnp.asarray(beta, dtype),
                eta0,
                jnp.asarray(omega, dtype),
                int(min(max_iter - total, inner_max_iter)),
                jnp.asarray(scale, dtype),
                loss=loss,
                constrained=True,
                metric_kind=inner_kind,
                check_every=int(check_every),
            )
            W = x
            total += int(k)
            gamma_new, cert_j, viol_j = _al_step(
                W, Xj, yj, Mj, Sj, gamma, jnp.asarray(dlt, dtype), jnp.asarray(beta, dtype),
                loss=loss,
            )  # fmt: skip
            viol = float(viol_j) / ymax
            cert = float(met) if not loss.quadratic or beta == 0 else abs(float(cert_j))
            gamma = gamma_new
            inner_ok = float(met) <= max(omega, tol)
            if verbose:
                print(
                    f"AL outer {outer}: inner {int(k)} (total {total}), mns {float(met):.2e}, "
                    f"omega {omega:.1e}, delta {dlt:.3g}, cert {cert:.2e}, viol {viol:.2e}"
                )
            if cert <= tol and viol <= constraint_tol and inner_ok:
                converged = True
                break
            if certify is not None and viol <= constraint_tol and inner_ok:
                # feasible, inner solve converged, multiplier bound above tol: try the exact
                # (NNLS) certificate (it is often met before the inner tolerance reaches tol)
                cert = min(cert, float(certify(np.asarray(W, dtype=np.float64))))
                if cert <= tol:
                    converged = True
                    break
            if not inner_ok:
                # inner solve hit its iteration cap: keep omega, the next solve is warm-started
                continue
            # adaptive penalty (LANCELOT-style): grow delta while the violation stalls
            if viol > constraint_tol and viol > 0.5 * prev_viol:
                dlt *= delta_growth
                eta = None
            prev_viol = viol
            omega = max(omega * 0.1, omega_min)
        Wout = np.asarray(W, dtype=np.float64)[:, :B0, :d0]
        gout = np.asarray(gamma, dtype=np.float64)[:n0, :, :B0]
    if not converged:
        warnings.warn(
            f"augmented_lagrangian: stopped after {total} inner / {outer} outer iterations "
            f"(limits max_iter={max_iter}, max_outer={max_outer}) with certificate={cert:.3e}, "
            f"violation={viol:.3e} (tol={tol:.1e})",
            RuntimeWarning,
            stacklevel=3,
        )
    return FastResult(Wout, total, converged, cert, gout, viol * ymax, outer)


# ----------------------------------------------------------------------------- ADMM
@jax.jit
def _admm_factor(X, Mb, rho):
    """Per-block inverse Hinv = (rho (I + X^T X))^{-1} and Cholesky of C = I + Q o (Mb Mb^T)."""
    n = X.shape[0]
    lam, Vec = jnp.linalg.eigh(X.T @ X)
    Hinv = (Vec / (rho * (1.0 + lam))[None, :]) @ Vec.T
    Q = X @ Hinv @ X.T
    C = jnp.eye(n, dtype=X.dtype) + Q * (Mb @ Mb.T)
    return Hinv, jnp.linalg.cholesky(C)


@functools.partial(jax.jit, static_argnames=("iters",))
def _admm_chunk(state, X, y, Mb, Sb, beta, rho, Hinv, Lc, Kty, *, iters):
    """``iters`` scaled-ADMM iterations (W-update by Woodbury, exact)."""
    from jax.scipy.linalg import cho_solve

    def Kt(v):  # (n, c) -> (c, B, d)
        return _gradW(X, v[:, :, None] * Mb[:, None, :])

    def body(_, st):
        W, z, lam, s, mu = st
        rhs = Kty + rho * (z - lam) + rho * _gradW(X, (s - mu) * Sb[:, None, :])
        t1 = jnp.einsum("cbd,de->cbe", rhs, Hinv)
        Kt1 = _pred(_Z(X, t1), Mb)  # (n, c)
        sol = cho_solve((Lc, True), Kt1)
        W = t1 - jnp.einsum("cbd,de->cbe", Kt(sol), Hinv)
        GW = _Z(X, W) * Sb[:, None, :]
        z = _prox(W + lam, beta / rho)
        s = jnp.maximum(GW + mu, 0.0)
        lam = lam + W - z
        mu = mu + GW - s
        return (W, z, lam, s, mu)

    return lax.fori_loop(0, iters, body, state)


@jax.jit
def _admm_check(state, X, y, Mb, Sb, beta, rho):
    """Certificate at z with multipliers gamma = (-rho mu)_+; residuals for rho balancing."""
    W, z, _, s, mu = state
    Zz = _Z(X, z)
    r = y - _pred(Zz, Mb)
    gamma = jnp.maximum(-rho * mu, 0.0)
    g = -_gradW(X, r[:, :, None] * Mb[:, None, :] + gamma * Sb[:, None, :])
    gap = _gap(z, y - r, g, y, beta)
    viol = jnp.max(jnp.sum(jnp.maximum(-Zz * Sb[:, None, :], 0.0), axis=2))
    prim = jnp.sqrt(jnp.vdot(W - z, W - z) + jnp.vdot(_Z(X, W) * Sb[:, None, :] - s,
                                                     _Z(X, W) * Sb[:, None, :] - s))  # fmt: skip
    return gap, viol, prim, gamma


def admm(
    X,
    y,
    M,
    S,
    beta,
    *,
    tol=1e-6,
    constraint_tol=None,
    max_iter=20_000,
    rho=None,
    check_every=10,
    dtype=np.float64,
    verbose=False,
):
    r"""ADMM for the cone-constrained group Lasso (squared loss), structure of CRONOS (§7.5).

    Splitting :math:`z=W` (group norm) and :math:`s=G W\ge0` (cones), scaled form:

    .. math::
        W &\leftarrow (K^\top K+\rho I+\rho G^\top G)^{-1}
              \big(K^\top y+\rho(z-\lambda)+\rho G^\top(s-\mu)\big),\\
        z &\leftarrow \operatorname{prox}_{(\beta/\rho)\|\cdot\|_{2,1}}(W+\lambda),\quad
        s \leftarrow (GW+\mu)_+,\quad \lambda\mathrel{+}=W-z,\quad \mu\mathrel{+}=GW-s .

    Since :math:`G_b^\top G_b=X^\top X` for every block, the system is solved *exactly* by
    Woodbury: :math:`(H+K^\top K)^{-1}=H^{-1}-H^{-1}K^\top(I_n+KH^{-1}K^\top)^{-1}KH^{-1}` with
    :math:`H=\rho(I+X^\top X)` per block and :math:`KH^{-1}K^\top=(XH^{-1}X^\top)\odot(MM^\top)`
    (an ``n x n`` Cholesky, :math:`O(n^2B+n^3)` once per :math:`\rho`). Memory is
    :math:`O(n^2+nB c+Bd c)`; for very large ``n`` use :func:`augmented_lagrangian`.
    Returns ``z`` (exactly group-sparse) with multipliers :math:`\gamma=(-\rho\mu)_+`.
    """
    constraint_tol = 0.1 * tol if constraint_tol is None else constraint_tol
    X, y, M, S, _, (n0, d0, B0) = _pad(np.asarray(X), np.asarray(y), np.asarray(M), np.asarray(S))
    with jax.enable_x64(np.dtype(dtype) == np.float64):
        Xj, yj, Mj = _prep(X, y, M, dtype)
        Sj = jnp.asarray(S, dtype)
        n, d = Xj.shape
        c, B = yj.shape[1], Mj.shape[1]
        if rho is None:
            L = float(_power(Xj, Mj, c=c))
            rho = np.sqrt(L * float(jnp.linalg.norm(Xj, 2) ** 2)) / max(B, 1) ** 0.5 / 10.0
        rho = float(rho)
        Kty = _gradW(Xj, yj[:, :, None] * Mj[:, None, :])
        zeros = jnp.zeros((c, B, d), dtype)
        state = (zeros, zeros, zeros, jnp.zeros((n, c, B), dtype), jnp.zeros((n, c, B), dtype))
        Hinv, Lc = _admm_factor(Xj, Mj, jnp.asarray(rho, dtype))
        ymax = max(float(jnp.max(jnp.abs(yj))), 1e-300)
        it, converged = 0, False
        gap = viol = np.inf
        while it < max_iter:
            state = _admm_chunk(
                state, Xj, yj, Mj, Sj, jnp.asarray(beta, dtype), jnp.asarray(rho, dtype),
                Hinv, Lc, Kty, iters=int(check_every),
            )  # fmt: skip
            it += int(check_every)
            g, v, prim, gamma = _admm_check(
                state, Xj, yj, Mj, Sj, jnp.asarray(beta, dtype), jnp.asarray(rho, dtype)
            )
            gap, viol = abs(float(g)), float(v) / ymax
            if verbose:
                print(f"ADMM {it}: gap {gap:.2e}, viol {viol:.2e}, prim {float(prim):.2e}")
            if gap <= tol and viol <= constraint_tol:
                converged = True
                break
        z = np.asarray(state[1], dtype=np.float64)[:, :B0, :d0]
        gout = np.asarray(gamma, dtype=np.float64)[:n0, :, :B0]
    if not converged:
        warnings.warn(
            f"admm: stopped at max_iter={max_iter} with gap={gap:.3e}, violation={viol:.3e} "
            f"(tol={tol:.1e})",
            RuntimeWarning,
            stacklevel=3,
        )
    return FastResult(z, it, converged, gap, gout, viol * ymax, 0)
