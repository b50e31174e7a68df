"""Abstractive summaries of texts of any length (extractive ones are in core.summarize.extractive).

    for update in summarize_stream(text, max_new_tokens=128, num_beams=1):
        print(update.stage, update.text)          # the summary as it is written

Two abstractive summarizers, picked by core.runtime.loader for the "summarization" task:
  seq2seq        an AutoModelForSeq2SeqLM (distilbart-cnn from the Hub): the encoder reads the
                 text, `generate` writes the summary
  chat-summary   offline: the chat model (core.generation, through its engine) with a
                 summarization prompt; beam search forks the engine's cache (core.generation.beam)

A text longer than the model reads at once is cut into chunks of whole sentences (counted
with the model's tokenizer), each chunk is summarised, and the chunk summaries are then
summarised together (map-reduce; again if they are still too long). A text that would need
more than MAX_CHUNKS chunks is first cut down to its most central sentences (core.summarize.extractive).
Greedy decoding streams token by token; beam search cannot stream, so it shows each chunk's
summary when it is done.
"""
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Iterator

from core import generation
from core.errors import ModelUnavailable
from core.generation.beam import beam_search
from core.generation.decode import end_ids
from core.generation.prompts import fit_chat
from core.grounding import Sources
from core.runtime import loader, registry
from core.summarize.chunking import most_central, pack, units
from core.summarize.extractive import extract, join_sentences
from core.summarize.faithful import CopyConstraint, keep_supported
from core.summarize.inputs import source
from core.text.sentences import split_sentences

MAX_CHUNKS = 8            # chunks summarised at most; a longer text is first cut to its central sentences
CHAT_CHUNK_TOKENS = 1024  # a small chat model loses the thread in longer inputs, and prefill is slow on CPU
MAX_LEVELS = 3            # rounds of combining chunk summaries
LENGTH = (8, 512)         # max_new_tokens range
BEAMS = (1, 8)
REPETITION_PENALTY = 1.1  # greedy decoding of a small model loops without it
SYSTEM = ("You summarize texts. Reply with the summary only: a few plain sentences with the main "
          "facts of the text, no introduction and no opinion.")
PROMPT = "Text:\n{text}\n\nWrite a short summary of this text."


@dataclass
class SummaryUpdate:
    """What summarize_stream yields as the summary is written, and once more with done=True."""
    text: str                   # the summary so far; while chunks are summarised, their summaries so far
    model: str                  # which model, device and dtype wrote it
    method: str                 # how: seq2seq or chat prompt, greedy or beam search
    stage: str                  # e.g. "chunk 2 of 5", "combining 5 chunk summaries", "done"
    step: int = 0               # generation calls finished, of `steps` planned (for a progress bar)
    steps: int = 1
    chunks: int = 1             # how many chunks the text was cut into (1 = read whole)
    chunk_summaries: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    done: bool = False
    support: dict | None = None     # when done: core.grounding marks of the summary against the text
    extractive: bool = False        # the summary is the extractive one (no model, or no faithful summary)


# --- the two summarizers: how one model summarises one piece of text -------------------------

class Seq2SeqSummarizer:
    """An encoder-decoder summarization model called through `generate`."""

    def __init__(self, loaded: loader.Loaded):
        self.loaded, self.tokenizer = loaded, loaded.tokenizer
        self.method = "seq2seq summarizer (AutoModelForSeq2SeqLM.generate)"
        config, own = loaded.model.config, loaded.tokenizer.model_max_length
        context = getattr(config, "max_position_embeddings", None) or own
        self.context = min(context, own) if own and own < 1_000_000 else context

    def budget(self, max_new_tokens: int) -> int:
        return self.context - self.tokenizer.num_special_tokens_to_add()

    def stream(self, text: str, max_new_tokens: int, num_beams: int,
               constraint: CopyConstraint | None = None) -> Iterator[str]:
        model = self.loaded.model
        inputs = self.tokenizer(text, return_tensors="pt", truncation=True, max_length=self.context,
                                return_token_type_ids=False, split_special_tokens=True).to(model.device)
        default_min = getattr(model.generation_config, "min_length", 0) or 0
        settings = dict(max_new_tokens=max_new_tokens, num_beams=num_beams, do_sample=False,
                        min_length=min(default_min, max_new_tokens // 2))
        if constraint is not None:
            settings["logits_processor"] = [constraint.processor(prompt_length=0)]
        if num_beams > 1:
            settings.update(early_stopping=True)
        yield from stream_generate(model, self.tokenizer, inputs, settings)


class ChatSummarizer:
    """The chat model with a summarization prompt (core.generation for greedy streaming)."""

    def __init__(self, method: loader.Loaded, chat: loader.Loaded):
        self.loaded, self.tokenizer = chat, chat.tokenizer
        self.method = method.candidate.label
        self.context = generation.context_limit(chat)
        self.overhead = len(self.tokenizer(generation.render_chat(self.tokenizer, self.messages("")),
                                           add_special_tokens=False).input_ids)

    @staticmethod
    def messages(text: str) -> list[dict]:
        return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT.format(text=text)}]

    def budget(self, max_new_tokens: int) -> int:
        return max(64, min(CHAT_CHUNK_TOKENS, self.context - self.overhead - max_new_tokens - 8))

    def stream(self, text: str, max_new_tokens: int, num_beams: int,
               constraint: CopyConstraint | None = None) -> Iterator[str]:
        messages = self.messages(text)
        if num_beams == 1:
            for update in generation.chat_stream(messages, max_new_tokens=max_new_tokens, top_n=0,
                                                 repetition_penalty=REPETITION_PENALTY,
                                                 model_id=self.loaded.candidate.id, constraint=constraint):
                yield update.text
            return
        ids, _ = fit_chat(self.tokenizer, messages, self.context)  # the chat prompt as chat_stream makes it
        best = beam_search(self.loaded, ids, num_beams, max_new_tokens, REPETITION_PENALTY, constraint=constraint)
        yield self.tokenizer.decode(best, skip_special_tokens=True)


def summarizer(model_id: str | None = None) -> Seq2SeqSummarizer | ChatSummarizer:
    """The summarizer for a "summarization" candidate (default: the first that loads)."""
    loaded = loader.load("summarization", model_id or None)
    return ChatSummarizer(loaded, loader.load("generation")) if loaded.is_method else Seq2SeqSummarizer(loaded)


class _Cancel:
    """A stopping criterion that ends generate() when the consumer of the stream goes away."""

    def __init__(self):
        self.event = threading.Event()

    def __call__(self, input_ids, scores, **kwargs):
        import torch
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)


def stream_generate(model, tokenizer, inputs, settings: dict) -> Iterator[str]:
    """`model.generate`, yielding the cumulative new text: token by token when greedy
    (TextIteratorStreamer, generate in a thread), in one piece for beam search."""
    import torch
    from transformers import StoppingCriteriaList, TextIteratorStreamer
    prompt_length = 0 if model.config.is_encoder_decoder else inputs["input_ids"].shape[1]
    if settings.get("num_beams", 1) > 1:  # transformers refuses a streamer with beam search
        with torch.inference_mode():
            out = model.generate(**inputs, **settings)
        yield tokenizer.decode(out[0, prompt_length:], skip_special_tokens=True)
        return
    streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
    cancel, failed = _Cancel(), []

    def run():
        try:
            with torch.inference_mode():
                model.generate(**inputs, **settings, streamer=streamer,
                               stopping_criteria=StoppingCriteriaList([cancel]))
        except Exception as err:  # re-raised in the consumer's thread below
            failed.append(err)
            streamer.end()

    thread = threading.Thread(target=run, name="summarize-generate", daemon=True)
    thread.start()
    text = ""
    try:
        for piece in streamer:
            text += piece
            if piece:
                yield text
    finally:
        cancel.event.set()
        thread.join()
    if failed:
        raise failed[0]


# --- postprocess -------------------------------------------------------------------------------

PREAMBLE = re.compile(r"^\s*(?:(?:sure|certainly|okay|ok)\b[^\n:]*[:.!]\s*)?"
                      r"(?:(?:here(?: is|'s)|below is)\b[^\n:]*:\s*)?(?:\**summary\**\s*:\s*)?", re.I)


def tidy(text: str) -> str:
    """A finished summary without a chat preamble, repeated sentences or a cut-off last sentence."""
    text = PREAMBLE.sub("", text).strip()
    sentences, seen = [], set()
    for s, e in split_sentences(text):
        key = re.sub(r"\W+", " ", text[s:e].lower()).strip()
        if key and key not in seen:
            seen.add(key)
            sentences.append(text[s:e])
    if sentences and not re.search(r"[.!?。！？…\"'”’)]$", sentences[-1]):  # cut off by the length limit
        if len(sentences) > 1:
            sentences.pop()
        else:
            sentences[-1] += "…"
    return join_sentences(sentences)


# --- the map-reduce loop -----------------------------------------------------------------------

def summarize_stream(text: str, *, max_new_tokens: int = 128, num_beams: int = 1,
                     model_id: str | None = None, chunk_tokens: int | None = None,
                     max_chunks: int = MAX_CHUNKS, faithful: bool = True) -> Iterator[SummaryUpdate]:
    """Abstractive summary of `text`, streamed. See the module docstring and SummaryUpdate.

    max_new_tokens: length of each summary (8-512); num_beams: 1 = greedy (streams token by
    token), more = beam search; model_id: a "summarization" candidate id (None = default);
    chunk_tokens: input tokens per chunk (default and most: what the model reads at once).
    faithful: numbers and names may only be copied from the text (core.summarize.faithful);
    sentences that still state one absent from the text are dropped, and when none is left
    the extractive summary is given instead, with a note.
    """
    text, notes = source(text)
    max_new_tokens = int(min(max(int(max_new_tokens or 128), LENGTH[0]), LENGTH[1]))
    num_beams = int(min(max(int(num_beams or 1), BEAMS[0]), BEAMS[1]))
    try:
        model = summarizer(model_id)
    except ModelUnavailable as err:
        if model_id and model_id not in {c.id for c in registry.candidates("summarization")}:
            raise  # a model the person named that is no candidate: say so rather than answer otherwise
        yield extractive_instead(text, notes + [NO_MODEL.format(why=str(err).splitlines()[0])])
        return
    sources = Sources(text)
    constraint = CopyConstraint(model.tokenizer, text, end_ids(model.loaded)) if faithful else None
    budget = min(chunk_tokens or model.budget(max_new_tokens), model.budget(max_new_tokens))
    decoding = ("greedy, streamed token by token" if num_beams == 1 else
                f"beam search ({num_beams} beams), shown when each chunk is done")
    state = SummaryUpdate("", model.loaded.describe(), f"{model.method}; {decoding}", "reading")

    def snapshot(text: str, stage: str, step: int, done: bool = False) -> SummaryUpdate:
        return replace(state, text=text, stage=stage, step=step, done=done, notes=list(state.notes),
                       chunk_summaries=list(state.chunk_summaries))

    state.notes += notes
    spans, sizes = units(model.tokenizer, text, budget)
    total = sum(sizes)
    chunks = pack(text, spans, sizes, budget)
    if len(chunks) > max_chunks:
        chunks, kept, how = most_central(text, spans, sizes, budget, max_chunks)
        state.notes.append(f"The text is {total:,} tokens, more than {max_chunks} chunks of {budget:,}: "
                           f"only its most central sentences ({kept:,} tokens, by {how}) were summarised.")
        total = kept
    if total < 40:
        state.notes.append("The text is very short; a summary may not be much shorter.")
    state.chunks, state.steps = len(chunks), len(chunks) + (len(chunks) > 1)
    step, level = 0, 0
    while len(chunks) > 1:  # map: summarise each chunk; reduce: pack the summaries again
        level += 1
        summaries = []
        for i, chunk in enumerate(chunks):
            stage = f"summarising chunk {i + 1} of {len(chunks)}" + (f" (round {level})" if level > 1 else "")
            partial = ""
            for partial in model.stream(chunk, max_new_tokens, num_beams, constraint):
                yield snapshot("\n\n".join(summaries + [partial]), stage, step)
            summaries.append(tidy(partial))
            step += 1
        if level == 1:
            state.chunk_summaries = summaries
            state.notes.append(f"The text is longer than the {budget:,} tokens summarised in one go: it was "
                               f"summarised in {len(chunks)} chunks, then the chunk summaries were combined.")
        joined = "\n\n".join(s for s in summaries if s)
        spans, sizes = units(model.tokenizer, joined, budget)
        chunks = pack(joined, spans, sizes, budget) or [""]
        if len(chunks) >= len(summaries) or (len(chunks) > 1 and level == MAX_LEVELS):
            state.notes.append("The chunk summaries were too long to combine; they are shown one after another.")
            yield checked(text, joined, sources, snapshot(joined, "done", state.steps, done=True), faithful)
            return
        state.steps = step + len(chunks) + (len(chunks) > 1)

    stage = f"combining {state.chunks} chunk summaries" if level else "summarising"
    partial = ""
    if chunks[0].strip():
        for partial in model.stream(chunks[0], max_new_tokens, num_beams, constraint):
            yield snapshot(partial, stage, step)
    final = tidy(partial)
    if not final:
        state.notes.append("The model wrote no summary for this text.")
    yield checked(text, final, sources, snapshot(final, "done", state.steps, done=True), faithful)


NO_MODEL = ("No model can write a summary here ({why}): this is the extractive summary instead, "
            "the text's most central sentences, word for word.")
UNFAITHFUL = ("The model could not write a summary without a number or name that is not in the text: "
              "this is the extractive summary instead.")


def extractive_instead(text: str, notes: list[str], update: SummaryUpdate | None = None) -> SummaryUpdate:
    """The extractive summary in place of an abstractive one, with notes saying why."""
    summary = extract(text, sentences=3).summary
    base = update or SummaryUpdate("", "", "", "done", step=1, done=True)
    return replace(base, text=summary, method="extractive (central sentences, word for word)",
                   model=base.model or "none", notes=list(base.notes) + notes, extractive=True,
                   support=Sources(text).check(summary).to_dict(), done=True, stage="done")


def checked(text: str, summary: str, sources: Sources, update: SummaryUpdate, faithful: bool) -> SummaryUpdate:
    """The final update with its support marks; when faithful, sentences stating a number or name
    absent from the text are dropped, and the extractive summary replaces an empty result."""
    if not summary:
        return extractive_instead(text, ["The model wrote nothing: this is the extractive summary instead."], update)
    kept, support, dropped = keep_supported(summary, sources) if faithful else (summary, sources.check(summary), 0)
    if not kept:
        return extractive_instead(text, [UNFAITHFUL], update)
    notes = list(update.notes)
    if dropped:
        notes.append(f"{dropped} sentence(s) stating a number or name that is not in the text were left out.")
    return replace(update, text=kept, support=support.to_dict(), notes=notes)


def summarize(text: str, **settings) -> SummaryUpdate:
    """The final update of summarize_stream (same arguments)."""
    return generation.last(summarize_stream(text, **settings))
