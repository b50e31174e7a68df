"""Compression tab: the chat model at fp32, bf16, int8 and 4-bit side by side, measured live on
the person's text: size, speed, how far its predictions move, perplexity and its greedy answer."""
import gradio as gr

from core.compress import MAX_NEW_TOKENS, MAX_TEXT_TOKENS
from core.compress import compare as core
from demos import render_inside
from demos.widgets import Session, group, model_menu, user_errors

TITLE = "Compression"
VARIANTS = [("fp32 (reference)", "fp32"), ("bf16", "bf16"), ("int8 dynamic (torch)", "int8"),
            ("int8 weights only", "int8-weights"), ("4-bit GGUF (llama.cpp)", "q4")]
TEXT = ("The transformer reads a whole sequence at once. Each layer lets every token look at the "
        "others through attention, then passes the result through a small feed-forward network. "
        "Stacking a few dozen such layers, and training them to predict the next word on a large "
        "amount of text, gives a model that can continue a sentence, answer a question or "
        "summarise an article. Smaller numbers for its weights make it cheaper to store and run, "
        "but every rounding moves its predictions a little.")
PROMPT = "What is the capital of France?"
INTRO = f"""Compression stores the same weights in fewer bits. Each row below is **the same model**
at another precision, measured now on this machine (2 CPU cores shared with other users, so the
timings move with the load, given below). **Top-1 agreement** is the share of positions in your
text where the variant's most likely next token is fp32's; **KL** is the mean KL(P<sub>fp32</sub> ‖
P<sub>variant</sub>) over those positions, in nats (0 = identical distributions); **perplexity**
is exp of the mean negative log-probability of your text's actual next tokens. Up to
{MAX_TEXT_TOKENS} tokens of the text are scored and answers are greedy. Offline, the fp32 model is
itself converted from the bundled 4-bit GGUF, so its weights already carry 4-bit rounding: the
4-bit row then differs from fp32 only by how llama.cpp computes, not by its weights. The first run
builds each variant (seconds each); later runs reuse them."""


@user_errors
def compression_compare(text: str, prompt: str = PROMPT, variants: list[str] | None = None,
                        max_new_tokens: int = 24, model: str = ""):
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
    for progress in core.compare(text, prompt, variants or core.DEFAULT, max_new_tokens, model or None):
        yield render_inside.compression_frame(progress), render_inside.compression_markdown(progress), progress.to_dict()


def build(session: Session) -> None:
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=3):
            text = gr.Textbox(TEXT, label="Text to measure on", lines=6, max_lines=14,
                              max_length=core.MAX_TEXT_CHARS, elem_id="compression-text")
            prompt = gr.Textbox(PROMPT, label="Prompt for the greedy answers",
                                max_length=core.MAX_PROMPT_CHARS, elem_id="compression-prompt")
        with gr.Column(scale=2):
            variants = gr.CheckboxGroup(VARIANTS, value=[v for _, v in VARIANTS], label="Variants",
                                        elem_id="compression-variants")
            tokens = gr.Slider(1, MAX_NEW_TOKENS, value=24, step=1, label="New tokens per answer",
                               elem_id="compression-tokens")
            model = model_menu("generation", "compression-model")
            run = gr.Button("Compare", variant="primary", elem_id="compression-run")
    status = gr.Markdown(elem_id="compression-status")
    table = gr.Dataframe(headers=render_inside.COMPRESSION_COLUMNS, interactive=False, wrap=True,
                         column_widths=["8%", "10%", "6%", "7%", "6%", "6%", "7%", "7%", "8%", "35%"],
                         elem_id="compression-table")
    with gr.Accordion("The measurement as JSON", open=False):
        data = gr.JSON(elem_id="compression-json")
    run.click(compression_compare, [text, prompt, variants, tokens, model], [table, status, data],
              api_name="compression_compare", **group("compression"))
