"""Generate tab: stream a completion and watch the next-token distribution at every step; score a text."""
import gradio as gr

from core import generation
from core.generation import scoring
from demos import render
from demos.widgets import (GENERATION_QUEUE, Session, settings_controls, settings_dict, token_view, user_errors,
                           view_updates)

TITLE = "Generate"
CSS = """
#generate-tokens span, #chat-tokens span { cursor: pointer; }
.step-chart { min-height: 260px; }
"""
EXAMPLES = ["The capital of France is", "Once upon a time, in a small village,",
            "def fibonacci(n):", "The three primary colours are"]


# --- this tab's events -----------------------------------------------------------------------

@user_errors
def generate_stream(prompt: str, model: str, max_new_tokens: int, temperature: float, top_k: int,
                    top_p: float, repetition_penalty: float, stop: str, seed: int | None):
    """Continue a text prompt, streaming tokens; at the end, every step's candidates as JSON.

    Args:
        prompt: the text to continue.
        model: generation model id (see the Model dropdown); blank for the default.
        max_new_tokens: at most this many tokens (1-1024).
        temperature: 0 = greedy; higher = more random (0-2).
        top_k: keep only the k most likely tokens (0 = off).
        top_p: keep the smallest set of tokens whose probability adds up to p (1 = off).
        repetition_penalty: >1 discourages repeating tokens already in the text (1-2).
        stop: stop strings, one per line; the text ends before the first one found.
        seed: random seed for reproducible sampling; blank = random (the run reports it).
    Returns:
        the tokens coloured by probability, a summary line (model, device, tokens/s, time to
        first token), and the run: text, stats, and for each step the top candidates
        (a) as the model gives them, (b) after temperature, (c) after top-k/top-p, with the
        token drawn and its probability.
    """
    settings = settings_dict(max_new_tokens, temperature, top_k, top_p, repetition_penalty, stop, seed)
    for *values, _ in view_updates(generation.stream(prompt, model_id=model or None, **settings)):
        yield values


@user_errors
def generate_score(text: str, model: str):
    """Score a text: each token's probability under the model, total log-probability, perplexity.

    Args:
        text: any text.
        model: generation model id; blank for the default.
    Returns:
        the tokens coloured by probability, a summary (perplexity, least expected tokens,
        model), and the full result as JSON.
    """
    result = scoring.score(text, model_id=model or None).to_dict()
    return render.score_spans(result), render.score_summary(result), result


def build(session: Session) -> None:
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label="Prompt", lines=4, placeholder="Text for the model to continue",
                                elem_id="generate-prompt")
            with gr.Row():
                run_button = gr.Button("Generate", variant="primary", elem_id="generate-run")
                stop_button = gr.Button("Stop", variant="stop", elem_id="generate-stop")
            gr.Examples(EXAMPLES, prompt)
            view = token_view("generate")
        with gr.Column(scale=1):
            settings = settings_controls("generate")
    with gr.Accordion("Score a text: how expected is each token?", open=False):
        text = gr.Textbox(label="Text to score", lines=4, elem_id="score-text")
        score_button = gr.Button("Score", elem_id="score-run")
        scored = gr.HighlightedText(label="Tokens coloured by probability", show_legend=True,
                                    color_map=render.BAND_COLORS, elem_id="score-tokens")
        score_info = gr.Markdown(elem_id="score-info")
        with gr.Accordion("Score as JSON", open=False):
            score_json = gr.JSON(elem_id="score-json")

    running = gr.on([run_button.click, prompt.submit], generate_stream, [prompt] + settings,
                    view, api_name="generate_stream",
                    **GENERATION_QUEUE)
    stop_button.click(None, cancels=[running])
    score_button.click(generate_score, [text, settings[0]], [scored, score_info, score_json],
                       api_name="generate_score", **GENERATION_QUEUE)
