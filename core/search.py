"""Semantic search over the example corpus and one session's own documents.

    corpus = Corpus()                                  # one per browser session
    report = ingest(corpus, ["notes.pdf"], progress=...)
    result = search(corpus, "how does attention work?", k=5)
    result.hits[0].sentence_text                       # the best-matching sentence of the best passage

The example corpus (examples/corpus) is embedded once per process on first use (or loaded
from its saved copy in the data folder) and shared read-only; a session's uploads go into
that session's own Index, and a query searches both and merges the scores.
"""
import hashlib
import html
import re
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import index as ix
from core.documents import (Chunk, DocumentError, document_from_text, language_warnings, read_document,
                            split_sentences)

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "examples" / "corpus"
MAX_SESSION_CHUNKS = 50_000   # ~80 MB of vectors per session on a shared Space; past EXACT_LIMIT
MAX_K = 20
MAP_POINTS = 3_000            # most points drawn on the 2-D map


class SearchError(ValueError):
    """A request that cannot be served; the message is meant for the user."""


# --- the shared example corpus --------------------------------------------------------------

_example: ix.Index | None = None
_example_lock = threading.Lock()


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLE_DIR.iterdir() if p.suffix in (".md", ".txt"))


def example_index() -> ix.Index:
    """The example corpus, indexed once per process (thread-safe) and never changed after."""
    global _example
    if _example is not None:
        return _example
    with _example_lock:
        if _example is None:
            _example = _load_or_build_examples()
    return _example


def _load_or_build_examples() -> ix.Index:
    files = example_files()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    model = ix.embedder_name()
    digest.update(model.encode() + str(ix.FORMAT_VERSION).encode())
    folder = f"examples-{digest.hexdigest()[:16]}"  # content-addressed: edits re-embed
    try:
        return ix.load(folder, model)
    except ix.IndexingError:
        pass
    index = ix.Index()
    index.add_documents([read_document(p) for p in files])
    try:
        ix.save(index, folder)
    except OSError:  # a read-only disk only costs re-embedding next time
        pass
    return index


# --- one session's corpus ---------------------------------------------------------------------

@dataclass
class Corpus:
    """What one session searches: the shared examples (optional) and its own documents."""
    own: ix.Index = field(default_factory=ix.Index)
    use_examples: bool = True

    def indexes(self) -> list[tuple[str, ix.Index]]:
        out = [("example", example_index())] if self.use_examples else []
        return out + ([("yours", self.own)] if len(self.own) else [])

    def documents(self) -> list[str]:
        return [doc for _, index in self.indexes() for doc in index.documents()]

    def __len__(self) -> int:
        return sum(len(index) for _, index in self.indexes())

    def describe(self) -> str:
        parts = []
        if self.use_examples:
            ex = example_index()
            parts.append(f"{len(ex.documents())} example documents ({len(ex)} passages)")
        if len(self.own):
            parts.append(f"{len(self.own.documents())} of yours ({len(self.own)} passages, "
                         f"{self.own.kind} index)")
        return " + ".join(parts) or "no documents"


def session(corpus: Corpus | None, use_examples: bool = True) -> Corpus:
    """The session's corpus (a new one on its first request), with the examples on or off."""
    corpus = corpus if isinstance(corpus, Corpus) else Corpus()
    corpus.use_examples = bool(use_examples)
    return corpus


KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def save_corpus(corpus: Corpus | None) -> str:
    """Save the session's own documents under a new random key (the only way to load them)."""
    if corpus is None or not len(corpus.own):
        raise SearchError("There are no documents of yours to save; add some first.")
    key = secrets.token_urlsafe(18)
    ix.save(corpus.own, f"sessions/{key}")
    return key


def load_corpus(corpus: Corpus | None, key: str) -> Corpus:
    """Replace the session's own documents by those saved under `key`."""
    key = (key or "").strip()
    if not KEY.match(key):
        raise SearchError("That is not a saved-index key (it looks like 24 letters, digits, - or _).")
    try:
        own = ix.load(f"sessions/{key}", ix.embedder_name())
    except ix.IndexingError as err:
        raise SearchError(str(err).replace(f"sessions/{key}", "that key")) from None
    corpus = session(corpus, corpus.use_examples if corpus else True)
    corpus.own = own
    return corpus


@dataclass
class IngestReport:
    added: list[str]
    chunks: int
    errors: list[str]
    warnings: list[str]

    def markdown(self) -> str:
        lines = []
        if self.added:
            lines.append(f"Indexed **{len(self.added)}** document(s) in {self.chunks} passages: "
                         + ", ".join(self.added))
        lines += [f"⚠️ {w}" for w in self.warnings]
        lines += [f"❌ {e}" for e in self.errors]
        return "\n\n".join(lines) or "Nothing to add: upload files or paste text."


def ingest(corpus: Corpus, files=(), text: str = "", progress=None) -> IngestReport:
    """Read, chunk, embed and index files (paths) and pasted text into the session's index.

    Every readable document is added; each unreadable one is reported and skipped. Nothing
    already indexed is lost: the index changes only once all new documents are embedded.
    """
    docs, errors = [], []
    taken = set(corpus.documents())
    for path in files or ():
        try:
            docs.append(read_document(path, Path(str(path)).name))
        except DocumentError as err:
            errors.append(str(err))
    if text and text.strip():
        try:
            docs.append(document_from_text(text, name=_free_name("pasted text", taken)))
        except DocumentError as err:
            errors.append(str(err))
    fresh = []
    for doc in docs:
        if doc.name in taken:
            errors.append(f"{doc.name}: a document with this name is already indexed; skipped.")
            continue
        taken.add(doc.name)
        fresh.append(doc)
    if not fresh:
        if not errors:
            errors.append("Nothing to add: upload TXT, MD, PDF or HTML files, or paste some text.")
        return IngestReport([], 0, errors, [])
    try:
        chunks = corpus.own.add_documents(fresh, progress, max_chunks=MAX_SESSION_CHUNKS)
    except ix.IndexingError as err:
        return IngestReport([], 0, errors + [str(err)], [])
    return IngestReport([d.name for d in fresh], len(chunks), errors,
                        [w for d in fresh for w in d.warnings])


def _free_name(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base} ({n})"
    return name


# --- searching ----------------------------------------------------------------------------------

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

    def html(self) -> str:
        if not self.hits:
            return "<p>No passages found.</p>"
        return "\n".join(hit_html(h) for h in self.hits)


def check_query(corpus: Corpus, query: str, k: int) -> int:
    if not isinstance(query, str) or not query.strip():
        raise SearchError("Type a question or a search query first.")
    if len(query) > 2000:
        raise SearchError("The query is longer than 2,000 characters; shorten it.")
    if not len(corpus):
        raise SearchError("No documents are loaded: upload some, paste text, or tick "
                          "'Include the example corpus'.")
    try:
        k = int(k)
    except (TypeError, ValueError):
        raise SearchError("k must be a whole number.") from None
    return max(1, min(k, MAX_K))


def search(corpus: Corpus, query: str, k: int = 5, docs: list[str] | None = None,
           sentences: bool = True) -> SearchResult:
    """Top-k passages over the corpus (optionally only `docs`), best first, each with its
    best-matching sentence."""
    k = check_query(corpus, query, k)
    docs = [d for d in docs] if docs else None
    if docs:
        unknown = set(docs) - set(corpus.documents())
        if unknown:
            raise SearchError(f"Not in this corpus: {', '.join(sorted(unknown))}.")
    vector = ix.embed([query.strip()])
    found = []
    for source, index in corpus.indexes():
        wanted = None if docs is None else [d for d in docs if d in index.texts]
        if wanted == []:
            continue
        for score, i in index.search(vector, k, wanted)[0]:
            found.append((score, source, i, index.chunks[i]))
    found.sort(key=lambda f: -f[0])
    hits = [Hit(r, s, chunk, source, i) for r, (s, source, i, chunk) in enumerate(found[:k], 1)]
    if sentences:
        mark_sentences(vector[0], hits)
    return SearchResult(query, hits, vector[0], ix.embedder().describe(), corpus.describe(),
                        language_warnings(query, "The query"))


def mark_sentences(vector: np.ndarray, hits: list[Hit]) -> None:
    """Find, in every hit, the sentence closest in meaning to `vector` (one embedding batch)."""
    spans = [split_sentences(h.chunk.text) or [(0, len(h.chunk.text))] for h in hits]
    flat = [h.chunk.text[s:e] for h, hs in zip(hits, spans) for s, e in hs]
    if not flat:
        return
    scores = ix.embed(flat) @ vector
    at = 0
    for hit, hs in zip(hits, spans):
        best = int(np.argmax(scores[at:at + len(hs)]))
        hit.sentence, hit.sentence_score = hs[best], float(scores[at + best])
        at += len(hs)


def highlighted(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML of `text` with the character spans wrapped in <mark>."""
    out, at = [], 0
    for s, e in sorted(spans):
        if s < at:
            continue
        out += [html.escape(text[at:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        at = e
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "<br>")


def hit_html(hit: Hit, label: str | None = None, marks: list[tuple[int, int]] | None = None) -> str:
    """One passage as HTML: its source and score, with `marks` (default: its best sentence) marked."""
    label = label or f"#{hit.rank}"
    marks = [hit.sentence] if marks is None else marks
    mine = " (yours)" if hit.source == "yours" else ""
    return (f'<div class="llmlab-hit"><div class="llmlab-hit-head"><b>{label}</b> '
            f'score {hit.score:.3f} · <b>{html.escape(hit.chunk.doc)}</b>{mine} · {hit.position()}'
            f'</div><div class="llmlab-hit-text">{highlighted(hit.chunk.text, marks)}</div></div>')


# --- the 2-D map --------------------------------------------------------------------------------

def corpus_map(corpus: Corpus, result: SearchResult | None = None):
    """A DataFrame (x, y, kind, document, passage) of the corpus projected to 2-D by PCA,
    with the query and the hits as their own kinds."""
    import pandas as pd
    from sklearn.decomposition import PCA
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
        pca = PCA(n_components=2, random_state=0).fit(vectors)
        xy = pca.transform(vectors if result is None else np.vstack([vectors, result.query_vector]))
    else:
        xy = np.zeros((len(rows), 2))
    frame = pd.DataFrame(rows)
    frame.insert(0, "y", xy[:, 1].round(4))
    frame.insert(0, "x", xy[:, 0].round(4))
    return frame
