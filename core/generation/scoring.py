"""How expected is a text? Per-token probability, total log-probability and perplexity.

log P(W) = sum_i log P(w_i | w_<i), read off the engine's forward passes over the text
(core.generation.engine: Engine.score); perplexity is exp(-log P(W) / N). Lower means the
model finds the text more natural.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from core.errors import GenerationError
from core.generation.decode import Text, context_limit
from core.generation.engine import engine_of
from core.generation.prompts import encode_text
from core.runtime import loader

LEAST_EXPECTED = 5
CHUNK = 512  # tokens per forward pass: a long text never holds a (length x vocab) logit matrix
DOCUMENT_START = "<|endoftext|>"


@dataclass
class TokenScore:
    token: str
    token_id: int
    prob: float | None      # None for a first token the model had no context to predict
    logprob: float | None
    rank: int | None        # 1 = the model's top guess


@dataclass
class Score:
    text: str
    tokens: list[TokenScore]
    total_logprob: float    # natural log, over the scored tokens
    scored_tokens: int
    perplexity: float
    least_expected: list[int]  # indices into tokens, least probable first
    model: str
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def score(text: str | list[str], model_id: str | None = None) -> Score | list[Score]:
    """Score one text, or each of a list of texts."""
    if isinstance(text, list):
        return [score(t, model_id) for t in text]
    if not isinstance(text, str) or not text.strip():
        raise GenerationError("The text is empty: paste some text to score.")
    loaded = loader.load("generation", model_id)
    tokenizer, notices = loaded.tokenizer, []
    ids = encode_text(tokenizer, text, add_special_tokens=False)
    start = start_tokens(tokenizer)
    room = context_limit(loaded) - len(start)
    if len(ids) > room:
        notices.append(f"The text is {len(ids)} tokens; the first {room} (the context) were scored.")
        ids = ids[:room]
    if not ids:
        raise GenerationError("The text has no tokens to score.")
    logprobs, ranks = engine_of(loaded).score(start + ids, CHUNK)
    tokens = _token_scores(tokenizer, ids, logprobs, ranks, first_scored=bool(start))
    scored = [t.logprob for t in tokens if t.logprob is not None]
    if not scored:
        raise GenerationError("A single token cannot be scored: this model has no start token to "
                              "predict it from. Paste a longer text.")
    total = sum(scored)
    ranked = sorted((i for i, t in enumerate(tokens) if t.prob is not None), key=lambda i: tokens[i].prob)
    return Score(text, tokens, total, len(scored), math.exp(-total / len(scored)),
                 ranked[:LEAST_EXPECTED], loaded.describe(), notices)


def start_tokens(tokenizer) -> list[int]:
    """A document-start token, so the first real token has a context and is scored too.

    <|endoftext|> (what separates documents in pretraining) where the vocabulary has it;
    else the tokenizer's BOS; else none (the first token then goes unscored).
    """
    found = tokenizer.convert_tokens_to_ids(DOCUMENT_START)
    if isinstance(found, int) and tokenizer.convert_ids_to_tokens(found) == DOCUMENT_START:
        return [found]
    return [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []


def _token_scores(tokenizer, ids: list[int], logprobs: list[float], ranks: list[int],
                  first_scored: bool) -> list[TokenScore]:
    text, tokens = Text(tokenizer), []
    scored = iter(zip(logprobs, ranks))
    for i, token_id in enumerate(ids):
        piece, _ = text.add(token_id)
        if i == 0 and not first_scored:
            tokens.append(TokenScore(piece, token_id, None, None, None))
            continue
        logprob, rank = next(scored)
        tokens.append(TokenScore(piece, token_id, math.exp(logprob), logprob, rank))
    return tokens
