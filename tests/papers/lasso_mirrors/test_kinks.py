"""Kinks read from a network's weights: hand-built networks with known kinks, the rebuilt
Lasso networks' kinks, and a brute-force check on random deep networks."""

import numpy as np
import pytest

from papers.lasso_mirrors import fit_lasso_network, network_kinks
from papers.lasso_mirrors.datasets import DATASETS
from papers.lasso_mirrors.features import act


def _forward(W, B, alpha, activation, x):
    h = np.broadcast_to(x, (W.shape[0], x.size))
    for layer in range(W.shape[1]):
        h = act(activation, W[:, layer, None] * h + B[:, layer, None])
    return alpha @ h


def test_two_layer_relu_by_hand():
    # kinks at 1 (slope change |3 * 2|), 3 (|0.5 * -1|); a dead neuron (alpha 0) at 2, one
    # outside [0, 4] at 6, and two neurons at 3.5 whose slope changes cancel
    W = np.array([[2.0], [-1.0], [1.0], [1.0], [1.0], [2.0]])
    B = np.array([[-2.0], [3.0], [-2.0], [-6.0], [-3.5], [-7.0]])
    alpha = np.array([3.0, 0.5, 0.0, 1.0, 1.0, -0.5])
    loc, size = network_kinks(W, B, alpha, "relu", 0.0, 4.0)
    np.testing.assert_allclose(loc, [1.0, 3.0])
    np.testing.assert_allclose(size, [6.0, 0.5])


@pytest.mark.parametrize("activation", ["relu", "sign"])
def test_far_kinks_do_not_hide_near_ones(activation):
    """A neuron with a tiny input weight (kink at 1e15) beside neurons with kinks at 1, 2."""
    W, B = np.array([[1.0], [1.0], [1e-15]]), np.array([[-1.0], [-2.0], [-1.0]])
    loc, _ = network_kinks(W, B, [1.0, -0.5, 1.0], activation, 0.0, 3.0)
    np.testing.assert_allclose(loc, [1.0, 2.0])


def test_deep_chains_by_hand():
    # relu(2 - relu(x - 1)): 2 up to 1, then 3 - x, 0 from 3 on; output weight 2
    loc, size = network_kinks([[1.0, -1.0]], [[-1.0, 2.0]], [2.0], "relu", -5.0, 5.0)
    np.testing.assert_allclose(loc, [1.0, 3.0])
    np.testing.assert_allclose(size, [2.0, 2.0])
    # ||x - 2| - 3|: the data-point kink 2 and its reflections -1 and 5, slope change 2 each
    loc, size = network_kinks([[1.0, 1.0]], [[-2.0, -3.0]], [1.0], "abs", -5.0, 8.0)
    np.testing.assert_allclose(loc, [-1.0, 2.0, 5.0])
    np.testing.assert_allclose(size, [2.0, 2.0, 2.0])
    # leaky ReLU: slope 0.1 then 1, times 2 (|w| = 2 scales the change)
    loc, size = network_kinks([[-2.0]], [[1.0]], [1.0], "leaky_relu", -5.0, 5.0)
    np.testing.assert_allclose(loc, [0.5])
    np.testing.assert_allclose(size, [2.0 * 0.9])


def test_sign_jumps_by_hand():
    # jumps 2 alpha sign(w) at -b/w: at 1, 2 * 1 + 2 * 0.5 (the second neuron falls, with a
    # negative output weight); at 2.5, 2 * 0.25; the last neuron's jump (9) is outside
    W = np.array([[1.0], [-2.0], [4.0], [1.0]])
    B = np.array([[-1.0], [2.0], [-10.0], [-9.0]])
    alpha = np.array([1.0, -0.5, 0.25, 3.0])
    loc, size = network_kinks(W, B, alpha, "sign", 0.0, 5.0)
    np.testing.assert_allclose(loc, [1.0, 2.5])
    np.testing.assert_allclose(size, [3.0, 0.5])
    loc, size = network_kinks(W, B, alpha, "threshold", 0.0, 5.0)
    np.testing.assert_allclose(size, [1.5, 0.25])


@pytest.mark.parametrize(
    ("activation", "depth"),
    [("relu", 2), ("relu", 3), ("relu", 4), ("abs", 3), ("abs", 4), ("leaky_relu", 2)],
)
def test_rebuilt_lasso_network_kinks(activation, depth):
    """The kinks read from the rebuilt network's weights are its features' kinks."""
    x, y = DATASETS["opt"]
    net = fit_lasso_network(x, y, 0.0, activation, depth)
    w = net.weights
    loc, size = network_kinks(
        w["hidden_weights"], w["hidden_biases"], w["output_weights"], activation, -50.0, 50.0
    )
    np.testing.assert_allclose(loc, [k.location for k in net.kinks], atol=1e-9)
    assert size.min() > 1e-3


@pytest.mark.parametrize(("activation", "depth"), [("relu", 4), ("abs", 4), ("leaky_relu", 2)])
def test_random_networks_against_brute_force(activation, depth):
    """Random deep nets: the predictor is linear between the kinks found (none missed), and
    finite differences across each kink give its slope change."""
    rng = np.random.default_rng(7)
    W, B = rng.normal(size=(12, depth - 1)), rng.normal(size=(12, depth - 1))
    alpha = rng.normal(size=12)
    lo, hi = -3.0, 3.0
    loc, size = network_kinks(W, B, alpha, activation, lo, hi)
    assert loc.size >= 5
    knots = np.concatenate([[lo], loc, [hi]])
    grid = np.linspace(lo, hi, 20001)
    f = _forward(W, B, alpha, activation, grid)
    np.testing.assert_allclose(
        np.interp(grid, knots, _forward(W, B, alpha, activation, knots)), f, atol=1e-9
    )
    h = 0.4 * np.min(np.diff(knots))  # f is linear between the kinks: exact differences
    fd = [
        _forward(W, B, alpha, activation, np.array([t - h, t, t + h])) @ [1.0, -2.0, 1.0] / h
        for t in loc
    ]
    np.testing.assert_allclose(np.abs(fd), size, rtol=1e-5, atol=1e-9)


def test_bad_kink_input():
    with pytest.raises(ValueError, match="activation must be"):
        network_kinks([[1.0]], [[0.0]], [1.0], "tanh", 0.0, 1.0)
    with pytest.raises(ValueError, match="output_weights"):
        network_kinks([[1.0]], [[0.0]], [1.0, 2.0], "relu", 0.0, 1.0)
    with pytest.raises(ValueError, match="hidden_biases contains NaN"):
        network_kinks([[1.0]], [[np.nan]], [1.0], "relu", 0.0, 1.0)
    with pytest.raises(ValueError, match="depth 2"):
        network_kinks([[1.0, 1.0]], [[0.0, 0.0]], [1.0], "sign", 0.0, 1.0)
    with pytest.raises(ValueError, match="lo < hi"):
        network_kinks([[1.0]], [[0.0]], [1.0], "relu", 1.0, 1.0)
