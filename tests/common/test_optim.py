"""common.optim.adam_step against torch.optim.Adam."""

import pytest
import torch

from common.optim import adam_step


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_adam_step_equals_torch_optim_adam(weight_decay):
    gen = torch.Generator().manual_seed(0)
    p0 = torch.randn(3, 4, generator=gen, dtype=torch.float64)
    grads = [torch.randn(3, 4, generator=gen, dtype=torch.float64) for _ in range(25)]
    ref = p0.clone().requires_grad_(True)
    opt = torch.optim.Adam([ref], lr=0.03, weight_decay=weight_decay)
    ours, mean, sq = p0.clone(), torch.zeros_like(p0), torch.zeros_like(p0)
    for t, g in enumerate(grads, start=1):
        ref.grad = g.clone()
        opt.step()
        adam_step(ours, g + weight_decay * ours, mean, sq, t, 0.03)
        torch.testing.assert_close(ours, ref.detach(), rtol=1e-13, atol=1e-13)
    assert (ours - p0).abs().min() > 1e-3


def test_adam_step_one_learning_rate_per_member():
    """A tensor lr broadcasting over axis 0 = separate Adams with those learning rates."""
    gen = torch.Generator().manual_seed(1)
    p0 = torch.randn(2, 3, 5, generator=gen, dtype=torch.float64)
    lr = torch.tensor([0.1, 0.001], dtype=torch.float64)[:, None, None]
    ours, mean, sq = p0.clone(), torch.zeros_like(p0), torch.zeros_like(p0)
    refs = [
        (
            p0[k].clone(),
            torch.zeros(3, 5, dtype=torch.float64),
            torch.zeros(3, 5, dtype=torch.float64),
        )
        for k in range(2)
    ]
    for t in range(1, 6):
        g = torch.randn(2, 3, 5, generator=gen, dtype=torch.float64)
        adam_step(ours, g, mean, sq, t, lr)
        for k, (p, m, v) in enumerate(refs):
            adam_step(p, g[k], m, v, t, float(lr[k]))
    for k, (p, _, _) in enumerate(refs):
        torch.testing.assert_close(ours[k], p, rtol=1e-14, atol=1e-14)
