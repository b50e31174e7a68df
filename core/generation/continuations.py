"""log P(continuation | prompt) for many continuations of one prompt, in two forward passes:
the prompt once (its KV cache kept), then every continuation at once over copies of that cache.

    scores = continuation_logprobs(loaded, prompt_ids, [[12, 7], [99], [5, 6, 8]])
    scores[i].total, scores[i].tokens     # sum and per-token natural log-probabilities

Right padding needs no attention mask: with causal attention a real token never sees the pads
after it. This is how the grounded reader weighs candidate answers without generating text.
"""
from dataclasses import dataclass

BATCH = 48                  # continuations per forward pass


@dataclass
class Continuation:
    tokens: list[float]     # log P of each token given the prompt and the tokens before it

    @property
    def total(self) -> float:
        return float(sum(self.tokens))

    @property
    def first(self) -> float:
        return self.tokens[0]


def continuation_logprobs(loaded, prompt_ids: list[int], continuations: list[list[int]],
                          batch: int = BATCH) -> list[Continuation]:
    import copy

    import torch
    if not continuations:
        return []
    if any(not c for c in continuations):
        raise ValueError("every continuation needs at least one token")
    model, device = loaded.model, loaded.placement.device
    with torch.inference_mode():
        out = model(input_ids=torch.tensor([prompt_ids], device=device), use_cache=True)
        first = out.logits[0, -1].float().log_softmax(-1)
        scored: list[Continuation] = []
        for at in range(0, len(continuations), batch):
            group = continuations[at:at + batch]
            longest = max(map(len, group))
            ids = torch.zeros((len(group), longest), dtype=torch.long, device=device)
            for row, c in enumerate(group):
                ids[row, :len(c)] = torch.tensor(c)
            rows = [[float(first[c[0]])] for c in group]
            if longest > 1:
                cache = copy.deepcopy(out.past_key_values) if at + batch < len(continuations) \
                    else out.past_key_values
                cache.batch_repeat_interleave(len(group))
                logits = model(input_ids=ids[:, :-1], past_key_values=cache, use_cache=True).logits
                logprobs = logits.float().log_softmax(-1).gather(-1, ids[:, 1:, None])[..., 0]
                for row, c in enumerate(group):
                    rows[row] += logprobs[row, :len(c) - 1].tolist()
            scored += [Continuation(r) for r in rows]
    return scored
