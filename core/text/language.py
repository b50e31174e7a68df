"""Is a text English? The offline models (MiniLM, SmolLM2-135M, the sentiment head) were trained
on English, so every tab says so when it is given something else."""
import re
import unicodedata

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")  # letters/digits, keeping don't / it's together
SAMPLE = 20_000             # characters looked at
# common English function words: a text of several words with almost none of them is not English
ENGLISH_HINTS = frozenset("""a an the and but or not no nor is are was were be been am i you he she it we
they my your his her its our their this that these those of to in on at for with from by as so very
too just than then there here what which who how why when all any some do does did don't didn't isn't
wasn't can can't could would will won't should have has had me us them if about into also more
""".split())


def language(text: str) -> str:
    """"english", "non-latin" (mostly Chinese, Japanese, Cyrillic, ... script) or "other"."""
    sample = text[:SAMPLE]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        return "english"
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    if latin / len(letters) < 0.5:
        return "non-latin"
    words = [w.lower() for w in WORD.findall(sample)]
    if len(words) >= 5 and sum(w in ENGLISH_HINTS for w in words) / len(words) < 0.08:
        return "other"  # e.g. French or Spanish: Latin letters, almost none of the common English words
    return "english"


def cjk_share(text: str) -> float:
    """The share of a text's letters that are Chinese, Japanese or Korean characters."""
    letters = [ch for ch in text[:SAMPLE] if ch.isalpha()]
    cjk = sum(1 for ch in letters if unicodedata.name(ch, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")))
    return cjk / len(letters) if letters else 0.0


def english_note(text: str, what: str, consequence: str) -> list[str]:
    """[] for English text; else one note naming `what` and the `consequence` for the reader."""
    found = language(text)
    if found == "non-latin":
        return [f"{what} is mostly non-Latin script (e.g. Chinese, Japanese, Russian); {consequence}"]
    if found == "other":
        return [f"{what} does not look like English; {consequence}"]
    return []


def language_warnings(text: str, name: str = "the text") -> list[str]:
    """A warning when a document or query is not English (the offline embedding model is English-only)."""
    return english_note(text, name, "the embedding model was trained on English, so search and "
                                    "answers may be poor.")
