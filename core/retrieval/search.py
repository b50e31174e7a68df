"""Semantic search over a session's corpus (core.retrieval.corpus): the top-k passages, each
with its best-matching sentence, and a 2-D map of the corpus.

    result = search(corpus, "how does attention work?", k=5)
    result.hits[0].sentence_text                       # the best-matching sentence of the best passage

A query searches the example index and the session's own index, by meaning (embeddings) and by
keywords (BM25), and fuses the two rankings.
"""
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from core.errors import SearchError
from core.retrieval import lexical as lx
from core.retrieval.corpus import Corpus
from core.retrieval.embedding import embed, embedder
from core.text.checks import require_text
from core.text.documents import Chunk
from core.text.language import cjk_share, language_warnings
from core.text.sentences import split_sentences

MAX_K = 20
MAX_QUERY = 2000
MAP_POINTS = 3_000            # most points drawn on the 2-D map


@dataclass
class Hit:
    rank: int
    score: float              # cosine similarity of query and passage
    chunk: Chunk
    source: str               # "example" | "yours"
    chunk_id: int             # position in its index
    sentence: tuple[int, int] = (0, 0)   # best-matching sentence, offsets into chunk.text
    sentence_score: float = 0.0

    @property
    def sentence_text(self) -> str:
        return self.chunk.text[self.sentence[0]:self.sentence[1]]

    def position(self) -> str:
        return f"page {self.chunk.page}, characters {self.chunk.start}–{self.chunk.end}"


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    query_vector: np.ndarray
    model: str
    corpus: str
    notices: list[str] = field(default_factory=list)

    @property
    def top_score(self) -> float:
        """The best cosine among the hits (the first hit may be a keyword match)."""
        return max((h.score for h in self.hits), default=0.0)


def check_query(corpus: Corpus, query: str, k: int) -> int:
    require_text(query, limit=MAX_QUERY, empty="Type a question or a search query first.",
                 what="The query", error=SearchError)
    if not len(corpus):
        raise SearchError("No documents are loaded: upload some, paste text, or tick "
                          "'Include the example corpus'.")
    try:
        k = int(k)
    except (TypeError, ValueError):
        raise SearchError("k must be a whole number.") from None
    return max(1, min(k, MAX_K))


def search(corpus: Corpus, query: str, k: int = 5, docs: list[str] | None = None,
           sentences: bool = True, fusion_k: int | None = None) -> SearchResult:
    """Top-k passages over the corpus (optionally only `docs`), best first, each with its
    best-matching sentence: the embedding and keyword rankings fused (core.retrieval.lexical,
    with constant `fusion_k`, by default lexical.FUSION_K); a hit's score is its cosine to the query."""
    k = check_query(corpus, query, k)
    docs = [d for d in docs] if docs else None
    if docs:
        unknown = set(docs) - set(corpus.documents())
        if unknown:
            raise SearchError(f"Not in this corpus: {', '.join(sorted(unknown))}.")
    vector = embed([query.strip()])
    indexes = dict(corpus.indexes())
    dense = []
    for source, index in indexes.items():
        wanted = None if docs is None else [d for d in docs if d in index.texts]
        if wanted == []:
            continue
        dense += [(score, (source, i)) for score, i in index.search(vector, max(k, lx.CANDIDATES), wanted)[0]]
    dense.sort(key=lambda found: -found[0])
    cosine = {key: score for score, key in dense}
    lexical = lx.keywords(corpus).top(query, docs)
    order = lx.fuse([[key for _, key in dense], [key for _, key in lexical]], fusion_k)[:k]
    for source, i in order:
        if (source, i) not in cosine:  # found by keywords only: its stored vector gives the cosine
            cosine[(source, i)] = float(indexes[source].vectors([i])[0] @ vector[0])
    hits = [Hit(r, cosine[(source, i)], indexes[source].chunks[i], source, i)
            for r, (source, i) in enumerate(order, 1)]
    if sentences:
        mark_sentences(vector[0], hits, query)
    return SearchResult(query, hits, vector[0], embedder().describe() + " + BM25", corpus.describe(),
                        language_warnings(query, "The query"))


def mark_sentences(vector: np.ndarray, hits: list[Hit], query: str = "") -> None:
    """Find, in every hit, the sentence closest in meaning to `vector` (one embedding batch).
    For a Chinese (Japanese, Korean) query the English embedding model tells sentences apart
    poorly, so the share of the query's character pairs a sentence holds is added to its score."""
    spans = [split_sentences(h.chunk.text) or [(0, len(h.chunk.text))] for h in hits]
    flat = [h.chunk.text[s:e] for h, hs in zip(hits, spans) for s, e in hs]
    if not flat:
        return
    scores = sentence_vectors(flat) @ vector
    if cjk_share(query) > 0.5:
        scores = scores + np.array([shared_pairs(query, s) for s in flat])
    at = 0
    for hit, hs in zip(hits, spans):
        best = int(np.argmax(scores[at:at + len(hs)]))
        hit.sentence, hit.sentence_score = hs[best], float(scores[at + best])
        at += len(hs)


def shared_pairs(query: str, text: str) -> float:
    """The share of the query's adjacent character pairs (letters only) that occur in `text`."""
    pairs = {query[i:i + 2] for i in range(len(query) - 1) if query[i:i + 2].isalnum()}
    return sum(p in text for p in pairs) / len(pairs) if pairs else 0.0


_sentences: "OrderedDict[str, np.ndarray]" = OrderedDict()
_sentences_lock = threading.Lock()
SENTENCE_CACHE = 10_000       # sentence vectors kept (~15 MB): popular passages are embedded once


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """Embeddings of passage sentences, from a bounded cache: a search then embeds little
    more than its query."""
    with _sentences_lock:
        known = {t: _sentences[t] for t in texts if t in _sentences}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        known.update(zip(missing, embed(missing)))
    with _sentences_lock:
        for text in dict.fromkeys(texts):
            _sentences[text] = known[text]
            _sentences.move_to_end(text)
        while len(_sentences) > SENTENCE_CACHE:
            _sentences.popitem(last=False)
    return np.stack([known[t] for t in texts])


# --- the 2-D map --------------------------------------------------------------------------------

def corpus_map(corpus: Corpus, result: SearchResult | None = None):
    """A DataFrame (x, y, kind, document, passage) of the corpus projected to 2-D by PCA,
    with the query and the hits as their own kinds."""
    import pandas as pd
    rows, vectors = [], []
    hit_keys = {(h.source, h.chunk_id): h.rank for h in (result.hits if result else [])}
    for source, index in corpus.indexes():
        ids = np.arange(len(index))
        if len(ids) > MAP_POINTS:  # keep the hits, sample the rest evenly
            keep = set(np.linspace(0, len(ids) - 1, MAP_POINTS).astype(int))
            keep |= {i for (s, i) in hit_keys if s == source}
            ids = np.array(sorted(keep))
        vectors.append(index.vectors(ids))
        for i in ids:
            c = index.chunks[i]
            rank = hit_keys.get((source, int(i)))
            rows.append({"kind": "hit" if rank else "passage", "document": c.doc,
                         "passage": (f"#{rank}: " if rank else "") + c.text[:80]})
    if not rows:
        raise SearchError("No documents are loaded, so there is nothing to map.")
    vectors = np.concatenate(vectors)
    if result is not None:
        rows.append({"kind": "query", "document": "", "passage": result.query[:80]})
    if len(vectors) > 2:  # fitted on the corpus alone, so the map stays put from query to query
        pca, xy = _projection(corpus, vectors)
        if result is not None:
            xy = np.vstack([xy, pca.transform(result.query_vector[None, :])])
    else:
        xy = np.zeros((len(rows), 2))
    frame = pd.DataFrame(rows)
    frame.insert(0, "y", xy[:, 1].round(4))
    frame.insert(0, "x", xy[:, 0].round(4))
    return frame


_projections: "OrderedDict[tuple, tuple[list, object, np.ndarray]]" = OrderedDict()
_projections_lock = threading.Lock()


def _projection(corpus: Corpus, vectors: np.ndarray):
    """(PCA fitted on the corpus's passages, their 2-D points), fitted once per corpus state:
    a search then costs one small transform, not a fit (which took up to a second on a busy CPU)."""
    from sklearn.decomposition import PCA
    indexes = [index for _, index in corpus.indexes()]
    key = tuple((id(index), len(index)) for index in indexes)
    with _projections_lock:
        cached = _projections.get(key)
    if cached and all(ref() is index for ref, index in zip(cached[0], indexes)):
        return cached[1], cached[2]
    pca = PCA(n_components=2, random_state=0).fit(vectors)
    entry = ([weakref.ref(index) for index in indexes], pca, pca.transform(vectors))
    with _projections_lock:
        _projections[key] = entry
        while len(_projections) > 64:
            _projections.popitem(last=False)
    return entry[1], entry[2]
