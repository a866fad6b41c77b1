"""Optimizer correctness: closed-form steps, invariance, pairing, peft, state_dict."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from papers.riemannian_lora import (
    LoRALinear,
    ScaledAdamW,
    ScaledGD,
    add_lora,
    find_lora_pairs,
    make_optimizer,
    precondition,
)

D = torch.float64


def _rand(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g, dtype=D)


def _pair(m=7, n=5, r=3, seed=0):
    A = nn.Parameter(_rand(r, n, seed=seed))
    B = nn.Parameter(_rand(m, r, seed=seed + 1))
    return A, B


def _set_grads_from_W(A, B, G, s=1.0):
    """Autograd's gradients of <G, s B A>: grad_A = s B^T G, grad_B = s G A^T."""
    A.grad = s * B.detach().T @ G
    B.grad = s * G @ A.detach().T


# ------------------------------------------------------------------ closed form, one step
@pytest.mark.parametrize("ordering", ["jacobi", "gauss-seidel"])
def test_scaled_gd_one_step_matches_closed_form(ordering):
    A, B = _pair()
    G = _rand(7, 5, seed=5)
    A0, B0 = A.detach().clone(), B.detach().clone()
    _set_grads_from_W(A, B, G)
    gA0, gB0 = A.grad.clone(), B.grad.clone()
    lr, reg, wd = 0.05, 0.3, 0.1
    ScaledGD([(A, B)], lr=lr, reg=reg, weight_decay=wd, ordering=ordering).step()
    I = torch.eye(3, dtype=D)
    A1 = (1 - lr * wd) * (A0 - lr * torch.linalg.inv(B0.T @ B0 + reg * I) @ gA0)
    Asee = A0 if ordering == "jacobi" else A1
    B1 = (1 - lr * wd) * (B0 - lr * gB0 @ torch.linalg.inv(Asee @ Asee.T + reg * I))
    torch.testing.assert_close(A.detach(), A1, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(B.detach(), B1, rtol=1e-12, atol=1e-12)


def _adamw_reference(p, g, m, v, k, lr, b1, b2, eps, wd, correct_bias):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    step = lr * math.sqrt(1 - b2**k) / (1 - b1**k) if correct_bias else lr
    p = (p - step * m / (v.sqrt() + eps)) * (1 - lr * wd)
    return p, m, v


@pytest.mark.parametrize("correct_bias", [True, False])
@pytest.mark.parametrize("ordering", ["gauss-seidel", "jacobi"])
def test_scaled_adamw_two_steps_match_reference_transcription(correct_bias, ordering):
    A, B = _pair(seed=3)
    lr, reg, wd, b1, b2, eps = 0.01, 0.2, 0.05, 0.7, 0.8, 1e-6
    opt = ScaledAdamW(
        [(A, B)], lr=lr, betas=(b1, b2), eps=eps, weight_decay=wd, reg=reg,
        correct_bias=correct_bias, ordering=ordering,
    )  # fmt: skip
    a, b = A.detach().clone(), B.detach().clone()
    mA = vA = torch.zeros_like(a)
    mB = vB = torch.zeros_like(b)
    I = torch.eye(3, dtype=D)
    for k in (1, 2):
        G = _rand(7, 5, seed=10 + k)
        _set_grads_from_W(A, B, G)
        gA, gB = A.grad.clone(), B.grad.clone()
        opt.step()
        pA = torch.linalg.inv(b.T @ b + reg * I) @ gA
        a_new, mA, vA = _adamw_reference(a, pA, mA, vA, k, lr, b1, b2, eps, wd, correct_bias)
        a_seen = a_new if ordering == "gauss-seidel" else a
        pB = gB @ torch.linalg.inv(a_seen @ a_seen.T + reg * I)
        b, mB, vB = _adamw_reference(b, pB, mB, vB, k, lr, b1, b2, eps, wd, correct_bias)
        a = a_new
        torch.testing.assert_close(A.detach(), a, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(B.detach(), b, rtol=1e-12, atol=1e-12)


def test_gauss_seidel_and_jacobi_differ():
    outs = []
    for ordering in ("gauss-seidel", "jacobi"):
        A, B = _pair(seed=4)
        _set_grads_from_W(A, B, _rand(7, 5, seed=9))
        ScaledAdamW([(A, B)], lr=0.1, ordering=ordering).step()
        outs.append(B.detach().clone())
    assert (outs[0] - outs[1]).abs().max() > 1e-4


def test_large_damping_is_adamw_with_scaled_eps():
    """delta >> ||B^T B||, ||A A^T||: preconditioner ~ I/delta, i.e. AdamW with eps' = eps*delta."""
    reg, eps = 1e8, 1e-6
    A1, B1 = _pair(seed=6)
    A2, B2 = (nn.Parameter(t.detach().clone()) for t in (A1, B1))
    o1 = ScaledAdamW([(A1, B1)], lr=1e-2, reg=reg, eps=eps)
    o2 = ScaledAdamW([{"params": [A2, B2]}], lr=1e-2, eps=eps * reg)
    for k in range(3):
        G = _rand(7, 5, seed=20 + k)
        _set_grads_from_W(A1, B1, G)
        _set_grads_from_W(A2, B2, G)
        o1.step()
        o2.step()
    torch.testing.assert_close(A1.detach(), A2.detach(), rtol=1e-6, atol=1e-9)
    torch.testing.assert_close(B1.detach(), B2.detach(), rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------ invariance
def _product_velocity(A, B, G, preconditioned: bool):
    """First-order change of B A per unit step: -(B dA + dB A)."""
    gA, gB = B.T @ G, G @ A.T
    if preconditioned:
        gA, gB = precondition(A, B, gA, gB, reg=0.0)
    return B @ gA + gB @ A


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_order_update_invariant_under_factor_gauge(seed):
    A, B = _rand(3, 6, seed=seed), _rand(8, 3, seed=seed + 1)
    G = _rand(8, 6, seed=seed + 2)
    M = _rand(3, 3, seed=seed + 3) + 3 * torch.eye(3, dtype=D)  # invertible, not orthogonal
    A2, B2 = M @ A, B @ torch.linalg.inv(M)
    torch.testing.assert_close(B2 @ A2, B @ A, rtol=1e-12, atol=1e-12)
    v1 = _product_velocity(A, B, G, True)
    v2 = _product_velocity(A2, B2, G, True)
    torch.testing.assert_close(v1, v2, rtol=1e-10, atol=1e-10)
    # ... and equals the projection form P_B G + G P_A
    PB = B @ torch.linalg.pinv(B)
    PA = torch.linalg.pinv(A) @ A
    torch.testing.assert_close(v1, PB @ G + G @ PA, rtol=1e-10, atol=1e-10)
    g1 = _product_velocity(A, B, G, False)
    g2 = _product_velocity(A2, B2, G, False)
    assert (g1 - g2).norm() > 1e-2 * g1.norm()  # plain GD depends on the factorisation


def test_optimizer_step_invariant_to_first_order():
    """Through the optimizer: the change of BA after a small step agrees up to O(lr^2)."""
    A, B = _rand(3, 6, seed=7), _rand(8, 3, seed=8)
    G = _rand(8, 6, seed=9)
    M = _rand(3, 3, seed=10) + 3 * torch.eye(3, dtype=D)
    deltas = {}
    for name, pre in (("scaled_gd", True), ("sgd", False)):
        for tag, (a, b) in (("id", (A, B)), ("M", (M @ A, B @ torch.linalg.inv(M)))):
            pa, pb = nn.Parameter(a.clone()), nn.Parameter(b.clone())
            before = pb.detach() @ pa.detach()
            _set_grads_from_W(pa, pb, G)
            opt = ScaledGD([{"pairs": [(pa, pb)], "precondition": pre}], lr=1e-6, reg=0.0)
            opt.step()
            deltas[name, tag] = (pb.detach() @ pa.detach() - before) / 1e-6
    d = deltas["scaled_gd", "id"]
    assert (deltas["scaled_gd", "M"] - d).norm() < 1e-4 * d.norm()
    g = deltas["sgd", "id"]
    assert (deltas["sgd", "M"] - g).norm() > 1e-2 * g.norm()


def test_singular_gram_uses_pseudo_inverse():
    A = nn.Parameter(_rand(3, 5))
    B = nn.Parameter(torch.zeros(7, 3, dtype=D))
    B.data[:, 0] = 1.0  # rank one
    G = _rand(7, 5, seed=2)
    gA, _ = precondition(A.detach(), B.detach(), B.detach().T @ G, G @ A.detach().T, reg=0.0)
    assert torch.isfinite(gA).all()
    torch.testing.assert_close(gA, torch.linalg.pinv(B.T @ B).detach() @ (B.T @ G).detach())


# ------------------------------------------------------------------ pairing
class _Odd(nn.Module):
    """Registers a bias first and lora_B before lora_A: positional pairing would mis-pair."""

    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(4))
        self.lora_B = nn.Parameter(torch.zeros(4, 2))
        self.lora_A = nn.Parameter(torch.ones(2, 3))
        self.other = nn.Module()
        self.other.lora_A = nn.Parameter(torch.ones(5, 3))
        self.other.lora_B = nn.Parameter(torch.zeros(6, 5))


def test_pairing_by_name_not_position():
    model = _Odd()
    pairs, others = find_lora_pairs(model)
    assert [(p.A.shape, p.B.shape) for p in pairs] == [((2, 3), (4, 2)), ((5, 3), (6, 5))]
    assert [n for n, _ in others] == ["bias"]
    flat = [p for p in model.parameters() if p.requires_grad]
    positional = list(zip(flat[0::2], flat[1::2], strict=False))
    assert positional[0][0] is model.bias  # the reference's zip(params[::2], ...) mis-pairs


def test_lone_factor_and_shape_mismatch_and_no_pair_raise():
    m = nn.Module()
    m.lora_A = nn.Parameter(torch.ones(2, 3))
    with pytest.raises(ValueError, match="no partner"):
        find_lora_pairs(m)
    m.lora_B = nn.Parameter(torch.ones(4, 3))
    with pytest.raises(ValueError, match="shape mismatch"):
        find_lora_pairs(m)
    with pytest.raises(ValueError, match="no trainable LoRA pair"):
        make_optimizer(nn.Linear(3, 3), "scaled_gd", lr=0.1)
    with pytest.raises(ValueError, match="name must be one of"):
        make_optimizer(_Odd(), "lbfgs", lr=0.1)
    m2 = _Odd()
    m2.lora_B.requires_grad_(False)
    with pytest.raises(ValueError, match="frozen"):
        find_lora_pairs(m2)
    with pytest.raises(TypeError):
        find_lora_pairs("model")
    with pytest.raises(ValueError, match="lr"):
        ScaledGD([_pair()], lr=-1.0)
    with pytest.raises(ValueError, match="ordering"):
        ScaledAdamW([_pair()], ordering="random")


def test_strict_refuses_other_params_and_groups_them_otherwise():
    with pytest.raises(ValueError, match="strict=True"):
        make_optimizer(_Odd(), "scaled_adamw", lr=1e-3, strict=True)
    opt = make_optimizer(_Odd(), "scaled_adamw", lr=1e-3, weight_decay=0.01)
    assert [g["lora_pairs"] for g in opt.param_groups] == [True, False]
    assert opt.param_groups[1]["names"] == ["bias"]
    assert opt.param_groups[0]["weight_decay"] == 0.01


def _tiny_net(seed=0):
    torch.manual_seed(seed)  # only for the base weights of this throwaway test model
    net = nn.Sequential()
    net.add_module("q_proj", nn.Linear(6, 6))
    net.add_module("act", nn.Tanh())
    net.add_module("v_proj", nn.Linear(6, 6))
    net.add_module("head", nn.Linear(6, 2))
    return net.double()


def test_own_lora_layers_train_and_head_gets_plain_rule():
    net = _tiny_net()
    add_lora(net, ["q_proj", "v_proj"], r=2, alpha=4.0, generator=torch.Generator().manual_seed(1))
    net.head.weight.requires_grad_(True)
    pairs, others = find_lora_pairs(net)
    assert len(pairs) == 2 and [n for n, _ in others] == ["head.weight"]
    x, y = _rand(32, 6, seed=1), _rand(32, 2, seed=2)
    opt = make_optimizer(net, "scaled_gd", lr=0.1)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]
    assert isinstance(net.q_proj, LoRALinear)
    assert not net.q_proj.base.weight.requires_grad


def test_rank_above_the_layer_dimensions_is_refused_naming_r_and_the_layer():
    """r > min(d_in, d_out) makes A A^T or B^T B a singular r x r Gram: the damped inverse
    amplifies round-off by 1 / reg, and float32 scaled-GD steps went wrong (loss 1.2 -> 125)."""
    with pytest.raises(
        ValueError,
        match=r"^layer 'q_proj': r must be <= min\(in_features, "
        r"out_features\) = 6 of Linear\(in_features=6, out_features=6.*got 7$",
    ):
        add_lora(_tiny_net(), ["q_proj"], r=7)  # fmt: skip
    with pytest.raises(ValueError, match=r"= 4 of Linear\(in_features=4, out_features=9.*got 5"):
        LoRALinear(nn.Linear(4, 9), 5)
    assert LoRALinear(nn.Linear(4, 9), 4).lora_A.shape == (4, 4)  # full rank is allowed


def test_lora_layer_with_runs_is_k_single_layers():
    base = nn.Linear(5, 4).double()
    multi = LoRALinear(base, 2, 3.0, [torch.Generator().manual_seed(s) for s in (7, 8)], runs=2)
    x = _rand(2 * 6 * 5, 1, seed=3).reshape(2, 6, 5)
    with torch.no_grad():
        for B in multi.lora_B:
            B.normal_()
    out = multi(x)
    for k, s in enumerate((7, 8)):
        one = LoRALinear(base, 2, 3.0, torch.Generator().manual_seed(s))
        assert torch.equal(one.lora_A, multi.lora_A[k])
        with torch.no_grad():
            one.lora_B.copy_(multi.lora_B[k])
        torch.testing.assert_close(one(x[k]), out[k])
        torch.testing.assert_close(one.delta_weight(), multi.delta_weight()[k])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"runs": 0}, "runs must be an integer >= 1"),
        ({"runs": 2, "generator": [torch.Generator()]}, "one torch.Generator per run"),
        ({"generator": [torch.Generator()]}, "generator must be a torch.Generator"),
    ],
)
def test_lora_layer_rejects_bad_runs(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        LoRALinear(nn.Linear(3, 3), 1, **kwargs)


def test_lora_layer_with_runs_needs_the_run_axis():
    layer = LoRALinear(nn.Linear(3, 3), 1, runs=2)
    with pytest.raises(ValueError, match="leading run axis of 2"):
        layer(torch.zeros(3, 4, 3))


# ------------------------------------------------------------------ peft
def _peft_model():
    from peft import LoraConfig, get_peft_model

    cfg = LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"], lora_dropout=0.0)
    model = get_peft_model(_tiny_net(), cfg)
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():  # non-zero B so that every gradient is informative
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.copy_(0.3 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return model


def test_peft_names_are_paired():
    model = _peft_model()
    pairs, others = find_lora_pairs(model)
    assert [p.name for p in pairs] == [
        "base_model.model.q_proj.lora_A.default.weight",
        "base_model.model.v_proj.lora_A.default.weight",
    ]
    assert others == []
    flat = [p for p in model.parameters() if p.requires_grad]  # only LoRA is trainable here,
    positional = list(zip(flat[0::2], flat[1::2], strict=True))  # so the reference's zip agrees
    assert all(a is p.A and b is p.B for (a, b), p in zip(positional, pairs, strict=True))


def _train(model, opt, steps=4):
    x, y = _rand(16, 6, seed=11), _rand(16, 2, seed=12)
    for _ in range(steps):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def test_matches_peft_riemannian_optimizer_sgd_and_adamw():
    from peft.optimizers import create_riemannian_optimizer

    m1, m2 = _peft_model(), _peft_model()
    a = _train(m1, create_riemannian_optimizer(m1, torch.optim.SGD, lr=0.05, reg=1e-2))
    b = _train(m2, make_optimizer(m2, "scaled_gd", lr=0.05, reg=1e-2))
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=1e-10, atol=1e-12)
    m1, m2 = _peft_model(), _peft_model()
    peft_opt = create_riemannian_optimizer(m1, torch.optim.AdamW, lr=1e-2, reg=1e-2, eps=1e-12,
                                           weight_decay=0.0)  # fmt: skip
    a = _train(m1, peft_opt)
    b = _train(m2, make_optimizer(m2, "scaled_adamw", lr=1e-2, reg=1e-2, eps=1e-12,
                                  ordering="jacobi"))  # fmt: skip
    for k in a:  # torch AdamW scales eps by sqrt(1 - b2^k): agreement up to eps effects
        torch.testing.assert_close(a[k], b[k], rtol=1e-7, atol=1e-9)


# ------------------------------------------------------------------ state_dict
@pytest.mark.parametrize("name", ["scaled_adamw", "scaled_gd"])
def test_state_dict_round_trip(name):
    ref_model, model = _peft_model(), _peft_model()
    ref = make_optimizer(ref_model, name, lr=1e-2)
    full = _train(ref_model, ref, steps=6)
    opt = make_optimizer(model, name, lr=1e-2)
    _train(model, opt, steps=3)
    sd = opt.state_dict()
    model2 = _peft_model()
    model2.load_state_dict(model.state_dict())
    opt2 = make_optimizer(model2, name, lr=1e-2)
    opt2.load_state_dict(sd)
    x, y = _rand(16, 6, seed=11), _rand(16, 2, seed=12)
    for _ in range(3):
        opt2.zero_grad()
        ((model2(x) - y) ** 2).mean().backward()
        opt2.step()
    resumed = {n: p.detach() for n, p in model2.named_parameters() if p.requires_grad}
    for k in full:
        torch.testing.assert_close(resumed[k], full[k], rtol=1e-12, atol=1e-12)
    assert opt2.state_dict()["param_groups"][0]["reg"] == sd["param_groups"][0]["reg"]


class _EmbConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 6)
        self.conv = nn.Conv2d(6, 4, 3, padding=1)
        self.head = nn.Linear(4, 2)

    def forward(self, ids):
        h = self.emb(ids)  # (b, 4, 4, 6)
        h = self.conv(h.permute(0, 3, 1, 2)).mean(dim=(2, 3))
        return self.head(h)


def test_peft_embedding_and_conv_lora_are_preconditioned():
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(0)  # base weights of this throwaway test model
    model = get_peft_model(_EmbConv().double(), LoraConfig(r=2, target_modules=["emb", "conv"]))
    pairs, _ = find_lora_pairs(model)
    shapes = sorted((tuple(p.A.shape), tuple(p.B.shape)) for p in pairs)
    assert shapes == [((2, 6, 3, 3), (4, 2, 1, 1)), ((2, 10), (6, 2))]
    with torch.no_grad():
        for p in pairs:
            p.B.normal_(generator=torch.Generator().manual_seed(1))
            p.A.normal_(generator=torch.Generator().manual_seed(2))
    conv = next(p for p in pairs if p.A.ndim == 4)
    ids = torch.randint(0, 10, (3, 4, 4), generator=torch.Generator().manual_seed(3))
    model(ids).square().sum().backward()
    gA, gB = conv.A.grad.clone(), conv.B.grad.clone()
    A0, B0 = conv.A.detach().reshape(2, -1).clone(), conv.B.detach().reshape(4, 2).clone()
    make_optimizer(model, "scaled_gd", lr=0.1, reg=0.01).step()
    I = 0.01 * torch.eye(2, dtype=D)
    expect_A = A0 - 0.1 * torch.linalg.solve(B0.T @ B0 + I, gA.reshape(2, -1))
    expect_B = B0 - 0.1 * gB.reshape(4, 2) @ torch.linalg.inv(A0 @ A0.T + I)
    torch.testing.assert_close(conv.A.detach().reshape(2, -1), expect_A)
    torch.testing.assert_close(conv.B.detach().reshape(4, 2), expect_B)
