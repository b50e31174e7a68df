"""Answer a question from retrieved passages, with the evidence marked in them.

Three readers; "auto" takes the extractive one when core.runtime.loader can load it for the
"qa" task, else the grounded one:
  extractive   an AutoModelForQuestionAnswering (SQuAD-style, from the Hub) points at the answer
               span in each passage: sliding windows, n-best start/end pairs, the null answer of
               SQuAD 2.0 models (`extract_spans`: preprocess -> forward -> postprocess)
  grounded     offline: the answer is an exact span of a passage, chosen by the chat model among
               answer-type-aware candidates with a calibrated confidence (core.retrieval.reader);
               below its threshold the reader says the documents do not answer
  chat         the chat model writes an answer from the numbered passages and cites them (kept
               for comparison: it can state what the passages do not say)
Every answer carries support marks (core.grounding): each number, date, name and content word
checked against the passages read. Without any generation model, the grounded reader still
shows the retrieved passages and the best evidence sentence.
"""
import re
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from core.errors import ModelUnavailable, QAError
from core.generation import chat_stream, last
from core.grounding import mark_support
from core.retrieval import reader as grounded_reader
from core.retrieval.corpus import Corpus
from core.retrieval.embedding import embed, embedder
from core.retrieval.search import Hit, SearchResult, search
from core.retrieval.spans import extract_spans
from core.runtime import loader
from core.text.sentences import split_sentences

REFUSE_BELOW = 0.33      # top retrieval cosine; calibrated by `python -m bench.ask` (README)
SUPPORT_MIN = 0.45       # cosine of an answer sentence and a passage sentence to count as support
CHAT_PASSAGES = 3        # passages given to the chat model (a 135M model loses track of more)
EXCERPT_SENTENCES = 3    # of each, the sentences closest to the question
NOT_FOUND = "The answer is not in the documents."
READ_PASSAGES = 12       # the grounded reader searches this many passages...
READ_DOCUMENTS = 2       # ...and reads those of the best documents (plus the top k)
READERS = ("auto", "extractive", "grounded", "chat")


DECLINED = re.compile(r"not (?:in|found in|contained in|mentioned in) the (?:passages?|documents?|text)",
                      re.IGNORECASE)


# --- the answer, whichever reader gives it ------------------------------------------------------

@dataclass
class Answer:
    question: str
    text: str = ""
    method: str = ""                  # "extractive" | "grounded" | "chat-reader" | "evidence" | "not-found"
    model: str = ""                   # which model/device answered
    hits: list[Hit] = field(default_factory=list)
    marks: list[tuple[int, int, int]] = field(default_factory=list)   # (hit index, start, end) in chunk text
    score: float | None = None        # extractive: P(span); chat-reader: support cosine
    cited: list[int] = field(default_factory=list)                     # passage numbers cited, from 1
    evidence: str = ""                # the passage sentence closest to the question
    notices: list[str] = field(default_factory=list)
    done: bool = False
    span: dict | None = None          # the answer span: text, passage (from 1), start, end in its text
    confidence: float | None = None   # grounded: calibrated P(the passages answer it); extractive: P(span)
    refuse_below: float | None = None
    runners_up: list[dict] = field(default_factory=list)   # grounded: the next candidates, with scores
    support: dict | None = None       # core.grounding marks of `text` against the passages read

    def to_dict(self) -> dict:
        """What the API returns as JSON besides the rendered answer."""
        return {"question": self.question, "answer": self.text, "method": self.method, "model": self.model,
                "span": self.span, "confidence": self.confidence, "refuse_below": self.refuse_below,
                "runners_up": self.runners_up, "cited": self.cited, "evidence": self.evidence,
                "support": self.support, "notices": self.notices,
                "passages": [{"passage": i + 1, "document": h.chunk.doc, "score": round(h.score, 4),
                              "start": h.chunk.start, "end": h.chunk.end} for i, h in enumerate(self.hits)]}


def answer_stream(corpus: Corpus, question: str, k: int = 4, docs: list[str] | None = None,
                  reader: str = "auto") -> Iterator[Answer]:
    """Retrieve the top-k passages for `question` and answer from them; yields the growing
    Answer (the chat reader streams), the last one with done=True.
    reader: "auto" (extractive model when one loads, else the grounded reader), "extractive",
    "grounded", "chat"."""
    if reader not in READERS:
        raise QAError(f"reader must be one of {', '.join(READERS)}, not {reader!r}.")
    qa = loader.load("qa") if reader in ("auto", "extractive") else None
    if reader == "extractive" and qa.is_method:
        raise QAError("No extractive QA model can be loaded here (the Hugging Face Hub is unreachable); "
                      "use the grounded reader.")
    if qa is not None and not qa.is_method:
        result = search(corpus, question, k, docs, sentences=False)
        answers = iter([_extractive(result, qa)])
    elif reader == "chat":
        result = search(corpus, question, k, docs, sentences=False)
        answers = _chat_reader(result)
    else:
        result = search(corpus, question, max(k, READ_PASSAGES), docs, sentences=False)
        answers = iter([_grounded(result, k)])
    for out in answers:
        if out.done:
            out.notices = result.notices + out.notices
            if out.support is None and out.method not in ("not-found", "evidence"):
                out.support = mark_support(out.text, [h.chunk.text for h in out.hits], given=question).to_dict()
        yield out


def answer(corpus: Corpus, question: str, k: int = 4, docs: list[str] | None = None,
           reader: str = "auto") -> Answer:
    return last(answer_stream(corpus, question, k, docs, reader))


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
    out.span = {"text": best.text, "passage": best.passage + 1, "start": best.start, "end": best.end}
    out.confidence = best.score
    return out


# --- the grounded reader ------------------------------------------------------------------------

def read_hits(hits: list[Hit], k: int) -> list[Hit]:
    """The top k passages and every other one of the best READ_DOCUMENTS documents."""
    docs = list(dict.fromkeys(h.chunk.doc for h in hits))[:READ_DOCUMENTS]
    return [h for i, h in enumerate(hits) if i < k or h.chunk.doc in docs]


def _grounded(result: SearchResult, k: int) -> Answer:
    top = result.top_score
    if top < REFUSE_BELOW:  # off-topic: retrieval alone decides, no model runs
        return _off_topic(Answer(result.query, hits=result.hits[:k], done=True), top)
    hits = read_hits(result.hits, k)
    reading = grounded_reader.read(hits, result.query, result.query_vector)
    out = Answer(result.query, method="grounded", hits=hits, done=True, refuse_below=reading.refuse_below)
    if reading.sentences:
        top = reading.sentences[0]
        out.evidence = f"[{top.hit + 1}] “{top.text}”"
    out.runners_up = [s.to_dict() for s in reading.spans[1:1 + grounded_reader.RUNNERS_UP]]
    if not reading.lm:
        out.method, out.model = "evidence", f"{embedder().candidate.label} retrieval only"
        out.text = "No model can read the passages here: the closest sentence is marked below."
        out.marks = [(top.hit, top.start, top.end)] if reading.sentences else []
        out.notices.append("No generation model could be loaded, so no answer was chosen: read the "
                           "marked evidence sentence and the passages.")
        return out
    out.model = (f"{loader.load('generation').describe()} + {embedder().candidate.label} retrieval "
                 f"and answer head (trained here, core/retrieval/answer_head.py)")
    best = reading.best
    if best is None or not reading.answered:
        out.text, out.confidence = NOT_FOUND, reading.confidence if best else None
        out.marks = [(top.hit, top.start, top.end)] if reading.sentences else []
        why = (f"the best candidate, “{best.text}”, has confidence {reading.confidence:.2f}, below the "
               f"{reading.refuse_below:.2f} needed" if best else "no passage sentence holds an answer of the "
               f"kind asked for ({reading.question.kind})")
        out.notices.append(f"Not answered: {why}. The closest sentence is marked.")
        return out
    out.text, out.confidence, out.score = best.text, reading.confidence, best.prob
    out.span = {"text": best.text, "passage": best.hit + 1, "start": best.start, "end": best.end}
    out.marks = [(best.hit, best.start, best.end)]
    out.cited = [best.hit + 1]
    return out


# --- chat over the session's documents ---------------------------------------------------------

CHAT_WITH_DOCUMENTS = ("Passages from my documents:\n{passages}\n\nUsing only these passages where they "
                       "are relevant, answer: {message}")


def with_documents(corpus: Corpus, message: str, k: int = CHAT_PASSAGES) -> tuple[str, list[Hit]]:
    """The message with the k passages closest to it prepended (each cut to its sentences closest
    to the message), and those passages; the Chat tab's "use my documents"."""
    result = search(corpus, message, k, sentences=False)
    sentences = Sentences.of(result.hits, result.query_vector)
    excerpts = [sentences.excerpt(result.hits, i, EXCERPT_SENTENCES) for i in range(len(result.hits))]
    numbered = "\n".join(f"[{i}] {p}" for i, p in enumerate(excerpts, 1))
    return CHAT_WITH_DOCUMENTS.format(passages=numbered, message=message), result.hits


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
        vectors = embed([hits[i].chunk.text[s:e] for i, s, e in spans])
        return cls(spans, vectors, vectors @ question)

    def excerpt(self, hits: list[Hit], i: int, keep: int) -> str:
        """Hit i shortened to its `keep` sentences closest to the question, in their order."""
        mine = [j for j, span in enumerate(self.spans) if span[0] == i]
        best = sorted(sorted(mine, key=lambda j: -self.to_question[j])[:keep])
        return " ".join(hits[i].chunk.text[self.spans[j][1]:self.spans[j][2]] for j in best)


def _chat_reader(result: SearchResult) -> Iterator[Answer]:
    hits = result.hits[:CHAT_PASSAGES]
    out = Answer(result.query, method="chat-reader", model=result.model, hits=hits)
    top = result.top_score
    if top < REFUSE_BELOW:  # no model runs: retrieval alone decides
        yield _off_topic(out, top)
        return
    sentences = Sentences.of(hits, result.query_vector)
    try:
        out.model = f"{loader.load('generation').describe()} + {embedder().candidate.label} retrieval"
    except ModelUnavailable:
        out.method, out.done = "evidence", True
        out.text = "No model can read the passages here: the closest sentence is marked below."
        close = int(np.argmax(sentences.to_question))
        i, s, e = sentences.spans[close]
        out.evidence, out.marks = f"[{i + 1}] “{hits[i].chunk.text[s:e]}”", [sentences.spans[close]]
        out.notices.append("No generation model could be loaded: read the marked evidence sentence.")
        yield out
        return
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


def _off_topic(out: Answer, top: float) -> Answer:
    out.method, out.text, out.done = "not-found", NOT_FOUND, True
    out.notices.append(f"The best passage scores {top:.2f}, below the {REFUSE_BELOW:.2f} needed "
                       f"to answer; the documents do not seem to cover this question.")
    return out


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
    similarity = embed(claims) @ sentences.vectors.T
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
