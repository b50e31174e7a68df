"""English <-> Chinese translation, streamed as it is written.

    for update in translate_stream("The weather is nice today.", direction="auto"):
        print(update.text)                        # the translation so far

Two translators, picked per direction among the "translation" task's candidates (core.runtime.registry):
  seq2seq   a Marian model (Helsinki-NLP/opus-mt-en-zh, opus-mt-zh-en) through
            AutoModelForSeq2SeqLM.generate, wherever the Hub (or a local copy) can be had
  chat      offline: the chat model with a translation prompt. The offline chat model is small and
            was trained mostly on English, so its translations are poor; every result it writes
            carries CAVEAT.
Both decode greedily and stream token by token. The text is translated paragraph by paragraph,
each cut into chunks of whole sentences that fit the model (core.summarize.chunking).
When done, `marks` holds the support marks (core.grounding) of the numbers and dates of the output
(and its names, into Chinese) checked against the source: a translation must not change them.
"""
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator

from core import generation
from core.errors import ModelUnavailable, TranslateError
from core.grounding import mark_support
from core.runtime import loader
from core.runtime.registry import Candidate
from core.summarize.abstractive import stream_generate
from core.summarize.chunking import pack, units
from core.text import checks
from core.text.documents import normalise
from core.text.language import english_note

MAX_CHARS = 5_000           # about a page; the offline chat model writes ~15 tokens/s on 2 CPU cores
LANGUAGES = {"en": "English", "zh": "Chinese"}
DIRECTIONS = {"en-zh": ("en", "zh"), "zh-en": ("zh", "en")}
CODES = {"en": "en", "eng": "en", "zh": "zh", "zho": "zh", "cmn": "zh", "chi": "zh"}
PAIR = re.compile(r"(?<![a-z])(en|eng|zh|zho|cmn|chi)[-_](en|eng|zh|zho|cmn|chi)(?![a-z])")
SEQ2SEQ_CHUNK_TOKENS = 256  # Marian reads 512; shorter chunks translate more faithfully
CHAT_CHUNK_TOKENS = 160     # a small chat model drops sentences from longer inputs
REPETITION_PENALTY = 1.1    # greedy decoding of a small chat model loops without it
SYSTEM = "You translate {source} into {target}. Reply with the translation only."
PROMPT = "{source}: {text}\n{target}:"   # of the prompts tried, the only one SmolLM2-135M answered in English
CAVEAT = ("Translated by a small chat model ({model}) with a prompt, because no translation model can be "
          "reached here. It was trained mostly on English: expect wrong words, missing sentences or text "
          "left untranslated, and check numbers and names against the source. With the Hugging Face Hub "
          "reachable, a Marian translation model (Helsinki-NLP opus-mt) is used instead.")
PREAMBLE = re.compile(r"^\s*(?:(?:sure|certainly|okay|ok)\b[^\n:]*[:.!]\s*)?(?:here(?: is|'s)[^\n:]*:|"
                      r"(?:the )?translation[^\n:]*:|翻译[：:])\s*", re.I)


@dataclass
class TranslationUpdate:
    """What translate_stream yields as the translation is written, and once more with done=True."""
    text: str                     # the translation so far
    source: str                   # the text being translated (normalised)
    direction: str                # "en-zh" or "zh-en"
    model: str                    # which model, device and dtype wrote it
    method: str                   # seq2seq model or chat prompt; greedy, streamed
    stage: str = "translating"
    step: int = 0                 # chunks done, of `steps`
    steps: int = 1
    notes: list[str] = field(default_factory=list)
    marks: dict | None = None     # when done: numbers, dates (and names, into Chinese) checked against the source
    done: bool = False

    def to_dict(self) -> dict:
        return asdict(self)


# --- direction --------------------------------------------------------------------------------

def detect(text: str) -> str:
    """"zh-en" when the text is mostly Chinese characters, else "en-zh" (a Han character is
    counted as a word, about four Latin letters)."""
    han = sum(1 for ch in text if "CJK UNIFIED IDEOGRAPH" in unicodedata.name(ch, ""))
    latin = sum(1 for ch in text if ch.isalpha() and "LATIN" in unicodedata.name(ch, ""))
    if not han and not latin:
        raise TranslateError("There are no English or Chinese words to translate.")
    return "zh-en" if han * 4 >= latin else "en-zh"


def direction_of(text: str, direction: str | None) -> str:
    if direction in (None, "", "auto"):
        return detect(text)
    if direction not in DIRECTIONS:
        raise TranslateError(f"Direction must be auto, {' or '.join(DIRECTIONS)} (got {direction!r}).")
    return direction


def languages(c: Candidate) -> tuple[str, str] | None:
    """(source, target) a candidate translates, from its tokenizer config or its name; None
    for a method (it translates any direction) or when it cannot be told."""
    if c.source == "method":
        return None
    config = Path(c.id) / "tokenizer_config.json"
    if c.source == "local" and config.is_file():
        found = json.loads(config.read_text(encoding="utf-8"))
        pair = CODES.get(str(found.get("source_lang")).lower()), CODES.get(str(found.get("target_lang")).lower())
        if all(pair):
            return pair
    match = PAIR.search(Path(c.id).name.lower())
    return (CODES[match.group(1)], CODES[match.group(2)]) if match else None


# --- the two translators -------------------------------------------------------------------------

class Seq2SeqTranslator:
    def __init__(self, loaded: loader.Loaded):
        self.loaded, self.tokenizer = loaded, loaded.tokenizer
        self.method = "translation model (AutoModelForSeq2SeqLM.generate); greedy, streamed"
        self.budget = min(SEQ2SEQ_CHUNK_TOKENS, (loaded.tokenizer.model_max_length or 512) - 2)
        self.caveat = None

    def stream(self, text: str, source: str, target: str) -> Iterator[str]:
        model = self.loaded.model
        inputs = self.tokenizer(text, return_tensors="pt", truncation=True, max_length=self.budget + 2,
                                return_token_type_ids=False).to(model.device)
        length = int(inputs["input_ids"].shape[1])
        yield from stream_generate(model, self.tokenizer, inputs, dict(
            max_new_tokens=min(512, 2 * length + 16), num_beams=1, do_sample=False))


class ChatTranslator:
    def __init__(self, method: loader.Loaded, chat: loader.Loaded):
        self.loaded, self.tokenizer = chat, chat.tokenizer
        self.method = f"{method.candidate.label}; greedy, streamed"
        self.budget = CHAT_CHUNK_TOKENS
        self.caveat = CAVEAT.format(model=chat.candidate.label)

    def stream(self, text: str, source: str, target: str) -> Iterator[str]:
        names = {"source": LANGUAGES[source], "target": LANGUAGES[target]}
        messages = [{"role": "system", "content": SYSTEM.format(**names)},
                    {"role": "user", "content": PROMPT.format(text=text, **names)}]
        length = len(self.tokenizer(text, add_special_tokens=False).input_ids)
        for update in generation.chat_stream(messages, max_new_tokens=min(512, 3 * length + 16), top_n=0,
                                             repetition_penalty=REPETITION_PENALTY,
                                             model_id=self.loaded.candidate.id):
            yield PREAMBLE.sub("", update.text)


def translator(direction: str, model_id: str | None = None) -> tuple[Seq2SeqTranslator | ChatTranslator, list[str]]:
    """The first usable "translation" candidate for `direction` (or `model_id`), and notes on
    the ones passed over."""
    pair, notes = DIRECTIONS[direction], []
    usable = loader.choices("translation")
    pool = [c for c in usable if model_id in (None, "", c.id)]
    if not pool:
        raise TranslateError(f"{model_id!r} is not a translation model here; choose one of "
                             f"{', '.join(c.id for c in usable)}, or leave the model blank.")
    for c in pool:
        serves = languages(c)
        if serves is not None and serves != pair:
            if model_id:
                raise TranslateError(f"{c.label} translates {LANGUAGES[serves[0]]} to {LANGUAGES[serves[1]]}, "
                                     f"not {LANGUAGES[pair[0]]} to {LANGUAGES[pair[1]]}; choose another "
                                     f"model or direction.")
            continue
        try:
            found = loader.load("translation", c.id)
        except ModelUnavailable as err:
            notes.append(f"{c.label} could not be loaded: {str(err).splitlines()[0]}")
            continue
        if found.is_method:
            return ChatTranslator(found, loader.load("generation")), notes
        return Seq2SeqTranslator(found), notes
    raise TranslateError(f"No model here translates {LANGUAGES[pair[0]]} to {LANGUAGES[pair[1]]}.")


# --- the loop -----------------------------------------------------------------------------------

def pieces(text: str) -> list[str]:
    """Paragraphs and the line breaks between them, in order (breaks kept as they are)."""
    return [p for p in re.split(r"(\n+)", text) if p]


def translate_stream(text: str, direction: str | None = "auto",
                     model_id: str | None = None) -> Iterator[TranslationUpdate]:
    """The translation of `text`, streamed. direction: "auto" (by script), "en-zh" or "zh-en";
    model_id: a "translation" candidate (None = the first that serves the direction)."""
    empty = "There is no text to translate: type or paste some English or Chinese."
    text = normalise(checks.require_text(text, limit=MAX_CHARS, empty=empty, error=TranslateError))
    if not text:  # only control characters or broken UTF-16
        raise TranslateError(empty)
    direction = direction_of(text, direction)
    source, target = DIRECTIONS[direction]
    model, notes = translator(direction, model_id)
    if source == "en":
        notes += english_note(text, "The text", "the models here translate English and Chinese only.")
    if model.caveat:
        notes.append(model.caveat)
    paragraphs = pieces(text)
    chunked = [pack(p, *units(model.tokenizer, p, model.budget), model.budget) if p.strip() else [p]
               for p in paragraphs]
    state = TranslationUpdate("", text, direction, model.loaded.describe(), model.method, notes=notes,
                              steps=sum(len(c) for c in chunked if c[0].strip()))
    joiner = "" if target == "zh" else " "
    done_text, step = "", 0
    for paragraph, chunks in zip(paragraphs, chunked):
        if not paragraph.strip():
            done_text += paragraph
            continue
        written = []
        for chunk in chunks:
            partial = ""
            for partial in model.stream(chunk, source, target):
                yield replace(state, text=done_text + joiner.join(written + [partial]), step=step,
                              stage=f"chunk {step + 1} of {state.steps}" if state.steps > 1 else "translating")
            written.append(partial.strip())
            step += 1
        done_text += joiner.join(written)
    final = replace(state, text=done_text, step=step, stage="done", done=True, notes=list(notes))
    if done_text.strip() and wrote_in(done_text) != target:
        final.notes.append(f"The output is not in {LANGUAGES[target]}: the model did not translate the text.")
    final.marks = facts_kept(done_text, text, names=target == "zh")
    yield final


def facts_kept(translation: str, source: str, names: bool) -> dict:
    """Support marks for what a translation must carry over unchanged: numbers and dates, and Latin
    names when translating into Chinese (a Chinese source cannot be checked for English names)."""
    support = mark_support(translation, [source])
    kinds = ("number", "date", "name") if names else ("number", "date")
    support.marks = [m for m in support.marks if m.kind in kinds]
    return support.to_dict()


def wrote_in(text: str) -> str | None:
    """"zh" or "en": the language a text is mostly written in (None when it has no words)."""
    try:
        return detect(text).split("-")[0]
    except TranslateError:
        return None


def translate(text: str, **settings) -> TranslationUpdate:
    """The final update of translate_stream (same arguments)."""
    return generation.last(translate_stream(text, **settings))
