"""Input handling of the optimizers (issue #14 item 8): non-finite gradients, real-scalar
hyper-parameters, error messages, and what each ``make_optimizer`` name returns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from papers.riemannian_lora import ScaledAdamW, ScaledGD, make_optimizer, precondition
from papers.riemannian_lora.optim import OPTIMIZERS, PlainAdamW, PlainSGD

D = torch.float64


def _pair(m=7, n=5, r=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    A = nn.Parameter(torch.randn(r, n, generator=g, dtype=D))
    B = nn.Parameter(torch.randn(m, r, generator=g, dtype=D))
    A.grad = torch.randn(r, n, generator=g, dtype=D)
    B.grad = torch.randn(m, r, generator=g, dtype=D)
    return A, B


class _Net(nn.Module):
    def __init__(self):
        super().__init__()
        g = torch.Generator().manual_seed(1)
        self.q = nn.Module()
        self.q.lora_A = nn.Parameter(torch.randn(2, 4, generator=g, dtype=D))
        self.q.lora_B = nn.Parameter(torch.randn(3, 2, generator=g, dtype=D))
        self.v = nn.Module()
        self.v.lora_A = nn.Parameter(torch.randn(2, 4, generator=g, dtype=D))
        self.v.lora_B = nn.Parameter(torch.randn(3, 2, generator=g, dtype=D))
        self.head = nn.Parameter(torch.randn(3, generator=g, dtype=D))

    def set_grads(self, seed=2):
        g = torch.Generator().manual_seed(seed)
        for p in self.parameters():
            p.grad = torch.randn(p.shape, generator=g, dtype=D)


# ------------------------------------------------------------------ non-finite gradients
@pytest.mark.parametrize("name", ["scaled_gd", "scaled_adamw", "sgd", "adamw"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nonfinite_gradient_raises_naming_pair_factor_and_step(name, bad):
    net = _Net()
    opt = make_optimizer(net, name, lr=1e-2, weight_decay=0.1)
    net.set_grads(2)
    opt.step()  # step() call 1 is fine
    net.set_grads(3)
    net.v.lora_B.grad[1, 0] = bad
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    state = {k: {kk: (vv.clone() if torch.is_tensor(vv) else vv) for kk, vv in v.items()}
             for k, v in opt.state.items()}  # fmt: skip
    with pytest.raises(ValueError, match=r"non-finite gradient .* LoRA pair 'v\.lora_A' factor B "
                       r"\(param group 0, pair 1\) at step\(\) call 2"):  # fmt: skip
        opt.step()
    for n, p in net.named_parameters():  # nothing was updated, not even the earlier pair
        assert torch.equal(p.detach(), before[n]), n
    for k, v in opt.state.items():
        assert v["step"] == state[k]["step"] and torch.equal(v["exp_avg"], state[k]["exp_avg"])


def test_nonfinite_gradient_of_a_plain_parameter_is_named():
    net = _Net()
    opt = make_optimizer(net, "scaled_adamw", lr=1e-2)
    net.set_grads()
    net.head.grad[0] = float("nan")
    with pytest.raises(ValueError, match=r"parameter 'head' \(param group 1, index 0\)"):
        opt.step()
    A, B = _pair()
    B.grad[0, 0] = float("nan")
    with pytest.raises(ValueError, match=r"LoRA pair #0 factor B \(param group 0, pair 0\)"):
        ScaledGD([(A, B)], lr=0.1).step()


@pytest.mark.parametrize("cls", [ScaledGD, ScaledAdamW])
def test_nonfinite_factor_raises_valueerror_not_linalgerror(cls):
    A, B = _pair()
    with torch.no_grad():
        B[2, 1] = float("nan")  # B^T B is NaN: the Cholesky fails, pinv would fail in eigh
    with pytest.raises(ValueError, match=r"LoRA pair #0 \(param group 0, pair 0\) holds non-fin"):
        cls([(A, B)], lr=0.1).step()
    A, B = _pair()
    with pytest.raises(ValueError, match="A or B holds non-finite"):
        precondition(A.detach(), B.detach().fill_(float("inf")), A.grad, B.grad)
    A, B = _pair()
    with pytest.raises(ValueError, match="grad_A holds non-finite"):
        precondition(A.detach(), B.detach(), A.grad.fill_(float("nan")), B.grad)


def test_finite_gradients_are_not_affected_by_the_check():
    """Huge but finite gradients pass (no overflow in the check) and give the usual step."""
    A, B = _pair()
    A.grad.mul_(1e300)
    ScaledGD([{"pairs": [(A, B)], "precondition": False}], lr=1e-310).step()
    assert torch.isfinite(A).all()
    A, B = (nn.Parameter(t.detach().float()) for t in _pair())
    A.grad = torch.full_like(A, 3e38)
    B.grad = torch.zeros_like(B)
    ScaledAdamW([(A, B)], lr=1e-3).step()  # sum or 2-norm of these would overflow to inf


# ------------------------------------------------------------------ real-scalar learning rates
@pytest.mark.parametrize(
    "lr", [0.05, np.float64(0.05), np.float32(0.05), np.array(0.05), torch.tensor(0.05),
           torch.tensor(0.05, dtype=torch.float32), 1, np.int64(1), torch.tensor(1)],
)  # fmt: skip
@pytest.mark.parametrize("cls", [ScaledGD, ScaledAdamW, PlainSGD, PlainAdamW])
def test_any_real_scalar_lr_is_accepted_and_equals_the_float(lr, cls):
    A1, B1 = _pair()
    A2, B2 = _pair()
    reg = torch.tensor(1e-3)  # float32: the float it stores is float(reg), not 1e-3
    o1 = cls([(A1, B1)], lr=lr, weight_decay=np.float32(0.1), reg=reg)
    o2 = cls([(A2, B2)], lr=float(lr), weight_decay=float(np.float32(0.1)), reg=float(reg))
    assert type(o1.param_groups[0]["lr"]) is float and o1.param_groups[0]["lr"] == float(lr)
    o1.step()
    o2.step()
    assert torch.equal(A1, A2) and torch.equal(B1, B2)
    if cls in (ScaledAdamW, PlainAdamW):
        o = cls([(A1, B1)], betas=(np.float32(0.5), torch.tensor(0.9)), eps=np.float64(1e-8))
        assert o.defaults["betas"] == (0.5, float(torch.tensor(0.9)))
        assert type(o.defaults["eps"]) is float


@pytest.mark.parametrize(
    ("lr", "exc", "msg"),
    [
        (float("nan"), ValueError, "finite"),
        (float("inf"), ValueError, "finite"),
        (-1e-3, ValueError, ">= 0"),
        (np.float32("nan"), ValueError, "finite"),
        (torch.tensor(-1.0), ValueError, ">= 0"),
        ("0.1", TypeError, "real scalar"),
        (None, TypeError, "real scalar"),
        (True, TypeError, "real scalar"),
        (1j, TypeError, "real scalar"),
        (torch.tensor([0.1]), TypeError, r"shape \(1,\)"),
        (np.array([0.1, 0.2]), TypeError, "real scalar"),
        (torch.tensor(0.1j), TypeError, "complex"),
    ],
)
def test_bad_lr_is_refused_naming_the_argument(lr, exc, msg):
    with pytest.raises(exc, match=rf"^lr must .*{msg}"):
        ScaledGD([_pair()], lr=lr)
    with pytest.raises(exc, match=rf"^lr \(param group 1\) must .*{msg}"):
        ScaledAdamW([{"pairs": [_pair()]}, {"pairs": [_pair(seed=1)], "lr": lr}])


@pytest.mark.parametrize(
    ("betas", "exc", "msg"),
    [
        ((0.9,), ValueError, "pair"),
        ((0.9, 1.0), ValueError, r"betas\[1\] must be a finite number in \[0, 1\)"),
        ((-0.1, 0.9), ValueError, r"betas\[0\]"),
        ((0.9, float("nan")), ValueError, r"betas\[1\]"),
        (0.9, TypeError, "pair"),
        ("ab", TypeError, "pair"),
        (None, TypeError, "pair"),
        ((0.9, "x"), TypeError, r"betas\[1\] must be a real scalar"),
        (torch.tensor(0.9), TypeError, "pair"),
    ],
)
def test_bad_betas_and_eps(betas, exc, msg):
    with pytest.raises(exc, match=msg):
        ScaledAdamW([_pair()], betas=betas)
    with pytest.raises(ValueError, match=r"^eps must be a finite number > 0, got -1"):
        ScaledAdamW([_pair()], eps=-1)
    with pytest.raises(TypeError, match=r"^eps must be a real scalar"):
        PlainAdamW([_pair()], eps="1e-8")
    assert ScaledAdamW([_pair()], betas=torch.tensor([0.5, 0.6])).defaults["betas"] == (
        0.5, float(torch.tensor(0.6))
    )  # fmt: skip


def test_zero_eps_is_refused_at_construction_naming_eps():
    """eps = 0 used to pass and make the first step() divide 0 by 0 (B = 0 at init), then blame
    the learning rate."""
    for make in (
        lambda: ScaledAdamW([_pair()], eps=0),
        lambda: PlainAdamW([_pair()], eps=0.0),
        lambda: make_optimizer(_Net(), "scaled_adamw", lr=1e-3, eps=np.float32(0)),
    ):
        with pytest.raises(ValueError, match=r"^eps must be a finite number > 0, got "):
            make()
    with pytest.raises(ValueError, match=r"^eps \(param group 0\) must be a finite number > 0"):
        ScaledAdamW([{"pairs": [_pair()], "eps": 0}])


# ------------------------------------------------------------------ ordering messages
@pytest.mark.parametrize("ordering", ["random", None, "Jacobi", 3, ["jacobi"]])
def test_bad_ordering_says_what_was_passed(ordering):
    with pytest.raises(ValueError) as err:
        ScaledAdamW([_pair()], ordering=ordering)
    assert str(err.value) == (f"ordering must be one of 'jacobi', 'gauss-seidel', got {ordering!r}")
    with pytest.raises(ValueError, match=r"got 'x' \(param group 0\)"):
        ScaledGD([{"pairs": [_pair()], "ordering": "x"}])


# ------------------------------------------------------------------ names of make_optimizer
def test_each_name_gives_what_it_says():
    want = {"scaled_gd": ScaledGD, "scaled_adamw": ScaledAdamW, "sgd": PlainSGD,
            "adamw": PlainAdamW}  # fmt: skip
    for name, cls in want.items():
        opt = make_optimizer(_Net(), name, lr=1e-2)
        assert type(opt) is cls and OPTIMIZERS[name][0] is cls
        assert all(g["precondition"] is OPTIMIZERS[name][1] for g in opt.param_groups[:1])
        assert not opt.param_groups[1]["precondition"]
    assert not isinstance(make_optimizer(_Net(), "sgd", lr=1), ScaledGD)
    assert not isinstance(make_optimizer(_Net(), "adamw", lr=1), ScaledAdamW)


@pytest.mark.parametrize(("plain", "scaled"), [(PlainSGD, ScaledGD), (PlainAdamW, ScaledAdamW)])
def test_plain_equals_scaled_with_identity_bitwise(plain, scaled):
    """The new classes are the former ``Scaled*`` + ``precondition=False`` (same numbers)."""
    A1, B1 = _pair()
    A2, B2 = _pair()
    o1 = plain([(A1, B1)], lr=0.1, weight_decay=0.01)
    o2 = scaled([{"pairs": [(A2, B2)], "precondition": False}], lr=0.1, weight_decay=0.01)
    for _ in range(3):
        o1.step()
        o2.step()
    assert torch.equal(A1, A2) and torch.equal(B1, B2)
    with pytest.raises(ValueError, match=f"{plain.__name__} uses the identity preconditioner"):
        plain([{"pairs": [_pair()], "precondition": True}])


def test_unknown_name_lists_the_valid_ones():
    valid = "'scaled_gd', 'scaled_adamw', 'sgd', 'adamw'"
    with pytest.raises(ValueError, match=f"name must be one of {valid}, got 'SGD'"):
        make_optimizer(_Net(), "SGD", lr=0.1)
    with pytest.raises(TypeError, match=f"name must be one of {valid}, got None"):
        make_optimizer(_Net(), None, lr=0.1)
    with pytest.raises(TypeError, match="got \\['sgd'\\]"):
        make_optimizer(_Net(), ["sgd"], lr=0.1)


def test_unknown_option_is_named_by_make_optimizer_with_the_accepted_ones():
    with pytest.raises(TypeError) as err:
        make_optimizer(_Net(), "scaled_adamw", lr=0.1, foo=1)
    assert str(err.value) == (
        "make_optimizer got unknown option(s) foo for name='scaled_adamw'; it accepts model, "
        "name, lr, reg, strict and betas, correct_bias, eps, ordering, weight_decay"
    )
    with pytest.raises(
        TypeError, match=r"option\(s\) eps for name='sgd'.* ordering, weight_decay$"
    ):
        make_optimizer(_Net(), "sgd", lr=0.1, eps=1e-8)
