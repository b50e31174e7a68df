"""Layer by layer (the "logit lens"): what the model would predict if it stopped after layer l.

Each layer adds its update to the residual stream h_l (one vector per position); the model reads
its next-token distribution off the last one: softmax(head(norm(h_L))). Applying the same final
norm and head to every h_l shows, for every position, the top prediction after every layer, so
a person sees where the answer forms. Works for any causal LM: the final norm is found by
structure (Llama/Qwen `model.norm`, GPT-2 `transformer.ln_f`).
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

from core.errors import InspectError
from core.inspect.text import tokenize
from core.runtime import loader

MAX_TOKENS = 48      # positions shown; 31 layers x 48 positions is a page-sized table
TOP = 5              # candidates kept per cell


@dataclass
class Candidate:
    token: str
    token_id: int
    prob: float


@dataclass
class Lens:
    model: str
    tokens: list[str]                       # the input tokens (position p predicts token p+1)
    ids: list[int]
    layers: list[str]                       # "embeddings", "layer 1", ..., "layer L"
    top: list[list[list[Candidate]]]        # [layer][position] -> the TOP most likely next tokens
    final: list[Candidate]                  # the model's own prediction at each position
    final_prob: list[list[float]]           # [layer][position]: probability of final[position] there
    final_rank: list[list[int]]             # [layer][position]: its rank there (1 = top)
    seconds: float
    notes: list[str] = field(default_factory=list)

    def formed_at(self, position: int) -> int | None:
        """Index into `layers` from which the final prediction at `position` stays the top one."""
        ranks = [row[position] for row in self.final_rank]
        if ranks[-1] != 1:
            return None
        at = len(ranks) - 1
        while at > 0 and ranks[at - 1] == 1:
            at -= 1
        return at

    def to_dict(self) -> dict:
        return asdict(self) | {"formed_at": [self.formed_at(p) for p in range(len(self.tokens))]}


def final_norm_and_head(model):
    """(final norm, output head) of a causal LM, found by structure: the last norm module of the
    base model (Llama/Qwen `model.norm`, GPT-2 `transformer.ln_f`) and the output embeddings."""
    norms = [m for _, m in model.base_model.named_modules() if "norm" in type(m).__name__.lower()]
    head = model.get_output_embeddings()
    if not norms or head is None:
        raise InspectError(f"{type(model).__name__}: its final norm or output head was not found, so "
                           f"the layer-by-layer view cannot decode its hidden states.")
    return norms[-1], head


def logit_lens(text: str, model_id: str | None = None) -> Lens:
    """The top next-token predictions after every layer, at every position of `text`.

    One forward pass with output_hidden_states (per call, so concurrent requests never mix):
    states[0] is the embeddings, states[l] what layer l leaves in the residual stream; the last
    one comes back already normed, so the last row is the model's own logits, exactly.
    """
    import torch
    loaded = loader.load("generation", model_id or None)
    model, tokenizer = loaded.network, loaded.tokenizer
    tokens = tokenize(tokenizer, text, limit=MAX_TOKENS, what="The prompt",
                      empty="The prompt is empty: type a few words for the model to continue.")
    norm, head = final_norm_and_head(model)
    start = time.perf_counter()
    top, final_prob, final_rank = [], [], []
    with torch.inference_mode():
        out = model(input_ids=torch.tensor([tokens.ids], device=model.device), output_hidden_states=True)
        states = out.hidden_states
        last = out.logits[0].float().softmax(-1)
        final_ids = last.argmax(-1)
        for index, state in enumerate(states):
            p = last if index == len(states) - 1 else head(norm(state[0])).float().softmax(-1)
            chosen = p.gather(-1, final_ids[:, None])[:, 0]
            final_prob.append(chosen.tolist())
            final_rank.append(((p > chosen[:, None]).sum(-1) + 1).tolist())
            values, indices = p.topk(TOP, dim=-1)
            top.append([[Candidate(_name(tokenizer, i), i, v) for v, i in zip(vs, ids)]
                        for vs, ids in zip(values.tolist(), indices.tolist())])
    final = [row[0] for row in top[-1]]
    names = ["embeddings"] + [f"layer {i}" for i in range(1, len(states))]
    return Lens(loaded.describe(), tokens.labels, tokens.ids, names, top, final, final_prob, final_rank,
                time.perf_counter() - start, tokens.notes)


def _name(tokenizer, token_id: int) -> str:
    text = tokenizer.decode([token_id])
    return text if text and "\ufffd" not in text else tokenizer.convert_ids_to_tokens(token_id)
