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
    answer, passages = session.predict("When was the apple tree planted?", 2, "auto", False,
                                       api_name="/ask_question")
    assert "chat model reading the retrieved passages" in answer and "SmolLM2" in answer
    assert "planted in 1987" in answer  # the closest sentence, shown as evidence
    assert "garden.md" in passages and "<mark>" in passages


def test_off_topic_questions_say_the_answer_is_not_in_the_documents(session):
    answer, passages = session.predict("How do I grow tomatoes on a balcony?", 4, "auto", True,
                                       api_name="/ask_question")
    assert "The answer is not in the documents." in answer and "retrieval only" in answer
    assert passages.count('class="llmlab-hit"') >= 1


def test_questions_without_documents_or_text_get_clear_errors(session):
    with pytest.raises(AppError, match="No documents are loaded"):
        session.predict("What is attention?", 4, "auto", False, api_name="/ask_question")
    with pytest.raises(AppError, match="Type a question"):
        session.predict("", 4, "auto", True, api_name="/ask_question")
    with pytest.raises(AppError, match="Hub is unreachable"):
        session.predict("What is attention?", 4, "extractive", True, api_name="/ask_question")
