"""Compression tab: the chat model at fp32, bf16, int8 and 4-bit side by side, measured live on
the person's text: size, speed, how far its predictions move, perplexity and its greedy answer."""
import gradio as gr
import pandas as pd

from core.compress import MAX_NEW_TOKENS
from core.compress import compare as core
from demos import i18n, render_inside
from demos.i18n import request_lang, t
from demos.widgets import Session, group, model_menu, user_errors

TITLE = t("tab_compression")
VARIANTS = [(t("variant_fp32"), "fp32"), ("bf16", "bf16"), (t("variant_int8"), "int8"),
            (t("variant_int8w"), "int8-weights"), (t("variant_q4"), "q4")]
TEXT = ("The transformer reads a whole sequence at once. Each layer lets every token look at the "
        "others through attention, then passes the result through a small feed-forward network. "
        "Stacking a few dozen such layers, and training them to predict the next word on a large "
        "amount of text, gives a model that can continue a sentence, answer a question or "
        "summarise an article. Smaller numbers for its weights make it cheaper to store and run, "
        "but every rounding moves its predictions a little.")
PROMPT = "What is the capital of France?"


@user_errors
def compression_compare(text: str, prompt: str = PROMPT, variants: list[str] | None = None,
                        max_new_tokens: int = 24, model: str = "", request: gr.Request = None):
    """Compare the chat model at fp32, bf16, int8 and 4-bit on a text and a prompt, live.

    Args:
        text: the text to measure on (up to 6,000 characters; the first 256 tokens are scored).
        prompt: a question or instruction; each variant answers it greedily (at most 1,000 characters; default: a question about France).
        variants: leave out for all; or any of "fp32", "bf16", "int8" (torch dynamic quantization), "int8-weights"
            (int8 weights, fp32 activations), "q4" (the 4-bit GGUF via llama.cpp); fp32 is
            always measured, as the reference.
        max_new_tokens: tokens per greedy answer (1-64).
        model: generation model id; blank for the default.
    Returns:
        a table with one row per variant (size on disk and in memory, time to first token,
        tokens/s, top-1 agreement and KL against fp32, perplexity, greedy answer), a status and
        notes line (with the load average), and the whole measurement as JSON. Streams: the
        table fills in as each variant is measured.
    """
    lang = request_lang(request)
    for progress in core.compare(text, prompt, variants or core.DEFAULT, max_new_tokens, model or None):
        yield (render_inside.compression_frame(progress, lang), render_inside.compression_markdown(progress, lang),
               progress.to_dict())


def empty_table(locale: str = "en") -> pd.DataFrame:
    return render_inside.compression_frame(None, i18n.lang(locale))


def build(session: Session) -> None:
    gr.Markdown(t("compression_how"))
    with gr.Row():
        with gr.Column(scale=3):
            text = gr.Textbox(TEXT, label=t("compression_text"), lines=6, max_lines=14,
                              max_length=core.MAX_TEXT_CHARS, elem_id="compression-text")
            prompt = gr.Textbox(PROMPT, label=t("compression_prompt"),
                                max_length=core.MAX_PROMPT_CHARS, elem_id="compression-prompt")
        with gr.Column(scale=2):
            variants = gr.CheckboxGroup(VARIANTS, value=[v for _, v in VARIANTS], label=t("variants"),
                                        elem_id="compression-variants")
            tokens = gr.Slider(1, MAX_NEW_TOKENS, value=24, step=1, label=t("new_tokens"),
                               elem_id="compression-tokens")
            model = model_menu("generation", "compression-model")
            run = gr.Button(t("compare"), variant="primary", elem_id="compression-run")
    status = gr.Markdown(label=t("status_notes"), elem_id="compression-status")
    table = gr.Dataframe(headers=render_inside.COMPRESSION_COLUMNS, interactive=False, wrap=True,
                         column_widths=["8%", "10%", "6%", "7%", "6%", "6%", "7%", "7%", "8%", "35%"],
                         label=t("variants_measured"), elem_id="compression-table")
    with gr.Accordion(t("measurement_json"), open=False):
        data = gr.JSON(label=t("measurement_label"), elem_id="compression-json")
    # gradio does not translate a table's headers: the empty table gets them in the page's language
    locale = gr.Textbox("en", visible=False, max_length=16, label="Locale")
    gr.context.Context.root_block.load(empty_table, locale, table, js=i18n.LOCALE_JS, api_visibility="private",
                                       show_progress="hidden", queue=False)
    run.click(compression_compare, [text, prompt, variants, tokens, model], [table, status, data],
              api_name="compression_compare", **group("compression"))
