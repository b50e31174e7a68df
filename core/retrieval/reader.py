"""The grounded reader: the answer is an exact span of a retrieved passage, chosen with the chat
model, never written by it.

  1. sentences  every sentence of the passages read, ranked by cosine to the question (the
                embedding model) plus the share of the question's content words it holds
  2. candidates answer-type-aware spans of the EVIDENCE best sentences that hold any
                (core.retrieval.candidates): a sentence with no span of the kind asked for is
                passed over, so it takes no place from one further down that has
  3. scoring    log P(candidate + end of answer | WORKED_EXAMPLES, the question, the sentences
                and the question again) for all candidates, and for the answer ABSTAIN ("None"),
                in two forward passes of the chat model sharing the prompt's KV cache
                (core.generation.continuations); then the same given each evidence sentence alone,
                with ABSTAIN after each (the prompts' common beginning run once): how much the
                model prefers a span to "None" when it reads only the span's own sentence; and
                the answer head's score of each span (core.retrieval.answer_head: MiniLM trained
                here to point at an answer's first and last token, one batched pass)
  4. choosing   a linear ranker over the models' scores and core.retrieval.features, fitted
                listwise, picks the span; a logistic model of its softmax, the evidence and how
                much the model prefers ABSTAIN gives the confidence: the calibrated probability
                that the passages answer the question, fitted on the development split of the BBC
                fixture (data/reader.json, `python -m bench.grounded --fit`,
                bench/reader_fit.py); below its refuse_below the reader says the documents do not
                answer.

Without a generation model the reader still ranks the sentences and returns the best one as
evidence (Reading.lm is False).
"""
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.errors import ModelUnavailable
from core.generation.continuations import continuation_logprobs, prompted_logprobs
from core.generation.prompts import encode_chat
from core.grounding.items import stem, tokens
from core.retrieval.candidates import Question, analyse, candidates
from core.retrieval.features import span_features
from core.retrieval.search import Hit, sentence_vectors
from core.runtime import loader
from core.text.sentences import split_sentences

CALIBRATION = Path(__file__).parent / "data" / "reader.json"
EVIDENCE = 9                 # sentences (that hold candidates) whose spans are candidates; 6 -> 9 on the 328
                             # round 1-2 dev questions (CV): best span 71.8% -> 73.3%, unanswerable refused 44% -> 51%
LEXICAL_WEIGHT = 1.0         # sentence score = cosine + this * share of question words it holds
MAX_CANDIDATES = 64
RUNNERS_UP = 4
PROMPT = ("Question: {question}\n\n{context}\n\nQuestion: {question}\n"   # asked first too, so that the
          "Answer with a few words copied from the text.")                # model reads the text knowing it
ABSTAIN = "None"             # the answer that says the text has none; as a confidence feature it took
                             # unanswerable dev questions refused 53% -> 61%, "The text does not say." to 58%
# shown as earlier turns, one answer copied from its text and one text without the answer: on 1,186 dev
# questions (CV) best span 70.4% -> 72.4%, unanswerable refused 53.6% -> 63.6%
WORKED_EXAMPLES = [
    ("Who chairs the committee?", "The committee, chaired by Anna Berg, met on Monday in Oslo.", "Anna Berg"),
    ("How much did the bridge cost?", "The bridge opened in March 2003 after four years of work.", ABSTAIN)]


@dataclass
class Sentence:
    hit: int                 # index into the hits read
    start: int               # offsets into that hit's chunk text
    end: int
    text: str
    cosine: float
    lexical: float           # share of the question's content words it holds

    @property
    def score(self) -> float:
        return self.cosine + LEXICAL_WEIGHT * self.lexical


@dataclass
class Span:
    """A candidate answer: an exact span of a passage."""
    text: str
    hit: int                 # index into the hits read
    start: int               # offsets into hits[hit].chunk.text
    end: int
    kind: str
    sentence: int            # rank of its sentence among all the sentences read, from 0
    features: dict = field(default_factory=dict)
    score: float = 0.0       # the ranker's
    prob: float = 0.0        # softmax of the ranker's scores over the candidates

    def to_dict(self) -> dict:
        return {"text": self.text, "passage": self.hit + 1, "start": self.start, "end": self.end,
                "kind": self.kind, "score": round(self.score, 4), "prob": round(self.prob, 4)}


@dataclass
class Reading:
    question: Question
    sentences: list[Sentence]          # best first
    spans: list[Span]                  # ranked, best first
    confidence: float = 0.0            # calibrated P(the passages answer the question)
    refuse_below: float = 0.0
    abstain: float = 0.0               # log P(ABSTAIN | the sentences and the question)
    lm: bool = True                    # whether the chat model scored the candidates
    seconds: float = 0.0

    @property
    def best(self) -> Span | None:
        return self.spans[0] if self.spans else None

    @property
    def answered(self) -> bool:
        return self.best is not None and self.lm and self.confidence >= self.refuse_below


def calibration() -> dict:
    return json.loads(CALIBRATION.read_text(encoding="utf-8"))


def rank_sentences(hits: list[Hit], question: Question, question_vector: np.ndarray) -> list[Sentence]:
    seen, found = set(), []
    for i, hit in enumerate(hits):
        for s, e in split_sentences(hit.chunk.text):
            text = hit.chunk.text[s:e]
            if text not in seen:
                seen.add(text)
                found.append((i, s, e, text))
    if not found:
        return []
    cosines = sentence_vectors([f[3] for f in found]) @ question_vector  # cached: passages recur
    sentences = [Sentence(i, s, e, text, float(c), _overlap(text, question))
                 for (i, s, e, text), c in zip(found, cosines)]
    return sorted(sentences, key=lambda s: -s.score)


def _overlap(text: str, question: Question) -> float:
    words = {stem(w) for w, _, _ in tokens(text) if w[0].isalpha()}
    return len(question.words & words) / max(1, len(question.words))


def spans_of(question: Question, sentences: list[Sentence]) -> list[Span]:
    spans, seen, evidence = [], set(), 0
    for rank, sentence in enumerate(sentences):
        if evidence == EVIDENCE:
            break
        before = len(spans)
        for c in candidates(question, sentence.text):
            if c.text.lower() in seen:
                continue
            seen.add(c.text.lower())
            spans.append(Span(c.text, sentence.hit, sentence.start + c.start, sentence.start + c.end,
                              c.kind, rank))
        evidence += len(spans) > before
    return spans[:MAX_CANDIDATES]


def read(hits: list[Hit], question_text: str, question_vector: np.ndarray) -> Reading:
    """Rank the sentences of `hits`, score the candidate spans, choose and calibrate."""
    return decide(examine(hits, question_text, question_vector), calibration())


def examine(hits: list[Hit], question_text: str, question_vector: np.ndarray) -> Reading:
    """Sentences ranked, candidate spans with their features (the chat model's scores among
    them); nothing chosen yet."""
    started = time.perf_counter()
    reading = candidates_of(hits, question_text, question_vector)
    try:
        generation = loader.load("generation")
    except ModelUnavailable:
        reading.lm, generation = False, None
    if reading.spans and generation is not None:
        reading.abstain = lm_features(generation, question_text, evidence(reading), reading.spans)
        add_span_features(reading)
        add_head_features(reading)
    reading.seconds = time.perf_counter() - started
    return reading


def candidates_of(hits: list[Hit], question_text: str, question_vector: np.ndarray) -> Reading:
    """Steps 1 and 2, no model: the sentences ranked and the candidate spans."""
    question = analyse(question_text)
    sentences = rank_sentences(hits, question, question_vector)
    return Reading(question, sentences, spans_of(question, sentences))


def add_span_features(reading: Reading) -> None:
    """The features of each span that need no model (core.retrieval.features)."""
    ranks = evidence_ranks(reading.spans)
    for span in reading.spans:
        span.features.update(span_features(span, reading.sentences, reading.question, ranks[span.sentence]))


def add_head_features(reading: Reading, head=None) -> None:
    """span.features['head']: the answer head's score of each span (core.retrieval.answer_head;
    the shipped head unless `head` is given)."""
    from core.retrieval import answer_head  # it imports torch, which building the app must not
    head = answer_head.load() if head is None else head
    sentences = reading.sentences
    values = answer_head.span_scores(head, reading.question.text, [s.text for s in sentences], [
        (s.sentence, s.start - sentences[s.sentence].start, s.end - sentences[s.sentence].start) for s in reading.spans])
    for span, value in zip(reading.spans, values):
        span.features["head"] = value


def evidence(reading: Reading) -> list[Sentence]:
    """The sentences that hold the candidates, best first."""
    return [reading.sentences[i] for i in evidence_ranks(reading.spans)]


def evidence_ranks(spans: list[Span]) -> dict[int, int]:
    """{rank of a sentence that holds candidates among all the sentences: its place among those
    sentences}, best first."""
    return {rank: n for n, rank in enumerate(sorted({s.sentence for s in spans}))}


def decide(reading: Reading, cal: dict) -> Reading:
    """Rank the spans with the calibrated ranker and compute the confidence of the best."""
    reading.refuse_below = cal["refuse_below"]
    if reading.spans and reading.lm:
        rank(reading.spans, cal["ranker"])
        reading.spans.sort(key=lambda s: -s.score)
        reading.confidence = confidence(reading, cal["confidence"])
    return reading


def lm_features(generation, question: str, evidence: list[Sentence], spans: list[Span]) -> float:
    """The chat model's scores of each span, in place, given all the evidence sentences and given
    its own sentence alone; returns log P(ABSTAIN) given all of them. `evidence`: the sentences
    that hold the spans, in rank order (evidence())."""
    tokenizer = generation.tokenizer
    answers = answer_ids(tokenizer, spans)
    *scored, abstain = continuation_logprobs(generation, prompt_ids(tokenizer, question, evidence), answers)
    for span, lp in zip(spans, scored):
        span.features.update(lm_total=lp.total, lm_mean=lp.total / len(lp.tokens), lm_first=lp.first,
                             lm_end=lp.tokens[-1])
    prompts, continuations = alone_inputs(tokenizer, question, evidence, spans, answers)
    alone = prompted_logprobs(generation, prompts, continuations)
    scored, none = alone[:len(spans)], alone[len(spans):]
    for span, (sentence, _), lp in zip(spans, continuations, scored):  # sentence: the prompt of its own
        span.features.update(alone_total=lp.total, alone_margin=lp.total - none[sentence].total)
    return abstain.total


def answer_ids(tokenizer, spans: list[Span]) -> list[list[int]]:
    """The tokens of each span and then of ABSTAIN, each closed by the end of the answer."""
    end = _end_token(tokenizer)
    return [tokenizer(text, add_special_tokens=False).input_ids + [end] for text in [s.text for s in spans] + [ABSTAIN]]


def alone_inputs(tokenizer, question: str, evidence: list[Sentence], spans: list[Span], answers: list[list[int]]):
    """One prompt per evidence sentence, and its continuations: its own spans, then ABSTAIN
    (prompted_logprobs' arguments)."""
    which = evidence_ranks(spans)
    prompts = [prompt_ids(tokenizer, question, [s]) for s in evidence]
    return prompts, ([(which[s.sentence], ids) for s, ids in zip(spans, answers)]
                     + [(n, answers[-1]) for n in range(len(evidence))])


def prompt_ids(tokenizer, question: str, evidence: list[Sentence]) -> list[int]:
    """The prompt the candidates and ABSTAIN continue: the worked examples as earlier turns, then
    the question, the evidence sentences and the question again (control-token strings in either
    stay plain text)."""
    shown = [turn for asked, text, answer in WORKED_EXAMPLES
             for turn in ({"role": "user", "content": PROMPT.format(context=text, question=asked)},
                          {"role": "assistant", "content": answer})]
    context = " ".join(s.text for s in evidence)
    return encode_chat(tokenizer, shown + [{"role": "user", "content": PROMPT.format(context=context, question=question)}])


def _end_token(tokenizer) -> int:
    found = tokenizer.convert_tokens_to_ids("<|im_end|>")
    return found if isinstance(found, int) and found != tokenizer.unk_token_id else tokenizer.eos_token_id


def _vector(features: dict, names: list[str]) -> np.ndarray:
    return np.array([float(features.get(n, 0.0)) for n in names])


def rank(spans: list[Span], model: dict) -> None:
    names, weights = model["features"], np.array(model["weights"])
    mean, scale = np.array(model["mean"]), np.array(model["scale"])
    for span in spans:
        span.score = float(((_vector(span.features, names) - mean) / scale) @ weights + model["bias"])
    top = max(s.score for s in spans)
    total = sum(math.exp(s.score - top) for s in spans)
    for span in spans:
        span.prob = math.exp(span.score - top) / total


def reading_features(reading: Reading) -> dict:
    """What the confidence is computed from: how sure the ranker is and how good the evidence is."""
    best = reading.spans[0]
    second = reading.spans[1].prob if len(reading.spans) > 1 else 0.0
    features = {name: best.features.get(name, 0.0) for name in
                ("lm_mean", "lm_total", "cosine", "lexical", "near", "fit", "sentence_rank", "named")}
    # an unanswerable question's closest sentences often hold nothing of the kind asked for,
    # so its best span comes from a sentence well below them
    gap = reading.sentences[0].score - reading.sentences[best.sentence].score
    # how much more the model would say the text has no answer than give its likeliest span
    abstain = reading.abstain - max(s.features["lm_total"] for s in reading.spans)
    return {**features, "prob": best.prob, "margin": best.prob - second, "score": best.score, "gap": gap,
            "missing": _missing(reading), "candidates": math.log(len(reading.spans)), "abstain": abstain,
            "alone_margin": best.features["alone_margin"],
            "alone_best": max(s.features["alone_margin"] for s in reading.spans)}


def _missing(reading: Reading) -> float:
    """Share of the question's content words that no sentence read holds: what an unanswerable
    question asks about (a price, a surgeon) is often never mentioned."""
    return 1 - _overlap(" ".join(s.text for s in reading.sentences), reading.question)


def confidence(reading: Reading, model: dict) -> float:
    names, weights = model["features"], np.array(model["weights"])
    x = (_vector(reading_features(reading), names) - np.array(model["mean"])) / np.array(model["scale"])
    return float(1 / (1 + math.exp(-(x @ weights + model["bias"]))))
