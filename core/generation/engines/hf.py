"""The transformers engine: the model's own forward pass with its KV cache, one step per token.

The reference for exactness (greedy output is token-for-token `model.generate`'s) and the only
engine with attention weights. One sequence decodes at a time; others wait their turn.
"""
from __future__ import annotations

import copy
import logging
from pathlib import Path

from core.generation.engine import Admission, Capabilities, Engine, NextToken, Sequence
from core.runtime import gguf as conversion
from core.runtime import registry

log = logging.getLogger(__name__)



class TransformersEngine(Engine):
    name = "transformers"

    def __init__(self, model, tokenizer, placement, source: str = "", gguf: Path | None = None):
        self.model, self.tokenizer, self.placement, self.source = model, tokenizer, placement, source
        self.gguf = gguf  # the GGUF file the weights were converted from, if any
        self.stand_in = False  # serving a GGUF only until llama.cpp is built (engines.current upgrades it)
        self.device = placement.device if placement else "cpu"
        self.notes: list[str] = []
        config = getattr(model, "config", None)
        self.context = (getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
                        or 10**9)
        self.params = sum(p.numel() for p in model.parameters())
        self.capabilities = Capabilities(
            full_logits=True, draws_tokens=False, constraints=True, batching=False, fork=True,
            scoring=True, attention=True, max_sequences=1,
            view="exact: the model's whole next-token distribution at every step")
        self.admission = Admission(1)

    @classmethod
    def load(cls, where: str, place) -> "TransformersEngine":
        gguf = Path(where) if where.endswith(".gguf") else None
        if gguf is None:
            model, tokenizer = registry.transformers_builder("AutoModelForCausalLM")(where, place)
            return cls(model, tokenizer, place, "", None)
        name = registry.bundle_name(gguf) or gguf.stem
        folder = conversion.converted_folder(gguf, name)
        try:
            model, tokenizer = registry.transformers_builder("AutoModelForCausalLM")(str(folder), place)
        except Exception:
            log.warning("cached conversion in %s did not load; converting again", folder)
            conversion.discard_conversion(folder)
            folder = conversion.converted_folder(gguf, name)
            model, tokenizer = registry.transformers_builder("AutoModelForCausalLM")(str(folder), place)
        return cls(model, tokenizer, place, "cache", gguf)

    def sequence(self, settings=None) -> "TransformersSequence":
        return TransformersSequence(self)

    def end_ids(self) -> set[int]:
        ends = {self.tokenizer.eos_token_id}
        config_eos = getattr(getattr(self.model, "generation_config", None), "eos_token_id", None)
        ends.update(config_eos if isinstance(config_eos, list) else [config_eos])
        return {i for i in ends if i is not None}

    def details(self) -> str:
        return f"{self.placement} · transformers" if self.placement else "transformers"

    def score(self, ids: list[int], chunk: int = 512) -> tuple[list[float], list[int]]:
        import torch
        inputs = torch.tensor([ids], device=self.device)
        logprobs, ranks, cache = [], [], None
        with self.admission.turn(), torch.inference_mode():
            for start in range(0, len(ids) - 1, chunk):
                end = min(start + chunk, len(ids) - 1)
                out = self.model(input_ids=inputs[:, start:end], past_key_values=cache, use_cache=True)
                cache = out.past_key_values
                chosen, rank = chosen_logprobs(out.logits[0], inputs[0, start + 1:end + 1])
                logprobs += chosen
                ranks += rank
        return logprobs, ranks


def chosen_logprobs(logits, following) -> tuple[list[float], list[int]]:
    """From logits rows (n, vocab) and the tokens that followed (n,): each one's log-probability
    and rank (1 = the model's top guess)."""
    scores = logits.float().log_softmax(-1)
    chosen = scores.gather(-1, following[:, None])
    return chosen[:, 0].tolist(), ((scores > chosen).sum(-1) + 1).tolist()


class TransformersSequence(Sequence):
    def __init__(self, engine: TransformersEngine, place=None):
        self.engine, self.cache = engine, None
        self._place = place or engine.admission.enter(self)

    def prefill(self, ids: list[int]) -> NextToken:
        self.cache = None
        return self._forward(ids)

    def step(self, token: int) -> NextToken:
        return self._forward([token])

    # Per call, not around a loop: inference mode is per thread, and a streaming consumer
    # (gradio) may resume the generator on a different thread at every step.
    def _forward(self, new: list[int]) -> NextToken:
        import torch
        with torch.inference_mode():
            out = self.engine.model(input_ids=torch.tensor([new], device=self.engine.device), past_key_values=self.cache,
                                    use_cache=True, logits_to_keep=1)
        self.cache = out.past_key_values
        return NextToken(logits=out.logits[:, -1, :].float())

    def fork(self) -> "TransformersSequence":
        twin = TransformersSequence(self.engine, place=lambda: None)  # beams share the request's turn
        twin.cache = copy.deepcopy(self.cache)
        return twin

    def reset(self) -> None:
        self.cache = None

    def close(self) -> None:
        self.cache = None
        self._place()
