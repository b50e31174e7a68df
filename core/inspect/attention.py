"""Attention weights of every layer and head, for the chat model (a decoder: causal) and the
embedding model (an encoder: bidirectional).

In every head of every layer, token i's output is a weighted mix of the tokens' value vectors:
y_i = sum_j W_ij x_j, with W_ij = softmax_j(q_i . k_j / sqrt(d)). Row i of W sums to 1. In a
decoder W_ij = 0 for every j > i (the causal mask: a token never sees the ones after it); in an
encoder every token sees every other.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from core.errors import InspectError
from core.inspect.eager import eager
from core.inspect.text import tokenize
from core.runtime import loader

MAX_TOKENS = 64      # a 64 x 64 map per head is the most that stays readable on a page
MODELS = {"chat": "the chat model (decoder, causal)",
          "embedding": "the embedding model (encoder, bidirectional)"}


@dataclass
class Attention:
    model: str
    kind: str                       # "chat" or "embedding"
    causal: bool
    tokens: list[str]
    ids: list[int]
    weights: np.ndarray             # (layers, heads, n, n): weights[l, h, i, j] = W_ij
    seconds: float
    eager: str                      # how the weights were obtained, and what that cost
    notes: list[str] = field(default_factory=list)

    @property
    def layers(self) -> int:
        return self.weights.shape[0]

    @property
    def heads(self) -> int:
        return self.weights.shape[1]

    def clamp(self, layer, head) -> tuple[int, int]:
        """1-based (layer, head) in range: out-of-range values go to the nearest valid one."""
        return (min(max(int(layer or 1), 1), self.layers), min(max(int(head or 1), 1), self.heads))

    def matrix(self, layer: int, head: int) -> np.ndarray:
        layer, head = self.clamp(layer, head)
        return self.weights[layer - 1, head - 1]

    def to_dict(self, layer: int | None = None, digits: int = 4) -> dict:
        """Plain JSON: the tokens and, for `layer` (1-based; default 1), every head's W as lists."""
        layer, _ = self.clamp(layer, 1)
        return {"model": self.model, "kind": self.kind, "causal": self.causal, "tokens": self.tokens,
                "token_ids": self.ids, "layers": self.layers, "heads": self.heads, "layer": layer,
                "weights": np.round(self.weights[layer - 1], digits).tolist(),
                "seconds": round(self.seconds, 3), "eager": self.eager, "notes": self.notes}


def attention(text: str, model: str = "chat") -> Attention:
    """Attention of `model` ("chat" or "embedding") over `text`, every layer and head."""
    if model not in MODELS:
        raise InspectError(f"Choose the model as one of {', '.join(MODELS)}; got {str(model)[:40]!r}.")
    import torch
    loaded = loader.load("generation" if model == "chat" else "embedding")
    if model == "chat":
        network, tokenizer = loaded.network, loaded.tokenizer
    else:  # a SentenceTransformer: its first module wraps the transformers encoder
        network, tokenizer = loaded.model[0].auto_model, loaded.model.tokenizer
    tokens = tokenize(tokenizer, text, limit=MAX_TOKENS)
    view = eager(network)
    start = time.perf_counter()
    ids = torch.tensor([tokens.ids], device=network.device)
    with torch.inference_mode():
        out = view.model(input_ids=ids, attention_mask=torch.ones_like(ids), output_attentions=True)
    weights = torch.stack([a[0] for a in out.attentions]).float().cpu().numpy()
    return Attention(loaded.describe(), model, model == "chat", tokens.labels, tokens.ids, weights,
                     time.perf_counter() - start, view.describe(), tokens.notes)


def strongest(row: np.ndarray, tokens: list[str], k: int = 3) -> list[tuple[str, int, float]]:
    """The k largest entries of a row (or column) of W: (token, 1-based position, weight)."""
    order = np.argsort(-row, kind="stable")[:k]
    return [(tokens[j], int(j) + 1, float(row[j])) for j in order if row[j] > 0]
