r"""Paper-scale fine-tuning: a local Hugging Face causal LM + peft LoRA + our optimizers.

The paper fine-tunes GPT-2 medium on E2E NLG (LoRA :math:`r=4`, :math:`\alpha=32` on the
attention projection ``c_attn``; batch 8; linear schedule with 500 warm-up steps; label
smoothing 0.1; weight decay 0.01). :func:`finetune_causal_lm` runs that recipe for one optimizer
on a model and tokenizer; :func:`load_local_lm` reads them from a local directory (nothing is
downloaded) and :func:`read_e2e` reads E2E files in the reference repository's format, one
``meaning representation || text`` pair per line. Decoding metrics (BLEU etc., beam search and the
official E2E scorer) are not implemented: we report the held-out token loss.

At quick scale the same functions run on an in-process stand-in: a randomly initialised tiny
GPT-2 (:func:`standin_lm`) with a word-level tokenizer, on synthetic E2E-style pairs
(:func:`synthetic_e2e`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from common.datasets import require_path
from papers.riemannian_lora.optim import make_optimizer

__all__ = ["finetune_causal_lm", "load_local_lm", "read_e2e", "standin_lm", "synthetic_e2e"]

_SLOTS = {
    "name": ["Aromi", "Bibimbap", "Cotto", "Zizzi", "Loch", "Wildwood", "Vaults", "Mill"],
    "food": ["Italian", "French", "Indian", "Chinese", "English", "Japanese"],
    "area": ["riverside", "centre"],
    "price": ["cheap", "moderate", "high"],
}


def read_e2e(data_dir: str | None, split: str) -> list[tuple[str, str]]:
    """``(meaning representation, text)`` pairs of ``<data_dir>/<split>.txt`` (``MR || text``)."""
    path = require_path(
        data_dir, "E2E NLG data (train.txt / valid.txt, 'MR || text' lines)", "data_dir"
    )
    file = path / f"{split}.txt"
    if not file.is_file():
        raise FileNotFoundError(f"{file} not found; data_dir must hold {split}.txt")
    pairs = []
    for line in file.read_text().splitlines():
        mr, sep, text = line.partition("||")
        if sep:
            pairs.append((mr.strip(), text.strip()))
    if not pairs:
        raise ValueError(f"{file} has no 'MR || text' lines")
    return pairs


def synthetic_e2e(n: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """E2E-style pairs from templates (for the in-process stand-in)."""
    out = []
    for _ in range(n):
        v = {k: vals[rng.integers(len(vals))] for k, vals in _SLOTS.items()}
        mr = " , ".join(f"{k}[{v[k]}]" for k in _SLOTS)
        text = f"{v['name']} is a {v['price']} {v['food']} restaurant in the {v['area']} ."
        out.append((mr, text))
    return out


def load_local_lm(model_dir: str | None):
    """``(model, tokenizer)`` from a local directory (``from_pretrained``, no download)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = require_path(model_dir, "a local Hugging Face causal-LM directory", "model_dir")
    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok


def standin_lm(seed: int, d: int = 32, layers: int = 2, heads: int = 2):
    """A tiny randomly initialised GPT-2 and a word-level tokenizer for :func:`synthetic_e2e`."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    words = {w for vals in _SLOTS.values() for w in vals}
    words |= set(_SLOTS) | {"is", "a", "restaurant", "in", "the", ".", ",", "||", "[", "]"}
    vocab = {w: i for i, w in enumerate(["<pad>", "<unk>", "<eos>", *sorted(words)])}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Split(r"\s+|\[|\]", behavior="isolated")
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token="<pad>", unk_token="<unk>", eos_token="<eos>"
    )
    cfg = GPT2Config(
        vocab_size=len(vocab), n_positions=64, n_embd=d, n_layer=layers, n_head=heads,
        bos_token_id=2, eos_token_id=2, pad_token_id=0,
    )  # fmt: skip
    with torch.random.fork_rng():  # transformers initialises from the global stream
        torch.manual_seed(seed)
        return GPT2LMHeadModel(cfg), tok


def _encode(tok, pairs: Sequence[tuple[str, str]], max_len: int):
    """Token ids of ``MR || text<eos>`` and labels masking the MR (-100), right-padded."""
    ids, labels = [], []
    for mr, text in pairs:
        src = tok(f"{mr} ||", add_special_tokens=False)["input_ids"]
        tgt = tok(f" {text}", add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        seq = (src + tgt)[:max_len]
        lab = ([-100] * len(src) + tgt)[:max_len]
        ids.append(seq + [tok.pad_token_id] * (max_len - len(seq)))
        labels.append(lab + [-100] * (max_len - len(lab)))
    return torch.tensor(ids), torch.tensor(labels)


def _loss(model, ids, labels, smoothing: float) -> torch.Tensor:
    # right padding + causal attention: pads never influence the labelled positions
    logits = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits
    return torch.nn.functional.cross_entropy(
        logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=-100,
        label_smoothing=smoothing,
    )  # fmt: skip


def finetune_causal_lm(
    model,
    tok,
    train: Sequence[tuple[str, str]],
    valid: Sequence[tuple[str, str]],
    *,
    optimizer: str,
    lr: float,
    steps: int,
    batch: int,
    rank: int,
    alpha: float,
    targets: Sequence[str],
    seed: int,
    reg: float = 1e-6,
    weight_decay: float = 0.01,
    warmup: int = 0,
    max_len: int = 64,
    label_smoothing: float = 0.1,
    device: str = "cpu",
    optimizer_kwargs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """LoRA-fine-tune ``model`` (peft) with ``make_optimizer(optimizer)``; linear schedule.

    Returns the per-step training loss and the held-out token loss (no smoothing) at the end.
    """
    from peft import LoraConfig, get_peft_model

    fan_in_fan_out = type(model).__name__.startswith("GPT2")  # GPT-2's Conv1D layers
    cfg = LoraConfig(
        r=rank, lora_alpha=alpha, target_modules=list(targets), lora_dropout=0.0,
        fan_in_fan_out=fan_in_fan_out,
    )  # fmt: skip
    with torch.random.fork_rng():  # peft's kaiming init of lora_A uses the global stream
        torch.manual_seed(seed)
        peft_model = get_peft_model(model, cfg).to(device)
    opt = make_optimizer(
        peft_model, optimizer, lr=lr, reg=reg, weight_decay=weight_decay, **(optimizer_kwargs or {})
    )
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda t: min((t + 1) / max(warmup, 1), max(0.0, (steps - t) / max(steps - warmup, 1)))
    )
    ids, labels = _encode(tok, train, max_len)
    vids, vlabels = _encode(tok, valid, max_len)
    rng = np.random.default_rng(seed)
    losses = np.full(steps, np.nan)
    peft_model.train()
    with torch.random.fork_rng(devices=[device] if device != "cpu" else []):
        torch.manual_seed(seed)  # dropout draws from the global stream: seed a fork
        for t in range(steps):
            pick = torch.from_numpy(rng.integers(len(ids), size=batch))
            loss = _loss(peft_model, ids[pick].to(device), labels[pick].to(device), label_smoothing)
            if not math.isfinite(loss.item()):
                break
            opt.zero_grad()
            loss.backward()
            try:
                opt.step()  # raises ValueError, updating nothing, on a NaN/inf gradient
            except ValueError as err:
                if "non-finite" not in str(err):
                    raise
                break  # diverged: the remaining losses stay NaN
            sched.step()
            losses[t] = loss.item()
    peft_model.eval()
    with torch.no_grad():
        total, count = 0.0, 0
        for i in range(0, len(vids), 64):
            n = int((vlabels[i : i + 64, 1:] != -100).sum())
            total += (
                _loss(
                    peft_model, vids[i : i + 64].to(device), vlabels[i : i + 64].to(device), 0.0
                ).item()
                * n
            )
            count += n
    return {"train_loss": losses, "valid_loss": total / max(count, 1)}
