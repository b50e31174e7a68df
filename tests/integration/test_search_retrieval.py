"""Retrieval with the real MiniLM embeddings over the example corpus and session documents."""
import json
from pathlib import Path

import pytest

from core.errors import SearchError
from core.retrieval import corpus as corpora
from core.retrieval import qa
from core.retrieval import search as core
from core.text.documents import document_from_text
from demos import render_passages
from tests.fixtures.pdf import make_pdf

QUESTIONS = json.loads((Path(__file__).parents[2] / "examples" / "questions.json").read_text())


@pytest.fixture(scope="module")
def examples():
    return corpora.Corpus()


def test_retrieval_hit_at_1_and_3_on_the_example_questions(examples):
    items = QUESTIONS["questions"]
    assert len(items) >= 20
    hit1 = hit3 = 0
    for item in items:
        docs = [h.chunk.doc for h in core.search(examples, item["question"], 3, sentences=False).hits]
        hit1 += docs[0] in item["docs"]
        hit3 += any(d in item["docs"] for d in docs)
    print(f"\nretrieval over {len(items)} questions: hit@1 = {hit1 / len(items):.2f}, "
          f"hit@3 = {hit3 / len(items):.2f}")
    assert hit1 / len(items) >= 0.75
    assert hit3 / len(items) >= 0.85


def test_the_refusal_threshold_separates_off_topic_questions(examples):
    def top(q):  # as Ask decides: the best cosine among the passages it searches
        return core.search(examples, q, qa.READ_PASSAGES, sentences=False).top_score
    off = [top(q) for q in QUESTIONS["off_topic"]]
    on = [top(item["question"]) for item in QUESTIONS["questions"]]
    assert max(off) < qa.REFUSE_BELOW
    assert sum(s >= qa.REFUSE_BELOW for s in on) / len(on) >= 0.9


def test_a_rare_name_that_the_embedding_ranks_last_is_read_by_ask_thanks_to_keywords():
    analysts = ["Anna Berg", "Tom Price", "Lena Holt", "Raj Patel", "Mia Chen", "Sam Oduya", "Eva Lind",
                "Joe Marsh", "Ida Kerr", "Ben Ross"]
    docs = [document_from_text(f"{n} is an analyst who works for a firm in the City; the firm advises "
                               f"clients on which shares to buy.", f"analyst-{k}.txt") for k, n in enumerate(analysts)]
    docs.append(document_from_text("Energy markets were quiet on Monday, said Orin Middleton of Halvorsen Capital.",
                                   "energy.txt"))
    corpus = corpora.Corpus(use_examples=False)
    corpus.own.add_documents(docs)
    query = "Which firm does analyst Orin Middleton work for?"
    by_meaning = [corpus.own.chunks[i].doc for _, i in corpus.own.search(core.embed([query]), len(corpus.own))[0]]
    assert by_meaning.index("energy.txt") == len(docs) - 1  # the embedding alone ranks it last
    result = core.search(corpus, query, 5, sentences=False)
    assert "energy.txt" in [h.chunk.doc for h in result.hits[:4]]  # the passages Ask reads first
    hit = next(h for h in result.hits if h.chunk.doc == "energy.txt")
    assert hit.score == pytest.approx(float(core.embed([hit.chunk.text])[0] @ core.embed([query])[0]), abs=1e-4)
    assert "BM25" in result.model


def test_the_best_matching_sentence_is_highlighted(examples):
    result = core.search(examples, "How many tokens are in the GPT-2 vocabulary?", 3)
    best = result.hits[0]
    assert best.chunk.doc == "tokenization.md" and "50,257" in best.sentence_text
    assert "<mark>" + "GPT-2 uses a byte-level BPE vocabulary of 50,257 tokens." + "</mark>" in render_passages.hits_html(result.hits)
    assert best.position().startswith("page 1, characters")


def test_sessions_are_isolated_and_the_examples_are_never_changed(examples):
    alice, bob = corpora.Corpus(), corpora.Corpus()
    shared_before = len(corpora.example_index())
    secret = "The launch code of project Bluebird is kept in the blue drawer of the east office."
    report = corpora.ingest(alice, text=secret)
    assert report.added == ["pasted text"] and not report.errors
    assert "pasted text" in alice.documents() and "pasted text" not in bob.documents()
    assert core.search(alice, "Where is the launch code of Bluebird?", 1).hits[0].source == "yours"
    for hit in core.search(bob, "Where is the launch code of Bluebird?", 20).hits:
        assert hit.source == "example" and "Bluebird" not in hit.chunk.text
    with pytest.raises(SearchError, match="Not in this corpus"):
        core.search(bob, "launch code", 3, docs=["pasted text"])
    assert len(corpora.example_index()) == shared_before and len(bob.own) == 0


def test_bad_input_is_reported_and_nothing_indexed_is_lost(tmp_path):
    corpus = corpora.Corpus(use_examples=False)
    good = tmp_path / "good.md"
    good.write_text("# Notes\n\nThe red fox sleeps in the barn during the day.")
    corpora.ingest(corpus, [good])
    before = (len(corpus.own), corpus.documents())
    files = {"photo.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "empty.txt": b"",
             "sheet.xlsx": b"PK\x03\x04", "broken.pdf": b"%PDF-1.4 junk",
             "paper.pdf": make_pdf(["Owls hunt at night.", "Bats also fly at night."])}
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(tmp_path / name)
    report = corpora.ingest(corpus, paths + [good])
    assert report.added == ["paper.pdf"]
    messages = "\n".join(report.errors)
    for expected in ("photo.txt: this is a PNG image", "empty.txt: the file is empty",
                     "sheet.xlsx: '.xlsx' files are not supported", "broken.pdf: the PDF is damaged",
                     "good.md: a document with this name is already indexed"):
        assert expected in messages
    assert len(corpus.own) == before[0] + 2 and corpus.documents() == before[1] + ["paper.pdf"]
    hit = core.search(corpus, "which animal flies at night?", 1).hits[0]
    assert (hit.chunk.doc, hit.chunk.page) == ("paper.pdf", 2)
    assert corpora.ingest(corpus).errors[0].startswith("Nothing to add")


def test_non_english_text_is_indexed_with_a_warning():
    corpus = corpora.Corpus(use_examples=False)
    report = corpora.ingest(corpus, text="東京は日本の首都です。人口はとても多いです。🙂 大阪も大きい。")
    assert report.added and "non-Latin" in report.warnings[0]
    assert core.search(corpus, "日本の首都は？", 2).hits


def test_queries_without_documents_or_text_get_clear_errors():
    with pytest.raises(SearchError, match="No documents are loaded"):
        core.search(corpora.Corpus(use_examples=False), "anything", 3)
    with pytest.raises(SearchError, match="Type a question"):
        core.search(corpora.Corpus(), "   ", 3)


def test_save_and_load_a_session_index_by_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMLAB_DATA", str(tmp_path))
    corpus = corpora.Corpus(use_examples=False)
    with pytest.raises(SearchError, match="no documents of yours"):
        corpora.save_corpus(corpus)
    corpora.ingest(corpus, text="Penguins cannot fly but they swim very well.")
    key = corpora.save_corpus(corpus)
    restored = corpora.load_corpus(None, key)
    assert restored.own.chunks == corpus.own.chunks and restored.own is not corpus.own
    result = core.search(restored, "birds that swim", 1)
    assert "Penguins" in result.hits[0].chunk.text
    for bad in ("../../etc", "short", key[:-1] + ("A" if key[-1] != "A" else "B")):
        with pytest.raises(SearchError):
            corpora.load_corpus(None, bad)


def test_the_map_shows_every_passage_the_query_and_the_hits(examples):
    result = core.search(examples, "quantization to 4 bits", 5)
    frame = core.corpus_map(examples, result)
    assert len(frame) == len(examples) + 1
    assert frame["kind"].value_counts().to_dict() == {"passage": len(examples) - 5, "hit": 5, "query": 1}
    assert frame[["x", "y"]].notna().all().all()
