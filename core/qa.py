"""Answer a question from retrieved passages, with the evidence marked in them.

Two readers, picked by what core.loader can load for the "qa" task:
  extractive   an AutoModelForQuestionAnswering (SQuAD-style, from the Hub) points at the answer
               span in each passage: sliding windows, n-best start/end pairs, the null answer of
               SQuAD 2.0 models (`extract_spans`: preprocess -> forward -> postprocess)
  chat-reader  offline: the chat model answers from the numbered passages only and cites them;
               the passage sentences closest in meaning to its answer are marked as support;
               when even the best passage scores below REFUSE_BELOW it declines instead of guessing.
"""
import re
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from core import index as ix
from core import loader
from core.documents import split_sentences
from core.search import Corpus, Hit, SearchResult, hit_html, search

REFUSE_BELOW = 0.33      # top retrieval cosine; calibrated by `python -m bench.ask` (README)
SUPPORT_MIN = 0.45       # cosine of an answer sentence and a passage sentence to count as support
CHAT_PASSAGES = 3        # passages given to the chat model (a 135M model loses track of more)
EXCERPT_SENTENCES = 3    # of each, the sentences closest to the question
NOT_FOUND = "The answer is not in the documents."


DECLINED = re.compile(r"not (?:in|found in|contained in|mentioned in) the (?:passages?|documents?|text)",
                      re.IGNORECASE)


class QAError(ValueError):
    """A question that cannot be answered as asked; the message is meant for the user."""


# --- extractive span decoding ---------------------------------------------------------------

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
    question = _clip_question(question, tokenizer, max_question_tokens)
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


def _clip_question(question: str, tokenizer, limit: int) -> str:
    enc = tokenizer(question, add_special_tokens=False, return_offsets_mapping=True)
    return question if len(enc["input_ids"]) <= limit else question[:enc["offset_mapping"][limit - 1][1]]


def _windows(question: str, passages: list[str], tokenizer, max_length: int, stride: int):
    """One feature per window of each passage; question first unless the model pads left."""
    question_first = tokenizer.padding_side == "right"
    pairs = ([question] * len(passages), passages) if question_first else (passages, [question] * len(passages))
    return tokenizer(*pairs, truncation="only_second" if question_first else "only_first",
                     max_length=max_length, stride=stride, return_overflowing_tokens=True,
                     return_offsets_mapping=True, padding="longest", return_tensors="pt")


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


# --- the answer, whichever reader gives it ------------------------------------------------------

@dataclass
class Answer:
    question: str
    text: str = ""
    method: str = ""                  # "extractive" | "chat-reader" | "not-found"
    model: str = ""                   # which model/device answered
    hits: list[Hit] = field(default_factory=list)
    marks: list[tuple[int, int, int]] = field(default_factory=list)   # (hit index, start, end) in chunk text
    score: float | None = None        # extractive: P(span); chat-reader: support cosine
    cited: list[int] = field(default_factory=list)                     # passage numbers cited, from 1
    evidence: str = ""                # chat-reader: the passage sentence closest to the question
    notices: list[str] = field(default_factory=list)
    done: bool = False

    def markdown(self) -> str:
        text = self.text or "…"
        score = f" · score {self.score:.3f}" if self.score is not None else ""
        how = {"extractive": "extractive QA (answer span copied from a passage)",
               "chat-reader": "chat model reading the retrieved passages (offline method)",
               "not-found": "retrieval only: no passage scored high enough"}.get(self.method, self.method)
        lines = [f"### {text}", f"<small>Answered by **{how}** · {self.model}{score}</small>"]
        if self.evidence:
            lines.append(f"Closest sentence to the question: {self.evidence}")
        return "\n\n".join(lines + [f"⚠️ {n}" for n in self.notices])

    def passages_html(self) -> str:
        blocks = []
        for i, hit in enumerate(self.hits):
            blocks.append(hit_html(hit, f"[{i + 1}]", [(s, e) for h, s, e in self.marks if h == i]))
        return "\n".join(blocks) or "<p>No passages.</p>"


def answer_stream(corpus: Corpus, question: str, k: int = 4, docs: list[str] | None = None,
                  reader: str = "auto") -> Iterator[Answer]:
    """Retrieve the top-k passages for `question` and answer from them; yields the growing
    Answer (the chat reader streams), the last one with done=True.
    reader: "auto" (extractive model when one loads, else the chat reader), "extractive", "chat"."""
    if reader not in ("auto", "extractive", "chat"):
        raise QAError(f"reader must be auto, extractive or chat, not {reader!r}.")
    result = search(corpus, question, k, docs, sentences=False)
    qa = loader.load("qa") if reader != "chat" else None
    notices = result.notices
    if reader == "extractive" and qa.is_method:
        raise QAError("No extractive QA model can be loaded here (the Hugging Face Hub is unreachable); "
                      "use the chat reader.")
    if qa is not None and not qa.is_method:
        answers = iter([_extractive(result, qa)])
    else:
        answers = _chat_reader(result)
    for out in answers:
        if out.done:
            out.notices = notices + out.notices
        yield out


def answer(corpus: Corpus, question: str, k: int = 4, docs: list[str] | None = None,
           reader: str = "auto") -> Answer:
    out = None
    for out in answer_stream(corpus, question, k, docs, reader):
        pass
    return out


def _extractive(result: SearchResult, qa: loader.Loaded) -> Answer:
    hits = result.hits
    found = extract_spans(result.query, [h.chunk.text for h in hits], qa.model, qa.tokenizer)
    out = Answer(result.query, method="extractive", model=qa.describe(), hits=hits, done=True)
    if found.answer is None:
        out.text = NOT_FOUND
        out.score = min(found.null_scores) if found.null_scores else None
        out.notices.append("The reader preferred 'no answer' in every passage.")
        return out
    best = found.answer
    out.text, out.score, out.cited = best.text.strip(), best.score, [best.passage + 1]
    out.marks = [(best.passage, best.start, best.end)]
    return out


# --- the offline chat reader --------------------------------------------------------------------

INSTRUCTION = ("Using only the passages above, answer the question in one sentence and cite the "
               f"passage number like [1]. If they do not answer it, reply: {NOT_FOUND}")


def chat_messages(question: str, excerpts: list[str]) -> list[dict]:
    numbered = "\n".join(f"[{i}] {p}" for i, p in enumerate(excerpts, 1))
    return [{"role": "user", "content": f"Passages:\n{numbered}\n\n{INSTRUCTION}\nQuestion: {question}"}]


@dataclass
class Sentences:
    """Every sentence of the passages a chat reader sees, embedded once."""
    spans: list[tuple[int, int, int]]     # (hit index, start, end) in the hit's chunk text
    vectors: np.ndarray
    to_question: np.ndarray               # cosine of each sentence and the question

    @classmethod
    def of(cls, hits: list[Hit], question: np.ndarray) -> "Sentences":
        spans = [(i, s, e) for i, h in enumerate(hits) for s, e in split_sentences(h.chunk.text)]
        vectors = ix.embed([hits[i].chunk.text[s:e] for i, s, e in spans])
        return cls(spans, vectors, vectors @ question)

    def excerpt(self, hits: list[Hit], i: int, keep: int) -> str:
        """Hit i shortened to its `keep` sentences closest to the question, in their order."""
        mine = [j for j, span in enumerate(self.spans) if span[0] == i]
        best = sorted(sorted(mine, key=lambda j: -self.to_question[j])[:keep])
        return " ".join(hits[i].chunk.text[self.spans[j][1]:self.spans[j][2]] for j in best)


def _chat_reader(result: SearchResult) -> Iterator[Answer]:
    from core.generate import chat_stream
    hits = result.hits[:CHAT_PASSAGES]
    out = Answer(result.query, method="chat-reader", model=result.model, hits=hits)
    top = hits[0].score if hits else 0.0
    if top < REFUSE_BELOW:  # no model runs: retrieval alone decides
        out.method, out.text, out.done = "not-found", NOT_FOUND, True
        out.notices.append(f"The best passage scores {top:.2f}, below the {REFUSE_BELOW:.2f} needed "
                           f"to answer; the documents do not seem to cover this question.")
        yield out
        return
    out.model = f"{loader.load('generation').describe()} + {ix.embedder().candidate.label} retrieval"
    sentences = Sentences.of(hits, result.query_vector)
    # a 135M model answers better from a few relevant sentences than from whole passages
    excerpts = [sentences.excerpt(hits, i, EXCERPT_SENTENCES) for i in range(len(hits))]
    update = None
    for update in chat_stream(chat_messages(result.query, excerpts), max_new_tokens=80,
                              temperature=0.0, repetition_penalty=1.1, stop=["\n\n"], top_n=0):
        out.text = update.text.strip()
        if not update.done:
            yield out
    out.notices += update.notices
    _support(out, sentences)
    out.done = True
    yield out


def _support(out: Answer, sentences: Sentences) -> None:
    """Cited passages, the passage sentences that best support each answer sentence (marked),
    and the sentence closest to the question (shown as evidence whatever the model said)."""
    close = int(np.argmax(sentences.to_question))
    i, s, e = sentences.spans[close]
    out.evidence = f"[{i + 1}] “{out.hits[i].chunk.text[s:e]}”"
    out.cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", out.text) if 1 <= int(n) <= len(out.hits)})
    if DECLINED.search(out.text) or not out.text:
        out.notices.append("The chat model found no answer in the passages.")
        out.marks = [sentences.spans[close]]
        return
    plain = re.sub(r"\s*\[\d+\]", "", out.text)
    claims = [plain[a:b] for a, b in split_sentences(plain)] or [plain]
    similarity = ix.embed(claims) @ sentences.vectors.T
    best = similarity.argmax(axis=1)
    chosen = {int(b) for row, b in zip(similarity, best) if row[b] >= SUPPORT_MIN}
    if not chosen:
        chosen = {close}
        out.notices.append("No passage sentence clearly supports this answer: the marked sentence is "
                           "the one closest to the question. Check the answer against it.")
    out.marks = [sentences.spans[j] for j in sorted(chosen)]
    out.score = float(similarity.max(axis=1).mean())
    if not out.cited:
        out.cited = sorted({sentences.spans[j][0] + 1 for j in chosen})
