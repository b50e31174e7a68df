"""Keyword search (BM25, the bm25s library) over an index's passages, and its fusion with the
embedding search by reciprocal rank.

The embedding model places "Which firm does Orin Middleton work for?" near every passage about
analysts and firms; a rare name is what keyword search finds at once. Hybrid retrieval, the
usual practice: each passage scores sum(1 / (FUSION_K + its rank)) over the two rankings.

    order = fuse([dense_ids, keyword_ids])          # ids, best first
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
    """BM25 over the first `count` passage texts of an index (rebuilt when the index grows)."""

    def __init__(self, texts: list[str]):
        self.count = len(texts)
        self.bm25 = bm25s.BM25()
        self.bm25.index(_tokens(texts), show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (0 where no query word occurs)."""
        words = _tokens([query])[0]
        return self.bm25.get_scores(words) if words else np.zeros(self.count, dtype=np.float32)


def keywords(index) -> Keywords:
    """The index's keyword search, built on first use and again after the index grows."""
    with _lock:
        found = getattr(index, "_keywords", None)
        if found is None or found.count != len(index.chunks):
            found = Keywords([c.text for c in index.chunks])
            index._keywords = found
        return found


def top(scores: np.ndarray, ids: np.ndarray | None = None, k: int = CANDIDATES) -> list[tuple[float, int]]:
    """The k best (score, id) with a positive score, over `ids` only when given."""
    if ids is not None:
        scores = _masked(scores, ids)
    best = np.argsort(-scores)[:k]
    return [(float(scores[i]), int(i)) for i in best if scores[i] > 0]


def _masked(scores: np.ndarray, ids: np.ndarray) -> np.ndarray:
    out = np.zeros_like(scores)
    out[ids] = scores[ids]
    return out


def fuse(rankings: list[list], k: int | None = None) -> list:
    """Reciprocal rank fusion: keys in order of sum(1 / (k + rank)) over the rankings."""
    k = FUSION_K if k is None else k
    fused: dict = defaultdict(float)
    for ranking in rankings:
        for rank, key in enumerate(ranking, 1):
            fused[key] += 1.0 / (k + rank)
    return sorted(fused, key=lambda key: -fused[key])
