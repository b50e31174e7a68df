"""Generation: the decoding loop that records the next-token distribution at every step
(decode), the three sampling stages (sampling), chat prompts (prompts) and scoring a text
(scoring).

    from core.generation import chat_stream
    for update in chat_stream([{"role": "user", "content": "Hi!"}], max_new_tokens=32):
        print(update.text)
"""
from core.errors import GenerationError
from core.generation.decode import Stats, Update, chat, chat_stream, complete, context_limit, last, stream
from core.generation.prompts import clean_history, clean_messages, render_chat

__all__ = ["GenerationError", "Stats", "Update", "chat", "chat_stream", "clean_history", "clean_messages",
           "complete", "context_limit", "last", "render_chat", "stream"]
