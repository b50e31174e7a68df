"""A Chinese article through the real offline models: search finds the passage and marks the
answering sentence, the extractive summary keeps whole Chinese sentences, and both say that the
embedding model was trained on English."""
import pytest

from core import summarize
from core.retrieval import corpus as corpora
from core.retrieval import search
from core.text.sentences import split_sentences
from tests.fixtures.chinese import ARTICLE, QUESTIONS


@pytest.fixture(scope="module")
def corpus():
    corpus = corpora.Corpus()
    report = corpora.ingest(corpus, text=ARTICLE)
    assert report.added and report.chunks >= 2
    assert any("non-Latin" in w for w in report.warnings)  # said honestly
    return corpus


@pytest.mark.parametrize("question, answer", QUESTIONS.items())
def test_a_chinese_question_finds_its_passage_and_sentence(corpus, question, answer):
    result = search.search(corpus, question, 3)
    top = result.hits[:2]
    assert all(h.chunk.doc == "pasted text" for h in top), "the Chinese passages rank above the English articles"
    holding = [h for h in top if answer in h.chunk.text]
    assert holding and holding[0].sentence_text == answer


def test_the_extractive_summary_keeps_whole_chinese_sentences():
    result = summarize.extract(ARTICLE, sentences=3)
    sentences = {ARTICLE[s:e] for s, e in split_sentences(ARTICLE)}
    assert len(result.sentences) == 3 and all(s in sentences for s in result.sentences)
    assert result.summary == "".join(result.sentences)  # Chinese sentences are joined without spaces
    assert result.notes  # says the models were trained on English
