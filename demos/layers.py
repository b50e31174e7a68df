"""Layer by layer tab (the "logit lens"): the top next-token prediction after every layer, at
every position, so a person sees where the answer forms."""
from pathlib import Path

import gradio as gr

from core.inspect import lens as core
from core.inspect.text import MAX_CHARS
from demos import render_inside
from demos.widgets import Session, group, model_menu, user_errors

TITLE = "Layer by layer"
ASSETS = Path(__file__).parent / "assets"
EXAMPLES = ["The capital of France is", "One, two, three, four,", "The Eiffel Tower is in the city of",
            "def add(a, b):\n    return"]
INTRO = """A causal LM turns a sequence into a next-token distribution: every layer adds its update to
a running vector per position (the residual stream), and at the end the final norm and the output
head turn that vector into logits, softmax gives P(next token). The **logit lens** applies the same
final norm and head after *every* layer, as if the model stopped there. Read each column top to
bottom: the row of embeddings mostly repeats the input token (the head is tied to the embeddings),
middle layers guess generic tokens, and the answer appears where the cells turn outlined (they are
already the model's final answer). Hover a cell for its top 5; click a column to plot it."""
CSS = """
.llmlab-lens { overflow-x: auto; }
.llmlab-lens table { border-collapse: collapse; font-size: 12px; }
.llmlab-lens th { font-weight: normal; text-align: right; padding: 1px 6px; white-space: nowrap; }
.llmlab-lens th.lens-pos { text-align: center; cursor: pointer; font-weight: 600; }
.llmlab-lens th.lens-pos.chosen { color: #dc2626; text-decoration: underline; }
.llmlab-lens td { padding: 1px 4px; border: 1px solid #e2e8f0; text-align: center; white-space: pre;
  max-width: 90px; overflow: hidden; }
.llmlab-lens td.final { outline: 2px solid #15803d; outline-offset: -2px; font-weight: 600; }
.llmlab-lens tr.lens-next td { background: #f1f5f9; font-style: italic; }
"""


@user_errors
def logit_lens(prompt: str, model: str = ""):
    """The logit lens: the top next-token prediction (and its probability) after every layer, at
    every position of a prompt, read with the model's final norm and output head.

    Args:
        prompt: the text (up to 2,000 characters; the first 48 tokens are used).
        model: generation model id (see the Model dropdown); blank for the default.
    Returns:
        a summary (the answer at the last position and the layer from which it leads), the table
        as HTML, the probability of the final answer per layer (at the last position), and JSON:
        per layer and position the top 5 tokens with probabilities, the model's final answer per
        position, its probability and rank at every layer, and the layer where it forms.
    """
    lens = core.logit_lens(prompt, model or None)
    return lens, render_inside.lens_summary(lens), render_inside.lens_html(lens), render_inside.lens_curve(lens), lens.to_dict()


def show_position(lens, event: gr.EventData):
    position = getattr(event, "position", None)
    return render_inside.lens_summary(lens, position), render_inside.lens_html(lens, position), \
        render_inside.lens_curve(lens, position)


def build(session: Session) -> None:
    gr.Markdown(INTRO)
    state = gr.State(None)
    with gr.Row():
        prompt = gr.Textbox(label="Prompt", lines=2, scale=3, max_length=MAX_CHARS, elem_id="lens-prompt",
                            placeholder="Text for the model to continue (up to 48 tokens)")
        with gr.Column(scale=2):
            model = model_menu("generation", "lens-model")
            run = gr.Button("Show layer by layer", variant="primary", elem_id="lens-run")
    gr.Examples(EXAMPLES, prompt)
    summary = gr.Markdown(elem_id="lens-summary")
    table = gr.HTML(render_inside.lens_html(None), elem_id="lens-table", js_on_load=(ASSETS / "pick.js").read_text())
    curve = gr.LinePlot(x="layer", y="probability", color="series", y_lim=[0, 1], height=260,
                        title="Where the answer forms (chosen position)", elem_id="lens-curve")
    with gr.Accordion("Every layer and position as JSON", open=False):
        data = gr.JSON(elem_id="lens-json")

    gr.on([run.click, prompt.submit], logit_lens, [prompt, model], [state, summary, table, curve, data],
          api_name="logit_lens", **group("inspect"))
    table.click(show_position, state, [summary, table, curve], api_visibility="private",
                show_progress="hidden")
