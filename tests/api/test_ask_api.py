"""The Ask tab's endpoints through gradio_client."""
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError


@pytest.fixture
def session(app_url):
    return Client(app_url, verbose=False)


def test_upload_then_ask_answers_from_the_uploaded_document(session, tmp_path):
    doc = tmp_path / "garden.md"
    doc.write_text("# Garden notes\n\nThe apple tree in the north corner was planted in 1987. "
                   "Its apples are picked every October.")
    report = session.predict([handle_file(str(doc))], "", False, api_name="/ask_add_documents")
    assert "garden.md" in report
    answer, passages, support, details = session.predict("When was the apple tree planted?", 2, "auto", False,
                                                         api_name="/ask_question")
    assert "grounded reader" in answer and "SmolLM2" in answer
    assert "planted in 1987" in answer  # the closest sentence, shown as evidence
    assert "garden.md" in passages and "<mark>1987</mark>" in passages
    assert details["answer"] == "1987" and details["method"] == "grounded"
    span = details["span"]
    assert span["text"] == "1987" and span["end"] - span["start"] == 4 and span["passage"] == 1
    assert 0 <= details["confidence"] <= 1 and details["refuse_below"] is not None
    assert isinstance(details["runners_up"], list)
    assert details["support"]["unsupported"] == 0 and "llmlab-supported" in support


def test_off_topic_questions_say_the_answer_is_not_in_the_documents(session):
    answer, passages, support, details = session.predict("How do I grow tomatoes on a balcony?", 4, "auto", True,
                                                         api_name="/ask_question")
    assert "The answer is not in the documents." in answer and details["answer"] == "The answer is not in the documents."
    assert details["span"] is None and details["method"] == "not-found"   # retrieval alone decided
    assert any("below the 0.33 needed" in n for n in details["notices"])
    assert passages.count('class="llmlab-hit"') >= 1 and support == ""


def test_the_chat_readers_answer_comes_with_support_marks(session):
    answer, passages, support, details = session.predict("What does the reward model do in RLHF?", 3, "chat",
                                                         True, api_name="/ask_question")
    marks = details["support"]["marks"]
    assert details["method"] == "chat-reader" and marks
    assert all(details["answer"][m["start"]:m["end"]] == m["text"] for m in marks)
    assert {m["status"] for m in marks} <= {"supported", "unsupported", "given"}
    assert "checked" in support and "llmlab-" in support


def test_questions_without_documents_or_text_get_clear_errors(session):
    with pytest.raises(AppError, match="No documents are loaded"):
        session.predict("What is attention?", 4, "auto", False, api_name="/ask_question")
    with pytest.raises(AppError, match="Type a question"):
        session.predict("", 4, "auto", True, api_name="/ask_question")
    with pytest.raises(AppError, match="Hub is unreachable"):
        session.predict("What is attention?", 4, "extractive", True, api_name="/ask_question")
