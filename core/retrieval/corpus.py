"""What one session searches: the example corpus (examples/corpus, embedded once per process
or loaded from its saved copy, shared read-only) and the session's own documents.

    corpus = Corpus()                                  # one per browser session
    report = ingest(corpus, ["notes.pdf"], progress=...)
    key = save_corpus(corpus); corpus = load_corpus(None, key)
"""
import hashlib
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import DocumentError, IndexingError, SearchError
from core.retrieval import index as ix
from core.retrieval.embedding import embedder_name
from core.text.documents import document_from_text, read_document

log = logging.getLogger(__name__)
EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "corpus"
MAX_SESSION_CHUNKS = 50_000   # ~80 MB of vectors per session on a shared Space; past EXACT_LIMIT


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
    model = embedder_name()
    digest.update(model.encode() + str(ix.FORMAT_VERSION).encode())
    folder = f"examples-{digest.hexdigest()[:16]}"  # content-addressed: edits re-embed
    try:
        return ix.load(folder, model)
    except IndexingError:
        pass
    log.info("Indexing the %d example articles (once; later starts load the saved index)", len(files))
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
        own = ix.load(f"sessions/{key}", embedder_name())
    except IndexingError as err:
        raise SearchError(str(err).replace(f"sessions/{key}", "that key")) from None
    corpus = session(corpus, corpus.use_examples if corpus else True)
    corpus.own = own
    return corpus


class PrivateCorpora:
    """Corpora for callers without a session of their own (MCP clients, scripts), each under a
    random key that only its holder knows. One is dropped after `ttl_s` unused, and the least
    recently used first when more than `most` are held. A key saved with `save_corpus` also opens
    its saved documents here."""

    def __init__(self, ttl_s: float = 3600, most: int = 32):
        self.ttl_s, self.most = ttl_s, most
        self._held: OrderedDict[str, tuple[Corpus, float]] = OrderedDict()
        self._lock = threading.Lock()

    def create(self, use_examples: bool = True) -> tuple[str, Corpus]:
        key, corpus = secrets.token_urlsafe(18), session(None, use_examples)
        self._hold(key, corpus)
        return key, corpus

    def get(self, key: str, use_examples: bool = True) -> Corpus:
        key = (key or "").strip()
        with self._lock:
            self._expire()
            held = self._held.pop(key, None)
        corpus = held[0] if held else self._saved(key)
        self._hold(key, corpus)
        return session(corpus, use_examples)

    def __len__(self) -> int:
        return len(self._held)

    def _saved(self, key: str) -> Corpus:
        try:
            return load_corpus(None, key)
        except SearchError:
            raise SearchError("Unknown or expired corpus key: add your documents again (the reply "
                              "gives a new key), or use a key from save_index.") from None

    def _hold(self, key: str, corpus: Corpus) -> None:
        with self._lock:
            self._held[key] = (corpus, time.monotonic())
            while len(self._held) > self.most:
                self._held.popitem(last=False)

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, used) in self._held.items() if now - used > self.ttl_s]:
            del self._held[key]


@dataclass
class IngestReport:
    added: list[str]
    chunks: int
    errors: list[str]
    warnings: list[str]


def ingest(corpus: Corpus, files=(), text: str = "", progress=None) -> IngestReport:
    """Read, chunk, embed and index files (paths) and pasted text into the session's index.

    Every readable document is added; each unreadable one is reported and skipped. Nothing
    already indexed is lost: the index changes only once all new documents are embedded.
    `progress(fraction, words)` hears how far it is: "Reading file 2 of 5: notes.pdf", then
    "Embedding passages: 64 of 1,024" (the fraction of each stage).
    """
    docs, errors = [], []
    taken = set(corpus.documents())
    files = list(files or ())
    for i, path in enumerate(files):
        if progress:
            progress(i / len(files), f"Reading file {i + 1} of {len(files)}: {Path(str(path)).name}")
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
    except IndexingError as err:
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
