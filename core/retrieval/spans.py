"""SQuAD-style answer spans from an AutoModelForQuestionAnswering over passages of any length:
sliding windows (preprocess), one batched forward pass (forward), n-best start/end pairs mapped
back to exact character offsets, with the SQuAD 2.0 null answer (postprocess)."""
from dataclasses import dataclass

import numpy as np


@dataclass
class Span:
    passage: int       # index into the passages given
    start: int         # character offsets into that passage
    end: int
    text: str
    score: float       # P(start) * P(end) within its window


@dataclass
class Extraction:
    spans: list[Span]            # n-best over all passages, best first
    null_scores: list[float]     # per passage: P(no answer), the lowest over its windows
    answer: Span | None          # best span in a passage that prefers an answer over none


def extract_spans(question: str, passages: list[str], model, tokenizer, *, max_length: int = 384,
                  stride: int = 128, n_best: int = 20, max_answer_tokens: int = 30,
                  max_question_tokens: int = 64, batch_size: int = 8) -> Extraction:
    """SQuAD-style decoding of an AutoModelForQuestionAnswering over passages of any length."""
    import torch
    question = clip_question(question, tokenizer, max_question_tokens)
    encoded = _windows(question, passages, tokenizer, max_length, stride)
    names = [n for n in tokenizer.model_input_names if n in encoded]
    starts, ends = [], []
    with torch.inference_mode():
        for at in range(0, len(encoded["input_ids"]), batch_size):
            batch = {n: encoded[n][at:at + batch_size].to(model.device) for n in names}
            out = model(**batch)
            starts.append(out.start_logits.float().cpu())
            ends.append(out.end_logits.float().cpu())
    return _decode(encoded, torch.cat(starts).numpy(), torch.cat(ends).numpy(), passages, tokenizer,
                   n_best, max_answer_tokens)


def clip_question(question: str, tokenizer, limit: int) -> str:
    """The question cut after its first `limit` tokens: a reader's input stays bounded however long it is."""
    enc = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
    return question if len(enc["input_ids"]) <= limit else question[:enc["offset_mapping"][limit - 1][1]]


def _windows(question: str, passages: list[str], tokenizer, max_length: int, stride: int):
    """One feature per window of each passage; question first unless the model pads left."""
    question_first = tokenizer.padding_side == "right"
    pairs = ([question] * len(passages), passages) if question_first else (passages, [question] * len(passages))
    return tokenizer(*pairs, truncation="only_second" if question_first else "only_first",
                     max_length=max_length, stride=stride, return_overflowing_tokens=True,
                     return_offsets_mapping=True, padding="longest", return_tensors="pt",
                     split_special_tokens=True)  # "[SEP]" in a passage stays text


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def _decode(encoded, start_logits, end_logits, passages, tokenizer, n_best, max_answer_tokens) -> Extraction:
    context = 1 if tokenizer.padding_side == "right" else 0
    spans, nulls = [], [1.0] * len(passages)
    for f, passage in enumerate(encoded["overflow_to_sample_mapping"].tolist()):
        sequence = encoded.sequence_ids(f)
        offsets = encoded["offset_mapping"][f].tolist()
        ids = encoded["input_ids"][f].tolist()
        cls = ids.index(tokenizer.cls_token_id) if tokenizer.cls_token_id in ids else 0
        allowed = np.array([s == context for s in sequence])
        allowed[cls] = True  # the null answer points at the classification token
        p_start = _softmax(np.where(allowed, start_logits[f], -1e4))
        p_end = _softmax(np.where(allowed, end_logits[f], -1e4))
        nulls[passage] = min(nulls[passage], float(p_start[cls] * p_end[cls]))
        allowed[cls] = False
        scores = np.outer(p_start * allowed, p_end * allowed)
        scores = np.triu(scores) - np.triu(scores, max_answer_tokens)  # end >= start, short enough
        for flat in np.argsort(-scores, axis=None)[:n_best]:
            s, e = divmod(int(flat), scores.shape[1])
            if scores[s, e] <= 0:
                break
            a, b = offsets[s][0], offsets[e][1]
            spans.append(Span(passage, a, b, passages[passage][a:b], float(scores[s, e])))
    best: dict[tuple, Span] = {}
    for span in spans:  # overlapping windows find the same span twice: keep its best score
        key = (span.passage, span.start, span.end)
        if key not in best or span.score > best[key].score:
            best[key] = span
    ranked = sorted(best.values(), key=lambda s: -s.score)[:n_best]
    answer = next((s for s in ranked if s.score > nulls[s.passage]), None)
    return Extraction(ranked, nulls, answer)
