"""core's notices (the ⚠ lines under a result: a setting changed, the context too short, why an
answer was withheld) in the page's language. core writes them in English; the ones a person
meets most are matched here and given from the string table, with their numbers; any other
stays as core wrote it."""
import re

from demos.i18n import text

# core's wording (a regex whose groups are the values, in the order of `names`) -> the table's key
NOTICES = [
    (r"Temperature 0 is greedy decoding: top-k and top-p have no effect\.", "note_greedy", ()),
    (r"(.+) (\S+) is outside (\S+)–(\S+); used (\S+)\.", "note_clamped", ("name", "value", "low", "high", "used")),
    (r"Only the first (\d+) stop strings are used\.", "note_stop_count", ("n",)),
    (r"Stop strings are cut to (\d+) characters\.", "note_stop_length", ("n",)),
    (r"The text is (\d+) tokens; the first (\d+) \(the context\) were scored\.", "note_scored_part", ("n", "room")),
    (r"Only (\d+) new tokens fit in the (\d+)-token context\.", "note_room", ("n", "context")),
    (r"(.+) has no chat template: the history is given to it as a plain 'User:/Assistant:' transcript\.",
     "note_no_template", ("model",)),
    (r"The chat is longer than the (\d+)-token context: the oldest (\d+) message\(s\) were left out\.",
     "note_chat_cut", ("context", "n")),
    (r"The reader preferred 'no answer' in every passage\.", "note_no_answer", ()),
    (r"No generation model could be loaded, so no answer was chosen: read the marked evidence "
     r"sentence and the passages\.", "note_no_model_passages", ()),
    (r"No generation model could be loaded: read the marked evidence sentence\.", "note_no_model", ()),
    (r"The best passage scores (\S+), below the (\S+) needed to answer; the documents do not seem to "
     r"cover this question\.", "note_refused", ("score", "needed")),
    (r"The chat model found no answer in the passages\.", "note_chat_none", ()),
    (r"No passage sentence clearly supports this answer: the marked sentence is the one closest to "
     r"the question\. Check the answer against it\.", "note_unsupported", ()),
]
# why a model is not used here (core.runtime.registry.availability, as loader.status's notes)
NOTICES += [
    (r"(.+) \((.+)\): the Hugging Face Hub is unreachable and (.+) is not in the local cache",
     "note_hub_unreachable", ("label", "id", "model")),
    (r"(.+) \((.+)\): (.+) does not exist", "note_missing_path", ("label", "id", "path")),
    (r"(.+) \((.+)\): not installed: run `(.+)`", "note_not_installed", ("label", "id", "command")),
]


def compiled(table: list[tuple[str, str, tuple]]) -> list[tuple[re.Pattern, str, tuple]]:
    return [(re.compile(f"^{pattern}$"), key, names) for pattern, key, names in table]


def matched(table: list, message: str) -> tuple[str, dict] | None:
    """(the table's key, the values) for the first entry of a compiled `table` matching `message`."""
    for pattern, key, names in table:
        found = pattern.match(message)
        if found:
            return key, dict(zip(names, found.groups()))
    return None


_COMPILED = compiled(NOTICES)


def words(notice: str, lang: str = "en") -> str:
    """`notice` in language `lang` (as core wrote it when it is not in the table)."""
    found = matched(_COMPILED, notice)
    return text(found[0], lang, **found[1]) if found else notice
