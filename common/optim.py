"""Adam's update written out on tensors, for the trainers that step it themselves.

``torch.optim``'s optimisers loop over their parameters in Python, and their first step
imports ``torch._dynamo`` (about 1 CPU-s per process, measured; a quick build runs dozens of
short training processes). The whole-tensor trainer of :mod:`common.convex_nn.nonconvex`
steps one learning rate per ensemble member; :mod:`papers.adaptive_inference.families`
steps its families' parameters. Tested against ``torch.optim.Adam`` in
``tests/common/test_optim.py``.
"""

from __future__ import annotations

__all__ = ["adam_step"]


def adam_step(param, grad, mean, sq, t: int, lr, *, beta1=0.9, beta2=0.999, eps=1e-8) -> None:
    """Step ``t`` (from 1) of Adam on ``param`` in place, as ``torch.optim.Adam`` computes it.

    ``mean`` and ``sq`` (zeros before step 1, shaped as ``param``) are the first and second
    moment estimates, updated in place; ``lr`` is a float or a tensor broadcasting against
    ``param`` (one learning rate per ensemble member). Weight decay, if any, is the caller's:
    ``torch.optim.Adam``'s ``weight_decay`` adds ``weight_decay * param`` to ``grad``.
    """
    mean.lerp_(grad, 1 - beta1)
    sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    denom = (sq.sqrt() / (1 - beta2**t) ** 0.5).add_(eps)
    param.addcdiv_(mean * (-lr / (1 - beta1**t)), denom)
