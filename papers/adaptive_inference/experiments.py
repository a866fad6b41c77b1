"""Experiments (pure compute): trained state spaces on scikit-learn data with their oracle
and approximate gains, the confidence cascade, the chance control and the state-space
ablations; approximations against the exact oracle on random and adversarial correctness
matrices; the published-table mode."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from common.cli import RunContext
from common.datasets import sklearn_dataset
from papers.adaptive_inference.agents import confidence_cascade
from papers.adaptive_inference.families import (
    CNNResolutionFamily,
    CNNWidthFamily,
    EarlyExitCNN,
    EarlyExitMLP,
    ResolutionFamily,
    WidthFamily,
    cross_fit,
)
from papers.adaptive_inference.gains import APPROXIMATIONS, approximate_gains, exact_gains
from papers.adaptive_inference.published import DEFAULT_TABLE, load_table, target_gains
from papers.adaptive_inference.shapes import make_shapes

#: Accuracy grid on which the frontiers are stored (cost per input; NaN where undefined).
GRID = np.linspace(0.0, 1.0, 401)
METHODS = tuple(APPROXIMATIONS)  # nested, union, independent
KINDS = ("nested", "correlated", "independent", "anti", "disjoint")


# -- data ---------------------------------------------------------------------------------
def _digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = sklearn_dataset("digits")
    return X / 16.0, y.astype(np.int64)


def _synthetic(p: Mapping[str, Any], ctx: RunContext) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=p["n_samples"],
        n_features=20,
        n_informative=10,
        n_classes=10,
        n_clusters_per_class=2,
        flip_y=0.05,
        random_state=ctx.derive("data") % 2**32,
    )
    return X, y.astype(np.int64)


def _fit(make, X, y, p: Mapping[str, Any], ctx: RunContext, standardize: bool = False):
    if ctx.device == "cpu":
        torch.set_num_threads(1)
    return cross_fit(
        make,
        X,
        y,
        folds=p["folds"],
        repeats=p["repeats"],
        epochs=p["epochs"],
        batch=p["batch"],
        lr=p["lr"],
        weight_decay=p["weight_decay"],
        seed=ctx.derive,
        device=ctx.device,
        standardize=standardize,
    )


# -- analysis of one family ---------------------------------------------------------------
def _frontier(cost_at: Callable[[float], float], top: float) -> np.ndarray:
    return np.array([cost_at(a) if a <= top + 1e-12 else np.nan for a in GRID])


def _gains(correct: np.ndarray, costs: np.ndarray) -> dict[str, float]:
    """Exact and approximate iso gains of one correctness matrix, at A_N."""
    e = exact_gains(correct, costs)
    out = {"iso": e.iso_gain, "efficiency": e.efficiency_gain}
    for m in METHODS:
        out[m] = approximate_gains(e.accuracies, costs, method=m).gain
    return out


def analyse_family(
    correct: np.ndarray,
    confidence: np.ndarray,
    costs: np.ndarray,
    chance_correct: np.ndarray,
    thresholds: np.ndarray,
    stop_costs: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every quantity of the brief for one family, per repeat (axis 0 of the inputs).

    ``chance_correct`` (repeats, n): a zero-cost state answering a random class.
    """
    keys = (
        "efficiency_gain",
        "accuracy_gain",
        "iso_gain",
        "iso_gain_best",
        "oracle_cost",
        "oracle_accuracy",
        "nested_best",
        "cascade_gain_direct",
        "cascade_gain_sequential",
        "chance_efficiency_gain",
        "chance_iso_gain",
        "nested_excess",
        "union_excess",
        "unsolved_share",
        *(f"approx_{m}" for m in METHODS),
    )
    out: dict[str, list] = {k: [] for k in keys}
    for k in (
        "accuracy",
        "first_share",
        "exact_frontier",
        "cascade_accuracy",
        "cascade_direct",
        "cascade_sequential",
        *(f"{m}_frontier" for m in METHODS),
    ):
        out[k] = []
    for rep in range(correct.shape[0]):
        c = correct[rep]
        e = exact_gains(c, costs)
        acc, top = e.accuracies, float(np.max(e.accuracies))
        out["accuracy"].append(acc)
        for k in ("efficiency_gain", "accuracy_gain", "iso_gain", "oracle_cost", "oracle_accuracy"):
            out[k].append(getattr(e, k))
        out["iso_gain_best"].append(e.iso_gain_at(top))
        for m in METHODS:
            out[f"approx_{m}"].append(approximate_gains(acc, costs, method=m).gain)
        out["nested_best"].append(approximate_gains(acc, costs, at=top).gain)
        exact_f = _frontier(e.iso_cost, e.oracle_accuracy)
        out["exact_frontier"].append(exact_f)
        for m in METHODS:
            mm = APPROXIMATIONS[m]
            f = _frontier(lambda a, mm=mm, acc=acc: mm.cost(acc, costs, a), mm.max_accuracy(acc))
            out[f"{m}_frontier"].append(f)
        # frontier dominance (brief fact 3 and its union counterpart), relative to R_N
        both = ~np.isnan(exact_f) & ~np.isnan(out["nested_frontier"][-1])
        out["nested_excess"].append(
            np.max(exact_f[both] - out["nested_frontier"][-1][both]) / costs[-1]
        )
        both = ~np.isnan(exact_f)
        out["union_excess"].append(
            np.max(out["union_frontier"][-1][both] - exact_f[both]) / costs[-1]
        )
        solvable = c.any(axis=0)
        out["first_share"].append(
            np.bincount(e.oracle_state[solvable], minlength=c.shape[0]) / c.shape[1]
        )
        out["unsolved_share"].append(1.0 - e.oracle_accuracy)
        cas = confidence_cascade(confidence[rep], c, costs, thresholds, stop_costs)
        out["cascade_accuracy"].append(cas.accuracy)
        out["cascade_direct"].append(cas.direct_cost)
        out["cascade_sequential"].append(cas.sequential_cost)
        for acct in ("direct", "sequential"):
            out[f"cascade_gain_{acct}"].append(costs[-1] / cas.best_cost_at(acc[-1], acct))
        ch = exact_gains(np.vstack([chance_correct[rep], c]), np.concatenate([[0.0], costs]))
        out["chance_efficiency_gain"].append(ch.efficiency_gain)
        out["chance_iso_gain"].append(ch.iso_gain)
    res = {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}
    res.update(costs=np.asarray(costs, dtype=np.float64), thresholds=thresholds, grid=GRID)
    if stop_costs is not None:
        res["stop_costs"] = np.asarray(stop_costs, dtype=np.float64)
    return res


def _thresholds(p: Mapping[str, Any]) -> np.ndarray:
    """``n_thresholds`` confidence levels in [0, 1] and one above 1 (always the last state)."""
    return np.concatenate([np.linspace(0.0, 1.0, p["n_thresholds"]), [1.01]])


def _chance(y: np.ndarray, n_classes: int, repeats: int, ctx: RunContext) -> np.ndarray:
    rng = ctx.rng("chance")
    return rng.integers(0, n_classes, size=(repeats, y.size)) == y[None, :]


# -- state-space ablations (width families) -----------------------------------------------
def log_subset(n_total: int, size: int) -> np.ndarray:
    """``size`` log-spaced states out of ``n_total`` (log-spaced already), both ends kept."""
    return np.unique(np.round(np.linspace(0, n_total - 1, size)).astype(int))


def _ablate(correct: np.ndarray, costs: np.ndarray, subsets: Sequence[np.ndarray]) -> dict:
    """Exact and approximate gains of each subset of states, per repeat: (repeats, subsets)."""
    rows = [[_gains(correct[r][s], costs[s]) for s in subsets] for r in range(correct.shape[0])]
    return {k: np.array([[g[k] for g in row] for row in rows]) for k in rows[0][0]}


def _width_experiment(X, y, d_in, p, ctx, standardize) -> dict[str, Any]:
    widths = sorted(p["widths"])
    g = int(p["granularity_states"])
    linear = []
    if g:
        linear = np.round(np.linspace(widths[0], widths[-1], g)).astype(int).tolist()
    trained = sorted(set(widths) | set(linear))
    fit = _fit(lambda gen: WidthFamily(d_in, 10, trained, gen), X, y, p, ctx, standardize)
    all_costs = WidthFamily(d_in, 10, trained, torch.Generator()).costs()
    main = np.array([trained.index(w) for w in widths])
    costs = all_costs[main]
    out = analyse_family(
        fit.correct[:, main],
        fit.confidence[:, main],
        costs,
        _chance(y, 10, p["repeats"], ctx),
        _thresholds(p),
    )
    c = fit.correct[:, main]
    sizes = [s for s in p["sizes"] if s <= len(widths)]
    size_sets = [log_subset(len(widths), s) for s in sizes]
    range_sets = [np.arange(j, len(widths)) for j in range(len(widths) - 1)]
    for name, sets in (("size", size_sets), ("range", range_sets)):
        for k, v in _ablate(c, costs, sets).items():
            out[f"{name}_{k}"] = v
    out["size_n"] = np.array([len(s) for s in size_sets])
    out["range_ratio"] = np.array([costs[-1] / costs[s[0]] for s in range_sets])
    if g:
        log_idx = main[log_subset(len(widths), g)]
        lin_idx = np.array([trained.index(w) for w in linear])
        gran = [
            _ablate(fit.correct[:, idx], all_costs[idx], [np.arange(g)])
            for idx in (log_idx, lin_idx)
        ]
        for k in gran[0]:
            out[f"granularity_{k}"] = np.concatenate([gran[0][k], gran[1][k]], axis=1)
        out["granularity_widths"] = np.array([np.asarray(trained)[log_idx], linear])
    out["widths"] = np.asarray(widths)
    out["n_inputs"] = int(X.shape[0])
    out["example_correct"] = c[0]  # one repeat's correctness matrix, for the figure
    return out


def run_digits_width(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """F1 on digits: one-hidden-layer MLPs of widths 1..1024, 5-fold cross-fitting."""
    X, y = _digits()
    return _width_experiment(X, y, 64, p, ctx, standardize=False)


def run_synthetic_width(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """F1 on make_classification (10 classes, 2 clusters each, 5% flipped labels)."""
    X, y = _synthetic(p, ctx)
    return _width_experiment(X, y, 20, p, ctx, standardize=True)


def _sorted_family(fit, costs, stop_costs=None):
    order = np.argsort(costs, kind="stable")
    stops = None if stop_costs is None else stop_costs[order]
    return fit.correct[:, order], fit.confidence[:, order], costs[order], stops, order


def run_digits_resolution(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """F2 on digits: 2x2, 4x4, 8x8 average-pooled inputs, linear and MLP classifiers."""
    X, y = _digits()
    sizes = p["sizes"]
    fit = _fit(lambda g: ResolutionFamily(10, p["width"], sizes, g), X, y, p, ctx)
    fam = ResolutionFamily(10, p["width"], sizes, torch.Generator())
    c, conf, costs, _, order = _sorted_family(fit, fam.costs())
    out = analyse_family(c, conf, costs, _chance(y, 10, p["repeats"], ctx), _thresholds(p))
    out["names"] = [fam.names()[i] for i in order]
    out["example_correct"] = c[0]
    return out


def run_digits_early_exit(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """F3 on digits: a 4-hidden-layer MLP with an exit head after each layer."""
    X, y = _digits()
    make = lambda g: EarlyExitMLP(64, 10, p["width"], p["depth"], g)  # noqa: E731
    fit = _fit(make, X, y, p, ctx)
    fam = make(torch.Generator())
    c, conf, costs, stops, _ = _sorted_family(fit, fam.costs(), fam.stop_costs())
    out = analyse_family(
        c, conf, costs, _chance(y, 10, p["repeats"], ctx), _thresholds(p), stop_costs=stops
    )
    out["example_correct"] = c[0]
    return out


# -- CNN families (the brief's full scale) -------------------------------------------------
def _images(dataset: str, p: Mapping[str, Any], ctx: RunContext):
    """(X flattened, y, image width): digits 8x8 or the generated shapes task."""
    if dataset == "digits":
        return (*_digits(), 8)
    X, y = make_shapes(p["n_samples"], p["image_size"], ctx.rng("shapes"), noise=p["noise"])
    return X, y, p["image_size"]


def _cnn(dataset: str, family: str, p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """One CNN family (``width``, ``early_exit`` or ``resolution``) on one image task."""
    X, y, size = _images(dataset, p, ctx)
    makers = {
        "width": lambda g: CNNWidthFamily(size, 10, p["widths"], p["depth"], g),
        "early_exit": lambda g: EarlyExitCNN(size, 10, p["channels"], p["depth"], g),
        "resolution": lambda g: CNNResolutionFamily(
            size, 10, p["sizes"], p["channels"], p["depth"], g
        ),
    }
    make = makers[family]
    fam = make(torch.Generator())
    fit = _fit(make, X, y, p, ctx)
    stops = fam.stop_costs() if family == "early_exit" else None
    c, conf, costs, stops, order = _sorted_family(fit, fam.costs(), stops)
    out = analyse_family(
        c, conf, costs, _chance(y, 10, p["repeats"], ctx), _thresholds(p), stop_costs=stops
    )
    if family == "width":
        range_sets = [np.arange(j, costs.size) for j in range(costs.size - 1)]
        for k, v in _ablate(c, costs, range_sets).items():
            out[f"range_{k}"] = v
        out["range_ratio"] = np.array([costs[-1] / costs[s[0]] for s in range_sets])
    out["names"] = [fam.names()[i] for i in order]
    out["image_size"] = int(size)
    out["n_inputs"] = int(X.shape[0])
    out["example_correct"] = c[0]
    return out


def run_digits_cnn_width(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """CNN width family on digits 8x8: channels 1, 2, 4, ... per conv layer."""
    return _cnn("digits", "width", p, ctx)


def run_digits_cnn_early_exit(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Early-exit CNN on digits: an exit head after every conv layer."""
    return _cnn("digits", "early_exit", p, ctx)


def run_digits_cnn_resolution(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """CNN resolution family on digits: 2x2, 4x4, 8x8 average-pooled inputs."""
    return _cnn("digits", "resolution", p, ctx)


def run_shapes_cnn_width(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """CNN width family on the generated shapes-and-textures task."""
    return _cnn("shapes", "width", p, ctx)


def run_shapes_cnn_early_exit(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Early-exit CNN on the generated shapes-and-textures task."""
    return _cnn("shapes", "early_exit", p, ctx)


def run_shapes_cnn_resolution(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """CNN resolution family on the generated shapes-and-textures task."""
    return _cnn("shapes", "resolution", p, ctx)


# -- approximations against the exact oracle ----------------------------------------------
def correctness_matrix(
    kind: str, accuracies: np.ndarray, n: int, rng: np.random.Generator, rho: float = 0.5
) -> np.ndarray:
    """A random (states, n) correctness matrix with the given per-state accuracies.

    ``nested``: one difficulty per input, shared by all states (correct sets nested by
    accuracy; the nested approximation is then exact); ``independent``: fresh draws per
    state; ``correlated``: each entry uses the shared difficulty with probability ``rho``;
    ``anti``: the cheaper half of the states sees ``1 - difficulty`` (they are right where
    the expensive ones fail); ``disjoint``: state ``i`` is right on an arc of length
    ``A_i`` placed after the previous state's arc on the circle (correct sets as disjoint as
    possible; the union approximation is then exact up to rounding).
    """
    a = np.asarray(accuracies, dtype=np.float64)
    u = rng.random(n)
    if kind == "nested":
        v = np.broadcast_to(u, (a.size, n))
    elif kind == "independent":
        v = rng.random((a.size, n))
    elif kind == "correlated":
        v = np.where(rng.random((a.size, n)) < rho, u, rng.random((a.size, n)))
    elif kind == "anti":
        half = a.size // 2
        v = np.vstack([np.broadcast_to(1 - u, (half, n)), np.broadcast_to(u, (a.size - half, n))])
    elif kind == "disjoint":
        start = np.concatenate([[0.0], np.cumsum(a)[:-1]]) % 1.0
        v = (u[None, :] - start[:, None]) % 1.0
    else:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return v < a[:, None]


def run_random_matrices(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Exact iso gain against the nested, union and independent approximations on random
    and adversarial correctness matrices (random accuracies and log-uniform costs)."""
    kinds = list(p["kinds"])
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"kinds: unknown kind {k!r}; choose from {KINDS}")
    rng = ctx.rng("matrices")
    shape = (len(kinds), p["draws"])
    out = {
        k: np.zeros(shape)
        for k in (
            "iso",
            "efficiency",
            *METHODS,
            "nested_excess",
            "union_excess",
            "accuracy_gain",
            "nested_accuracy",
        )
    }
    for i, kind in enumerate(kinds):
        for d in range(p["draws"]):
            acc = np.sort(rng.uniform(p["acc_low"], p["acc_high"], p["n_states"]))
            costs = np.sort(np.exp(rng.uniform(0.0, np.log(p["cost_range"]), p["n_states"])))
            costs[0], costs[-1] = 1.0, p["cost_range"]
            c = correctness_matrix(kind, acc, p["n_inputs"], rng, rho=p["rho"])
            e = exact_gains(c, costs)
            for m, v in _gains(c, costs).items():
                out[m][i, d] = v
            acc_hat = e.accuracies
            grid = np.linspace(0.0, np.maximum.accumulate(acc_hat)[-1], 101)
            ex = np.array([e.iso_cost(a) for a in grid])
            nested = np.array([APPROXIMATIONS["nested"].cost(acc_hat, costs, a) for a in grid])
            union = np.array([APPROXIMATIONS["union"].cost(acc_hat, costs, a) for a in grid])
            out["nested_excess"][i, d] = np.max(ex - nested) / costs[-1]
            out["union_excess"][i, d] = np.max(union - ex) / costs[-1]
            out["accuracy_gain"][i, d] = e.accuracy_gain
            out["nested_accuracy"][i, d] = np.max(acc_hat)
    return {**out, "kinds": kinds}


# -- published tables ---------------------------------------------------------------------
def run_published(p: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """The approximate bounds on published accuracy/cost tables (no per-input data)."""
    table = load_table(p["table"] or DEFAULT_TABLE)
    fams = list(table.values())
    m = max(f.accuracy.size for f in fams)
    pad = lambda: np.full((len(fams), m), np.nan)  # noqa: E731
    out = {f"target_{k}": pad() for k in METHODS}
    out.update(range_nested=pad(), range_ratio=pad(), size_nested=pad(), size_n=pad())
    out.update(accuracy=pad(), cost=pad())
    for i, f in enumerate(fams):
        k = f.accuracy.size
        out["accuracy"][i, :k], out["cost"][i, :k] = f.accuracy, f.cost
        for meth in METHODS:
            out[f"target_{meth}"][i, :k] = target_gains(f.accuracy, f.cost, meth)
        for j in range(k - 1):  # drop the j smallest models
            out["range_nested"][i, j] = approximate_gains(f.accuracy[j:], f.cost[j:]).gain
            out["range_ratio"][i, j] = f.cost[-1] / f.cost[j]
        for j, size in enumerate(range(2, k + 1)):
            s = log_subset(k, size)
            out["size_nested"][i, j] = approximate_gains(f.accuracy[s], f.cost[s]).gain
            out["size_n"][i, j] = size
    return {
        **out,
        "families": [f.name for f in fams],
        "models": [list(f.models) for f in fams],
        "cost_units": [f.cost_unit for f in fams],
        "sources": sorted({s for f in fams for s in f.sources}),
    }
