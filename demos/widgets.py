"""Pieces more than one tab uses: the error wrapper, the session's shared state, the model menu,
the sampling settings, the next-token view and the documents panel."""
import functools
import inspect
import time
from dataclasses import dataclass
from typing import Iterator

import gradio as gr

from core.errors import UserError
from core.generation.engines import MAX_STREAMS
from core.generation.sampling import LIMITS, STAGES
from core.retrieval import corpus as corpora
from core.runtime.loader import choices
from core.text.documents import MAX_BYTES, SUPPORTED_TEXT
from demos import render


def user_errors(fn):
    """`fn` as an event handler: a UserError from core becomes a message on the page."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except UserError as err:
                raise gr.Error(str(err)) from None
        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as err:
            raise gr.Error(str(err)) from None
    return call


# Every event that generates shares one queue. Up to MAX_STREAMS run at once: the engine admits
# what it can serve together (llama.cpp and a remote server decode them in batches; transformers
# one at a time, the others waiting their turn inside it).
GENERATION_QUEUE = dict(concurrency_id="generation", concurrency_limit=MAX_STREAMS)


@dataclass
class Session:
    """Per-browser-session state that several tabs share (made once per page by app.py)."""
    corpus: gr.State  # the session's documents (core.retrieval.corpus.Corpus), for Ask and Search


# --- the model menu and the sampling settings ------------------------------------------------

def model_menu(task: str, elem_id: str, **kwargs) -> gr.Dropdown:
    """The models that can serve `task` here, the first preselected."""
    models = [(f"{c.label} ({c.source})", c.id) for c in choices(task)]
    return gr.Dropdown(models, value=models[0][1] if models else None, label="Model", elem_id=elem_id,
                       **kwargs)


def settings_controls(prefix: str, max_new_tokens: int = 64,
                      temperature: float = 0.7) -> list[gr.components.Component]:
    """Model menu and sampling settings, in the order generation.stream takes them."""
    model = model_menu("generation", f"{prefix}-model")
    low, high, _ = LIMITS["max_new_tokens"]
    length = gr.Slider(low, high, value=max_new_tokens, step=1, label="Max new tokens",
                       elem_id=f"{prefix}-max-tokens")
    temp = gr.Slider(*LIMITS["temperature"][:2], value=temperature, step=0.05,
                     label="Temperature (0 = greedy)", elem_id=f"{prefix}-temperature")
    top_k = gr.Slider(0, 200, value=50, step=1, label="Top-k (0 = off)", elem_id=f"{prefix}-top-k")
    top_p = gr.Slider(*LIMITS["top_p"][:2], value=0.95, step=0.01, label="Top-p (1 = off)",
                      elem_id=f"{prefix}-top-p")
    penalty = gr.Slider(*LIMITS["repetition_penalty"][:2], value=1.1, step=0.05,
                        label="Repetition penalty (1 = off)", elem_id=f"{prefix}-penalty")
    stop = gr.Textbox(label="Stop strings, one per line", lines=2, max_lines=8,
                      elem_id=f"{prefix}-stop-strings")
    seed = gr.Number(value=None, precision=0, label="Seed (blank = random; the run reports it)",
                     elem_id=f"{prefix}-seed")
    return [model, length, temp, top_k, top_p, penalty, stop, seed]


def settings_dict(max_new_tokens, temperature, top_k, top_p, repetition_penalty, stop, seed) -> dict:
    return dict(max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                repetition_penalty=repetition_penalty, seed=seed,
                stop=[s for s in (stop or "").splitlines() if s])


# --- the next-token view ---------------------------------------------------------------------

def token_view(prefix: str):
    """Coloured tokens, step picker and the three-stage charts; returns the components."""
    tokens = gr.HighlightedText(label="Generated tokens: colour = probability of the drawn token "
                                "(click a token to see its step)", color_map=render.BAND_COLORS,
                                show_legend=True, combine_adjacent=False, elem_id=f"{prefix}-tokens")
    info = gr.Markdown(elem_id=f"{prefix}-info")
    with gr.Accordion("Next-token view: candidates at each step", open=True):
        step = gr.Slider(0, 1, value=0, step=1, label="Step", elem_id=f"{prefix}-step")
        caption = gr.Markdown(elem_id=f"{prefix}-step-caption")
        with gr.Row():
            charts = [gr.BarPlot(x="token", y="prob", color="kind", sort="-y", y_lim=[0, 1],
                                 title=render.STAGE_TITLES[stage], x_title="", y_title="probability",
                                 x_label_angle=-45,
                                 color_map={"drawn": "#d62728", "other": "#1f77b4"}, height=260,
                                 elem_id=f"{prefix}-chart-{stage}", elem_classes="step-chart")
                      for stage in STAGES]
    with gr.Accordion("The run as JSON (every step's candidates)", open=False):
        run = gr.JSON(elem_id=f"{prefix}-json")
    view = [tokens, info, run, step, *charts, caption]
    step.input(show_step, [run, step], charts + [caption], api_visibility="private",
               show_progress="hidden")
    tokens.select(pick_step, run, [step, *charts, caption], api_visibility="private",
                  show_progress="hidden")
    return view


def show_step(run: dict | None, index: float):
    frames, caption = render.step_frames(run, index)
    return *frames, caption


def pick_step(run: dict | None, event: gr.SelectData):
    index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
    return index, *show_step(run, index)


def throttled(updates: Iterator, every_s: float = 1.0) -> Iterator[tuple[object, bool]]:
    """(update, whether to redraw the heavier views now): at most every `every_s`, and at the end."""
    last = 0.0
    for update in updates:
        now = time.perf_counter()
        redraw = update.done or now - last >= every_s
        if redraw:
            last = now
        yield update, redraw


def view_updates(updates):
    """Values for token_view's components after each Update (the heavier ones throttled),
    with the Update itself last."""
    for update, redraw in throttled(updates):
        run = update.to_dict(steps=redraw)
        spans, info = render.generation_spans(update), render.run_summary(run)
        if not redraw:
            yield (spans, info) + (gr.skip(),) * (3 + len(STAGES)) + (update,)
            continue
        last = max(len(run["steps"]) - 1, 0)
        frames, caption = render.step_frames(run, last)
        slider = gr.Slider(0, max(last, 1), value=last, step=1)
        yield (spans, info, run, slider, *frames, caption, update)


# --- the documents panel (Ask and Search share one session corpus) ---------------------------

def documents_panel(prefix: str, state: gr.State) -> gr.Checkbox:
    """Upload / paste controls; returns the 'include the example corpus' checkbox."""
    with gr.Accordion("Your documents", open=False):
        files = gr.File(label=f"{SUPPORTED_TEXT} files, up to {MAX_BYTES // 2**20} MB each",
                        file_count="multiple", elem_id=f"{prefix}-files")
        text = gr.Textbox(label="…or paste text", lines=3, max_lines=12, elem_id=f"{prefix}-paste")
        add = gr.Button("Add to my documents", elem_id=f"{prefix}-add")
        status = gr.Markdown(label="Report", elem_id=f"{prefix}-status")
    examples = gr.Checkbox(True, label="Include the example corpus (36 articles on language models)",
                           elem_id=f"{prefix}-use-examples")
    add.click(add_documents, [files, text, examples, state], [state, status],
              api_name=f"{prefix}_add_documents")
    return examples


@user_errors
def add_documents(files, text, use_examples, corpus, progress=gr.Progress()):
    """Add documents (TXT, MD, PDF, HTML files and/or pasted text) to this session's private corpus.
    Returns a report of what was indexed and what was skipped, and why."""
    corpus = corpora.session(corpus, use_examples)
    report = corpora.ingest(corpus, files or [], text or "", progress)
    return corpus, render.ingest_markdown(report) + f"\n\nSearching: {corpus.describe()}."
