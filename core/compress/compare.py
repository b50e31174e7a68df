"""Compression side by side, measured live on a person's text: for each precision of the chat
model, its size on disk and in memory, how far its next-token distributions move from fp32's
(top-1 agreement, KL divergence), its perplexity on the text, and its greedy answer to a prompt
with the time to first token and the tokens/s after it.

    for progress in compare(text, prompt, ["fp32", "bf16", "int8", "q4"]):
        print(progress.status)         # what is being measured now
    progress.rows                      # one Row per variant, filled in as it is measured

Work is bounded before it starts: MAX_TEXT_TOKENS of the text, MAX_PROMPT_TOKENS of the prompt,
MAX_NEW_TOKENS of each answer.
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import asdict, dataclass, field, replace
from typing import Iterator

from core.compress import MAX_NEW_TOKENS, MAX_PROMPT_TOKENS, MAX_TEXT_TOKENS, NAMES
from core.errors import CompressionError
from core.generation.prompts import render_chat
from core.generation.scoring import start_tokens
from core.inspect.text import clean, control_tokens_in
from core.runtime import loader
from core.text.checks import require_text

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 6_000
MAX_PROMPT_CHARS = 1_000
DEFAULT = ["fp32", "bf16", "int8", "int8-weights", "q4"]


@dataclass
class Row:
    variant: str
    weights: str = ""
    disk_mb: float | None = None
    memory_mb: float | None = None
    build_s: float | None = None          # time to make the variant (once per process)
    first_token_s: float | None = None
    tokens_per_s: float | None = None     # after the first token
    agreement: float | None = None        # share of positions whose top token equals fp32's
    kl: float | None = None               # mean KL(fp32 || variant), nats per token
    perplexity: float | None = None
    output: str = ""
    output_ids: list[int] = field(default_factory=list)
    diverges_at: int | None = None        # first answer token that differs from fp32's (0-based)
    note: str = ""
    missing: str = ""                     # why the row has no numbers


@dataclass
class Progress:
    model: str
    rows: list[Row]
    status: str
    text_tokens: int
    prompt_tokens: int
    notes: list[str] = field(default_factory=list)
    done: bool = False
    load_average: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def snapshot(self) -> "Progress":
        """A copy that later measuring does not change."""
        return replace(self, rows=[replace(r) for r in self.rows], notes=list(self.notes))


def check(text, prompt, chosen, max_new_tokens) -> tuple[str, str, list[str], int]:
    text = clean(require_text(text, limit=MAX_TEXT_CHARS, error=CompressionError, what="The text",
                              empty="The text is empty: paste a paragraph to measure the models on."))
    prompt = clean(require_text(prompt, limit=MAX_PROMPT_CHARS, error=CompressionError, what="The prompt",
                                empty="The prompt is empty: type a question for the greedy answers."))
    chosen = [chosen] if isinstance(chosen, str) else list(chosen or [])
    unknown = [str(c)[:20] for c in chosen if c not in NAMES]
    if unknown:
        raise CompressionError(f"Unknown variant(s) {', '.join(unknown)}; choose from {', '.join(NAMES)}.")
    try:
        max_new_tokens = int(max_new_tokens)
    except (TypeError, ValueError):
        raise CompressionError(f"New tokens must be a whole number from 1 to {MAX_NEW_TOKENS}.") from None
    if not 1 <= max_new_tokens <= MAX_NEW_TOKENS:
        raise CompressionError(f"New tokens must be from 1 to {MAX_NEW_TOKENS}; got {max_new_tokens}.")
    # fp32 is the reference every other row is compared with, so it is always measured, first
    return text, prompt, ["fp32"] + [v for v in NAMES if v in chosen and v != "fp32"], max_new_tokens


def compare(text: str, prompt: str, chosen=DEFAULT, max_new_tokens: int = 24,
            model_id: str | None = None) -> Iterator[Progress]:
    import torch

    from core.compress import variants
    text, prompt, chosen, max_new_tokens = check(text, prompt, chosen, max_new_tokens)
    loaded = loader.load("generation", model_id or None)
    tokenizer = loaded.tokenizer
    notes = []
    text_ids = tokenizer(text, add_special_tokens=False, split_special_tokens=True).input_ids
    if len(text_ids) > MAX_TEXT_TOKENS:
        notes.append(f"The text is {len(text_ids)} tokens; the first {MAX_TEXT_TOKENS} were measured.")
        text_ids = text_ids[:MAX_TEXT_TOKENS]
    text_ids = start_tokens(tokenizer) + text_ids
    if len(text_ids) < 2:
        raise CompressionError("The text is too short to measure: paste at least a sentence.")
    controls = control_tokens_in(tokenizer, prompt)
    if controls:
        raise CompressionError(f"The prompt contains {', '.join(controls)}, a control token of the chat "
                               f"model; remove it (the chat template adds the ones it needs).")
    prompt_ids = tokenizer(render_chat(tokenizer, [{"role": "user", "content": prompt}]),
                           add_special_tokens=False).input_ids
    if len(prompt_ids) > MAX_PROMPT_TOKENS:
        raise CompressionError(f"The prompt is {len(prompt_ids)} tokens with the chat template; the "
                               f"limit here is {MAX_PROMPT_TOKENS}. Shorten it.")
    progress = Progress(loaded.describe(), [], "", len(text_ids) - 1, len(prompt_ids), notes)
    reference = None
    for name in chosen:
        row = Row(name)
        progress.rows.append(row)
        progress.status = f"{name}: loading (built once per process, then reused)…"
        yield progress.snapshot()
        try:
            runner = variants.runner(name, loaded)
        except variants.Unavailable as why:
            row.missing = str(why)
            continue
        except Exception as err:  # a broken optional engine must not take the comparison down
            log.exception("building the %s variant failed", name)
            row.missing = f"could not be built here ({type(err).__name__}); the server log has the details"
            continue
        row.weights, row.note, row.build_s = runner.weights, runner.note, runner.build_seconds
        row.disk_mb, row.memory_mb = runner.disk_bytes / 1e6, runner.memory_bytes / 1e6
        progress.status = f"{name}: next-token distributions over {progress.text_tokens} tokens of the text…"
        yield progress.snapshot()
        logprobs = runner.logits(text_ids)[:-1].log_softmax(-1)
        if name == "fp32":
            reference = logprobs
        measure(row, logprobs, reference, torch.tensor(text_ids[1:]))
        del logprobs
        progress.status = f"{name}: greedy answer, up to {max_new_tokens} tokens…"
        yield progress.snapshot()
        answer = runner.greedy(prompt_ids, max_new_tokens, tokenizer.eos_token_id)
        row.output, row.output_ids = tokenizer.decode(answer.ids, skip_special_tokens=True), answer.ids
        row.first_token_s, row.tokens_per_s = answer.first_token_s, answer.tokens_per_s
        if name != "fp32" and not progress.rows[0].missing:
            row.diverges_at = diverges_at(progress.rows[0].output_ids, answer.ids)
    progress.status, progress.done = "Done.", True
    progress.load_average = round(os.getloadavg()[0], 2)
    yield progress.snapshot()


def measure(row: Row, logprobs, reference, targets) -> None:
    """Perplexity, and against the reference (when there is one) top-1 agreement and mean
    KL(reference || variant) per position."""
    row.perplexity = math.exp(-float(logprobs.gather(-1, targets[:, None]).mean()))
    if reference is None:
        return
    row.agreement = float((logprobs.argmax(-1) == reference.argmax(-1)).float().mean())
    row.kl = float((reference.exp() * (reference - logprobs)).sum(-1).mean().clamp(min=0))


def diverges_at(reference: list[int], ids: list[int]) -> int | None:
    """First position where `ids` differs from `reference` (None: identical)."""
    for i, (a, b) in enumerate(zip(reference, ids)):
        if a != b:
            return i
    return None if len(reference) == len(ids) else min(len(reference), len(ids))
