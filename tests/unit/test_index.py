"""core.retrieval.index on synthetic vectors: exact vs approximate search, growth, filters, save/load."""
import json

import faiss
import numpy as np
import pytest

from bench.retrieval import recall_at, synthetic_vectors
from core.errors import IndexingError
from core.retrieval import index as ix
from core.text.documents import Chunk, document_from_text


def chunks_for(n: int, docs: int = 4) -> list[Chunk]:
    return [Chunk(f"doc{i % docs}", 1, i, i + 1, f"chunk {i}") for i in range(n)]


def filled(n: int) -> ix.Index:
    index = ix.Index("test-model", 384)
    index.add(chunks_for(n), synthetic_vectors(n), {f"doc{d}": "" for d in range(4)})
    return index


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMLAB_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


def test_exact_search_returns_the_true_neighbours_best_first():
    index = filled(500)
    queries = synthetic_vectors(20, seed=1)
    got = index.search(queries, k=5)
    truth = np.argsort(-(queries @ index.vectors().T), axis=1)[:, :5]
    assert [[i for _, i in row] for row in got] == truth.tolist()
    assert all(row[0][0] >= row[-1][0] for row in got)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_recall_at_10_is_at_least_095_against_exact(kind):
    vectors, queries = synthetic_vectors(20_000), synthetic_vectors(200, seed=1)
    exact = faiss.IndexFlatIP(384)
    exact.add(vectors)
    _, truth = exact.search(queries, 10)
    approx = ix.build_faiss_index(vectors, kind)
    assert ix.short_kind(approx) == kind
    _, found = approx.search(queries, 10)
    recall = recall_at(10, truth, found)
    print(f"{kind} recall@10 = {recall:.3f}")
    assert recall >= 0.95


def test_the_index_changes_kind_as_it_grows(monkeypatch):
    monkeypatch.setattr(ix, "EXACT_LIMIT", 300)
    monkeypatch.setattr(ix, "HNSW_LIMIT", 600)
    index = ix.Index("m", 384)
    vectors = synthetic_vectors(900)
    kinds = []
    for at in range(0, 900, 150):
        index.add(chunks_for(900)[at:at + 150], vectors[at:at + 150], {})
        kinds.append(ix.short_kind(index.faiss))
    assert kinds == ["flat", "flat", "hnsw", "hnsw", "ivf", "ivf"]
    assert index.faiss.ntotal == 900
    assert np.allclose(index.vectors(np.array([0, 451, 899])), vectors[[0, 451, 899]], atol=1e-6)
    top = index.search(vectors[[451]], k=1)[0][0]
    assert top[1] == 451 and top[0] == pytest.approx(1.0, abs=1e-4)


def test_document_filter_searches_only_those_documents():
    index = filled(400)
    query = synthetic_vectors(1, seed=2)
    hits = index.search(query, k=10, docs=["doc1", "doc3"])[0]
    assert len(hits) == 10 and {index.chunks[i].doc for _, i in hits} <= {"doc1", "doc3"}
    allowed = index.ids_of(["doc1", "doc3"])
    best = allowed[np.argmax(index.vectors(allowed) @ query[0])]
    assert hits[0][1] == best
    assert index.search(query, k=3, docs=["nope"]) == [[]]


def test_save_load_round_trip(data_dir):
    index = filled(300)
    index.texts = {"doc0": "full text 0"}
    where = ix.save(index, "mine/v1")
    assert where.parent.parent == data_dir.resolve()
    back = ix.load("mine/v1", "test-model")
    assert back.chunks == index.chunks and back.texts == index.texts and back.kind == index.kind
    query = synthetic_vectors(3, seed=5)
    assert back.search(query, 5) == index.search(query, 5)


def test_save_replaces_atomically_and_a_failed_save_keeps_the_old_index(data_dir, monkeypatch):
    ix.save(filled(100), "idx")
    ix.save(filled(200), "idx")
    assert len(ix.load("idx")) == 200
    def broken(*args):
        raise OSError("disk full")
    monkeypatch.setattr(faiss, "write_index", broken)
    with pytest.raises(OSError):
        ix.save(filled(300), "idx")
    assert len(ix.load("idx")) == 200
    assert [p.name for p in data_dir.iterdir()] == ["idx"]  # no staging or trash left behind


@pytest.mark.parametrize("folder", ["../outside", "/tmp/elsewhere", "a/../../b", ""])
def test_paths_outside_the_data_folder_are_refused(data_dir, folder):
    with pytest.raises(IndexingError):
        ix.save(filled(10), folder)
    with pytest.raises(IndexingError):
        ix.load(folder)


def test_load_refuses_missing_damaged_and_foreign_indexes(data_dir):
    with pytest.raises(IndexingError, match="No saved index"):
        ix.load("never-saved")
    path = ix.save(filled(50), "x")
    with pytest.raises(IndexingError, match="built with test-model"):
        ix.load("x", "another-model")
    (path / "chunks.json").write_text(json.dumps([]))
    with pytest.raises(IndexingError, match="damaged"):
        ix.load("x")


def test_add_documents_is_all_or_nothing(monkeypatch):
    monkeypatch.setattr(ix, "embedder_name", lambda: "fake")
    monkeypatch.setattr(ix, "embed", lambda texts, progress=None: synthetic_vectors(len(texts)))
    index = ix.Index()
    index.add_documents([document_from_text("One sentence. Two sentences.", "a")])
    before = (len(index), index.faiss.ntotal, index.documents())
    with pytest.raises(IndexingError, match="already indexed"):
        index.add_documents([document_from_text("New text.", "b"), document_from_text("x.", "a")])
    with pytest.raises(IndexingError, match="limit is 2"):
        index.add_documents([document_from_text("Three. Four. " * 200, "c")], max_chunks=2)
    monkeypatch.setattr(ix, "embed", lambda texts, progress=None: (_ for _ in ()).throw(RuntimeError))
    with pytest.raises(RuntimeError):
        index.add_documents([document_from_text("Five.", "d")])
    assert (len(index), index.faiss.ntotal, index.documents()) == before
