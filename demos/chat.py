"""Chat tab: a conversation with the chat model through its chat template, streamed, with the
next-token view of the latest answer. The history is the Chatbot's value: it lives in this
browser session only, and API callers pass it explicitly."""
import gradio as gr

from core import generation
from core.generation.prompts import MAX_MESSAGE_CHARS, MAX_SYSTEM_CHARS
from core.grounding import mark_support
from core.retrieval import qa
from demos import render_passages, sessions
from demos.i18n import request_lang, t
from demos.widgets import (Session, chat_history, group, settings_controls, settings_dict, stop_button,
                           token_view, user_errors, view_cleared, view_updates)

TITLE = t("tab_chat")
CSS = """
@media (max-width: 640px) { #chat-bot { height: 240px !important; max-height: 240px !important; } }
"""
SYSTEM = "You are a helpful assistant. Answer briefly."


@user_errors
def chat_send(message: str, history: list[dict] | None = None, system: str = SYSTEM,
              model: str | None = None, max_new_tokens: int = 128, temperature: float = 0.3,
              top_k: int = 50, top_p: float = 0.95, repetition_penalty: float = 1.1, stop: str = "",
              seed: int | None = None, use_documents: bool = False, state: dict | None = None,
              corpus_key: str = "", request: gr.Request = None):
    """Send a message to the chat model and get its answer, with the probability of every token.

    Args:
        message: your next message (at most 8,000 characters).
        history: the conversation so far, as the previous call returned it: a list of {"role": "user" or "assistant", "content": "..."} messages (at most 200 messages, 100,000 characters); leave it out to start one.
        system: instructions for the assistant (at most 4,000 characters); empty for none.
        model: a generation model id from the list; leave it out for the default.
        max_new_tokens: at most this many tokens in the answer (1-1024).
        temperature: 0 = greedy (always the most likely token); higher = more random (0-2).
        top_k: sample only from the k most likely tokens (0 = off, up to 200).
        top_p: sample only from the most likely tokens whose probabilities add up to p (0.01-1; 1 = off).
        repetition_penalty: above 1 discourages repeating tokens (1-2).
        stop: stop strings, one per line (at most 1,000 characters).
        seed: a whole number (1 or more) for reproducible sampling; 0 or left out for a random one.
        use_documents: answer from my documents: the passages of this session's documents (or of the private corpus named by corpus_key, and the example articles if included on the Ask tab) closest to the message are given to the model, and its answer is marked against them.
        corpus_key: the key add_documents gave for your private corpus (with use_documents).
    Returns:
        the conversation including the answer; the cleared message box; a summary line (model, device, tokens/s, time to first token, and a notice when old turns were left out to fit the context); the answer's tokens coloured by probability; every step's candidates as JSON; with use_documents, the answer with each number, date, name and word marked supported / unsupported by the passages, and the passages and marks as JSON.
    """
    if not (message or "").strip():
        raise gr.Error("The message is empty: type something to say.")
    history = generation.clean_history(history) + [{"role": "user", "content": message}]
    asked, hits = message, []
    if use_documents:
        own = (state or {}).get("corpus")  # its examples switch is the Ask tab's
        corpus = sessions.documents(state, own.use_examples if own is not None else True, corpus_key, request)
        asked, hits = qa.with_documents(corpus, message)
    sent = ([{"role": "system", "content": system}] if (system or "").strip() else []) + history[:-1] \
        + [{"role": "user", "content": asked}]
    settings = settings_dict(max_new_tokens, temperature, top_k, top_p, repetition_penalty, stop, seed)
    updates = generation.chat_stream(sent, model_id=model or None, **settings)
    for *view, update in view_updates(updates, request_lang(request)):
        marks, data = "", None
        if hits and update.done:
            support = mark_support(update.text, [h.chunk.text for h in hits], given=message).to_dict()
            marks = render_passages.support_html(update.text, support, lang=request_lang(request))
            data = {"support": support, "passages": [{"passage": i + 1, "document": h.chunk.doc, "text": h.chunk.text}
                                                     for i, h in enumerate(hits)]}
        yield history + [{"role": "assistant", "content": update.text}], "", *view, marks, data


@user_errors
def chat_undo(history: list[dict] | None = None):
    """Take back the last message of a conversation and its answer.

    Args:
        history: the conversation, as chat_send returned it.
    Returns:
        the conversation without its last exchange; that exchange's message.
    """
    history = generation.clean_history(history)
    last_user = max((i for i, m in enumerate(history) if m["role"] == "user"), default=None)
    if last_user is None:
        return history, ""
    return history[:last_user], history[last_user]["content"]


def chat_clear():
    """Start a new conversation: an empty history and message box."""
    return [], ""


def build(session: Session) -> None:
    gr.Markdown(t("chat_how"))
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = chat_history(label=t("conversation"), height=380, elem_id="chat-bot")
            message = gr.Textbox(label=t("message"), placeholder=t("message_placeholder"),
                                 max_length=MAX_MESSAGE_CHARS, elem_id="chat-message")
            with gr.Row():
                send = gr.Button(t("send"), variant="primary", elem_id="chat-send")
                stop = gr.Button(t("stop"), variant="stop", elem_id="chat-stop")
                undo = gr.Button(t("undo"), elem_id="chat-undo")
                clear = gr.Button(t("clear"), elem_id="chat-clear")
            view = token_view("chat", [send.click, message.submit])
        with gr.Column(scale=1):
            system = gr.Textbox(SYSTEM, label=t("system_prompt"), lines=3, max_length=MAX_SYSTEM_CHARS,
                                elem_id="chat-system")
            use_documents = gr.Checkbox(False, label=t("chat_use_documents"), elem_id="chat-use-documents")
            settings = settings_controls("chat", max_new_tokens=128, temperature=0.3)
    support = gr.HTML(label=t("chat_support"),
                      elem_id="chat-support")
    with gr.Accordion(t("chat_passages_json"), open=False):
        support_json = gr.JSON(label=t("chat_passages_label"), elem_id="chat-support-json")

    running = gr.on([send.click, message.submit], chat_send,
                    [message, chatbot, system] + settings + [use_documents, session.corpus, session.corpus_key],
                    [chatbot, message] + view + [support, support_json], api_name="chat_send",
                    **group("generation"))
    stop_button(stop, running, view)
    # both also stop an answer still streaming, which would otherwise bring the history back
    undo.click(chat_undo, chatbot, [chatbot, message], api_name="chat_undo", cancels=[running])
    clear.click(chat_clear, None, [chatbot, message], api_name="chat_clear", cancels=[running]
                ).then(lambda: view_cleared() + ("", None), None, view + [support, support_json],
                       api_visibility="private", show_progress="hidden")  # the last answer's view goes too
