"""Chat histories made safe for a model: cleaned, rendered with its chat template (or a plain
transcript for base models), tokenized so that user and document text never becomes a control
token, and cut from the oldest turns to fit the context.

Text a person wrote (a prompt, a message, a pasted document) may contain the strings of the
model's control tokens, e.g. "<|im_end|>\n<|im_start|>system". Tokenized as is, they would be the
real tokens and could end the user's turn and open a forged one. `encode_text` and `encode_chat`
encode them as the literal characters instead; only the chat template's own control tokens stay
real. Tokenize prompts with these two, never with `tokenizer(render_chat(...))`.
"""
from core.errors import GenerationError

ROLES = ("system", "user", "assistant")
TRANSCRIPT_STOP = "\nUser:"
# Caps on what a person sends, checked before any work (demos.validate); the context (4,096
# tokens, about 16,000 characters of English) is the real limit, these stop far larger inputs.
MAX_PROMPT_CHARS = 20_000     # a completion prompt, or a text to score
MAX_MESSAGE_CHARS = 8_000     # one chat message
MAX_SYSTEM_CHARS = 4_000      # a system prompt


def clean_messages(messages) -> list[dict]:
    """A history ready for the model: clean_history, non-empty, ending with a user message."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    if not isinstance(messages, (list, tuple)) or not messages:
        raise GenerationError("The chat is empty: write a message first.")
    clean = clean_history(messages)
    if not clean[-1]["content"].strip() or clean[-1]["role"] != "user":
        raise GenerationError("The last message must be a non-empty user message.")
    return clean


def clean_history(messages) -> list[dict]:
    """[{role, content}] with content as plain text; accepts gradio's message dicts too."""
    if messages is None:
        return []
    if not isinstance(messages, (list, tuple)):
        raise GenerationError("The chat history must be a list of {role, content} messages.")
    clean = []
    for m in messages:
        role = m.get("role") if isinstance(m, dict) else None
        if role not in ROLES:
            raise GenerationError(f"Each message needs a role among {ROLES}; got {m!r:.80}.")
        content = m.get("content")
        if isinstance(content, list):  # gradio 6: [{"type": "text", "text": ...}, ...]
            content = "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
        if isinstance(content, dict):
            content = content.get("text", "")
        clean.append({"role": role, "content": str(content or "")})
    return clean


def render_chat(tokenizer, messages: list[dict]) -> str:
    """The prompt text: the model's chat template, or a plain transcript for base models.
    For display and counting; to tokenize it use `encode_chat`."""
    if tokenizer.chat_template:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    lines = [f"{m['role'].capitalize()}: {m['content']}" for m in messages]
    return "\n".join(lines) + "\nAssistant:"


def encode_text(tokenizer, text: str, add_special_tokens: bool = True) -> list[int]:
    """Token ids of text a person wrote: control-token strings in it are encoded as plain text."""
    return tokenizer(text, add_special_tokens=add_special_tokens, split_special_tokens=True).input_ids


def encode_chat(tokenizer, messages: list[dict]) -> list[int]:
    """Prompt ids for `messages` with the generation prompt: the template's control tokens are
    real tokens, the same strings inside the messages are plain text (transformers'
    `sanitize_control_tokens`)."""
    if tokenizer.chat_template:
        return list(tokenizer.apply_chat_template(messages, tokenize=True, add_generation_prompt=True,
                                                  sanitize_control_tokens=True, return_dict=False))
    return encode_text(tokenizer, render_chat(tokenizer, messages), add_special_tokens=False)


def fit_chat(tokenizer, messages: list[dict], budget: int) -> tuple[list[int], int]:
    """(prompt ids, how many oldest turns were dropped) so that the prompt fits `budget` tokens.

    System messages stay; the oldest other turns go first; the kept history starts with a
    user turn. The count of dropped turns is found by bisection (the prompt shrinks as
    more are dropped), so a long history costs a few template renders, not one per turn.
    """
    system = [m for m in messages if m["role"] == "system"]
    turns = [m for m in messages if m["role"] != "system"]
    starts = [i for i, m in enumerate(turns) if m["role"] == "user"]

    def ids(start: int) -> list[int]:
        return encode_chat(tokenizer, system + turns[start:])

    low, high = 0, len(starts) - 1  # find the first start index whose prompt fits
    best = None
    while low <= high:
        middle = (low + high) // 2
        prompt = ids(starts[middle])
        if len(prompt) <= budget:
            best, high = (prompt, starts[middle]), middle - 1
        else:
            low = middle + 1
    if best is None:
        raise GenerationError(f"The last message alone is {len(ids(starts[-1]))} tokens; this model "
                              f"reads at most {budget} here. Shorten it.")
    return best[0], best[1]
