"""Library pieces behind the experiments, and tiny runs of every experiment."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from common import cli
from common.claims import Status
from common.results import Results
from papers.riemannian_lora import ScaledGD, add_lora, tinylm
from papers.riemannian_lora.claims import CLAIMS
from papers.riemannian_lora.experiments import steps_to_fraction
from papers.riemannian_lora.lowrank import (
    factored_descent,
    gated_relu_coupling,
    lowrank_target,
    width_descent,
)
from papers.riemannian_lora.paper import PAPER


def test_factored_descent_matches_torch_scaled_gd():
    """The batched numpy iteration is ScaledGD on the quadratic (same iterates)."""
    rng = np.random.default_rng(0)
    d, c, r, n = 6, 5, 2, 50
    X = rng.standard_normal((n, d))
    K = (X.T @ X / n)[None, None]
    T = lowrank_target(c, d, r, 10.0, rng)[None]
    A0 = rng.standard_normal((1, 1, r, d))
    B0 = rng.standard_normal((1, 1, c, r))
    for pre in (True, False):
        res = factored_descent(K, T, A0, B0, np.array([0.05]), precondition=pre, reg=1e-3,
                               n_iter=5, tol=1e-12)  # fmt: skip
        A = nn.Parameter(torch.tensor(A0[0, 0]))
        B = nn.Parameter(torch.tensor(B0[0, 0]))
        opt = ScaledGD([{"pairs": [(A, B)], "precondition": pre}], lr=0.05, reg=1e-3)
        Kt, Tt = torch.tensor(K[0, 0]), torch.tensor(T[0])
        for _ in range(5):
            opt.zero_grad()
            E = B @ A - Tt
            (0.5 * torch.trace(E @ Kt @ E.T)).backward()
            opt.step()
        err = (torch.linalg.norm(B @ A - Tt) / torch.linalg.norm(Tt)).item()
        assert res.final_error[0] == pytest.approx(err, rel=1e-10)


def test_lowrank_target_and_coupling():
    rng = np.random.default_rng(1)
    T = lowrank_target(8, 6, 3, 100.0, rng)
    s = np.linalg.svd(T, compute_uv=False)
    np.testing.assert_allclose(s[:3], [1.0, 0.1, 0.01], rtol=1e-10)
    assert s[3] < 1e-12
    X = rng.standard_normal((20, 4))
    pats = rng.random((3, 20)) > 0.5
    K = gated_relu_coupling(X, pats)
    F = np.concatenate([X * p[:, None] for p in pats], axis=1)
    np.testing.assert_allclose(K.transpose(0, 2, 1, 3).reshape(12, 12), F.T @ F / 20, atol=1e-12)
    with pytest.raises(ValueError, match="kappa"):
        lowrank_target(4, 4, 2, 0.5, rng)
    with pytest.raises(ValueError, match="shapes"):
        factored_descent(K, np.zeros((3, 2, 4)), np.zeros((1, 3, 1, 5)), np.zeros((1, 3, 2, 1)),
                         np.ones(1), precondition=True)  # fmt: skip


def test_markov_chain_floor_and_sampler():
    rng = np.random.default_rng(2)
    P = tinylm.markov_chain(8, 3, rng)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    pi = tinylm.stationary(P)
    np.testing.assert_allclose(pi @ P, pi, atol=1e-12)
    seqs = tinylm.sample_chain(P, 20000, 2, rng)
    counts = np.zeros((8, 8))
    np.add.at(counts, (seqs[:, 0], seqs[:, 1]), 1)
    visits = counts.sum(axis=1)
    np.testing.assert_allclose(visits / visits.sum(), pi, atol=0.02)
    freq = counts / visits[:, None]
    se = np.sqrt(P * (1 - P) / visits[:, None]) + 1e-3
    assert np.all(np.abs(freq - P) < 5 * se)
    assert 0 < tinylm.entropy_rate(P) < np.log(8)
    with pytest.raises(ValueError, match="row-stochastic"):
        tinylm.sample_chain(2 * P, 3, 3, rng)


def test_multi_lora_runs_are_independent():
    torch.manual_seed(0)
    model = tinylm.TinyLM(8, 8, 1, 2, 6)
    gens = [torch.Generator().manual_seed(s) for s in (1, 2, 3)]
    add_lora(model, ("q_proj", "v_proj"), 2, 4.0, gens, runs=3)
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad:
                p.normal_()
    ids = torch.randint(0, 8, (3, 2, 6))
    loss = tinylm.next_token_loss(model(ids), ids)
    loss[1].backward()
    layer = model.blocks[0].q_proj
    assert layer.lora_A[0].grad.abs().sum() == 0 and layer.lora_A[2].grad.abs().sum() == 0
    assert layer.lora_A[1].grad.abs().sum() > 0


TINY = {
    "condition_number": dict(kappas=[1, 100], data_kappas=[1, 10], lrs=[0.1, 0.3], seeds=1,
                             n_iter=200),
    "convex_relu": dict(kappas=[1, 100], data_kappas=[1, 10], lrs=[0.1, 0.3], seeds=1,
                        n_iter=200, patterns=2),
    "finetune_lr": dict(pretrain_steps=5, steps=3, lrs_gd=[0.1], lrs_adam=[1e-3], seeds=1,
                        eval_batch=4, batch=2, d=8, heads=2, layers=1),
    "step_cost": dict(widths=[16], ranks=[2], layers=3, repeats=2, train_repeats=1),
    "width_sweep": dict(widths=[32, 64], lrs=[0.3], seeds=1, steps=20, claim_min_width=32),
    "gpt2_e2e": dict(steps=2, optimizers=["sgd", "scaled_adamw"]),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(TINY))
def test_every_experiment_runs_tiny(name):
    res = cli.run(PAPER, name, overrides=TINY[name])
    if name == "finetune_lr":
        assert res["final_excess"].shape == (6, 1, 1)
        assert np.isfinite(res["final_excess"]).all()
    if name in ("condition_number", "convex_relu"):
        assert res["iters"].shape == (2, 2, 2, 1) and res["data_iters"].shape == (2, 2, 2, 1)
    if name == "gpt2_e2e":
        assert np.isfinite(res["valid_loss"]).all()


def test_full_scale_paths_need_local_files():
    with pytest.raises((ValueError, FileNotFoundError), match="data_dir"):
        cli.run(PAPER, "gpt2_e2e", scale="full", overrides={"steps": 1})


def test_gpt2_e2e_from_local_directory(tmp_path):
    """The full-scale code path (from_pretrained on a local dir, E2E files) on a tiny stand-in."""
    from papers.riemannian_lora import fullscale

    model, tok = fullscale.standin_lm(0)
    model.save_pretrained(tmp_path / "model")
    tok.save_pretrained(tmp_path / "model")
    rng = np.random.default_rng(0)
    for split, n in (("train", 32), ("valid", 8)):
        lines = [f"{mr} || {text}" for mr, text in fullscale.synthetic_e2e(n, rng)]
        (tmp_path / f"{split}.txt").write_text("\n".join(lines) + "\n")
    res = cli.run(PAPER,
        "gpt2_e2e", scale="full",
        overrides={"model_dir": str(tmp_path / "model"), "data_dir": str(tmp_path), "steps": 2,
                   "warmup": 1, "max_len": 32, "optimizers": ["scaled_gd"], "threads": 1},
    )  # fmt: skip
    assert res["source"].startswith("local model")
    assert np.isfinite(res["valid_loss"]).all()


def test_plots_and_claims_on_tiny_results(tmp_path):
    from common.results import save_results

    for name, ov in TINY.items():
        save_results(tmp_path / name, cli.run(PAPER, name, overrides=ov))
    for fig in PAPER.figures:
        f = cli.plot(PAPER, fig.name, cli.load(fig.inputs, tmp_path))
        assert f.axes
    rows = cli.check(PAPER, tmp_path)["claims"]
    assert all("raised" not in r["detail"] for r in rows), [r["detail"] for r in rows]


_FT_TINY = dict(pretrain_steps=5, steps=6, seeds=1, eval_batch=4, batch=2, d=8, heads=2, layers=1)


def test_finetune_is_bit_reproducible_and_survives_divergence():
    """Two runs agree bit for bit; lr = 1e8 diverges (NaN) without crashing the others."""
    ov = {**_FT_TINY, "lrs_gd": [0.1, 1e8], "lrs_adam": [1e-3, 1e4]}
    a = cli.run(PAPER, "finetune_lr", overrides=ov)
    b = cli.run(PAPER, "finetune_lr", overrides=ov)
    np.testing.assert_array_equal(a["final_excess"], b["final_excess"])
    np.testing.assert_array_equal(a["curves"], b["curves"])
    sgd = a["final_excess"][a["optimizers"].index("sgd")]
    assert np.isfinite(sgd[0]).all() and np.isnan(sgd[1]).all()


def test_width_descent_limit_and_divergence():
    """Scaled GD's steps to 1% of the loss agree at two large widths (width-independent
    limit); a huge learning rate is recorded as divergence (NaN), not an error."""
    rng = np.random.default_rng(3)
    N, c, r = 4, 4, 2
    Y = rng.standard_normal((N, r)) @ rng.standard_normal((r, c))
    steps = []
    for n in (2048, 8192):
        X = rng.standard_normal((1, N, n)) / np.sqrt(n)
        A0 = rng.uniform(-(n**-0.5), n**-0.5, (1, r, n))
        out = width_descent(X, Y[None], A0, np.array([0.5]), precondition=True, steps=200)
        steps.append(int(steps_to_fraction(out.loss, 0.01)[0]))
    assert steps[0] > 0 and abs(steps[0] - steps[1]) <= 2, steps
    out = width_descent(X, Y[None], A0, np.array([1e6]), precondition=False, steps=20)
    assert np.isnan(out.loss[0, -1]) and steps_to_fraction(out.loss, 0.01)[0] == -1


def _ft_results(sgd: np.ndarray, scaled: np.ndarray) -> dict[str, Results]:
    opts = ["sgd", "scaled_gd", "adamw", "scaled_adamw"]
    final = np.stack([sgd, scaled, sgd, scaled])  # (opt, lr, seed)
    arrays = {"final_excess": final, "lrs_gd": np.array([1e-3, 1e-2, 1e-1, 1.0]),
              "lrs_adam": np.array([1e-4, 1e-3, 1e-2, 1e-1])}  # fmt: skip
    return {"finetune_lr": Results(arrays, {"optimizers": opts, "start_excess": 2.0})}


@pytest.mark.parametrize(
    "claim_id", ["finetune_scaled_gd_small_lr", "finetune_scaled_gd_grid_mean"]
)
def test_better_than_claims_need_every_seed_and_a_margin(claim_id):
    """A tie, or one seed going the other way, is not 'better'; a clear paired gap is."""
    check = {c.id: c.check for c in CLAIMS}[claim_id]
    sgd = np.tile(np.array([2.0, 1.5, 1.0, 0.5])[:, None], (1, 4))
    assert check(_ft_results(sgd, sgd.copy())).status is Status.DOES_NOT_HOLD  # tie
    better = sgd - 0.3 + 0.01 * np.arange(4)
    assert check(_ft_results(sgd, better)).status is Status.HOLDS
    one_worse = better.copy()
    one_worse[:, 2] = sgd[:, 2] + 0.01
    assert check(_ft_results(sgd, one_worse)).status is Status.DOES_NOT_HOLD


def test_claims_declare_evidence():
    for claim in CLAIMS:
        assert claim.evidence, claim.id
    assert {c.id for c in CLAIMS if c.timing} == {"step_cost_optimizer", "step_cost_training"}
