"""Ask tab: answers to questions about the documents, with the evidence marked in the passages."""
import gradio as gr

from core.retrieval import qa
from core.retrieval.corpus import session
from demos import render
from demos.widgets import GENERATION_QUEUE, Session, documents_panel, user_errors

TITLE = "Ask"
EXAMPLES = ["How many tokens are in the GPT-2 vocabulary?", "When was ChatGPT released?",
            "What does the reward model do in RLHF?", "What is the capital of Australia?"]
READERS = [("auto: extractive QA model if available, else the chat reader", "auto"),
           ("extractive QA model (needs the Hugging Face Hub)", "extractive"),
           ("chat model reading the passages", "chat")]


def build(session: Session) -> None:
    state = session.corpus
    gr.Markdown("Ask a question: the closest passages are retrieved and a reader answers from them "
                "only. The answer's evidence is marked in the passages below it.")
    use_examples = documents_panel("ask", state)
    with gr.Row():
        question = gr.Textbox(label="Question", scale=4, elem_id="ask-question")
        k = gr.Slider(1, 10, value=4, step=1, label="Passages to read (k)", scale=1, elem_id="ask-k")
    with gr.Accordion("Reader", open=False):
        reader = gr.Radio(READERS, value="auto", label="Who answers", elem_id="ask-reader")
    go = gr.Button("Ask", variant="primary", elem_id="ask-go")
    gr.Examples(EXAMPLES, question)
    answer = gr.Markdown(label="Answer", elem_id="ask-answer")
    passages = gr.HTML(label="Passages", elem_id="ask-passages")
    gr.on([go.click, question.submit], ask, [question, k, reader, use_examples, state],
          [answer, passages, state], api_name="ask_question",
          **GENERATION_QUEUE)  # the chat reader generates


@user_errors
def ask(question, k, reader, use_examples, corpus):
    """Answer a question from the documents (the example corpus and/or your own): retrieves the top-k
    passages, answers with an extractive QA model or, offline, the chat model citing passages [n];
    says when the answer is not in the documents. Streams the answer, then the marked passages."""
    corpus = session(corpus, use_examples)
    for result in qa.answer_stream(corpus, question, k, reader=reader or "auto"):
        yield render.answer_markdown(result), render.answer_passages_html(result), corpus
