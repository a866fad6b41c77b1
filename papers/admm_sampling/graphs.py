"""Communication graphs: adjacency, Metropolis mixing weights, Laplacian, ADMM neighbour sets.

Graphs are dense symmetric 0/1 adjacency matrices (``n_agents`` is small). The released code
builds them with networkx; these builders give the same edge sets without it.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "GRAPH_KINDS",
    "NEIGHBOUR_MODES",
    "check_adjacency",
    "graph",
    "laplacian",
    "metropolis_weights",
    "neighbour_matrix",
]

GRAPH_KINDS = ("complete", "cycle", "empty", "path", "star")
NEIGHBOUR_MODES = ("correct", "code_bug")


def graph(kind: str, n_agents: int) -> np.ndarray:
    """The adjacency matrix (``n_agents`` x ``n_agents``, 0/1 floats, zero diagonal) of a
    ``kind`` graph: complete, cycle, empty, path or star (agent 0 at the centre)."""
    if kind not in GRAPH_KINDS:
        raise ValueError(f"kind must be one of {GRAPH_KINDS}, got {kind!r}")
    if isinstance(n_agents, bool) or not isinstance(n_agents, int | np.integer) or n_agents < 1:
        raise ValueError(f"n_agents must be a positive integer, got {n_agents!r}")
    n = int(n_agents)
    adj = np.zeros((n, n))
    idx = np.arange(n)
    if kind == "complete":
        adj[:] = 1.0
    elif kind == "cycle" and n > 1:
        adj[idx, (idx + 1) % n] = 1.0
    elif kind == "path":
        adj[idx[:-1], idx[1:]] = 1.0
    elif kind == "star":
        adj[0, 1:] = 1.0
    adj = np.maximum(adj, adj.T)
    np.fill_diagonal(adj, 0.0)
    return adj


def check_adjacency(adjacency) -> np.ndarray:
    """``adjacency`` as a float array, after checking it is a square symmetric 0/1 matrix
    with a zero diagonal."""
    a = np.asarray(adjacency, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise ValueError(f"adjacency must be a square matrix, got shape {a.shape}")
    if not np.all((a == 0.0) | (a == 1.0)):
        raise ValueError("adjacency must hold only 0 and 1")
    if not np.array_equal(a, a.T) or np.any(np.diag(a) != 0.0):
        raise ValueError("adjacency must be symmetric with a zero diagonal")
    return a


def metropolis_weights(adjacency) -> np.ndarray:
    """Metropolis mixing matrix: ``W_ij = 1 / (max(d_i, d_j) + 1)`` on edges and
    ``W_ii = 1 - sum_{j != i} W_ij`` (symmetric, doubly stochastic)."""
    a = check_adjacency(adjacency)
    deg = a.sum(axis=1)
    w = a / (np.maximum(deg[:, None], deg[None, :]) + 1.0)
    np.fill_diagonal(w, 1.0 - w.sum(axis=1))
    return w


def laplacian(adjacency) -> np.ndarray:
    """Graph Laplacian ``D - Adj``."""
    a = check_adjacency(adjacency)
    return np.diag(a.sum(axis=1)) - a


def neighbour_matrix(adjacency, neighbours: str = "correct") -> np.ndarray:
    """The matrix ``B`` with ``(B x)_i = sum_{j in N_i} x_j`` as the ADMM primal step sums.

    ``"correct"`` gives the adjacency itself. ``"code_bug"`` reproduces the released code,
    whose loop ``for j in range(len(graph.adj[i]))`` takes agents ``0 .. d_i - 1`` as the
    neighbours of agent ``i`` (on the complete graph this includes ``i`` itself, so ``B``
    may have diagonal entries). The degrees ``d_i`` are the same in both modes.
    """
    if neighbours not in NEIGHBOUR_MODES:
        raise ValueError(f"neighbours must be one of {NEIGHBOUR_MODES}, got {neighbours!r}")
    a = check_adjacency(adjacency)
    if neighbours == "correct":
        return a
    deg = a.sum(axis=1).astype(int)
    return (np.arange(a.shape[0])[None, :] < deg[:, None]).astype(np.float64)
