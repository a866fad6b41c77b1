"""Fuzz the optimizers' inputs: random bad hyper-parameters, orderings, names and non-finite
gradients give TypeError/ValueError naming the argument (never LinAlgError or silent NaN)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from papers.riemannian_lora import ScaledAdamW, ScaledGD, make_optimizer
from papers.riemannian_lora.optim import OPTIMIZERS, PlainAdamW, PlainSGD

CLASSES = [ScaledGD, ScaledAdamW, PlainSGD, PlainAdamW]
_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


def _pair(seed=0):
    g = torch.Generator().manual_seed(seed)
    A = nn.Parameter(torch.randn(2, 4, generator=g, dtype=torch.float64))
    B = nn.Parameter(torch.randn(3, 2, generator=g, dtype=torch.float64))
    A.grad = torch.randn(2, 4, generator=g, dtype=torch.float64)
    B.grad = torch.randn(3, 2, generator=g, dtype=torch.float64)
    return A, B


def _wrap(x: float, how: int):
    """The same value as a python float, numpy scalar, 0-d array or 0-d tensor."""
    return [float, np.float64, np.float32, np.array, torch.tensor][how](x)


_junk = st.one_of(
    st.none(), st.text(max_size=3), st.booleans(), st.complex_numbers(allow_nan=False),
    st.lists(st.floats(0, 1), min_size=1, max_size=3),
    st.builds(lambda n: torch.zeros(n), st.integers(1, 3)),
)  # fmt: skip


@_SETTINGS
@given(
    cls=st.sampled_from(CLASSES),
    key=st.sampled_from(["lr", "reg", "weight_decay"]),
    value=st.one_of(
        st.floats(max_value=-1e-300),  # negative
        st.sampled_from([math.nan, math.inf, -math.inf]),
    ),
    how=st.integers(0, 4),
)
def test_nonfinite_or_negative_scalars_raise_valueerror_naming_it(cls, key, value, how):
    if how == 2 and np.isfinite(value) and -np.float32(value) == 0:
        value = -1.0  # would round to -0.0 in float32, which is a valid 0
    with pytest.raises(ValueError, match=rf"^{key} must be a finite number"):
        cls([_pair()], **{key: _wrap(value, how)})


@_SETTINGS
@given(
    cls=st.sampled_from(CLASSES),
    key=st.sampled_from(["lr", "reg", "weight_decay"]),
    value=_junk,
)
def test_non_real_scalars_raise_typeerror_naming_it(cls, key, value):
    with pytest.raises(TypeError, match=rf"^{key} must be a real scalar"):
        cls([_pair()], **{key: value})


@_SETTINGS
@given(
    cls=st.sampled_from(CLASSES),
    lr=st.floats(0, 1e3),
    wd=st.floats(0, 1),
    reg=st.floats(0, 1e3),
    how=st.integers(0, 4),
)
def test_valid_scalars_of_any_kind_are_stored_as_floats(cls, lr, wd, reg, how):
    opt = cls([_pair()], lr=_wrap(lr, how), weight_decay=_wrap(wd, how), reg=_wrap(reg, how))
    for key, v in (("lr", lr), ("weight_decay", wd), ("reg", reg)):
        got = opt.param_groups[0][key]
        assert type(got) is float
        assert got == (float(np.float32(v)) if how in (2, 4) else v)


@_SETTINGS
@given(
    cls=st.sampled_from([ScaledAdamW, PlainAdamW]),
    betas=st.one_of(
        st.tuples(st.floats(allow_nan=True), st.floats(allow_nan=True)),
        st.lists(st.floats(0, 0.5), max_size=4).filter(lambda b: len(b) != 2),
        _junk,
    ),
)
def test_bad_betas(cls, betas):
    vals = betas.tolist() if isinstance(betas, torch.Tensor) else betas
    ok = (
        isinstance(betas, tuple | list | torch.Tensor)
        and len(vals) == 2
        and all(isinstance(b, float) and 0 <= b < 1 for b in vals)
    )
    if ok:
        assert cls([_pair()], betas=betas).defaults["betas"] == tuple(vals)
        return
    with pytest.raises((TypeError, ValueError), match="betas"):
        cls([_pair()], betas=betas)


@_SETTINGS
@given(
    cls=st.sampled_from(CLASSES),
    ordering=st.one_of(st.text(max_size=12), st.none(), st.integers(), st.floats()),
    in_group=st.booleans(),
)
def test_bad_ordering_names_the_value_and_the_choices(cls, ordering, in_group):
    if ordering in ("jacobi", "gauss-seidel"):
        return
    kw = {"params": [{"pairs": [_pair()], "ordering": ordering}]} if in_group else {
        "params": [_pair()], "ordering": ordering}  # fmt: skip
    with pytest.raises(ValueError) as err:
        cls(**kw)
    msg = str(err.value)
    assert msg.startswith("ordering must be one of 'jacobi', 'gauss-seidel', got ")
    assert repr(ordering) in msg


@_SETTINGS
@given(name=st.one_of(st.text(max_size=12), st.none(), st.integers()))
def test_unknown_optimizer_names(name):
    model = nn.Module()
    model.lora_A, model.lora_B = _pair()
    if name in OPTIMIZERS:
        assert type(make_optimizer(model, name, lr=0.1)) is OPTIMIZERS[name][0]
        return
    with pytest.raises((TypeError, ValueError), match="name must be one of 'scaled_gd'"):
        make_optimizer(model, name, lr=0.1)


@_SETTINGS
@given(
    cls=st.sampled_from(CLASSES),
    ordering=st.sampled_from(["jacobi", "gauss-seidel"]),
    which=st.integers(0, 3),  # pair 0/1, factor A/B
    where=st.integers(0, 23),
    bad=st.sampled_from([math.nan, math.inf, -math.inf]),
    steps_before=st.integers(0, 2),
)
def test_nonfinite_gradients_raise_and_update_nothing(cls, ordering, which, where, bad,
                                                      steps_before):  # fmt: skip
    pairs = [_pair(0), _pair(1)]
    opt = cls(pairs, lr=0.01, ordering=ordering, weight_decay=0.1)
    for _ in range(steps_before):
        opt.step()
    p = pairs[which // 2][which % 2]
    p.grad.view(-1)[where % p.numel()] = bad
    before = [t.detach().clone() for ab in pairs for t in ab]
    with pytest.raises(ValueError) as err:
        opt.step()
    msg = str(err.value)
    assert f"LoRA pair #{which // 2} factor {'AB'[which % 2]}" in msg
    assert f"step() call {steps_before + 1}" in msg and "no parameter was updated" in msg
    after = [t.detach() for ab in pairs for t in ab]
    assert all(torch.equal(a, b) for a, b in zip(before, after, strict=True))
