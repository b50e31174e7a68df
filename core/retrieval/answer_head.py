"""The answer head: all-MiniLM-L6-v2 (the embedding model, copied) reading the question and a
sentence together, with a LoRA adapter and a start/end layer trained here to point at the
answer's first and last token, as SQuAD readers do (bench/answer_head.py, on the development split
of the BBC fixture only). The grounded reader asks it about each candidate span: how much more
the head would start and end the answer at the span than at [CLS], its "no answer in this
sentence". One batched forward pass over the sentences that hold candidates.
"""
import copy
import functools
import json
import threading
from pathlib import Path

import torch
from torch import nn

from core.errors import ModelUnavailable
from core.retrieval.spans import clip_question
from core.runtime import loader

HEAD_DIR = Path(__file__).parent / "data" / "answer-head"
MAX_TOKENS = 128             # question and sentence; longer sentences are cut at the end
MAX_QUESTION_TOKENS = 64     # longer questions are cut (the fixture's longest has 33)
NO_SPAN = -20.0              # a span cut off by MAX_TOKENS: far below any span the head can point at


class AnswerHead(nn.Module):
    """Start and end logits for every token of question [SEP] sentence."""

    def __init__(self, encoder: nn.Module, tokenizer, out: nn.Linear):
        super().__init__()
        self.encoder, self.tokenizer, self.out = encoder, tokenizer, out

    def encode(self, questions: list[str], sentences: list[str]):
        questions = [clip_question(q, self.tokenizer, MAX_QUESTION_TOKENS) for q in questions]
        return self.tokenizer(questions, sentences, truncation="only_second", max_length=MAX_TOKENS,
                              padding=True, return_offsets_mapping=True, return_tensors="pt")

    def forward(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                              token_type_ids=batch["token_type_ids"]).last_hidden_state
        start, end = self.out(hidden).float().unbind(-1)
        return start, end


def token_span(batch, row: int, start: int, end: int) -> tuple[int, int] | None:
    """The first and last token of the sentence's characters start:end in `row`, or None when
    truncation cut them off."""
    first = last = None
    for t, (part, (a, b)) in enumerate(zip(batch.sequence_ids(row), batch["offset_mapping"][row].tolist())):
        if part != 1 or b <= start or a >= end:
            continue
        first = t if first is None else first
        last = t
    return (first, last) if first is not None else None


def build(encoder: nn.Module, tokenizer) -> AnswerHead:
    """An untrained head over `encoder` (what bench/answer_head.py trains)."""
    return AnswerHead(encoder, tokenizer, nn.Linear(encoder.config.hidden_size, 2))


_load_lock = threading.Lock()


def load(folder: Path = HEAD_DIR) -> AnswerHead:
    """The trained head, once per process (concurrent first callers wait for the one load)."""
    with _load_lock:
        return _load(folder)


@functools.cache
def _load(folder: Path) -> AnswerHead:
    """MiniLM copied from the embedding model (which stays untouched) with the adapter merged in,
    on the embedding model's device and in its dtype."""
    from peft import PeftModel
    from safetensors.torch import load_file
    if not (folder / "adapter_model.safetensors").exists():
        raise ModelUnavailable(f"The answer head is missing from {folder}; train it with "
                               f"`python -m bench.grounded --fit-head`.")
    embedding = loader.load("embedding")
    base = copy.deepcopy(embedding.model[0].auto_model)
    encoder = PeftModel.from_pretrained(base, str(folder)).merge_and_unload()
    head = build(encoder, embedding.model.tokenizer)
    head.out.load_state_dict(load_file(str(folder / "out.safetensors")))
    like = next(base.parameters())
    return head.to(device=like.device, dtype=like.dtype).eval()


def meta(folder: Path = HEAD_DIR) -> dict:
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


@torch.inference_mode()
def span_scores(head: AnswerHead, question: str, sentences: list[str],
                spans: list[tuple[int, int, int]]) -> list[float]:
    """For each (sentence index, start, end) in `spans`: start + end logit of the span minus that
    of [CLS] in its sentence, the head's no-answer."""
    if not spans:
        return []
    used = sorted({k for k, _, _ in spans})
    row = {k: n for n, k in enumerate(used)}
    batch = head.encode([question] * len(used), [sentences[k] for k in used])
    start, end = head(batch.to(next(head.parameters()).device))
    scores = []
    for k, s, e in spans:
        r = row[k]
        tokens = token_span(batch, r, s, e)
        value = float(start[r, tokens[0]] + end[r, tokens[1]]) if tokens else NO_SPAN
        scores.append(value - float(start[r, 0] + end[r, 0]))
    return scores
