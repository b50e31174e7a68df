"""log P(continuation | prompt) for many continuations of one or several prompts, in two forward
passes: the prompts once (their KV caches kept), then every continuation at once over a copy of
its prompt's cache.

    scores = continuation_logprobs(loaded, prompt_ids, [[12, 7], [99], [5, 6, 8]])
    scores[i].total, scores[i].tokens     # sum and per-token natural log-probabilities
    scores = prompted_logprobs(loaded, [prompt_a, prompt_b], [(0, [12, 7]), (1, [99])])

The tokens that several prompts begin with (the grounded reader's worked examples and question)
are run once and their cache shared. The rest of each prompt is left-padded, so that every one
ends where its continuations start; the attention mask hides the pads and the position ids count
only real tokens. Continuations are right-padded, which needs no mask: with causal attention a
real token never sees the pads after it. This is how the grounded reader weighs candidate
answers without generating text.
"""
import copy
from dataclasses import dataclass
from os.path import commonprefix

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
    return prompted_logprobs(loaded, [prompt_ids], [(0, c) for c in continuations], batch)


def prompted_logprobs(loaded, prompts: list[list[int]], continuations: list[tuple[int, list[int]]],
                      batch: int = BATCH) -> list[Continuation]:
    """continuations[i] = (index of the prompt it continues, its token ids)."""
    import torch
    if not continuations:
        return []
    if any(not c for _, c in continuations):
        raise ValueError("every continuation needs at least one token")
    model, device = loaded.model, loaded.placement.device
    # each prompt keeps at least its last token, whose logits score the first continuation token
    shared = min(len(commonprefix(prompts)), min(map(len, prompts)) - 1) if len(prompts) > 1 else 0
    rest = [prompt[shared:] for prompt in prompts]
    width = max(map(len, rest))
    ids = torch.zeros((len(prompts), width), dtype=torch.long, device=device)
    mask = torch.ones((len(prompts), shared + width), dtype=torch.long, device=device)
    for row, prompt in enumerate(rest):
        ids[row, width - len(prompt):] = torch.tensor(prompt)
        mask[row, shared:shared + width - len(prompt)] = 0
    lengths = mask.sum(-1)
    with torch.inference_mode():
        cache = None
        if shared:
            cache = model(input_ids=torch.tensor([prompts[0][:shared]], device=device), use_cache=True,
                          logits_to_keep=1).past_key_values
            cache.batch_repeat_interleave(len(prompts))
        out = model(input_ids=ids, attention_mask=mask, past_key_values=cache, use_cache=True,
                    position_ids=(mask.cumsum(-1) - 1).clamp(min=0)[:, shared:],
                    logits_to_keep=1)  # only the last position's logits are read
        first = out.logits[:, -1].float().log_softmax(-1)
        scored: list[Continuation] = []
        for at in range(0, len(continuations), batch):
            group = continuations[at:at + batch]
            rows = [[float(first[p, c[0]])] for p, c in group]
            longest = max(len(c) for _, c in group)
            if longest > 1:
                which = torch.tensor([p for p, _ in group], device=device)
                tail = torch.zeros((len(group), longest - 1), dtype=torch.long, device=device)
                for row, (_, c) in enumerate(group):
                    tail[row, :len(c) - 1] = torch.tensor(c[:-1])
                cache = copy.deepcopy(out.past_key_values) if at + batch < len(continuations) \
                    else out.past_key_values
                cache.batch_select_indices(which)
                logits = model(input_ids=tail, past_key_values=cache, use_cache=True,
                               attention_mask=torch.cat([mask[which], torch.ones_like(tail)], -1),
                               position_ids=lengths[which, None] + torch.arange(longest - 1, device=device)).logits
                logprobs = logits.float().log_softmax(-1)
                for row, (_, c) in enumerate(group):
                    rows[row] += logprobs[row, torch.arange(len(c) - 1), torch.tensor(c[1:], dtype=torch.long)].tolist()
            scored += [Continuation(r) for r in rows]
    return scored
