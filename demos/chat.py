"""Chat tab: a conversation with the chat model through its chat template, streamed, with the
next-token view of the latest answer. The history is the Chatbot's value: it lives in this
browser session only, and API callers pass it explicitly."""
import gradio as gr

from core import generation
from demos.widgets import (GENERATION_QUEUE, Session, settings_controls, settings_dict, token_view, user_errors,
                           view_updates)

TITLE = "Chat"
SYSTEM = "You are a helpful assistant. Answer briefly."


@user_errors
def chat_send(message: str, history: list[dict], system: str, model: str, max_new_tokens: int,
              temperature: float, top_k: int, top_p: float, repetition_penalty: float, stop: str,
              seed: int | None):
    """Send a message to the chat model and stream its answer.

    Args:
        message: your next message.
        history: the conversation so far, as the previous call returned it: a list of
            {"role": "user"|"assistant", "content": [{"type": "text", "text": ...}]}; [] to start one.
        system: the system prompt (instructions for the assistant); blank for none.
        model: generation model id (see the Model dropdown); blank for the default.
        max_new_tokens: at most this many tokens in the answer (1-1024).
        temperature: 0 = greedy; higher = more random (0-2).
        top_k: keep only the k most likely tokens (0 = off).
        top_p: keep the smallest set of tokens whose probability adds up to p (1 = off).
        repetition_penalty: >1 discourages repeating tokens (1-2).
        stop: stop strings, one per line.
        seed: random seed for reproducible sampling; blank = random.
    Returns:
        the conversation including the answer, the cleared message box, a summary line (model, device, tokens/s, time to first token, and a
        notice when old turns were left out to fit the context), the answer's tokens coloured
        by probability and every step's candidates as JSON.
    """
    if not (message or "").strip():
        raise gr.Error("The message is empty: type something to say.")
    history = generation.clean_history(history) + [{"role": "user", "content": message}]
    sent = ([{"role": "system", "content": system}] if (system or "").strip() else []) + history
    settings = settings_dict(max_new_tokens, temperature, top_k, top_p, repetition_penalty, stop, seed)
    updates = generation.chat_stream(sent, model_id=model or None, **settings)
    for *view, update in view_updates(updates):
        yield history + [{"role": "assistant", "content": update.text}], "", *view


@user_errors
def chat_undo(history: list[dict]):
    """Take back the last message and its answer; the message returns to the input box.

    Args:
        history: the conversation, as chat_send returned it.
    Returns:
        the conversation without its last exchange, and that exchange's message.
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
    with gr.Row():
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Conversation", height=380, elem_id="chat-bot")
            message = gr.Textbox(label="Message", placeholder="Say something and press Enter",
                                 elem_id="chat-message")
            with gr.Row():
                send = gr.Button("Send", variant="primary", elem_id="chat-send")
                stop = gr.Button("Stop", variant="stop", elem_id="chat-stop")
                undo = gr.Button("Undo", elem_id="chat-undo")
                clear = gr.Button("Clear", elem_id="chat-clear")
            view = token_view("chat")
        with gr.Column(scale=1):
            system = gr.Textbox(SYSTEM, label="System prompt", lines=3, elem_id="chat-system")
            settings = settings_controls("chat", max_new_tokens=128, temperature=0.3)

    running = gr.on([send.click, message.submit], chat_send, [message, chatbot, system] + settings,
                    [chatbot, message] + view, api_name="chat_send",
                    **GENERATION_QUEUE)
    stop.click(None, cancels=[running])
    # both also stop an answer still streaming, which would otherwise bring the history back
    undo.click(chat_undo, chatbot, [chatbot, message], api_name="chat_undo", cancels=[running])
    clear.click(chat_clear, None, [chatbot, message], api_name="chat_clear", cancels=[running])
