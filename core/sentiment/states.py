"""MiniLM cut in two: the frozen lower layers run once per sentence and their output is cached,
so training the top layers costs only those layers per epoch (what makes it fit in minutes on
2 CPU cores).

    bottom, top = split(encoder, top_layers=2)
    cached = lower_states(bottom, tokenizer, texts)        # per text: (tokens, 384) fp16
    hidden, mask = collate([cached[i] for i in batch])     # padded, for top(inputs_embeds=..)
"""
import copy
import hashlib

import torch
from torch import nn

from core.runtime.gguf import cache_dir

TRAIN_MAX_TOKENS = 128        # the real sentences average ~25 word pieces; 128 cuts almost none


class PassThrough(nn.Module):
    """Stands in for the embeddings of the top half: its input is already a hidden state."""

    def forward(self, input_ids=None, inputs_embeds=None, **_):
        return inputs_embeds


def split(encoder: nn.Module, top_layers: int) -> tuple[nn.Module, nn.Module]:
    """(lower layers with the embeddings, top layers), both copies; the top takes
    `inputs_embeds` = the lower half's last_hidden_state and the same attention_mask."""
    bottom, top = copy.deepcopy(encoder), copy.deepcopy(encoder)
    bottom.encoder.layer = bottom.encoder.layer[:-top_layers]
    top.encoder.layer = top.encoder.layer[-top_layers:]
    top.embeddings = PassThrough()
    bottom.pooler = top.pooler = None
    return bottom.eval(), top


def lower_states(bottom: nn.Module, tokenizer, texts: list[str], batch_size: int = 64,
                 log=print) -> list[torch.Tensor]:
    """Each text's hidden states after the lower layers (real tokens only, fp16), cached on disk
    by the texts and the layer count."""
    key = hashlib.sha256("\n".join(texts).encode() + str(len(bottom.encoder.layer)).encode())
    path = cache_dir() / "sentiment" / f"states-{key.hexdigest()[:16]}.pt"
    if path.exists():
        return torch.load(path)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[torch.Tensor | None] = [None] * len(texts)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            batch = tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                              max_length=TRAIN_MAX_TOKENS, return_tensors="pt")
            hidden = bottom(**batch).last_hidden_state.half()
            for row, i in enumerate(idx):
                out[i] = hidden[row, :int(batch["attention_mask"][row].sum())].clone()
            if start // batch_size % 50 == 0:
                log(f"lower layers: {start + len(idx)}/{len(texts)} texts")
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(out, path)
    return out


def collate(states: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """(hidden (batch, longest, 384) fp32, attention mask (batch, longest))."""
    longest = max(len(s) for s in states)
    hidden = torch.zeros(len(states), longest, states[0].shape[1])
    mask = torch.zeros(len(states), longest, dtype=torch.long)
    for row, s in enumerate(states):
        hidden[row, :len(s)] = s.float()
        mask[row, :len(s)] = 1
    return hidden, mask


def batches(lengths: list[int], batch_size: int, generator: torch.Generator) -> list[list[int]]:
    """Shuffled batches of similar-length texts (little padding): shuffle, sort within chunks
    of 50 batches by length, cut, shuffle the batches."""
    order = torch.randperm(len(lengths), generator=generator).tolist()
    chunk = batch_size * 50
    out = []
    for start in range(0, len(order), chunk):
        part = sorted(order[start:start + chunk], key=lambda i: lengths[i])
        out += [part[i:i + batch_size] for i in range(0, len(part), batch_size)]
    return [out[i] for i in torch.randperm(len(out), generator=generator).tolist()]
