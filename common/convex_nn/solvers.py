r"""Solver objects and their registry: which solver runs which loss, formulation and dtype.

In the manner of skglm, a solver states what it needs and is refused before it runs: each
:class:`Solver` declares the formulations and dtypes it handles and the loss oracles it needs
(``requires``: methods of :class:`~common.convex_nn.losses.Loss`, and ``quadratic`` for the
methods built on the squared loss: Newton, interior point, Woodbury). So a new loss runs on
every solver whose oracles it implements without touching this file.
:func:`common.convex_nn.solve_convex` validates the input, looks the solver up in
:data:`SOLVERS` (:func:`get_solver`), calls :meth:`Solver.check` and :meth:`Solver.solve`, and
certifies the result the same way for every solver. ``python -m common.convex_nn.solvers``
prints the support table (:func:`support_table`).
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field, replace

import numpy as np

from . import fast
from .certificates import duality_gap
from .formulations import FORMULATIONS, Formulation
from .losses import LOSSES, Loss
from .reference import solve_cvxpy
from .working_set import working_set

__all__ = [
    "SOLVERS",
    "ConvexProblem",
    "Settings",
    "Solution",
    "Solver",
    "UnsupportedProblemError",
    "get_solver",
    "support_table",
]

DTYPES = ("float32", "float64")


class UnsupportedProblemError(ValueError):
    """A solver was asked for a loss, formulation or dtype it does not support."""


@dataclass(frozen=True, eq=False)
class ConvexProblem:
    """A validated program in solver units: ``y2 (n, c)``, masks ``M`` and cone signs ``S``
    ``(n, P)``, patterns ``D (P, n)``; ``y`` keeps the caller's shape."""

    X: np.ndarray
    y: np.ndarray
    y2: np.ndarray
    D: np.ndarray
    M: np.ndarray
    S: np.ndarray
    beta: float
    loss: Loss
    formulation: Formulation
    dtype: str


@dataclass(frozen=True)
class Settings:
    tol: float
    max_iter: int | None = None
    constraint_tol: float | None = None
    opts: dict = field(default_factory=dict)
    verbose: bool = False


@dataclass(eq=False)
class Solution:
    """What a solver returns: stacked blocks ``U3``, ``V3`` ``(c, P, d)`` and its own report.

    ``lower_bound`` is a certified bound on the optimum if the solver has one (the working
    set); cone multipliers ``gamma_u``, ``gamma_v`` ``(c, n, P)`` tighten the duality gap."""

    U3: np.ndarray
    V3: np.ndarray
    converged: bool
    iterations: int
    solver: str
    dtype: str = "float64"
    gamma_u: np.ndarray | None = None
    gamma_v: np.ndarray | None = None
    lower_bound: float | None = None


class Solver:
    """Base class. Subclasses set the class attributes and implement :meth:`solve`."""

    name: str = ""
    formulations: tuple[str, ...] = FORMULATIONS
    dtypes: tuple[str, ...] = DTYPES
    requires: tuple[str, ...] = ("value", "gradient", "conjugate")  # Loss oracles used
    quadratic: bool = False  # squared loss only
    method: str = ""

    def supports_loss(self, loss: Loss) -> bool:
        if self.quadratic and not loss.quadratic:
            return False
        return all(getattr(type(loss), o) is not getattr(Loss, o) for o in self.requires)

    def losses(self) -> tuple[str, ...]:
        """Names of the registered losses this solver runs."""
        return tuple(k for k, v in LOSSES.items() if self.supports_loss(v))

    def describe(self) -> str:
        return (
            f"formulation in {self.formulations}, loss in {self.losses()}, dtype in {self.dtypes}"
        )

    def unsupported(self, loss: Loss, formulation: Formulation, dtype: str) -> list[str]:
        """The parts of a request this solver does not support (empty if it takes it)."""
        asked = []
        if formulation.name not in self.formulations:
            asked.append(f"formulation={formulation.name!r}")
        if not self.supports_loss(loss):
            asked.append(f"loss={str(loss)!r}")
        if dtype not in self.dtypes:
            asked.append(f"dtype={dtype!r}")
        return asked

    def accepts(self, loss: Loss, formulation: Formulation, dtype: str) -> bool:
        return not self.unsupported(loss, formulation, dtype)

    def options(self, loss: Loss, formulation: Formulation, dtype: str) -> frozenset | None:
        """The ``solver_opts`` keys this solver takes for a request (``None``: any, passed on
        unchecked, e.g. to a CVXPY solver)."""
        return None

    def check(self, loss: Loss, formulation: Formulation, dtype: str) -> None:
        """Raise :class:`UnsupportedProblemError` naming the solver, what was asked, what it
        supports and which registered solvers would take the request."""
        asked = self.unsupported(loss, formulation, dtype)
        if not asked:
            return
        others = [
            k for k, s in SOLVERS.items()
            if k != self.name and s.accepts(loss, formulation, dtype)
        ]  # fmt: skip
        raise UnsupportedProblemError(
            f"solver={self.name!r} does not support {', '.join(asked)}: it supports "
            f"{self.describe()}. Solvers that do: {others or 'none'}"
        )

    def solve(self, prob: ConvexProblem, settings: Settings) -> Solution:
        raise NotImplementedError


def _stacked(prob: ConvexProblem):
    """Masks and cone signs of the stacked ``u``/``v`` blocks, ``(n, 2P)``."""
    return np.concatenate([prob.M, -prob.M], axis=1), np.concatenate([prob.S, prob.S], axis=1)


def _split(prob: ConvexProblem, W):
    P = prob.D.shape[0]
    return W[:, :P], W[:, P:]


def _keyword_options(fn, *set_here) -> frozenset:
    """``fn``'s keyword-only parameters, less those the solver sets itself."""
    params = inspect.signature(fn).parameters.values()
    return frozenset(p.name for p in params if p.kind is p.KEYWORD_ONLY) - set(set_here)


class FISTA(Solver):
    name = "fista"
    formulations = ("gated",)
    method = (
        "R-FISTA in JAX (line search, restarts); squared loss in float64: float32 to a 1e-2 "
        "gap, then mixed-precision active-set Newton (newton.py), certified on the full program"
    )

    def options(self, loss, formulation, dtype):
        return _keyword_options(fast.fista, "loss", "tol", "max_iter", "dtype")

    def solve(self, prob, settings):
        res = fast.fista(
            prob.X, prob.y2, prob.M, prob.beta, loss=prob.loss, tol=settings.tol,
            max_iter=settings.max_iter or 10_000, dtype=prob.dtype, **settings.opts,
        )  # fmt: skip
        return Solution(res.W, np.zeros_like(res.W), res.converged, res.iterations, self.name,
                        prob.dtype)  # fmt: skip


class WorkingSet(Solver):
    name = "working_set"
    formulations = ("relu",)
    dtypes = ("float64",)
    quadratic = True
    method = (
        "column and row generation priced by exact NNLS (pricing.py), restricted SOCPs by our "
        "interior point (CLARABEL if it fails); stops on the full program's certified gap"
    )

    def options(self, loss, formulation, dtype):
        return _keyword_options(working_set, "tol", "constraint_tol", "max_rounds", "verbose")

    def run(self, prob, settings, opts):
        return working_set(
            prob.X, prob.y2, prob.M, prob.S, prob.beta, tol=settings.tol,
            constraint_tol=settings.constraint_tol, max_rounds=settings.max_iter or 50,
            verbose=settings.verbose, **opts,
        )  # fmt: skip

    def finish(self, prob, settings, ws) -> Solution:
        if not ws.converged:
            warnings.warn(
                f"working_set: stopped ({ws.status}) without a certified gap <= "
                f"tol={settings.tol:.1e} (converged=False; the result's certificate is the gap "
                "reached): raise max_iter (rounds) or, if max_vars stopped it, "
                "solver_opts={'max_vars': ...}",
                RuntimeWarning, stacklevel=4,
            )  # fmt: skip
        U3, V3 = _split(prob, ws.W)
        return Solution(U3, V3, ws.converged, ws.iterations, self.name,
                        lower_bound=ws.lower_bound)  # fmt: skip

    def solve(self, prob, settings):
        return self.finish(prob, settings, self.run(prob, settings, settings.opts))


class AugmentedLagrangian(Solver):
    name = "al"
    formulations = ("relu",)
    # float32 does not reach its 1e-4 tolerance on the 24 x 3 test problem in 1e5 iterations
    # (certificate 1.6e-4 squared, 0.29 logistic; measured before this registry existed)
    dtypes = ("float64",)
    method = "JAX augmented Lagrangian with R-FISTA inner solves: first-order, matrix-free"

    def options(self, loss, formulation, dtype):
        return _keyword_options(fast.augmented_lagrangian, "loss", "W0", "tol",
                                "constraint_tol", "max_iter", "dtype")  # fmt: skip

    def solve(self, prob, settings, W0=None):
        opts = dict(settings.opts)
        if prob.beta > 0:
            opts.setdefault("certify", _exact_certifier(prob))
        Mb, Sb = _stacked(prob)
        res = fast.augmented_lagrangian(
            prob.X, prob.y2, Mb, Sb, prob.beta, loss=prob.loss, tol=settings.tol,
            constraint_tol=settings.constraint_tol, max_iter=settings.max_iter or 20_000,
            dtype=prob.dtype, W0=W0, **opts,
        )  # fmt: skip
        return _with_multipliers(prob, res, self.name)


class ADMM(Solver):
    name = "admm"
    formulations = ("relu",)
    quadratic = True
    method = "JAX ADMM with exact Woodbury solves (CRONOS structure): first-order"

    def options(self, loss, formulation, dtype):
        return _keyword_options(fast.admm, "tol", "constraint_tol", "max_iter", "dtype")

    def solve(self, prob, settings):
        Mb, Sb = _stacked(prob)
        res = fast.admm(
            prob.X, prob.y2, Mb, Sb, prob.beta, tol=settings.tol,
            constraint_tol=settings.constraint_tol, max_iter=settings.max_iter or 20_000,
            dtype=prob.dtype, **settings.opts,
        )  # fmt: skip
        return _with_multipliers(prob, res, self.name)


def _with_multipliers(prob, res, name) -> Solution:
    U3, V3 = _split(prob, res.W)
    P = prob.D.shape[0]
    gamma_u = np.transpose(res.gamma[:, :, :P], (1, 0, 2))  # (c, n, P)
    gamma_v = np.transpose(res.gamma[:, :, P:], (1, 0, 2))
    return Solution(U3, V3, res.converged, res.iterations, name, prob.dtype, gamma_u=gamma_u,
                    gamma_v=gamma_v)  # fmt: skip


def _exact_certifier(prob: ConvexProblem):
    """Exact relative gap of the ReLU program at stacked blocks ``W (c, 2P, d)``."""
    P = prob.D.shape[0]

    def certify(W):
        U = np.transpose(W[:, :P], (1, 2, 0))
        V = np.transpose(W[:, P:], (1, 2, 0))
        if prob.y.ndim == 1:
            U, V = U[..., 0], V[..., 0]
        gap = duality_gap(prob.X, prob.y, prob.D, prob.beta, U, V, formulation="relu",
                          activation=prob.formulation.activation, loss=prob.loss)  # fmt: skip
        return abs(gap.relative_gap)

    return certify


class CVXPY(Solver):
    dtypes = ("float64",)
    requires = ("cvxpy", "gradient", "conjugate")

    def __init__(self, backend: str = "CLARABEL", name: str | None = None):
        self.backend = backend.upper()
        self.name = name or f"cvxpy:{self.backend}"
        self.method = f"CVXPY reference (reference.py) with {self.backend}, tight tolerances"

    def solve(self, prob, settings):
        relu = prob.formulation.constrained
        U3, V3, gamma_u, gamma_v, ok, statuses = solve_cvxpy(
            prob.X, prob.y2, prob.M, prob.S, prob.beta, relu=relu, loss=prob.loss,
            solver=self.backend, solver_opts=settings.opts, verbose=settings.verbose,
        )  # fmt: skip
        if not ok:
            warnings.warn(f"CVXPY/{self.backend} status {statuses}", RuntimeWarning, stacklevel=3)
        return Solution(U3, V3, ok, -1, f"cvxpy:{self.backend}", gamma_u=gamma_u,
                        gamma_v=gamma_v)  # fmt: skip


class Fast(Solver):
    """The default: the fastest certified solver for the request (see :meth:`choose`)."""

    name = "fast"
    method = (
        "gated: 'fista'; ReLU + squared loss: 'working_set' (the augmented Lagrangian "
        "continues from its iterate if the restricted program exceeds max_vars); other ReLU "
        "programs: 'al'; ReLU programs are solved in float64"
    )

    def supports_loss(self, loss):
        return FISTA().supports_loss(loss) or AugmentedLagrangian().supports_loss(loss)

    def choose(self, loss: Loss, formulation: Formulation, dtype: str) -> tuple[Solver, str]:
        """The solver run for a request, and its dtype: float32 is honoured where the chosen
        solver has it (R-FISTA), else the program is solved in float64 (reported so)."""
        if not formulation.constrained:
            return SOLVERS["fista"], dtype
        for name in ("working_set", "al"):
            if SOLVERS[name].accepts(loss, formulation, "float64"):
                s = SOLVERS[name]
                return s, dtype if dtype in s.dtypes else "float64"
        return SOLVERS["al"], dtype

    def unsupported(self, loss, formulation, dtype):
        inner, dt = self.choose(loss, formulation, dtype)
        return [
            f"{a} (it runs {inner.name!r} here)" for a in inner.unsupported(loss, formulation, dt)
        ]

    def options(self, loss, formulation, dtype):
        inner, dt = self.choose(loss, formulation, dtype)
        return inner.options(loss, formulation, dt)

    def solve(self, prob, settings):
        inner, dt = self.choose(prob.loss, prob.formulation, prob.dtype)
        if dt != prob.dtype:
            prob = replace(prob, dtype=dt)
        if not isinstance(inner, WorkingSet):
            return inner.solve(prob, settings)
        ws = inner.run(prob, settings, settings.opts)
        if ws.too_large:
            # high-dimensional data: dense restricted solves would cost O((B d)^3); continue
            # matrix-free with the augmented Lagrangian from the working-set iterate
            plain = Settings(settings.tol, settings.max_iter, settings.constraint_tol, {},
                             settings.verbose)  # fmt: skip
            return SOLVERS["al"].solve(prob, plain, W0=ws.W)
        return inner.finish(prob, settings, ws)


#: Registered solvers by the name ``solve_convex(solver=...)`` takes (lower case); also
#: ``"cvxpy:<NAME>"`` for any installed CVXPY solver.
SOLVERS: dict[str, Solver] = {
    "fast": Fast(),
    "fista": FISTA(),
    "working_set": WorkingSet(),
    "al": AugmentedLagrangian(),
    "admm": ADMM(),
    "cvxpy": CVXPY("CLARABEL", name="cvxpy"),
    "clarabel": CVXPY("CLARABEL", name="clarabel"),
    "scs": CVXPY("SCS", name="scs"),
    "mosek": CVXPY("MOSEK", name="mosek"),
}


def get_solver(solver) -> Solver:
    """The registered :class:`Solver` for a name (or the object itself)."""
    if isinstance(solver, Solver):
        return solver
    if not isinstance(solver, str):
        raise TypeError(f"solver must be a string, got {type(solver).__name__}")
    s = solver.lower()
    if s in SOLVERS:
        return SOLVERS[s]
    if s.startswith("cvxpy:"):
        return CVXPY(solver.split(":", 1)[1])
    raise ValueError(
        f"solver must be one of {', '.join(repr(k) for k in SOLVERS)} or 'cvxpy:<NAME>', "
        f"got {solver!r}"
    )


def support_table() -> str:
    """Markdown table of the registry: what each solver supports, and its method."""
    rows = [
        "| `solver=` | formulations | losses | dtypes | method |",
        "|---|---|---|---|---|",
    ]
    for key, s in SOLVERS.items():
        rows.append(
            f"| `{key!r}` | {', '.join(s.formulations)} | {', '.join(s.losses())} | "
            f"{', '.join(s.dtypes)} | {s.method} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover
    print(support_table())
