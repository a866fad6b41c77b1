"""Adam on the non-convex nets: never below the Lasso; the placed optimum stays optimal."""

import numpy as np
import pytest
import torch

from papers.lasso_mirrors import fit_lasso_network, train_networks
from papers.lasso_mirrors.datasets import DATASETS

X, Y = DATASETS["zshape"]


@pytest.mark.parametrize(("activation", "depth"), [("relu", 2), ("relu", 4), ("abs", 3)])
def test_training_never_below_lasso(activation, depth):
    beta = 0.1
    net = fit_lasso_network(X, Y, beta, activation, depth)
    run = train_networks(
        X,
        Y,
        beta,
        activation=activation,
        depth=depth,
        width=8,
        n_seeds=3,
        steps=150,
        lr=0.02,
        generator=torch.Generator().manual_seed(0),
    )
    assert np.all(run.objectives >= net.objective * (1 - 1e-9))


def test_placed_optimum_has_lasso_objective():
    """A width equal to the optimum's support, placed there, starts at p* exactly."""
    beta = 0.1
    net = fit_lasso_network(X, Y, beta, "relu", 3)
    m = net.weights["output_weights"].size
    run = train_networks(
        X,
        Y,
        beta,
        depth=3,
        width=m,
        n_seeds=2,
        n_placed=1,
        steps=1,
        lr=1e-12,
        place=net,
        n_trace=1,
        generator=torch.Generator().manual_seed(0),
    )
    assert run.objectives[1] == pytest.approx(net.objective, rel=1e-8)  # placed
    assert run.objectives[0] > net.objective * 1.01  # the first seed starts at random


def test_bad_training_input():
    with pytest.raises(ValueError, match="mode must be"):
        train_networks(X, Y, 0.1, mode="sloppy")
    with pytest.raises(ValueError, match="width must be"):
        train_networks(X, Y, 0.1, width=0)
    with pytest.raises(ValueError, match="x and y"):
        train_networks(X, Y[:2], 0.1)
    with pytest.raises(ValueError, match="n_placed must be"):
        train_networks(X, Y, 0.1, n_seeds=2, n_placed=3)
    with pytest.raises(ValueError, match="depth must be 2"):
        train_networks(X, Y, 0.1, activation="sign", depth=3)


@pytest.mark.parametrize("activation", ["sign", "threshold"])
def test_placed_step_network_has_lasso_objective(activation):
    """The torch sign/threshold nets, placed at the rebuilt trees (depth 2), start at p*."""
    net = fit_lasso_network(X, Y, 0.1, activation, 2)
    m = net.weights["output_weights"].size
    run = train_networks(
        X, Y, 0.1, activation=activation, width=m, n_seeds=1, steps=1, lr=1e-12, place=net,
        n_trace=1, generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    assert run.objectives[0] == pytest.approx(net.objective, rel=1e-10)


@pytest.mark.parametrize("shared_chain", [False, True])
def test_returned_weights_give_the_predictions(shared_chain):
    """The final weights (shared layers repeated per neuron) reproduce the predictions."""
    run = train_networks(
        X, Y, 0.1, depth=3, width=4, n_seeds=2, steps=5, shared_chain=shared_chain,
        grid=np.linspace(-1.0, 8.0, 7), generator=torch.Generator().manual_seed(0),
    )  # fmt: skip
    w = run.weights
    assert w["hidden_weights"].shape == (2, 4, 2) == w["hidden_biases"].shape
    h = np.broadcast_to(run.grid, (2, 4, run.grid.size))
    for layer in range(2):
        h = np.maximum(
            w["hidden_weights"][..., layer, None] * h + w["hidden_biases"][..., layer, None], 0
        )
    f = np.einsum("sm,smg->sg", w["output_weights"], h) + w["output_bias"][:, None]
    np.testing.assert_allclose(f, run.predictions, rtol=1e-12, atol=1e-12)
