"""The Ask pipeline with the real offline models: retrieval + the SmolLM2 chat reader."""
import pytest

from core.errors import QAError
from core.retrieval import qa
from core.retrieval.corpus import Corpus, ingest
from demos import render_passages


@pytest.fixture(scope="module")
def examples():
    return Corpus()


def test_the_chat_reader_answers_and_marks_the_supporting_sentence(examples):
    seen = []  # the stream yields one Answer object, growing: record it at every step
    for final in qa.answer_stream(examples, "Which chat format does SmolLM2 use?", k=4, reader="chat"):
        seen.append((final.done, final.text))
    assert len(seen) > 2 and [done for done, _ in seen] == [False] * (len(seen) - 1) + [True]
    assert all(later.startswith(earlier) for (_, earlier), (_, later) in zip(seen[:-2], seen[1:-1]))
    assert final.method == "chat-reader" and final.text
    assert "SmolLM2-135M-Instruct" in final.model and "all-MiniLM-L6-v2" in final.model
    assert final.hits[0].chunk.doc == "chat-templates.md"
    marked = [final.hits[i].chunk.text[s:e] for i, s, e in final.marks]
    assert marked and all(final.hits[i].chunk.text[s:e].strip() for i, s, e in final.marks)
    assert "ChatML" in final.evidence
    assert final.cited and all(1 <= n <= len(final.hits) for n in final.cited)
    assert "<mark>" in render_passages.answer_passages_html(final) and "chat model writing" in render_passages.answer_markdown(final)


def test_off_topic_questions_are_declined_instead_of_guessed(examples):
    result = qa.answer(examples, "How do I bake sourdough bread at home?")
    assert result.method == "not-found" and result.text == qa.NOT_FOUND
    assert "below the" in result.notices[0] and "retrieval only" in render_passages.answer_markdown(result)


def test_the_reader_answers_from_a_users_own_document():
    corpus = Corpus(use_examples=False)
    ingest(corpus, text="The Vellmar bridge was opened in 1931. It is 412 metres long and made of "
                        "red granite. Ferries crossed the river before it was built.")
    result = qa.answer(corpus, "When was the Vellmar bridge opened?", k=2)
    assert result.method == "grounded" and result.hits[0].source == "yours"
    assert result.text == "1931" and "opened in 1931" in result.evidence
    assert result.marks == [(0, result.span["start"], result.span["end"])]
    assert result.hits[0].chunk.text[result.span["start"]:result.span["end"]] == "1931"
    chat = qa.answer(corpus, "When was the Vellmar bridge opened?", k=2, reader="chat")
    assert chat.method == "chat-reader" and "opened in 1931" in chat.evidence
    assert all(chat.hits[i].chunk.doc == "pasted text" for i, _, _ in chat.marks)


def test_asking_for_an_extractive_model_offline_says_why_not(examples):
    with pytest.raises(QAError, match="Hub is unreachable"):
        qa.answer(examples, "What is perplexity?", reader="extractive")
    with pytest.raises(QAError, match="reader must be"):
        qa.answer(examples, "What is perplexity?", reader="oracle")
