"""What the sentiment models are given: input checks and notes, shared by single texts and batches.

A text is refused (SentimentInputError) when there is nothing to classify: empty, or no
letters or digits at all (emoji-only). Anything else is classified, with notes a person
should read: one word, a text longer than the model reads, a text that does not look English.
"""
import re
import unicodedata

MAX_CHARS = 20_000          # a text is cut here before tokenizing; the models read far less anyway
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # letters/digits, keeping don't / it's together

# common English function words: a text of several words with none of them is probably not English
ENGLISH_HINTS = frozenset("""a an the and but or not no nor is are was were be been am i you he she it we
they my your his her its our their this that these those of to in on at for with from by as so very
too just than then there here what which who how why when all any some do does did don't didn't isn't
wasn't can can't could would will won't should have has had me us them if about""".split())


class SentimentInputError(ValueError):
    """The text cannot be classified; the message says why, in words for the person who typed it."""


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
    if not looks_english(text, words):
        notes.append("This does not look like English. The models here were trained on English "
                     "text, so the label is unreliable.")
    return text, notes


def looks_english(text: str, words: list[str] | None = None) -> bool:
    words = words if words is not None else WORD.findall(text)
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(ch.isascii() for ch in letters)
    if letters and latin / len(letters) < 0.7:  # mostly CJK, Cyrillic, Arabic, ...
        return False
    if len(words) >= 5 and not any(w.lower() in ENGLISH_HINTS for w in words):
        return False  # e.g. French or Spanish: Latin letters, but none of the common English words
    return True


def truncation_note(words_read: int, words_total: int) -> str:
    return (f"The model reads about the first {words_read:,} of {words_total:,} words; "
            f"the rest did not affect the label.")
