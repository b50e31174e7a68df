"""What the inspection views read: a text checked, cleaned, tokenized with the model's control
tokens read as plain characters, and cut to a token budget, each token with a readable label."""
import unicodedata
from dataclasses import dataclass, field

from core.errors import InspectError
from core.text.checks import require_text

MAX_CHARS = 2_000   # checked before tokenizing; the views show at most a few dozen tokens anyway
PARTIAL = "…"       # label of a token that ends inside a multi-byte character


@dataclass
class Tokens:
    ids: list[int]
    labels: list[str]       # the text each token adds (PARTIAL when it ends inside a character)
    total: int              # tokens in the whole text, before the cut
    notes: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Lone surrogates (from a JSON client) replaced, control characters (NULs, binary junk) dropped."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))


def control_tokens_in(tokenizer, text: str) -> list[str]:
    """The model's special tokens (e.g. <|im_start|>, [SEP]) written out in `text`."""
    specials = {t.content for t in getattr(tokenizer, "added_tokens_decoder", {}).values() if t.special}
    specials |= set(tokenizer.all_special_tokens)
    return sorted(t for t in specials if t and t in text)


def tokenize(tokenizer, text, *, limit: int, what: str = "The text",
             empty: str = "The text is empty: type a sentence.") -> Tokens:
    """`text` as at most `limit` tokens (the tokenizer's own start/end tokens included).

    Control tokens typed by a person are split into ordinary characters, so a text cannot
    open a chat turn or end a sequence; a note says so.
    """
    text = clean(require_text(text, limit=MAX_CHARS, empty=empty, what=what, error=InspectError))
    if not text.strip():
        raise InspectError(empty)
    notes = []
    controls = control_tokens_in(tokenizer, text)
    if controls:
        notes.append(f"{', '.join(controls)} in the text {'is' if len(controls) == 1 else 'are'} "
                     f"read as plain characters, not as the model's control token"
                     f"{'' if len(controls) == 1 else 's'}.")
    ids = tokenizer(text, split_special_tokens=True).input_ids
    total = len(ids)
    if total > limit:
        ids = tokenizer(text, split_special_tokens=True, truncation=True, max_length=limit).input_ids
        notes.append(f"{what} is {total} tokens; the first {len(ids)} are shown "
                     f"(the most that stays readable here).")
    if not ids:
        raise InspectError(empty)
    return Tokens(ids, labels(tokenizer, ids), total, notes)


def labels(tokenizer, ids: list[int]) -> list[str]:
    """The text each token adds to the decoded sequence (special tokens kept, e.g. [CLS])."""
    out, before = [], ""
    for i in range(len(ids)):
        after = tokenizer.decode(ids[: i + 1])
        if after.endswith("\ufffd"):
            out.append(PARTIAL)
            continue
        if after.startswith(before) and len(after) > len(before):
            out.append(after[len(before):])
        else:  # the decoder rewrote earlier text (e.g. spacing clean-up): use the raw token
            out.append(tokenizer.convert_ids_to_tokens(ids[i]))
        before = after
    return out
