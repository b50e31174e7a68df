"""Beam search through the engine: each beam is a sequence, a beam chosen twice forks its cache.

    ids = beam_search(loaded, prompt_ids, num_beams=3, max_new_tokens=64)

As transformers' `generate(num_beams=...)` does it: the beams' log-probabilities are summed
(after the repetition penalty, applied to the log-probabilities), 2 x num_beams candidates are
kept per beam, a finished hypothesis scores sum / generated length, and the search stops when
num_beams hypotheses are finished (early stopping). The beams of one step are stepped together,
so an engine that batches (llama.cpp) decodes them in one pass.
"""
from __future__ import annotations

from core.errors import GenerationError
from core.generation.engine import engine_of
from core.generation.sampling import Settings


def beam_search(loaded, prompt_ids: list[int], num_beams: int, max_new_tokens: int,
                repetition_penalty: float = 1.0, constraint=None) -> list[int]:
    """The best hypothesis' new token ids (end-of-text excluded). `constraint` (see
    core.generation.decode.Constraint) changes each beam's logits before they are scored."""
    import torch
    from transformers import RepetitionPenaltyLogitsProcessor
    engine = engine_of(loaded)
    if not engine.capabilities.fork:
        raise GenerationError(f"The {engine.name} engine cannot fork its cache, so it cannot do beam "
                              f"search; use 1 beam (greedy).")
    penalty = RepetitionPenaltyLogitsProcessor(repetition_penalty) if repetition_penalty != 1 else None
    ends = engine.end_ids()
    first = engine.sequence(Settings(max_new_tokens=max_new_tokens))
    beams = [(0.0, [], first, first.prefill(prompt_ids).logits)]  # (sum of log-probs, tokens, sequence, next logits)
    finished: list[tuple[float, list[int]]] = []
    try:
        for _ in range(max_new_tokens):
            candidates = []
            for b, (total, tokens, _, logits) in enumerate(beams):
                if constraint is not None:
                    logits = constraint(tokens, logits)
                scores = logits.float().log_softmax(-1)
                if penalty is not None:
                    scores = penalty(torch.tensor([prompt_ids + tokens], device=scores.device), scores)
                values, ids = scores[0].topk(2 * num_beams)
                candidates += [(total + v, b, i) for v, i in zip(values.tolist(), ids.tolist())]
            chosen = []
            for total, b, token in sorted(candidates, reverse=True):
                tokens = beams[b][1] + [token]
                if token in ends:
                    finished.append((total / len(tokens), beams[b][1]))
                elif len(chosen) < num_beams:
                    chosen.append((total, b, token))
                if len(chosen) == num_beams:
                    break
            if len(finished) >= num_beams or not chosen:
                break
            beams = _advance(engine, beams, chosen)
        finished += [(total / max(len(tokens), 1), tokens) for total, tokens, _, _ in beams]
    finally:
        for _, _, sequence, _ in beams:
            sequence.close()
    return max(finished, key=lambda hypothesis: hypothesis[0])[1]


def _advance(engine, beams, chosen):
    """The next beams: parents not chosen are closed, a parent chosen k times forks k-1 times,
    and every new beam steps its token (all at once)."""
    uses = [sum(1 for _, b, _ in chosen if b == parent) for parent in range(len(beams))]
    for parent, count in enumerate(uses):
        if count == 0:
            beams[parent][2].close()
    given, pairs = set(), []
    for total, b, token in chosen:
        sequence = beams[b][2] if b not in given else beams[b][2].fork()
        given.add(b)
        pairs.append((total, beams[b][1] + [token], sequence, token))
    outs = engine.steps([(sequence, token) for _, _, sequence, token in pairs])  # forks are all made
    return [(total, tokens, sequence, out.logits) for (total, tokens, sequence, _), out in zip(pairs, outs)]
