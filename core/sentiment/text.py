"""What the sentiment models are given: input checks and notes, shared by single texts and batches.

A text is refused (SentimentInputError) when there is nothing to classify: empty, or no
letters or digits at all (emoji-only). Anything else is classified, with notes a person
should read: one word, a text longer than the model reads, a text that does not look English.
"""
import unicodedata

from core.errors import SentimentInputError
from core.text.language import WORD, english_note

MAX_CHARS = 20_000          # a text is cut here before tokenizing; the models read far less anyway


def clean(text: str) -> str:
    """Drop control characters (binary junk, NULs) and surrounding whitespace."""
    if not isinstance(text, str):
        raise SentimentInputError(f"Expected text, got {type(text).__name__}.")
    kept = "".join(ch for ch in text[: MAX_CHARS * 2]
                   if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return kept.strip()


def check(text: str) -> tuple[str, list[str]]:
    """(text to classify, notes) or SentimentInputError when there is nothing to classify."""
    original_length = len(text) if isinstance(text, str) else 0
    text = clean(text)
    if not text:
        raise SentimentInputError("Enter some text to classify: the input is empty.")
    words = WORD.findall(text)
    if not words:
        raise SentimentInputError(
            "There are no words to classify: the text has only emoji, symbols or punctuation. "
            "The models read words; write a sentence (emoji can stay in it).")
    notes = []
    if original_length > MAX_CHARS:
        notes.append(f"The text has {original_length:,} characters; only the first {MAX_CHARS:,} "
                     f"were considered (and the model reads only its first few hundred words).")
        text = text[:MAX_CHARS]
    if len(words) == 1:
        notes.append("A single word gives the model little context; the label says how the word "
                     "itself reads.")
    notes += english_note(text, "This text", "the models here were trained on English text, so the "
                                             "label is unreliable.")
    return text, notes


def truncation_note(words_read: int, words_total: int) -> str:
    return (f"The model reads about the first {words_read:,} of {words_total:,} words; "
            f"the rest did not affect the label.")
