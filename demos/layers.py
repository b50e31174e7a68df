"""Layer by layer tab (the "logit lens"): the top next-token prediction after every layer, at
every position, so a person sees where the answer forms."""
from pathlib import Path

import gradio as gr

from core.inspect import lens as core
from core.inspect.text import MAX_CHARS
from demos import render_inside
from demos.i18n import request_lang, t
from demos.widgets import Session, group, model_menu, user_errors

TITLE = t("tab_layers")
ASSETS = Path(__file__).parent / "assets"
EXAMPLES = ["The capital of France is", "One, two, three, four,", "The Eiffel Tower is in the city of",
            "def add(a, b):\n    return"]
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
def logit_lens(prompt: str, model: str = "", request: gr.Request = None):
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
    return lens, render_inside.lens_summary(lens, lang=request_lang(request)), render_inside.lens_html(lens), render_inside.lens_curve(lens), lens.to_dict()


def show_position(lens, event: gr.EventData, request: gr.Request = None):
    position = getattr(event, "position", None)
    return render_inside.lens_summary(lens, position, request_lang(request)), render_inside.lens_html(lens, position), \
        render_inside.lens_curve(lens, position)


def build(session: Session) -> None:
    gr.Markdown(t("layers_how"))
    state = gr.State(None)
    with gr.Row():
        prompt = gr.Textbox(label=t("prompt"), lines=2, scale=3, max_length=MAX_CHARS, elem_id="lens-prompt",
                            placeholder=t("lens_placeholder"))
        with gr.Column(scale=2):
            model = model_menu("generation", "lens-model")
            run = gr.Button(t("lens_run"), variant="primary", elem_id="lens-run")
    gr.Examples(EXAMPLES, prompt, label=t("examples"))
    summary = gr.Markdown(label=t("lens_summary"), elem_id="lens-summary")
    table = gr.HTML(render_inside.lens_html(None), label=t("lens_table"), elem_id="lens-table", js_on_load=(ASSETS / "pick.js").read_text())
    curve = gr.LinePlot(x="layer", y="probability", color="series", y_lim=[0, 1], height=260,
                        title=t("lens_curve"), label=t("lens_curve_label"), show_label=False, elem_id="lens-curve")
    with gr.Accordion(t("lens_json"), open=False):
        data = gr.JSON(label=t("lens_json_label"), elem_id="lens-json")

    gr.on([run.click, prompt.submit], logit_lens, [prompt, model], [state, summary, table, curve, data],
          api_name="logit_lens", **group("inspect"))
    table.click(show_position, state, [summary, table, curve], api_visibility="private",
                show_progress="hidden")
