"""CNN families (the brief's full scale) and the generated shapes task: costs against a hand
count, shapes, cross-fitting on a tiny stand-in, bad input, the full-scale code path."""

import numpy as np
import pytest
import torch

from common import cli
from papers.adaptive_inference import (
    CNNResolutionFamily,
    CNNWidthFamily,
    EarlyExitCNN,
    cross_fit,
)
from papers.adaptive_inference.families import conv_sizes
from papers.adaptive_inference.paper import PAPER
from papers.adaptive_inference.shapes import SHAPE_CLASSES, make_shapes

G = torch.Generator


def _count_macs(module: torch.nn.Module, x: torch.Tensor) -> list[float]:
    """Independent count: multiply-adds of every conv2d / matmul call, recorded by hooks on
    torch's functional ops while the forward pass runs on one input."""
    macs = []
    conv, linear_mm = torch.nn.functional.conv2d, torch.Tensor.__matmul__

    def counting_conv(inp, w, b=None, **kw):
        out = conv(inp, w, b, **kw)
        macs.append(out[0].numel() * w.shape[1] * w.shape[2] * w.shape[3])
        return out

    def counting_mm(a, b):
        macs.append(a.shape[-1] * b.shape[-1] * (a.numel() // a.shape[-1]))
        return linear_mm(a, b)

    torch.nn.functional.conv2d = counting_conv
    torch.Tensor.__matmul__ = counting_mm
    try:
        with torch.no_grad():
            module(x)
    finally:
        torch.nn.functional.conv2d = conv
        torch.Tensor.__matmul__ = linear_mm
    return macs


def test_conv_sizes():
    assert conv_sizes(8, 4) == [8, 4, 2, 2]
    assert conv_sizes(16, 3) == [16, 8, 4]
    assert conv_sizes(2, 2) == [2, 2]


def test_costs_by_hand():
    # width c on 8x8, 2 layers: conv1 9*c*64, conv2 9*c*c*16 (after a 2x2 max-pool), head c*10
    fam = CNNWidthFamily(8, 10, [1, 4], 2, G())
    hand = [2 * (9 * c * 64 + 9 * c * c * 16 + c * 10) for c in (1, 4)]
    np.testing.assert_allclose(fam.costs(), hand)
    # early exits, c = 8 on 8x8, depth 4: maps 8, 4, 2, 2
    ee = EarlyExitCNN(8, 10, 8, 4, G())
    layers = [9 * 8 * 64, 9 * 64 * 16, 9 * 64 * 4, 9 * 64 * 4]
    np.testing.assert_allclose(ee.costs(), [2 * (sum(layers[: i + 1]) + 80) for i in range(4)])
    np.testing.assert_allclose(ee.stop_costs() - ee.costs(), [2 * 80 * i for i in range(4)])
    # resolution: pooling (64 additions below 8x8) + the CNN at k x k
    res = CNNResolutionFamily(8, 10, [2, 4, 8], 4, 2, G())
    cnn = {2: 9 * 4 * 4 + 9 * 16 * 4, 4: 9 * 4 * 16 + 9 * 16 * 4, 8: 9 * 4 * 64 + 9 * 16 * 16}
    hand = [(64 if k < 8 else 0) + 2 * (cnn[k] + 40) for k in (2, 4, 8)]
    np.testing.assert_allclose(res.costs(), hand)
    assert res.names() == ["2x2", "4x4", "8x8"]


@pytest.mark.parametrize(
    "fam",
    [
        CNNWidthFamily(8, 10, [1, 2, 4], 2, G()),
        EarlyExitCNN(16, 10, 4, 3, G()),
        CNNWidthFamily(16, 10, [2, 3], 3, G()),
    ],
)
def test_costs_match_counted_multiply_adds(fam):
    """costs() = 2 x the multiply-adds the forward pass performs (counted per state)."""
    x = torch.rand(1, fam.size**2)
    macs = _count_macs(fam, x)
    if isinstance(fam, CNNWidthFamily):  # states run one after another: conv..., head
        per_state = np.add.reduceat(macs, np.arange(0, len(macs), fam.depth + 1))
        np.testing.assert_allclose(fam.costs(), 2 * per_state)
    else:  # conv, head, conv, head, ...: cumulative backbone + own head
        convs, heads = np.array(macs[0::2]), np.array(macs[1::2])
        np.testing.assert_allclose(fam.costs(), 2 * (np.cumsum(convs) + heads))


def test_shapes_of_outputs():
    x = torch.rand(5, 64)
    assert CNNWidthFamily(8, 10, [1, 2, 4], 2, G())(x).shape == (3, 5, 10)
    assert EarlyExitCNN(8, 10, 4, 3, G())(x).shape == (3, 5, 10)
    assert CNNResolutionFamily(8, 10, [2, 4, 8], 4, 2, G())(x).shape == (3, 5, 10)
    assert CNNResolutionFamily(16, 7, [4, 16], 2, 1, G())(torch.rand(3, 256)).shape == (2, 3, 7)


def test_seeded_initialisation():
    a = CNNWidthFamily(8, 10, [2], 2, G().manual_seed(3))
    b = CNNWidthFamily(8, 10, [2], 2, G().manual_seed(3))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q)


def test_make_shapes():
    X, y = make_shapes(50, 12, np.random.default_rng(0), noise=0.0)
    assert X.shape == (50, 144) and y.shape == (50,)
    assert np.bincount(y, minlength=10).min() >= 4 and y.max() < len(SHAPE_CLASSES)
    X2, y2 = make_shapes(50, 12, np.random.default_rng(0), noise=0.0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    # without noise each image has two levels (background, background + contrast)
    assert all(np.unique(img).size <= 2 for img in X)


def test_cross_fit_tiny_cnn():
    X, y = make_shapes(60, 8, np.random.default_rng(1), noise=0.1)
    kw = dict(folds=3, repeats=2, epochs=1, batch=16, lr=0.01, weight_decay=0.0)
    make = lambda g: EarlyExitCNN(8, 10, 2, 2, g)  # noqa: E731
    a = cross_fit(make, X, y, seed=lambda *n: len(repr(n)), **kw)
    b = cross_fit(make, X, y, seed=lambda *n: len(repr(n)), **kw)
    assert a.correct.shape == (2, 2, 60)
    assert np.all(a.confidence >= 0.1 - 1e-6)  # every input has an out-of-fold prediction
    np.testing.assert_array_equal(a.correct, b.correct)


def test_bad_input():
    with pytest.raises(ValueError, match="widths must be >= 1"):
        CNNWidthFamily(8, 10, [0, 2], 2, G())
    with pytest.raises(ValueError, match="depth must be"):
        CNNWidthFamily(8, 10, [2], 0, G())
    with pytest.raises(ValueError, match="sizes must divide the image size 8"):
        CNNResolutionFamily(8, 10, [3], 2, 1, G())
    with pytest.raises(ValueError, match="image size must be >= 2"):
        EarlyExitCNN(1, 10, 2, 1, G())
    with pytest.raises(ValueError, match="channels and depth"):
        EarlyExitCNN(8, 10, 2, -1, G())
    with pytest.raises(ValueError, match=r"x must have shape \(batch, 64\)"):
        EarlyExitCNN(8, 10, 2, 1, G())(torch.rand(3, 65))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="size must be >= 8"):
        make_shapes(10, 4, rng)
    with pytest.raises(ValueError, match="n must be a positive"):
        make_shapes(0, 8, rng)
    with pytest.raises(ValueError, match="noise must be"):
        make_shapes(10, 8, rng, noise=np.nan)
    with pytest.raises(TypeError, match="rng must be"):
        make_shapes(10, 8, 0)


TINY = {"folds": 2, "repeats": 2, "epochs": 1, "batch": 64, "n_thresholds": 5}


@pytest.mark.parametrize(
    ("name", "over", "states"),
    [
        ("digits_cnn_width", {"widths": [1, 2, 4]}, 3),
        ("digits_cnn_early_exit", {"channels": 2, "depth": 2}, 2),
        ("digits_cnn_resolution", {"channels": 2, "sizes": [4, 8]}, 2),
        ("shapes_cnn_width", {"widths": [1, 2], "n_samples": 60, "image_size": 8}, 2),
    ],
)
def test_cnn_experiments_tiny(name, over, states):
    r = cli.run(PAPER, name, seed=2, overrides={**TINY, **over})
    assert r["accuracy"].shape == (2, states) and len(r["names"]) == states
    assert np.all(np.diff(r["costs"]) >= 0)
    assert np.all(r["nested_excess"] <= 1e-12) and np.all(r["union_excess"] <= 1e-12)
    assert np.all(r["oracle_accuracy"] >= r["accuracy"].max(axis=1))
    if name.endswith("width"):
        assert r["range_iso"].shape == (2, states - 1)


def test_cnn_full_scale_code_path():
    """scale=full (its 101 thresholds, depth-5 early exits on 32x32 shapes) at tiny sizes."""
    over = {"folds": 2, "repeats": 1, "epochs": 1, "channels": 2, "n_samples": 40}
    r = cli.run(PAPER, "shapes_cnn_early_exit", scale="full", seed=1, overrides=over)
    assert r["thresholds"].size == 102
    assert r["image_size"] == 32 and r["accuracy"].shape == (1, 5)
    r = cli.run(
        PAPER,
        "shapes_cnn_resolution",
        scale="full",
        seed=1,
        overrides={**over, "sizes": [2, 32]},
    )
    assert r["names"] == ["2x2", "32x32"]
