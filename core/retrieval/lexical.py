"""Keyword search (BM25, the bm25s library) over an index's passages, and its fusion with the
embedding search by reciprocal rank.

The embedding model places "Which firm does Orin Middleton work for?" near every passage about
analysts and firms; a rare name is what keyword search finds at once. Hybrid retrieval, the
usual practice: each passage scores sum(1 / (FUSION_K + its rank)) over the two rankings.

    order = fuse([dense_keys, keyword_keys])        # keys, best first
"""
import threading
from collections import defaultdict

import bm25s
import numpy as np
import snowballstemmer

from core.grounding.items import STOPWORDS

FUSION_K = 10        # chosen on the dev split of the BBC fixture (against 60, the usual default): bench/hybrid.py
CANDIDATES = 50      # passages each ranking contributes before fusion

_stemmer = snowballstemmer.stemmer("english")
STOPWORD_LIST = sorted(STOPWORDS)   # bm25s's own English list (33 words) keeps "which", "does"
_lock = threading.Lock()


def _tokens(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(texts, stopwords=STOPWORD_LIST, stemmer=_stemmer.stemWords, return_ids=False,
                          show_progress=False)


class Keywords:
    """BM25 over every passage a corpus searches, one index for all, so that a word's weight comes
    from the whole corpus (a session's one document must not make its own words look common)."""

    def __init__(self, parts: list, signature: tuple):
        self.signature = signature
        passages = [(source, i, chunk) for source, index in parts for i, chunk in enumerate(index.chunks)]
        self.keys = [(source, i) for source, i, _ in passages]
        self.docs = [chunk.doc for _, _, chunk in passages]
        self.bm25 = bm25s.BM25()
        self.bm25.index(_tokens([chunk.text for _, _, chunk in passages]), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (0 where no query word occurs), in the order of `keys`."""
        words = _tokens([query])[0]
        return self.bm25.get_scores(words) if words else np.zeros(len(self.keys), dtype=np.float32)

    def top(self, query: str, docs: list[str] | None = None, k: int = CANDIDATES) -> list[tuple]:
        """The k best (score, key) with a positive score, best first; only `docs`' passages when given."""
        scores = self.scores(query)
        if docs is not None:
            scores = np.where(np.isin(self.docs, list(docs)), scores, 0.0)
        return [(float(scores[n]), self.keys[n]) for n in np.argsort(-scores)[:k] if scores[n] > 0]


def keywords(corpus) -> Keywords:
    """The corpus's keyword search, built on first use and again when what it searches changes.
    Kept with the index when the corpus searches one (the example index: shared by every session
    that searches only it), else with the corpus."""
    parts = corpus.indexes()
    signature = tuple((source, id(index), len(index)) for source, index in parts)
    holder = parts[0][1] if len(parts) == 1 else corpus
    with _lock:
        found = getattr(holder, "_keywords", None)
        if found is None or found.signature != signature:
            found = Keywords(parts, signature)
            holder._keywords = found
        return found


def fuse(rankings: list[list], k: int | None = None) -> list:
    """Reciprocal rank fusion: keys in order of sum(1 / (k + rank)) over the rankings."""
    k = FUSION_K if k is None else k
    fused: dict = defaultdict(float)
    for ranking in rankings:
        for rank, key in enumerate(ranking, 1):
            fused[key] += 1.0 / (k + rank)
    return sorted(fused, key=lambda key: -fused[key])
