"""Answer a question from retrieved passages, with the evidence marked in them.

Two readers, picked by what core.runtime.loader can load for the "qa" task:
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

from core.errors import QAError
from core.generation import chat_stream, last
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


DECLINED = re.compile(r"not (?:in|found in|contained in|mentioned in) the (?:passages?|documents?|text)",
                      re.IGNORECASE)


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
    top = hits[0].score if hits else 0.0
    if top < REFUSE_BELOW:  # no model runs: retrieval alone decides
        out.method, out.text, out.done = "not-found", NOT_FOUND, True
        out.notices.append(f"The best passage scores {top:.2f}, below the {REFUSE_BELOW:.2f} needed "
                           f"to answer; the documents do not seem to cover this question.")
        yield out
        return
    out.model = f"{loader.load('generation').describe()} + {embedder().candidate.label} retrieval"
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
