r"""A tiny causal transformer and Markov-chain language data.

The fine-tuning experiment compares optimizers over a learning-rate grid and seeds. On CPU the
cost of one tiny run is dominated by per-operation overhead, so the runs share one forward pass:
:class:`~papers.riemannian_lora.LoRALinear` with ``runs=K`` holds ``K`` independent LoRA pairs
on one frozen layer, and the input carries a leading run axis, ``(K, batch, time, d)``. Run
``k`` only ever sees its own adapter and its own data; the summed loss gives each run exactly
its own gradient, and each run's adapter is a separate ``(lora_A.k, lora_B.k)`` parameter pair
that :func:`~papers.riemannian_lora.make_optimizer` pairs by name.

Data: a Markov chain on ``V`` tokens with ``n_succ`` successors per state (Dirichlet(1)
weights, mixed with a uniform component so that it is irreducible and aperiodic). The best
achievable next-token loss is the entropy rate :math:`\sum_i\pi_iH(P_{i\cdot})`
(:func:`entropy_rate`), so losses are reported as excess over that floor.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "TinyLM",
    "entropy_rate",
    "markov_chain",
    "next_token_loss",
    "sample_chain",
    "stationary",
]


# ----------------------------------------------------------------------------- data
def markov_chain(
    vocab: int, n_succ: int, rng: np.random.Generator, uniform_mix: float = 0.02
) -> np.ndarray:
    """A random sparse transition matrix ``(vocab, vocab)`` (rows sum to one)."""
    if not (1 <= n_succ <= vocab) or not (0 < uniform_mix < 1):
        raise ValueError(
            f"need 1 <= n_succ <= vocab and 0 < uniform_mix < 1, got {n_succ}, {uniform_mix}"
        )
    P = np.zeros((vocab, vocab))
    for i in range(vocab):
        succ = rng.choice(vocab, size=n_succ, replace=False)
        P[i, succ] = rng.dirichlet(np.ones(n_succ))
    return (1 - uniform_mix) * P + uniform_mix / vocab


def stationary(P: np.ndarray) -> np.ndarray:
    """Stationary distribution of an irreducible transition matrix."""
    w, v = np.linalg.eig(P.T)
    pi = np.abs(np.real(v[:, np.argmin(np.abs(w - 1))]))
    return pi / pi.sum()


def entropy_rate(P: np.ndarray) -> float:
    r""":math:`\sum_i \pi_i H(P_{i\cdot})` in nats: the loss floor of next-token prediction."""
    pi = stationary(P)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.where(P > 0, P * np.log(P), 0.0).sum(axis=1)
    return float(pi @ h)


def sample_chain(
    P: np.ndarray, n: int, length: int, rng: np.random.Generator, pi: np.ndarray | None = None
) -> np.ndarray:
    """``n`` sequences of ``length`` tokens, started from ``pi`` (default: stationary)."""
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or not np.allclose(P.sum(axis=1), 1.0):
        raise ValueError(f"P must be a square row-stochastic matrix, got shape {P.shape}")
    if n < 1 or length < 1:
        raise ValueError(f"n and length must be >= 1, got {n}, {length}")
    cum = np.cumsum(P, axis=1)
    cum[:, -1] = 1.0
    out = np.empty((n, length), dtype=np.int64)
    out[:, 0] = rng.choice(P.shape[0], size=n, p=stationary(P) if pi is None else pi)
    u = rng.random((n, length))
    for t in range(1, length):
        out[:, t] = (u[:, t, None] > cum[out[:, t - 1]]).sum(axis=1)
    return out


# ----------------------------------------------------------------------------- model
class _Block(nn.Module):
    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q_proj, self.k_proj = nn.Linear(d, d), nn.Linear(d, d)
        self.v_proj, self.o_proj = nn.Linear(d, d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        *lead, t, d = x.shape
        y = self.ln1(x)

        def split(z):
            return z.reshape(*lead, t, self.heads, d // self.heads).transpose(-2, -3)

        q, k, v = split(self.q_proj(y)), split(self.k_proj(y)), split(self.v_proj(y))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.o_proj(a.transpose(-2, -3).reshape(*lead, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TinyLM(nn.Module):
    """A pre-LayerNorm causal transformer with separate ``q/k/v/o_proj`` layers.

    Input token ids of shape ``(..., time)``; output logits ``(..., time, vocab)``.
    """

    def __init__(self, vocab: int, d: int, layers: int, heads: int, context: int) -> None:
        super().__init__()
        if d % heads:
            raise ValueError(f"d must be divisible by heads, got d={d}, heads={heads}")
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList(_Block(d, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        h = self.tok(ids) + self.pos.weight[: ids.shape[-1]]
        for block in self.blocks:
            h = block(h)
        return self.head(self.ln(h))


def next_token_loss(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy per run: ``ids`` ``(K, batch, time)`` -> ``(K,)``."""
    lp = F.log_softmax(logits[..., :-1, :], dim=-1)
    nll = -lp.gather(-1, ids[..., 1:, None]).squeeze(-1)
    return nll.flatten(1).mean(dim=1)
