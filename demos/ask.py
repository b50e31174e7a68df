"""Ask tab: answers to questions about the documents, with the evidence marked in the passages."""
import gradio as gr

from core.retrieval import qa
from core.retrieval.search import MAX_QUERY
from demos import render_passages, sessions
from demos.i18n import request_lang, t
from demos.widgets import Session, documents_panel, group, user_errors

TITLE = t("tab_ask")
EXAMPLES = ["How many tokens are in the GPT-2 vocabulary?", "When was ChatGPT released?",
            "What does the reward model do in RLHF?", "What is the capital of Australia?"]
READERS = [(t(f"reader_{v}"), v) for v in ("auto", "extractive", "grounded", "chat")]
CSS = render_passages.SUPPORT_CSS  # the support marks' colours, for every tab that shows them


def build(session: Session) -> None:
    gr.Markdown(t("ask_how"))
    # the same session documents as Search's panel, whose endpoint is the one API callers see
    use_examples = documents_panel("ask", session, api_visibility="undocumented")
    with gr.Row():
        question = gr.Textbox(label=t("question"), scale=4, max_length=MAX_QUERY, elem_id="ask-question")
        k = gr.Slider(1, 10, value=4, step=1, label=t("ask_k"), scale=1, elem_id="ask-k")
    with gr.Accordion(t("reader"), open=False):
        reader = gr.Radio(READERS, value="auto", label=t("who_answers"), elem_id="ask-reader")
    go = gr.Button(t("ask_go"), variant="primary", elem_id="ask-go")
    gr.Examples(EXAMPLES, question, label=t("examples"))
    answer = gr.Markdown(label=t("answer"), elem_id="ask-answer")
    support = gr.HTML(label=t("support_marks"), elem_id="ask-support")
    passages = gr.HTML(label=t("passages"), elem_id="ask-passages")
    with gr.Accordion(t("ask_details"), open=False):
        details = gr.JSON(label=t("ask_details_label"), elem_id="ask-details")
    gr.on([go.click, question.submit], ask,
          [question, k, reader, use_examples, session.corpus, session.corpus_key],
          [answer, passages, support, details],
          api_name="ask_question", **group("generation"))  # the grounded and chat readers run the model


@user_errors
def ask(question: str, k: int = 4, reader: str = "auto", use_examples: bool = True,
        state: dict | None = None, corpus_key: str = "", request: gr.Request = None):
    """Answer a question from the documents (the example articles and/or your own).

    Args:
        question: the question (at most 2,000 characters).
        k: how many passages to retrieve and read (1-10).
        reader: "auto" (an extractive QA model when the Hub is reachable, else "grounded"), "extractive", "grounded" (an exact span of a passage chosen by the chat model, with a calibrated confidence that the documents answer the question; below a threshold it says they do not), or "chat" (the chat model writes an answer citing passages [n]).
        use_examples: also search the 36 example articles on language models.
        corpus_key: the key add_documents gave for your private corpus; leave it out to use the example articles only (over MCP) or this session's documents.
    Returns:
        the answer (how it was found, confidence, runners-up, evidence); the passages with the answer span highlighted; the answer with each number, date, name and word marked supported / unsupported by the passages; the answer as JSON (span with character offsets, confidence, runners-up with scores, support marks).
    """
    corpus, lang = sessions.documents(state, use_examples, corpus_key, request), request_lang(request)
    for result in qa.answer_stream(corpus, question, k, reader=reader or "auto"):
        marks = render_passages.support_html(result.text, result.support, lang=lang) if result.done else ""
        yield (render_passages.answer_markdown(result, lang), render_passages.answer_passages_html(result, lang), marks,
               result.to_dict() if result.done else None)
