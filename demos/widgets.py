"""Pieces more than one tab uses: the error wrapper, the session's shared state, concurrency
groups, the model menu, the sampling settings, the next-token view and the documents panel."""
import functools
import inspect
import logging
import os
import time
import uuid
from dataclasses import dataclass
from typing import Iterator

import gradio as gr

from core import finetune
from core.errors import UserError
from core.generation.engines import MAX_STREAMS
from core.generation.sampling import LIMITS, SEED_RANGE, STAGES
from core.retrieval import corpus as corpora
from core.runtime import memory, priority
from core.runtime.loader import choices
from core.summarize.inputs import MAX_CHARS as MAX_PASTE
from demos import i18n, render, render_passages, sessions
from demos.i18n import request_lang, t
from demos.progress import Readable

log = logging.getLogger("llmlab")


def user_errors(fn):
    """`fn` as an event handler: a UserError from core becomes a message on the page; any other
    error is logged with its traceback and the person gets a message without internals."""
    def fail(err: Exception):
        if isinstance(err, UserError):
            return gr.Error(str(err))
        if isinstance(err, gr.Error):
            return err
        incident = uuid.uuid4().hex[:8]
        log.exception("error %s in %s", incident, fn.__name__)
        return gr.Error(f"Something went wrong on the server (incident {incident}); it was logged. "
                        f"Try again, or with a different input.")

    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as err:
                raise fail(err) from None
            finally:
                memory.release()  # what a large request freed goes back to the system
        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as err:
            raise fail(err) from None
        finally:
            memory.release()
    return call


@dataclass
class Session:
    """Per-session state that several tabs share (made once per page by app.py)."""
    corpus: gr.State        # a sessions.SessionData holding the session's documents (Ask and Search)
    corpus_key: gr.Textbox  # hidden: API and MCP callers name a private corpus with it
    finetuned: gr.State  # the session's fine-tuned classifiers (core.finetune.SessionModels): Fine-tune, Sentiment
    finetuned_menu: gr.Dropdown | None = None  # the Sentiment tab's menu of them (set by its hook)

    @classmethod
    def make(cls) -> "Session":
        return cls(gr.State(sessions.SessionData()),  # copied for each session; not a callable,
                   # which gradio would also serve as an endpoint
                   gr.Textbox("", visible=False, max_length=64, label="Corpus key"), finetuned_state())


def finetuned_state() -> gr.State:
    """Session.finetuned: a store per session (gradio deep-copies the default for each session,
    and a copy of a store is a new, empty one), only mutated by the tabs (see core.finetune.jobs);
    released when the page closes (end_session) or when unused. (A factory as the default would
    add a public load endpoint that resets it.)"""
    return gr.State(finetune.SessionModels())


def end_session(request: gr.Request) -> None:
    """For demo.unload: the page was closed; release what the session held."""
    finetune.end_session(request.session_hash)


# Cheap requests never wait behind long ones: each kind of work has its own queue and limit.
# Generation (generate, score, chat, Ask's reader, abstractive summaries): up to MAX_STREAMS at
# once; the engine admits what it can serve together (llama.cpp and a remote server decode them in
# batches; transformers one at a time, the others waiting their turn inside it).
CONCURRENCY = {"generation": MAX_STREAMS,
               "search": 4, "sentiment": 4, "extractive": 2,
               "indexing": 2,     # reading, chunking and embedding uploaded documents
               "sentiment-files": 1,
               "inspect": 2,      # attention and logit-lens passes (well under a second each)
               "compression": 1}  # builds and runs several copies of the chat model


# The groups whose work is long: it runs at low CPU priority (core.runtime.priority), so that a
# search or a sentiment score never waits for a core behind it. Generation's compute runs in the
# llama.cpp engine's own thread, which lowers its priority itself.
LONG_WORK = {"extractive", "indexing", "sentiment-files", "inspect", "compression"}


def group(name: str) -> dict:
    """The event arguments that put an event into concurrency group `name`."""
    return {"concurrency_id": name, "concurrency_limit": CONCURRENCY[name]}


def give_way(demo: gr.Blocks) -> None:
    """Every event of a LONG_WORK group runs its handler at low CPU priority."""
    for block_fn in demo.fns.values():
        if block_fn.concurrency_id in LONG_WORK and block_fn.fn is not None:
            block_fn.fn = priority.low_priority(block_fn.fn)


# The chat history's API schema is made simpler than gradio's, on the instance: a subclass of a
# gradio component would make gradio write a .pyi file next to this one.
HISTORY_SCHEMA = {"type": "array", "items": {
    "type": "object", "required": ["role", "content"],
    "properties": {"role": {"type": "string", "enum": ["user", "assistant", "system"]},
                   "content": {"anyOf": [{"type": "string"}, {"type": "array", "items": {
                       "type": "object", "properties": {"type": {"type": "string"},
                                                        "text": {"type": "string"}}}}]}}}}


def chat_history(**kwargs) -> gr.Chatbot:
    """A Chatbot whose API takes messages as {"role", "content": text} (or a list of parts): a
    schema an MCP client can validate, unlike gradio's, whose references do not resolve."""
    chatbot = gr.Chatbot(**kwargs)
    chatbot.api_info_as_input = lambda: HISTORY_SCHEMA
    return chatbot


def free_choice(dropdown: gr.Dropdown) -> gr.Dropdown:
    """A dropdown that takes values outside its choices (allow_custom_value), described to API
    and MCP clients as any string rather than as an enum of the choices it was built with (none,
    for a menu filled in later)."""
    dropdown.api_info = lambda: {"type": "string"}
    return dropdown


def one_status_box(blocks: gr.Blocks) -> None:
    """Each event shows its progress, and an error's badge, on one output box (its first shown
    output) instead of on every box it fills; the error's message is in the toast."""
    for fn in blocks.fns.values():
        shown = [c for c in fn.outputs if not isinstance(c, gr.State) and getattr(c, "visible", True)]
        if fn.show_progress_on is None and len(shown) > 1:
            fn.show_progress_on = shown[:1]


def examples(samples: list, inputs, labels: list | None = None) -> None:
    """gr.Examples whose headers and labels are in the page's language: gradio does not translate
    them, so there is a table per language and the page shows its own (demos.i18n.SHOWN_IN)."""
    for shown_in in i18n.SHOWN_IN.values():
        table = gr.Examples(samples, inputs, example_labels=labels, label=t("examples"))
        table.dataset.elem_classes = [shown_in]


# --- the model menu and the sampling settings ------------------------------------------------

def model_menu(task: str, elem_id: str, automatic: str = "", **kwargs) -> gr.Dropdown:
    """The models that can serve `task` here, the first preselected; with `automatic`, an entry
    of that name (value "") goes first: the task picks its model itself."""
    models = [(automatic, "")] if automatic else []
    models += [(f"{c.label} ({c.source})", c.id) for c in choices(task)]
    return gr.Dropdown(models, value=models[0][1] if models else None, label=t("model"), elem_id=elem_id,
                       **kwargs)


def settings_controls(prefix: str, max_new_tokens: int = 64,
                      temperature: float = 0.7) -> list[gr.components.Component]:
    """Model menu and sampling settings, in the order generation.stream takes them."""
    model = model_menu("generation", f"{prefix}-model")
    low, high, _ = LIMITS["max_new_tokens"]
    length = gr.Slider(low, high, value=max_new_tokens, step=1, label=t("max_new_tokens"),
                       elem_id=f"{prefix}-max-tokens")
    temp = gr.Slider(*LIMITS["temperature"][:2], value=temperature, step=0.05,
                     label=t("temperature"), elem_id=f"{prefix}-temperature")
    top_k = gr.Slider(0, 200, value=50, step=1, label=t("top_k"), elem_id=f"{prefix}-top-k")
    top_p = gr.Slider(*LIMITS["top_p"][:2], value=0.95, step=0.01, label=t("top_p"),
                      elem_id=f"{prefix}-top-p")
    penalty = gr.Slider(*LIMITS["repetition_penalty"][:2], value=1.1, step=0.05,
                        label=t("penalty"), elem_id=f"{prefix}-penalty")
    stop = gr.Textbox("", label=t("stop_strings"), lines=2, max_lines=8, max_length=1000,
                      elem_id=f"{prefix}-stop-strings")
    # gradio's number box shows (and sends) 0 for "no value": 0 means a random seed here
    seed = gr.Number(value=0, precision=0, minimum=0, maximum=SEED_RANGE - 1,
                     label=t("seed"), elem_id=f"{prefix}-seed")
    return [model, length, temp, top_k, top_p, penalty, stop, seed]


def settings_dict(max_new_tokens, temperature, top_k, top_p, repetition_penalty, stop, seed) -> dict:
    return dict(max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                repetition_penalty=repetition_penalty, seed=seed or None,  # 0: random (see the seed box)
                stop=[s for s in (stop or "").splitlines() if s])


# --- the next-token view ---------------------------------------------------------------------

CSS = """
.llmlab-legend { display: flex; flex-wrap: wrap; gap: 4px; margin: -6px 0 4px; font-size: 0.85em; }
.llmlab-legend > span { padding: 0 6px; border-radius: 4px; color: #111; }
"""


def token_colours(label, elem_id: str, **kwargs) -> gr.HighlightedText:
    """Tokens coloured by probability band, with the bands' legend below in the page's language."""
    tokens = gr.HighlightedText(label=label, color_map=render.BAND_COLORS, show_legend=False,
                                show_inline_category=False, elem_id=elem_id, **kwargs)
    gr.HTML(render.band_legend(), elem_id=f"{elem_id}-legend")
    return tokens


def token_view(prefix: str, shown_by: list):
    """Coloured tokens, step picker and the three-stage charts; returns the components. The
    charts appear when an event of `shown_by` (the run button's click, ...) starts a run: before
    it they would be three empty boxes, 780 px of a phone's screen."""
    tokens = token_colours(t("tokens_label"), f"{prefix}-tokens", combine_adjacent=False)
    info = gr.Markdown(label=t("run_summary"), elem_id=f"{prefix}-info")
    with gr.Accordion(t("next_token_view"), open=True):
        step = gr.Slider(0, 1, value=0, step=1, label=t("step"), elem_id=f"{prefix}-step")
        caption = gr.Markdown(label=t("chosen_step"), elem_id=f"{prefix}-step-caption")
        with gr.Row(visible=False) as charts_row:
            charts = [gr.BarPlot(x="token", y="prob", color="kind", sort="-y", y_lim=[0, 1],
                                 title=t(f"stage_{stage}"), x_title="", y_title="probability",
                                 x_label_angle=-45,
                                 color_map={"drawn": "#d62728", "other": "#1f77b4"}, height=260,
                                 label=t(f"stage_{stage}"), show_label=False,
                                 elem_id=f"{prefix}-chart-{stage}", elem_classes="step-chart")
                      for stage in STAGES]
    with gr.Accordion(t("run_json"), open=False):
        run = gr.JSON(label=t("run_json_label"), elem_id=f"{prefix}-json")
    view = [tokens, info, run, step, *charts, caption]
    gr.on(shown_by, lambda: gr.Row(visible=True), None, charts_row, api_visibility="private", queue=False,
          show_progress="hidden")
    step.input(show_step, [run, step], charts + [caption], api_visibility="private",
               show_progress="hidden")
    tokens.select(pick_step, run, [step, *charts, caption], api_visibility="private",
                  show_progress="hidden")
    return view


def show_step(run: dict | None, index: float, request: gr.Request = None):
    frames, caption = render.step_frames(run, index, request_lang(request))
    return *frames, caption


def pick_step(run: dict | None, event: gr.SelectData, request: gr.Request = None):
    index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
    return index, *show_step(run, index, request)


# A stream's text is sent to the page at most this often (seconds): about 10 updates a second
# read as live, and 8 streams then send ~80 page updates a second, not one per token. (In the
# 50-client mix of bench/reliability.py it made no measurable difference to search or sentiment.)
TEXT_EVERY_S = float(os.environ.get("LLMLAB_STREAM_EVERY_S", 0.1))


def throttled(updates: Iterator, every_s: float = 1.0, text_every_s: float | None = None
              ) -> Iterator[tuple[object, bool]]:
    """(update, whether to redraw the heavier views now): the heavier views at most every
    `every_s`, the text at most every `text_every_s`, both at the end. Each update carries the
    whole run so far, so one skipped is not lost."""
    text_every_s = TEXT_EVERY_S if text_every_s is None else text_every_s
    last = last_text = 0.0
    for update in updates:
        now = time.perf_counter()
        if not update.done and now - last_text < text_every_s:
            continue
        last_text = now
        redraw = update.done or now - last >= every_s
        if redraw:
            last = now
        yield update, redraw


def stop_button(button: gr.Button, running, view: list) -> None:
    """`button` stops the `running` stream, and the run's line says it was stopped (view[1])."""
    mark = dict(fn=mark_stopped, inputs=view[1], outputs=view[1], api_visibility="private",
                queue=False, show_progress="hidden")
    # marked at once, and again once the updates already on their way when it stopped have arrived
    button.click(cancels=[running], **mark).then(None, js="() => new Promise((r) => setTimeout(r, 1500))",
                                                   api_visibility="private").then(**mark)


def mark_stopped(info: str | None, request: gr.Request = None) -> str:
    return render.stopped_summary(info, request_lang(request))


def view_cleared() -> tuple:
    """Values that empty token_view's components (for Clear)."""
    return ([], "", None, gr.Slider(0, 1, value=0, step=1)) + (None,) * len(STAGES) + ("",)


def view_updates(updates, lang: str = "en"):
    """Values for token_view's components after each Update (the heavier ones throttled),
    with the Update itself last; the lines in language `lang`."""
    for update, redraw in throttled(updates):
        run = update.to_dict(steps=redraw)
        spans, info = render.generation_spans(update), render.run_summary(run, lang)
        if not redraw:
            yield (spans, info) + (gr.skip(),) * (3 + len(STAGES)) + (update,)
            continue
        last = max(len(run["steps"]) - 1, 0)
        frames, caption = render.step_frames(run, last, lang)
        # an update, not a gr.Slider: gradio builds a new component's whole config (signature
        # inspection) at every redraw, ~15% of the event loop with 8 streams (py-spy)
        slider = gr.update(minimum=0, maximum=max(last, 1), value=last)
        yield (spans, info, run, slider, *frames, caption, update)


# --- the documents panel (Ask and Search share one session corpus) ---------------------------

def documents_panel(prefix: str, session: Session, api_visibility: str = "public") -> gr.Checkbox:
    """Upload / paste controls; returns the 'include the example corpus' checkbox."""
    with gr.Accordion(t("your_documents"), open=False):
        files = gr.File(label=t("upload_docs"),
                        file_count="multiple", elem_id=f"{prefix}-files")
        text = gr.Textbox("", label=t("paste"), lines=3, max_lines=12, max_length=MAX_PASTE,
                          elem_id=f"{prefix}-paste")
        add = gr.Button(t("add_pasted"), elem_id=f"{prefix}-add")
        status = gr.Markdown(label=t("report"), elem_id=f"{prefix}-status")
    examples = gr.Checkbox(True, label=t("use_examples"),
                           elem_id=f"{prefix}-use-examples")
    add.click(add_documents, [files, text, examples, session.corpus, session.corpus_key], status,
              api_name=f"{prefix}_add_documents", api_visibility=api_visibility, **group("indexing"))
    files.upload(add_uploaded, [files, examples, session.corpus, session.corpus_key], [status, files],
                 api_visibility="private", **group("indexing"))
    return examples


def add_uploaded(files, use_examples, state, corpus_key, request: gr.Request, progress=gr.Progress()):
    """A file dropped into the box is added at once (the box empties, so it is not added twice)."""
    return add_documents(files, "", use_examples, state, corpus_key, request, progress), None


@user_errors
def add_documents(files: list[str] | None = None, text: str = "", use_examples: bool = True,
                  state: dict | None = None, corpus_key: str = "", request: gr.Request = None,
                  progress=gr.Progress()):
    """Add documents to a private corpus, to search them (run_search) or ask about them (ask).

    Args:
        files: TXT, MD, PDF or HTML files, up to 10 MB and 20 files each time.
        text: text to add as one more document (at most 200,000 characters).
        use_examples: also search the 36 example articles on language models.
        corpus_key: the key of your private corpus to add to; leave it out the first time (over MCP the reply gives a new key to pass to ask and run_search).
    Returns:
        a report of what was indexed and what was skipped, and why, with the corpus key when the documents went into a private corpus.
    """
    corpus, key = sessions.documents_to_change(state, use_examples, corpus_key, request)
    sessions.FILES.track(request, *(files or []))
    lang = request_lang(request)
    report = corpora.ingest(corpus, files or [], text or "", Readable(progress, lang))
    return (render_passages.ingest_markdown(report, lang) + "\n\n" + i18n.text("searching", lang, corpus=corpus.describe())
            + sessions.key_note(key))
