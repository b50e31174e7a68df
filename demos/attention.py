"""Attention tab: the weights W of every layer and head, as a heat map, as lines between tokens
(head view) and as an overview of all heads; click a token to follow it."""
from pathlib import Path

import gradio as gr

from core.inspect import attention as core
from core.inspect.text import MAX_CHARS
from demos import render_inside
from demos.i18n import request_lang, t
from demos.widgets import Session, examples, group, user_errors

TITLE = t("tab_attention")
MAX_LAYERS, MAX_HEADS = 64, 64
ASSETS = Path(__file__).parent / "assets"
MODELS = [(t("model_chat"), "chat"), (t("model_embedding"), "embedding")]
EXAMPLES = [["The animal didn't cross the street because it was too tired.", "chat"],
            ["The animal didn't cross the street because it was too tired.", "embedding"],
            ["Paris is the capital of France, and Berlin is the capital of Germany.", "chat"]]
CSS = """
.llmlab-attn .attn-caption { margin-bottom: 4px; }
.llmlab-attn .attn-focus { min-height: 1.4em; font-weight: 600; }
.llmlab-attn .attn-panels { display: flex; gap: 24px; align-items: flex-start; overflow-x: auto; }
.attn-map { border-collapse: collapse; font-size: 11px; border: none; }
.llmlab-attn .attn-map th, .llmlab-heads th { border: none !important; background: none !important; }
.attn-map td { width: 14px; min-width: 14px; height: 14px; padding: 0; border: 1px solid #f1f5f9;
  cursor: pointer; }
.attn-map th { font-weight: normal; padding: 0 4px; cursor: pointer; white-space: nowrap; }
.attn-map th.attn-col { vertical-align: bottom; height: 70px; }
.attn-map th.attn-col span { writing-mode: vertical-rl; transform: rotate(180deg); }
.attn-map th.attn-corner { font-size: 10px; color: #64748b; cursor: default; }
.attn-map td.attn-masked {
  background: repeating-linear-gradient(45deg, #e2e8f0, #e2e8f0 2px, #fff 2px, #fff 5px); }
.attn-lines line { stroke: #2563eb; stroke-width: 2; }
.attn-lines text { font-size: 12px; cursor: pointer; fill: currentColor; }
.llmlab-attn.focused td:not(.on) { opacity: 0.2; }
.llmlab-attn.focused line:not(.on) { display: none; }
.llmlab-attn .on.attn-row, .llmlab-attn .on.attn-col, .llmlab-attn text.on {
  font-weight: 700; fill: #dc2626; color: #dc2626; }
.llmlab-heads table { border-collapse: collapse; font-size: 11px; }
.llmlab-heads th { font-weight: normal; padding: 0 4px; white-space: nowrap; }
.llmlab-heads td { padding: 1px; border: none; }
.attn-tile { width: 44px; height: 44px; image-rendering: pixelated; border: 1px solid #cbd5e1;
  cursor: pointer; }
"""


@user_errors
def attention(text: str, model: str = "chat", layer: int = 1, head: int = 1, request: gr.Request = None):
    """The attention weights of one layer's heads over a sentence, for the chat model (decoder,
    causal) or the embedding model (encoder, bidirectional).

    Args:
        text: a sentence (up to 2,000 characters; the first 64 tokens are used).
        model: "chat" or "embedding".
        layer: the layer to show, 1-64 (past the model's last layer means its last).
        head: the head to show, 1-64 (past the model's last head means its last).
    Returns:
        the layer and head shown, a summary (model, tokens, time, how the weights were obtained),
        the heat map and head view as HTML, and JSON with the tokens and W for every head of
        that layer: weights[head][i][j] = how much token i takes from token j (rows sum to 1).
    """
    att = core.attention(text, model)
    layer, head = att.clamp(layer, head)
    sliders = gr.Slider(1, att.layers, value=layer, step=1), gr.Slider(1, att.heads, value=head, step=1)
    return (att, *sliders, render_inside.attention_summary(att, request_lang(request)), render_inside.attention_html(att, layer, head),
            att.to_dict(layer))


def redraw(att, layer, head):
    if att is not None:
        layer, head = att.clamp(layer, head)
    return (render_inside.attention_html(att, layer, head), render_inside.heads_marker(layer, head),
            att.to_dict(layer) if att else None)


def overview(att, layer, head):
    return render_inside.heads_grid_html(att), render_inside.heads_marker(layer, head)


def pick(att, event: gr.EventData):
    layer, head = getattr(event, "layer", 1), getattr(event, "head", 1)
    return (layer, head) + redraw(att, layer, head)


def build(session: Session) -> None:
    gr.Markdown(t("attention_how"))
    state = gr.State(None)
    with gr.Row():
        text = gr.Textbox(label=t("sentence"), lines=2, scale=3, max_length=MAX_CHARS, elem_id="attention-text",
                          placeholder=t("attention_placeholder"))
        with gr.Column(scale=2):
            model = gr.Radio(MODELS, value="chat", label=t("model"), elem_id="attention-model")
            show = gr.Button(t("show_attention"), variant="primary", elem_id="attention-run")
    examples(EXAMPLES, [text, model])
    with gr.Row():
        # wide enough for any model in the registry; each run narrows them to its model's own
        layer = gr.Slider(1, MAX_LAYERS, value=1, step=1, label=t("layer"), elem_id="attention-layer")
        head = gr.Slider(1, MAX_HEADS, value=1, step=1, label=t("head"), elem_id="attention-head")
    summary = gr.Markdown(label=t("summary"), elem_id="attention-summary")
    view = gr.HTML(render_inside.attention_html(None, 1, 1), label=t("attention_view"), elem_id="attention-view",
                   js_on_load=(ASSETS / "attention_view.js").read_text())
    with gr.Accordion(t("all_heads"), open=True):
        grid = gr.HTML(elem_id="attention-grid", js_on_load=(ASSETS / "pick.js").read_text())
        marker = gr.HTML(render_inside.heads_marker(1, 1), elem_id="attention-grid-marker", js_on_load=None)
    with gr.Accordion(t("layer_json"), open=False):
        data = gr.JSON(label=t("layer_json_label"), elem_id="attention-json")

    gr.on([show.click, text.submit], attention, [text, model, layer, head],
          [state, layer, head, summary, view, data], api_name="attention", **group("inspect"),
          ).success(overview, [state, layer, head], [grid, marker], api_visibility="private")
    gr.on([layer.input, head.input], redraw, [state, layer, head], [view, marker, data],
          api_visibility="private", show_progress="hidden")
    grid.click(pick, state, [layer, head, view, marker, data], api_visibility="private",
               show_progress="hidden")
