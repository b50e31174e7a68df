"""Embed chunks and index them in faiss; save an index to a folder and load it back.

    index = Index()
    index.add_documents([doc], progress=lambda fraction, desc: ...)
    hits = index.search(embed(["what is attention?"]), k=5)   # [[(score, chunk_id), ...]]

Vectors are L2-normalised, so inner product is cosine similarity. The index kind follows the
corpus size (bench/results/retrieval.md has the measurements behind the thresholds):
  up to EXACT_LIMIT chunks   IndexFlatIP: exact, ~10-20 ms per query at 20k chunks on 2 cores
  up to HNSW_LIMIT           IndexHNSWFlat (inner product): ~1 ms, recall@10 > 0.95, no training,
                             grows one vector at a time
  beyond                     IndexIVFFlat (inner product): trained k-means lists; builds in under a minute at 1M
                             where an HNSW graph takes tens of minutes on two cores
"""
import json
import os
import shutil
import tempfile
import threading
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Iterable

import faiss
import numpy as np

from core.errors import IndexingError
from core.retrieval.embedding import Progress, embed, embedder_name
from core.text.documents import Chunk, Document, chunk_document

EXACT_LIMIT = 20_000        # chunks; past this a flat scan costs more per query than embedding it
HNSW_LIMIT = 200_000        # past this, building the graph takes minutes; IVF trains in seconds
HNSW_M = 16                 # graph degree: recall vs. memory and build time
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 64         # candidates explored per query: recall@10 ~0.99 on 384-d embeddings
IVF_PROBES = 32             # lists scanned per query
FORMAT_VERSION = 1

# --- the index -----------------------------------------------------------------------------

def kind_for(size: int) -> str:
    return "flat" if size <= EXACT_LIMIT else "hnsw" if size <= HNSW_LIMIT else "ivf"


def build_faiss_index(vectors: np.ndarray, kind: str | None = None) -> faiss.Index:
    """An index holding `vectors`, of the kind their number calls for (or `kind`)."""
    n, dim = vectors.shape
    kind = kind or kind_for(n)
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    elif kind == "ivf":
        lists = max(1, min(4096, int(np.sqrt(n))))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
        sample = np.random.default_rng(0).choice(n, min(n, 64 * lists), replace=False)
        index.train(vectors[np.sort(sample)])
    else:
        raise ValueError(f"unknown index kind {kind!r}")
    index.add(vectors)
    tune(index)
    return index


def tune(index: faiss.Index) -> None:
    """Search-time settings (they are not saved with an index)."""
    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif isinstance(index, faiss.IndexIVF):
        index.nprobe = IVF_PROBES
        if index.direct_map.type == faiss.DirectMap.NoMap:  # lets reconstruct() find vectors by id
            index.make_direct_map()


ORDER = ("flat", "hnsw", "ivf")
NAMES = {"flat": "flat (exact)", "hnsw": "HNSW (approximate)", "ivf": "IVF (approximate)"}


def short_kind(index: faiss.Index) -> str:
    if isinstance(index, faiss.IndexHNSW):
        return "hnsw"
    return "ivf" if isinstance(index, faiss.IndexIVF) else "flat"


def kind_of(index: faiss.Index) -> str:
    return NAMES[short_kind(index)]


class Index:
    """Chunks and their vectors; chunk i is vector i of the faiss index."""

    def __init__(self, model: str = "", dim: int = 384):
        self.model, self.dim = model, dim
        self.chunks: list[Chunk] = []
        self.texts: dict[str, str] = {}           # document name -> normalised full text
        self.faiss = faiss.IndexFlatIP(dim)
        self._lock = threading.Lock()              # one writer; readers see whole additions

    def __len__(self) -> int:
        return len(self.chunks)

    @property
    def kind(self) -> str:
        return kind_of(self.faiss)

    def documents(self) -> list[str]:
        return list(self.texts)

    def add_documents(self, docs: Iterable[Document], progress: Progress | None = None,
                      max_chunks: int | None = None) -> list[Chunk]:
        """Chunk, embed and index documents. All or nothing: on error nothing is added."""
        docs = [d for d in docs]
        taken = set(self.texts)
        for doc in docs:
            if doc.name in taken:
                raise IndexingError(f"A document named {doc.name!r} is already indexed.")
            taken.add(doc.name)
        chunks = [c for doc in docs for c in chunk_document(doc)]
        if max_chunks is not None and len(self.chunks) + len(chunks) > max_chunks:
            raise IndexingError(f"Indexing these documents would make {len(self.chunks) + len(chunks):,}"
                                f" passages; the limit is {max_chunks:,} per session.")
        if not chunks:
            return []
        vectors = embed([c.text for c in chunks], progress)
        if not self.model:
            self.model = embedder_name()
        self.add(chunks, vectors, {d.name: d.text for d in docs})
        return chunks

    def add(self, chunks: list[Chunk], vectors: np.ndarray, texts: dict[str, str]) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(chunks), self.dim):
            raise IndexingError(f"expected {len(chunks)} vectors of size {self.dim}, got {vectors.shape}")
        with self._lock:
            total = len(self.chunks) + len(chunks)
            if ORDER.index(kind_for(total)) > ORDER.index(short_kind(self.faiss)):
                # outgrew this kind: rebuild as the next one (it never shrinks back)
                self.faiss = build_faiss_index(np.vstack([self.vectors(), vectors]))
            else:
                self.faiss.add(vectors)
            self.chunks.extend(chunks)
            self.texts.update(texts)

    def vectors(self, ids: np.ndarray | None = None) -> np.ndarray:
        if ids is None:
            return self.faiss.reconstruct_n(0, self.faiss.ntotal)
        ids = np.asarray(ids, dtype=np.int64)
        return self.faiss.reconstruct_batch(ids) if len(ids) else np.zeros((0, self.dim), np.float32)

    def ids_of(self, docs: Iterable[str]) -> np.ndarray:
        wanted = set(docs)
        return np.array([i for i, c in enumerate(self.chunks) if c.doc in wanted], dtype=np.int64)

    def search(self, queries: np.ndarray, k: int = 5,
               docs: Iterable[str] | None = None) -> list[list[tuple[float, int]]]:
        """Top-k (score, chunk id) per query vector, best first; `docs` restricts to those documents."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if not len(self.chunks):
            return [[] for _ in queries]
        if docs is not None:  # exact scores over the chosen documents' chunks
            ids = self.ids_of(docs)
            if not len(ids):
                return [[] for _ in queries]
            scores = queries @ self.vectors(ids).T
            top = np.argsort(-scores, axis=1)[:, :k]
            return [[(float(scores[q, j]), int(ids[j])) for j in row] for q, row in enumerate(top)]
        scores, ids = self.faiss.search(queries, min(k, len(self.chunks)))
        return [[(float(s), int(i)) for s, i in zip(srow, irow) if i >= 0]
                for srow, irow in zip(scores, ids)]


# --- saving and loading -------------------------------------------------------------------

def data_dir() -> Path:
    """Where saved indexes live: $LLMLAB_DATA, else ~/.cache/llmlab/indexes."""
    where = os.environ.get("LLMLAB_DATA") or Path.home() / ".cache" / "llmlab" / "indexes"
    path = Path(where).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve(folder: str | Path) -> Path:
    """`folder` inside the data folder; anything that resolves outside it is refused."""
    root = data_dir()
    if not str(folder).strip():
        raise IndexingError("Give the index a folder name.")
    path = (root / folder).resolve()
    if path == root or not path.is_relative_to(root):
        raise IndexingError(f"{folder!s} is outside the app's data folder ({root}); "
                          f"indexes are saved and loaded only inside it.")
    return path


def save(index: Index, folder: str | Path) -> Path:
    """Write the index into `folder` (inside the data folder) atomically: a reader sees the
    old index or the new one, never half of one."""
    target = resolve(folder)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        with index._lock:
            faiss.write_index(index.faiss, str(staging / "index.faiss"))
            meta = {"version": FORMAT_VERSION, "model": index.model, "dim": index.dim,
                    "kind": index.kind, "count": len(index.chunks)}
            chunks = [asdict(c) for c in index.chunks]
            texts = dict(index.texts)
        (staging / "chunks.json").write_text(json.dumps(chunks, ensure_ascii=False))
        (staging / "texts.json").write_text(json.dumps(texts, ensure_ascii=False))
        (staging / "meta.json").write_text(json.dumps(meta, indent=1))  # written last: marks complete
        if target.exists():  # swap: old -> trash, staging -> target, then drop the trash
            trash = target.with_name(f".{target.name}.old-{uuid.uuid4().hex}")
            os.replace(target, trash)
            os.replace(staging, target)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load(folder: str | Path, model: str | None = None) -> Index:
    """An index saved by `save`. `model` (the current embedder's name) must match the saved one."""
    path = resolve(folder)
    try:
        meta = json.loads((path / "meta.json").read_text())
        chunks = [Chunk(**c) for c in json.loads((path / "chunks.json").read_text())]
        texts = json.loads((path / "texts.json").read_text())
        store = faiss.read_index(str(path / "index.faiss"))
    except FileNotFoundError:
        raise IndexingError(f"No saved index in {folder!s}.") from None
    except (ValueError, TypeError, KeyError, RuntimeError) as err:
        raise IndexingError(f"The index in {folder!s} is damaged ({type(err).__name__}).") from err
    if meta.get("version") != FORMAT_VERSION or store.ntotal != len(chunks) or store.d != meta["dim"]:
        raise IndexingError(f"The index in {folder!s} is damaged or from another version.")
    if model and meta["model"] != model:
        raise IndexingError(f"The index in {folder!s} was built with {meta['model']}, not {model}; "
                          f"its vectors cannot be compared with this model's.")
    index = Index(meta["model"], meta["dim"])
    index.faiss, index.chunks, index.texts = store, chunks, texts
    tune(store)
    return index
