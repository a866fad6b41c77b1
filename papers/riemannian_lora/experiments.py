"""Experiments of the Riemannian preconditioned LoRA replication (pure compute).

- ``condition_number``: LoRA on one linear layer fitting a rank-3 update whose condition number
  kappa runs from 1 to 1000; iterations to a fixed accuracy for scaled GD and GD over a
  learning-rate grid and seeds (and, as a control, ill-conditioned data at kappa = 1).
- ``convex_relu``: the same on the convex (gated-ReLU) parameterisation of a two-layer network,
  with the target's and the data matrix's condition numbers swept separately.
- ``finetune_lr``: a tiny transformer pretrained in-process on one Markov chain, LoRA-fine-tuned
  on another; final excess loss across a learning-rate grid for SGD, scaled GD, AdamW and scaled
  AdamW, over seeds (all runs share one batched forward pass).
- ``width_sweep``: the infinite-width question (ICML version): LoRA fitting a few fixed inputs
  of growing width with one shared learning rate; loss curves and per-factor feature updates of
  scaled GD and GD across widths.
- ``step_cost``: optimizer step time of scaled vs plain AdamW on a stack of many LoRA layers.
- ``gpt2_e2e``: the paper's GPT-2 / E2E recipe (local weights and data at full scale; an
  in-process tiny GPT-2 stand-in at quick scale).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import numpy as np
import torch
from torch import nn

from common.arrangements import sample_patterns
from common.cli import RunContext
from papers.riemannian_lora import fullscale, tinylm
from papers.riemannian_lora.lora import LoRALinear, add_lora
from papers.riemannian_lora.lowrank import (
    factored_descent,
    gated_relu_coupling,
    lowrank_target,
    width_descent,
)
from papers.riemannian_lora.optim import OPTIMIZERS, PlainAdamW, ScaledAdamW, find_lora_pairs

#: the optimizers that take an ``eps`` (the Adam family)
_ADAM_FAMILY = (ScaledAdamW, PlainAdamW)

METHODS = ("scaled_gd", "gd")
FT_OPTIMIZERS = ("sgd", "scaled_gd", "adamw", "scaled_adamw")
#: fine-tuning variants: name -> (optimizer of ``make_optimizer``, extra options)
FT_VARIANTS = {
    "scaled_adamw_jacobi": ("scaled_adamw", {"ordering": "jacobi"}),  # peft's ordering
    "scaled_adamw_b78": ("scaled_adamw", {"betas": (0.7, 0.8)}),  # paper's GPT-2 betas
}


def _threads(params: Mapping[str, Any]) -> None:
    torch.set_num_threads(int(params.get("threads", 1)))


# ----------------------------------------------------------------------------- kappa sweeps
def _sweep(
    K: np.ndarray,
    targets: Callable[[float], np.ndarray],
    kappas: list[float],
    params: Mapping[str, Any],
    ctx: RunContext,
    draw: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``iters``, ``diverged`` of shape (method, kappa, lr, seed) for scaled GD and GD.

    Seed ``s`` draws the initial ``A`` from ``ctx.rng("init", s)`` (or ``("init", draw, s)``).
    """
    lrs = np.asarray(params["lrs"], dtype=np.float64)
    S, r = params["seeds"], params["rank"]
    P, _, d, _ = K.shape
    iters = np.full((2, len(kappas), lrs.size, S), -1)
    diverged = np.zeros(iters.shape, dtype=bool)
    bound = 1.0 / np.sqrt(d)  # kaiming-uniform(a=sqrt 5) A, zero B (loralib / peft)
    names = [("init", s) if draw is None else ("init", draw, s) for s in range(S)]
    A0 = np.stack([ctx.rng(*nm).uniform(-bound, bound, (P, r, d)) for nm in names])
    A0 = np.repeat(A0, lrs.size, axis=0)  # run = (seed, lr)
    L = np.tile(lrs, S)
    for k, kappa in enumerate(kappas):
        T = targets(kappa)
        B0 = np.zeros((A0.shape[0], P, T.shape[1], r))
        for m, method in enumerate(METHODS):
            res = factored_descent(
                K,
                T,
                A0,
                B0,
                L,
                precondition=method == "scaled_gd",
                reg=params["reg"],
                n_iter=params["n_iter"],
                tol=params["tol"],
            )
            iters[m, k] = res.iters.reshape(S, lrs.size).T
            diverged[m, k] = res.diverged.reshape(S, lrs.size).T
    return iters, diverged


def _data_sweep(sweep: Callable[[float], np.ndarray], iters: np.ndarray, params) -> np.ndarray:
    """(method, data kappa, lr, seed) at target kappa 1; data kappa 1 is the target sweep's."""
    if 1 not in params["kappas"]:
        raise ValueError("kappas must contain 1 (the data sweeps reuse it)")
    k1 = list(params["kappas"]).index(1)
    cols = [iters[:, k1] if dk == 1 else sweep(dk) for dk in params["data_kappas"]]
    return np.stack(cols, axis=1)


def best_iterations(iters: np.ndarray, cap: int) -> np.ndarray:
    """Best-tuned iterations (method, kappa): min over lr of the median over seeds; a run that
    did not converge counts as ``cap + 1``; NaN where no learning rate converged."""
    it = np.where(iters < 0, cap + 1, iters).astype(float)
    med = np.median(it, axis=-1).min(axis=-1)
    return np.where(med > cap, np.nan, med)


def run_condition_number(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    d, n, r = params["d"], params["n"], params["rank"]
    X = ctx.rng("data").standard_normal((n, d))
    K = (X.T @ X / n)[None, None]

    def target(kappa):
        return lowrank_target(d, d, r, kappa, ctx.rng("target"))[None]  # same U, V for every kappa

    iters, div = _sweep(K, target, params["kappas"], params, ctx)

    # control: ill-conditioned data (column scales log-spaced), well-conditioned target
    def data_sweep(data_kappa):
        Xs = X * np.logspace(0, -np.log10(data_kappa), d)
        return _sweep((Xs.T @ Xs / n)[None, None], target, [1.0], params, ctx)[0][:, 0]

    data_iters = _data_sweep(data_sweep, iters, params)
    return {
        "kappas": np.asarray(params["kappas"], float),
        "data_kappas": np.asarray(params["data_kappas"], float),
        "lrs": np.asarray(params["lrs"], float),
        "iters": iters,
        "diverged": div,
        "best_iters": best_iterations(iters, params["n_iter"]),
        "data_iters": data_iters,
        "data_best_iters": best_iterations(data_iters, params["n_iter"]),
        "n_iter": params["n_iter"],
        "tol": params["tol"],
        "methods": list(METHODS),
    }


def run_convex_relu(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Seed ``s`` is a fresh draw of data, activation patterns, targets and initialisation."""
    n, d, c, r = params["n"], params["d"], params["c"], params["rank"]
    one = {**params, "seeds": 1}
    iters, div, data_iters, cond, n_patterns = [], [], [], [], []
    for s in range(params["seeds"]):
        Z = ctx.rng("data", s).standard_normal((n, d))

        def coupling(data_kappa, Z=Z, s=s):
            X = Z * np.logspace(0, -np.log10(data_kappa), d)
            patterns = sample_patterns(X, params["patterns"], seed=ctx.derive("patterns", s))
            return gated_relu_coupling(X, patterns)

        def targets_for(P, s=s):
            def target(kappa):
                rng = ctx.rng("target", s)  # same singular vectors for every kappa
                return np.stack([lowrank_target(c, d, r, kappa, rng) for _ in range(P)])

            return target

        K1 = coupling(1.0)
        P = K1.shape[0]
        it, dv = _sweep(K1, targets_for(P), params["kappas"], one, ctx, draw=s)

        def data_sweep(data_kappa, coupling=coupling, targets_for=targets_for, s=s):
            K = coupling(data_kappa)
            return _sweep(K, targets_for(K.shape[0]), [1.0], one, ctx, draw=s)[0][:, 0]

        iters.append(it)
        div.append(dv)
        data_iters.append(_data_sweep(data_sweep, it, one))
        ev = np.linalg.eigvalsh(K1.transpose(0, 2, 1, 3).reshape(P * d, P * d))
        cond.append(ev.max() / ev.min())
        n_patterns.append(P)
    iters, data_iters = np.concatenate(iters, axis=-1), np.concatenate(data_iters, axis=-1)
    return {
        "kappas": np.asarray(params["kappas"], float),
        "data_kappas": np.asarray(params["data_kappas"], float),
        "lrs": np.asarray(params["lrs"], float),
        "iters": iters,
        "diverged": np.concatenate(div, axis=-1),
        "best_iters": best_iterations(iters, params["n_iter"]),
        "data_iters": data_iters,
        "data_best_iters": best_iterations(data_iters, params["n_iter"]),
        "n_patterns": np.asarray(n_patterns),
        "feature_condition_number": np.asarray(cond),
        "n_iter": params["n_iter"],
        "tol": params["tol"],
        "methods": list(METHODS),
    }


# ----------------------------------------------------------------------------- width
def steps_to_fraction(loss: np.ndarray, frac: float) -> np.ndarray:
    """First step at which ``loss[..., t] <= frac * loss[..., 0]``; -1 where never (or diverged)."""
    hit = loss <= frac * loss[..., :1]  # NaN compares False
    return np.where(hit.any(axis=-1), hit.argmax(axis=-1), -1)


def run_width_sweep(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """LoRA (rank r, s = 1, A kaiming-uniform, B = 0) on N fixed inputs of width n.

    Inputs have entries N(0, 1/n) (unit-norm rows: the scale at which full fine-tuning with a
    fixed learning rate has a width-independent limit, i.e. LoRA+'s Theta(1)-entry inputs with
    the learning rate divided by n); seed ``s`` draws the rank-r targets ``Y`` (N x c, the same
    at every width) and, per width, the inputs and the initial ``A``.
    """
    widths, lrs = list(params["widths"]), np.asarray(params["lrs"], float)
    S, N, c, r = params["seeds"], params["n_samples"], params["outputs"], params["rank"]
    steps = params["steps"]
    Y = np.stack(
        [
            ctx.rng("target", s).standard_normal((N, r))
            @ ctx.rng("target", s).standard_normal((r, c))
            / np.sqrt(r)
            for s in range(S)
        ]
    )
    shape = (2, len(widths), lrs.size, S)
    loss = np.full((*shape, steps + 1), np.nan)
    dA, dB = np.full((*shape, steps), np.nan), np.full((*shape, steps), np.nan)
    for w, n in enumerate(widths):
        X = np.stack([ctx.rng("data", s, n).standard_normal((N, n)) / np.sqrt(n) for s in range(S)])
        bound = 1.0 / np.sqrt(n)
        A0 = np.stack([ctx.rng("init", s, n).uniform(-bound, bound, (r, n)) for s in range(S)])
        # runs: (lr, seed)
        rep = np.tile(np.arange(S), lrs.size)
        for m, method in enumerate(METHODS):
            out = width_descent(
                X[rep], Y[rep], A0[rep], np.repeat(lrs, S),
                precondition=method == "scaled_gd", steps=steps, reg=params["reg"],
                stop_below=params["loss_fraction"],
            )  # fmt: skip
            loss[m, w] = out.loss.reshape(lrs.size, S, -1)
            dA[m, w] = out.delta_A.reshape(lrs.size, S, -1)
            dB[m, w] = out.delta_B.reshape(lrs.size, S, -1)
    return {
        "widths": np.asarray(widths, float),
        "lrs": lrs,
        "methods": list(METHODS),
        "loss": loss,
        "delta_A": dA,
        "delta_B": dB,
        "steps_to_frac": steps_to_fraction(loss, params["loss_fraction"]),
        "diverged": np.isnan(loss[..., -1]),
        "loss_fraction": params["loss_fraction"],
        "claim_min_width": params["claim_min_width"],
        "steps": steps,
        "n_samples": N,
    }


# ----------------------------------------------------------------------------- fine-tuning
def _pretrain(model: nn.Module, P: np.ndarray, params, rng: np.random.Generator) -> np.ndarray:
    opt = torch.optim.AdamW(model.parameters(), lr=params["pretrain_lr"], weight_decay=0.0)
    losses = np.empty(params["pretrain_steps"])
    pi = tinylm.stationary(P)
    for t in range(params["pretrain_steps"]):
        ids = tinylm.sample_chain(P, params["batch"], params["context"], rng, pi)
        ids = torch.from_numpy(ids)
        loss = tinylm.next_token_loss(model(ids[None]), ids[None])[0]
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[t] = loss.item()
    return losses


def run_finetune_lr(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Bit-reproducible on one machine at a fixed ``threads`` (CPU reductions depend on the
    thread count, and runs at the largest learning rates amplify the last bits): every torch
    draw comes from seeded generators or a seeded fork of the global stream, and deterministic
    algorithms are enforced for the duration of the run."""
    _threads(params)
    was = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(ctx.derive("torch_global"))
            return _finetune_lr(params, ctx)
    finally:
        torch.use_deterministic_algorithms(was)


def _kill_nonfinite(optimizers, by_run: dict[int, list], alive: torch.Tensor) -> None:
    """Step every optimizer; a run whose gradient is NaN/inf (``step()`` raises ValueError and
    updates nothing) is marked diverged, its adapter zeroed, and the step retried."""
    for opt in optimizers:
        while True:
            try:
                opt.step()
                break
            except ValueError:
                bad = [
                    k
                    for k in np.flatnonzero(alive.numpy()).tolist()
                    if any(
                        t.grad is not None and not bool(torch.isfinite(t.grad).all())
                        for pair in by_run[k]
                        for t in pair
                    )
                ]
                if not bad:
                    raise
                _drop(bad, by_run, alive)


def _drop(runs: list[int], by_run: dict[int, list], alive: torch.Tensor) -> None:
    with torch.no_grad():
        for k in runs:
            alive[k] = False
            for A, B in by_run[k]:
                A.zero_(), B.zero_()
                A.grad = B.grad = None


def _finetune_lr(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    V, T = params["vocab"], params["context"]
    rng = ctx.rng("chains")
    PA = tinylm.markov_chain(V, params["n_succ"], rng)
    PB = PA.copy()
    changed = rng.choice(V, size=params["rows_changed"], replace=False)
    PB[changed] = tinylm.markov_chain(V, params["n_succ"], rng)[changed]
    floor_a, floor_b = tinylm.entropy_rate(PA), tinylm.entropy_rate(PB)
    with torch.random.fork_rng():  # nn.Module init draws from the global stream: seed a fork
        torch.manual_seed(ctx.derive("model"))
        model = tinylm.TinyLM(V, params["d"], params["layers"], params["heads"], T)
    pre = _pretrain(model, PA, params, ctx.rng("pretrain"))
    # runs: (optimizer, lr, seed)
    runs = [
        (o, lr, s)
        for o in params["optimizers"]
        for lr in params["lrs_adam" if "adam" in o else "lrs_gd"]
        for s in range(params["seeds"])
    ]
    K = len(runs)
    gens = [torch.Generator().manual_seed(ctx.derive("lora", s)) for _, _, s in runs]
    add_lora(model, tuple(params["targets"]), params["rank"], params["alpha"], gens, runs=K)
    model.to(ctx.device)
    pairs, _ = find_lora_pairs(model)
    by_run: dict[int, list] = {}
    for p in pairs:
        by_run.setdefault(int(p.name.rsplit(".", 1)[1]), []).append((p.A, p.B))
    optimizers = []
    for name in params["optimizers"]:
        base, extra = FT_VARIANTS.get(name, (name, {}))
        cls, pre_on = OPTIMIZERS[base]
        kw = {"eps": params["eps"], **extra} if issubclass(cls, _ADAM_FAMILY) else dict(extra)
        groups = [
            {"pairs": by_run[k], "lr": lr, "precondition": pre_on}
            for k, (o, lr, _) in enumerate(runs)
            if o == name
        ]
        optimizers.append(cls(groups, reg=params["reg"], weight_decay=params["weight_decay"], **kw))
    data_rngs = [ctx.rng("data", s) for s in range(params["seeds"])]
    alive = torch.ones(K, dtype=torch.bool)
    curves = np.full((params["steps"], K), np.nan)
    limit = 3.0 * np.log(V)
    pi_b = tinylm.stationary(PB)
    for t in range(params["steps"]):
        # runs with the same seed see the same batches
        per_seed = [tinylm.sample_chain(PB, params["batch"], T, g, pi_b) for g in data_rngs]
        ids = torch.from_numpy(np.stack([per_seed[s] for _, _, s in runs])).to(ctx.device)
        losses = tinylm.next_token_loss(model(ids), ids)
        lv = losses.detach().cpu()
        newly_dead = alive & ~(torch.isfinite(lv) & (lv < limit))
        alive &= ~newly_dead
        curves[t, alive.numpy()] = lv[alive].numpy()
        for opt in optimizers:
            opt.zero_grad()
        if alive.any():
            losses[alive.to(ctx.device)].sum().backward()
        _drop(np.flatnonzero(~alive.numpy()).tolist(), by_run, alive)
        _kill_nonfinite(optimizers, by_run, alive)
    eval_ids = tinylm.sample_chain(PB, params["eval_batch"], T, ctx.rng("eval"))
    eval_ids = torch.from_numpy(eval_ids).to(ctx.device)
    with torch.no_grad():  # every run on the same held-out batch, one forward pass
        held_out = tinylm.next_token_loss(
            model(eval_ids.expand(K, -1, -1)), eval_ids.expand(K, -1, -1)
        )
    final = np.where(alive.numpy(), held_out.cpu().numpy() - floor_b, np.nan)
    shape = (len(params["optimizers"]), -1, params["seeds"])
    return {
        "optimizers": list(params["optimizers"]),
        "lrs_gd": np.asarray(params["lrs_gd"], float),
        "lrs_adam": np.asarray(params["lrs_adam"], float),
        "final_excess": final.reshape(shape),
        "curves": curves.reshape(params["steps"], *shape) - floor_b,
        "pretrain_loss": pre,
        "floor_pretrain": floor_a,
        "floor_finetune": floor_b,
        "pretrain_excess_end": float(np.mean(pre[-20:]) - floor_a),
        "start_excess": float(np.nanmean(curves[0]) - floor_b),
    }


# ----------------------------------------------------------------------------- cost
def _interleaved(fns: list[Callable[[], Any]], reps: int) -> np.ndarray:
    """Median CPU time of this process for each function over ``reps`` calls, interleaved one
    by one (the calls share the machine's drift).

    CPU time, not wall time: on a shared machine the wall time of a one-thread job mostly
    measures the other jobs' load; the process's CPU time measures the work (with several
    threads it sums them, so it is a proxy for wall time only at ``threads=1``).
    """
    for fn in fns:  # warm-up (allocates optimizer moments)
        fn()
    times = np.empty((reps, len(fns)))
    for k in range(reps):
        for j, fn in enumerate(fns):
            t0 = time.process_time()
            fn()
            times[k, j] = time.process_time() - t0
    return np.median(times, axis=0)


def _train_step(net: nn.Module, x: torch.Tensor, opt: torch.optim.Optimizer) -> None:
    opt.zero_grad()
    net(x).square().mean().backward()
    opt.step()


def run_step_cost(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    _threads(params)
    widths, ranks = params["widths"], params["ranks"]
    step = np.zeros((len(widths), len(ranks), 3))  # scaled, plain (same code), torch AdamW
    train = np.zeros((len(widths), len(ranks), 2))  # forward+backward+step: scaled, plain
    g = ctx.torch_generator("cost")
    for i, d in enumerate(widths):
        for j, r in enumerate(ranks):
            net = nn.Sequential(
                *[LoRALinear(nn.Linear(d, d), r, 2.0 * r, g) for _ in range(params["layers"])]
            )
            for layer in net:
                nn.init.normal_(layer.lora_B, std=0.02, generator=g)
            x = torch.randn(params["tokens"], d, generator=g)
            net(x).square().mean().backward()
            lora = [(p.A, p.B) for p in find_lora_pairs(net)[0]]
            opts = [
                ScaledAdamW([{"pairs": lora, "precondition": True}], lr=1e-6),
                ScaledAdamW([{"pairs": lora, "precondition": False}], lr=1e-6),
                torch.optim.AdamW([t for ab in lora for t in ab], lr=1e-6, foreach=False),
            ]
            step[i, j] = _interleaved([o.step for o in opts], params["repeats"])

            train[i, j] = _interleaved(
                [partial(_train_step, net, x, o) for o in opts[:2]], params["train_repeats"]
            )
    return {
        "widths": np.asarray(widths, float),
        "ranks": np.asarray(ranks, float),
        "layers": params["layers"],
        "tokens": params["tokens"],
        "step_time": step,
        "train_step_time": train,
        "step_ratio": step[..., 0] / step[..., 1],
        "step_ratio_vs_torch": step[..., 0] / step[..., 2],
        "train_ratio": train[..., 0] / train[..., 1],
    }


# ----------------------------------------------------------------------------- GPT-2 / E2E
def run_gpt2_e2e(params: Mapping[str, Any], ctx: RunContext) -> dict[str, Any]:
    _threads(params)
    if params["model_dir"] is None and ctx.scale == "quick":
        rng = ctx.rng("standin")
        train, valid = fullscale.synthetic_e2e(128, rng), fullscale.synthetic_e2e(32, rng)
        source = "in-process stand-in (random tiny GPT-2, synthetic E2E-style data)"
    else:
        train = fullscale.read_e2e(params["data_dir"], "train")
        valid = fullscale.read_e2e(params["data_dir"], "valid")[: params["max_valid"]]
        source = f"local model {params['model_dir']}, data {params['data_dir']}"
    out: dict[str, Any] = {"optimizers": list(params["optimizers"]), "source": source}
    valid_loss, curves = [], []
    for name in params["optimizers"]:
        if params["model_dir"] is None and ctx.scale == "quick":
            model, tok = fullscale.standin_lm(ctx.derive("standin_model"))
        else:
            model, tok = fullscale.load_local_lm(params["model_dir"])
        spec = params["recipes"][name]
        res = fullscale.finetune_causal_lm(
            model,
            tok,
            train,
            valid,
            optimizer=name,
            lr=spec["lr"],
            optimizer_kwargs={k: v for k, v in spec.items() if k != "lr"},
            steps=params["steps"],
            batch=params["batch"],
            rank=params["rank"],
            alpha=params["alpha"],
            targets=params["targets"],
            seed=ctx.derive("lora"),
            reg=params["reg"],
            weight_decay=params["weight_decay"],
            warmup=params["warmup"],
            max_len=params["max_len"],
            device=ctx.device,
        )
        valid_loss.append(res["valid_loss"])
        curves.append(res["train_loss"])
    out["valid_loss"] = np.asarray(valid_loss)
    out["train_loss"] = np.stack(curves)
    return out
