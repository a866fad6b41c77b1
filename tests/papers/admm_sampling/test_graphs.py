"""Graph builders, Metropolis weights, Laplacian and the released code's neighbour indices."""

import numpy as np
import pytest

from papers.admm_sampling import graph, laplacian, metropolis_weights, neighbour_matrix


@pytest.mark.parametrize("kind", ["complete", "cycle", "empty", "path", "star"])
def test_graphs_are_simple_undirected(kind):
    a = graph(kind, 6)
    assert a.shape == (6, 6)
    np.testing.assert_array_equal(a, a.T)
    assert np.all(np.diag(a) == 0)
    degrees = {"complete": 5, "cycle": 2, "empty": 0, "path": None, "star": None}[kind]
    if degrees is not None:
        assert np.all(a.sum(axis=1) == degrees)
    w = metropolis_weights(a)
    np.testing.assert_allclose(w.sum(axis=0), 1.0)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    np.testing.assert_allclose(laplacian(a).sum(axis=1), 0.0)


def test_metropolis_weights_formula():
    a = graph("star", 4)  # centre degree 3, leaves degree 1
    w = metropolis_weights(a)
    assert w[0, 1] == pytest.approx(1 / 4)
    assert w[1, 1] == pytest.approx(3 / 4)
    assert w[0, 0] == pytest.approx(1 / 4)


def test_code_bug_neighbours():
    # cycle: every agent's "neighbours" are agents 0 and 1
    b = neighbour_matrix(graph("cycle", 5), "code_bug")
    np.testing.assert_array_equal(b, np.tile([1, 1, 0, 0, 0], (5, 1)))
    # complete: agents 0 .. N-2, so agent i counts itself and misses N-1
    b = neighbour_matrix(graph("complete", 4), "code_bug")
    np.testing.assert_array_equal(b, np.tile([1, 1, 1, 0], (4, 1)))
    np.testing.assert_array_equal(neighbour_matrix(graph("cycle", 5)), graph("cycle", 5))


def test_bad_graph_input():
    with pytest.raises(ValueError, match="kind"):
        graph("ring", 4)
    with pytest.raises(ValueError, match="n_agents"):
        graph("cycle", 0)
    with pytest.raises(ValueError, match="neighbours"):
        neighbour_matrix(graph("cycle", 3), "true")
    with pytest.raises(ValueError, match="symmetric"):
        laplacian(np.triu(np.ones((3, 3)), 1))
    with pytest.raises(ValueError, match="square"):
        metropolis_weights(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="0 and 1"):
        laplacian(np.full((2, 2), 0.5))
