"""Extractive summaries: the most central sentences of a text, verbatim and in their order.

    result = extract(text, sentences=3)        # or ratio=0.2
    result.sentences                           # the chosen sentences, in source order
    result.highlights()                        # [(segment, "summary" | None), ...]

The text is read by the one document reader (core.text), split into sentences there,
and each sentence is embedded with the shared embedding model, normalised so that a dot
product is a cosine. Sentences are scored by TextRank (PageRank over the graph of cosine
similarities) or by closeness to the document's centroid, then picked greedily by maximal
marginal relevance: a sentence close to one already chosen is passed over for a new point.
"""
import re
from dataclasses import dataclass, field

import numpy as np

from core.errors import SummarizeError
from core.retrieval.embedding import embed, embedder
from core.summarize.inputs import source
from core.text.sentences import pieces, split_sentences

MAX_SENTENCE_CHARS = 400   # longer "sentences" (text without punctuation) are cut into pieces
TEXTRANK_MAX = 3000        # above this many sentences the n x n graph is too big: use the centroid
HIGHLIGHT_FULL = 40_000    # longer sources show only the chosen sentences and their surroundings
METHODS = {"textrank": "TextRank over the sentence-similarity graph",
           "centroid": "closeness to the document centroid"}


@dataclass
class Extract:
    text: str                           # the normalised source: all offsets index into it
    spans: list[tuple[int, int]]        # every sentence, as (start, end)
    chosen: list[int]                   # indices into spans, ascending (source order)
    scores: list[float]                 # centrality of every sentence
    method: str                         # how they were ranked, for the UI
    model: str                          # which embedding model embedded them
    notes: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[str]:
        return [self.text[s:e] for s, e in (self.spans[i] for i in self.chosen)]

    @property
    def summary(self) -> str:
        return join_sentences(self.sentences)

    def highlights(self, label: str = "summary") -> list[tuple[str, str | None]]:
        """The source as segments for gr.HighlightedText, chosen sentences labelled.
        A long source keeps only some context around the chosen sentences."""
        segments, at = [], 0
        for i in self.chosen:
            start, end = self.spans[i]
            segments += [(_elide(self.text[at:start], len(self.text)), None), (self.text[start:end], label)]
            at = end
        segments.append((_elide(self.text[at:], len(self.text)), None))
        return [(text, tag) for text, tag in segments if text]


def _elide(gap: str, total: int, keep: int = 300) -> str:
    if total <= HIGHLIGHT_FULL or len(gap) <= 2 * keep + 50:
        return gap
    return f"{gap[:keep]} […{len(gap) - 2 * keep:,} characters…] {gap[-keep:]}"


def join_sentences(sentences: list[str]) -> str:
    """Sentences as one paragraph; no space after a CJK full stop, a line break after a title (a
    sentence without an end mark), so that it is not read as the start of the next sentence."""
    out = ""
    for s in sentences:
        if out:
            out += "" if re.search(r"[。！？」』）]$", out) else " " if re.search(r"[.!?…\"'”’)\]]$", out) else "\n"
        out += s
    return out


# --- sentences -------------------------------------------------------------------------------

def sentence_spans(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    """Sentences of `text`; run-on stretches without punctuation are cut into pieces."""
    spans, cut = [], False
    for start, end in split_sentences(text):
        parts = pieces(text, start, end, MAX_SENTENCE_CHARS)
        cut |= len(parts) > 1
        spans += parts
    notes = [f"Parts of the text have no sentence punctuation; they were cut into pieces of up to "
             f"{MAX_SENTENCE_CHARS} characters, which count as sentences here."] if cut else []
    return spans, notes


# --- ranking --------------------------------------------------------------------------------

def textrank(vectors: np.ndarray, damping: float = 0.85, iterations: int = 100,
             tolerance: float = 1e-6) -> np.ndarray:
    """PageRank over the graph whose edge weights are the (non-negative) cosine similarities."""
    n = len(vectors)
    weights = np.clip(vectors @ vectors.T, 0, None)
    np.fill_diagonal(weights, 0)
    out = weights.sum(axis=1, keepdims=True)
    # a sentence similar to nothing links to every sentence equally (PageRank's dangling node)
    transition = np.where(out > 0, weights / np.where(out > 0, out, 1), 1 / n)
    rank = np.full(n, 1 / n)
    for _ in range(iterations):
        new = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(new - rank).sum() < tolerance:
            return new
        rank = new
    return rank


def centroid(vectors: np.ndarray) -> np.ndarray:
    """Cosine of each sentence to the mean direction of the whole text."""
    mean = vectors.mean(axis=0)
    return vectors @ (mean / (np.linalg.norm(mean) or 1))


def mmr(vectors: np.ndarray, scores: np.ndarray, k: int, diversity: float) -> list[int]:
    """Pick k sentences: high score, low similarity to those already picked (maximal marginal
    relevance; diversity 0 = by score only). Returns the indices in source order."""
    spread = scores.max() - scores.min()
    relevance = (scores - scores.min()) / spread if spread > 0 else np.ones_like(scores)
    chosen = [int(np.argmax(relevance))]
    closest = vectors @ vectors[chosen[0]]  # each sentence's highest similarity to a chosen one
    while len(chosen) < k:
        value = (1 - diversity) * relevance - diversity * closest
        value[chosen] = -np.inf
        pick = int(np.argmax(value))
        chosen.append(pick)
        closest = np.maximum(closest, vectors @ vectors[pick])
    return sorted(chosen)


def rank(sentences: list[str], method: str = "textrank"
         ) -> tuple[np.ndarray, np.ndarray, str, str, list[str]]:
    """(vectors, scores, method description, embedding model, notes) for the sentences."""
    if method not in METHODS:
        raise SummarizeError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    notes = []
    if method == "textrank" and len(sentences) > TEXTRANK_MAX:
        method = "centroid"
        notes.append(f"{len(sentences):,} sentences are too many for TextRank's similarity graph; "
                     f"they were ranked by closeness to the centroid instead.")
    vectors, model = embed(sentences), embedder().describe()
    scores = textrank(vectors) if method == "textrank" else centroid(vectors)
    return vectors, scores, METHODS[method], model, notes


def count(n_total: int, sentences: int | None, ratio: float | None) -> int:
    """How many sentences to keep: `ratio` of the text when given (0-1), else `sentences`."""
    try:
        if ratio:
            ratio = float(ratio)
            if not 0 < ratio <= 1:
                raise SummarizeError(f"The ratio must be between 0 and 1 (e.g. 0.2 for 20%); got {ratio}.")
            return max(1, round(ratio * n_total))
        wanted = int(sentences if sentences is not None else 3)
    except (TypeError, ValueError) as err:
        if isinstance(err, SummarizeError):
            raise
        raise SummarizeError(f"The summary length must be a number; got {sentences!r} / {ratio!r}.") from None
    if wanted < 1:
        raise SummarizeError("Ask for at least one sentence.")
    return wanted


def extract(text: str, sentences: int | None = 3, ratio: float | None = None,
            method: str = "textrank", diversity: float = 0.3) -> Extract:
    """The `sentences` most central sentences (or a `ratio` of them), in source order."""
    text, notes = source(text)
    spans, more = sentence_spans(text)
    notes += more
    k = count(len(spans), sentences, ratio)
    diversity = min(max(float(diversity or 0), 0.0), 1.0)
    if len(spans) == 1:
        notes.append("The text is a single sentence: there is nothing to shorten.")
    elif k >= len(spans):
        notes.append(f"The text has only {len(spans)} sentences, so all of them are kept.")
    vectors, scores, how, model, more = rank([text[s:e] for s, e in spans], method)
    notes += more
    chosen = mmr(vectors, scores, min(k, len(spans)), diversity)
    return Extract(text, spans, chosen, scores.tolist(), how, model, notes)
