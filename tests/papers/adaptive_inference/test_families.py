"""Torch state spaces: joint training equals separate training, costs, cross-fitting."""

import numpy as np
import pytest
import torch

from papers.adaptive_inference import EarlyExitMLP, ResolutionFamily, WidthFamily, cross_fit
from papers.adaptive_inference.families import _train


def test_joint_training_equals_separate_training():
    """Sum of per-state losses + Adam (per-parameter) = each width trained on its own."""
    torch.manual_seed(0)
    X, y = torch.rand(40, 6), torch.randint(0, 3, (40,))
    joint = WidthFamily(6, 3, [2, 5], torch.Generator().manual_seed(1)).double()
    singles = [WidthFamily(6, 3, [h], torch.Generator()).double() for h in (2, 5)]
    with torch.no_grad():  # copy the joint initialisation into the separate models
        for k, (single, sl) in enumerate(zip(singles, (slice(0, 2), slice(2, 7)), strict=True)):
            single.hidden.weight.copy_(joint.hidden.weight[:, sl])
            single.hidden.bias.copy_(joint.hidden.bias[sl])
            single.heads[0].weight.copy_(joint.heads[k].weight)
            single.heads[0].bias.copy_(joint.heads[k].bias)
    kw = dict(epochs=3, batch=16, lr=0.05, weight_decay=1e-3)
    Xd = X.double()
    _train(joint, Xd, y, g=torch.Generator().manual_seed(7), **kw)
    for single in singles:
        _train(single, Xd, y, g=torch.Generator().manual_seed(7), **kw)
    with torch.no_grad():
        out = joint(Xd)
        for k, single in enumerate(singles):
            torch.testing.assert_close(out[k], single(Xd)[0], rtol=1e-9, atol=1e-9)


def test_train_steps_adam_as_torch_optim():
    """``_train``'s written-out Adam with L2 weight decay = ``torch.optim.Adam`` step by step."""
    X, y = torch.rand(40, 6, dtype=torch.float64), torch.randint(0, 3, (40,))
    ours = EarlyExitMLP(6, 3, 4, 2, torch.Generator().manual_seed(3)).double()
    ref = EarlyExitMLP(6, 3, 4, 2, torch.Generator().manual_seed(3)).double()
    kw = dict(epochs=4, batch=16, lr=0.05, weight_decay=1e-2)
    _train(ours, X, y, g=torch.Generator().manual_seed(7), **kw)
    opt = torch.optim.Adam(ref.parameters(), lr=kw["lr"], weight_decay=kw["weight_decay"])
    g = torch.Generator().manual_seed(7)  # the same mini-batches as _train draws
    for _ in range(kw["epochs"]):
        order = torch.randperm(40, generator=g)
        for start in range(0, 40, kw["batch"]):
            idx = order[start : start + kw["batch"]]
            logits = ref(X[idx])
            k, b, c = logits.shape
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(k * b, c), y[idx].repeat(k), reduction="sum"
            )
            opt.zero_grad()
            (loss / b).backward()
            opt.step()
    init = EarlyExitMLP(6, 3, 4, 2, torch.Generator().manual_seed(3)).double()
    for p, q, p0 in zip(ours.parameters(), ref.parameters(), init.parameters(), strict=True):
        assert (p - p0).abs().max() > 1e-3  # trained, not left at the initialisation
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_costs():
    g = torch.Generator()
    np.testing.assert_allclose(WidthFamily(64, 10, [1, 8], g).costs(), [148, 148 * 8])
    fam = ResolutionFamily(10, 32, [2, 4, 8], g)
    np.testing.assert_allclose(
        fam.costs(),
        [
            64 + 80,
            64 + 2 * (4 * 32 + 320),
            64 + 320,
            64 + 2 * (16 * 32 + 320),
            1280,
            2 * (64 * 32 + 320),
        ],
    )
    assert fam.names()[:2] == ["linear 2x2", "MLP 2x2"]
    ee = EarlyExitMLP(64, 10, 128, 4, g)
    w = 128
    np.testing.assert_allclose(ee.costs(), [2 * (64 * w + i * w * w + w * 10) for i in range(4)])
    np.testing.assert_allclose(ee.stop_costs() - ee.costs(), [2 * i * w * 10 for i in range(4)])
    assert ee(torch.rand(5, 64)).shape == (4, 5, 10)
    assert fam(torch.rand(5, 64)).shape == (6, 5, 10)


def test_cross_fit_out_of_fold_and_seeded():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)
    kw = dict(
        folds=3,
        repeats=2,
        epochs=2,
        batch=16,
        lr=0.05,
        weight_decay=0.0,
        seed=lambda *names: len(repr(names)),
        standardize=True,
    )
    a = cross_fit(lambda g: WidthFamily(4, 3, [1, 4], g), X, y, **kw)
    b = cross_fit(lambda g: WidthFamily(4, 3, [1, 4], g), X, y, **kw)
    assert a.correct.shape == (2, 2, 60)
    assert np.all((a.confidence >= 1 / 3 - 1e-6) & (a.confidence <= 1))  # every input predicted
    np.testing.assert_array_equal(a.correct, b.correct)
    np.testing.assert_array_equal(a.confidence, b.confidence)


def test_bad_input():
    g = torch.Generator()
    with pytest.raises(ValueError, match="widths must be >= 1"):
        WidthFamily(4, 3, [0, 2], g)
    with pytest.raises(ValueError, match="widths must be a non-empty"):
        WidthFamily(4, 3, [], g)
    with pytest.raises(ValueError, match="sizes must divide 8"):
        ResolutionFamily(10, 8, [3], g)
    make = lambda g: WidthFamily(2, 2, [1], g)  # noqa: E731
    X, y = np.zeros((10, 2)), np.arange(10) % 2
    base = dict(folds=2, repeats=1, epochs=1, batch=4, lr=0.1, weight_decay=0.0, seed=lambda *a: 0)
    for key, value, match in [
        ("folds", 1, "folds must be >= 2"),
        ("epochs", 0, "epochs"),
        ("lr", 0.0, "lr must be"),
        ("weight_decay", np.nan, "weight_decay"),
        ("batch", 2.5, "batch"),
    ]:
        with pytest.raises(ValueError, match=match):
            cross_fit(make, X, y, **{**base, key: value})
    with pytest.raises(ValueError, match="finite"):
        cross_fit(make, np.full((10, 2), np.nan), y, **base)
    with pytest.raises(ValueError, match="X must be"):
        cross_fit(make, X, y[:5], **base)
