"""Generate tab: stream a completion and watch the next-token distribution at every step; score a text."""
import gradio as gr

from core import generation
from core.generation import scoring
from core.generation.prompts import MAX_PROMPT_CHARS
from demos import render
from demos.i18n import request_lang, t
from demos.widgets import (Session, group, settings_controls, settings_dict, stop_button, token_colours,
                           token_view, user_errors, view_updates)

TITLE = t("tab_generate")
CSS = """
#generate-tokens span, #chat-tokens span { cursor: pointer; }
.step-chart { min-height: 260px; }
"""
EXAMPLES = ["The capital of France is", "Once upon a time, in a small village,",
            "def fibonacci(n):", "The three primary colours are"]


# --- this tab's events -----------------------------------------------------------------------

@user_errors
def generate_stream(prompt: str, model: str | None = None, max_new_tokens: int = 64,
                    temperature: float = 0.7, top_k: int = 50, top_p: float = 0.95,
                    repetition_penalty: float = 1.1, stop: str = "", seed: int | None = None,
                    request: gr.Request = None):
    """Continue a text prompt with a language model; returns the text, the probability of every
    token, and every step's top candidates.

    Args:
        prompt: the text to continue (at most 20,000 characters).
        model: a generation model id from the list; leave it out for the default.
        max_new_tokens: at most this many new tokens (1-1024).
        temperature: 0 = greedy (always the most likely token); higher = more random (0-2).
        top_k: sample only from the k most likely tokens (0 = off, up to 200).
        top_p: sample only from the most likely tokens whose probabilities add up to p (0.01-1; 1 = off).
        repetition_penalty: above 1 discourages repeating tokens already in the text (1-2).
        stop: stop strings, one per line (at most 1,000 characters); the text ends before the first found.
        seed: a whole number (1 or more) for reproducible sampling; 0 or left out for a random one (the run reports it).
    Returns:
        the tokens coloured by probability; a summary line (model, device, tokens/s, time to first token); the run as JSON: text, stats, and for each step the top candidates as the model gives them, after temperature, and after top-k/top-p, with the token drawn.
    """
    settings = settings_dict(max_new_tokens, temperature, top_k, top_p, repetition_penalty, stop, seed)
    updates = generation.stream(prompt, model_id=model or None, **settings)
    for *values, _ in view_updates(updates, request_lang(request)):
        yield values


@user_errors
def generate_score(text: str, model: str | None = None, request: gr.Request = None):
    """Score a text: how expected each token is under a language model, the total log-probability
    and the perplexity.

    Args:
        text: the text to score (at most 20,000 characters; the model reads its first 4,096 tokens).
        model: a generation model id from the list; leave it out for the default.
    Returns:
        the tokens coloured by probability; a summary (perplexity, least expected tokens, model); the full result as JSON.
    """
    result = scoring.score(text, model_id=model or None).to_dict()
    return render.score_spans(result), render.score_summary(result, request_lang(request)), result


def build(session: Session) -> None:
    gr.Markdown(t("generate_how"))
    with gr.Row():
        with gr.Column(scale=3):
            prompt = gr.Textbox(label=t("prompt"), lines=4, placeholder=t("prompt_placeholder"),
                                max_length=MAX_PROMPT_CHARS, elem_id="generate-prompt")
            with gr.Row():
                run_button = gr.Button(t("generate_run"), variant="primary", elem_id="generate-run")
                stop = gr.Button(t("stop"), variant="stop", elem_id="generate-stop")
            gr.Examples(EXAMPLES, prompt, label=t("examples"))
            view = token_view("generate", [run_button.click, prompt.submit])
        with gr.Column(scale=1):
            settings = settings_controls("generate")
    with gr.Accordion(t("score_accordion"), open=False):
        text = gr.Textbox(label=t("score_text"), lines=4, max_length=MAX_PROMPT_CHARS, elem_id="score-text")
        score_button = gr.Button(t("score_run"), elem_id="score-run")
        scored = token_colours(t("score_tokens"), "score-tokens")
        score_info = gr.Markdown(label=t("score_info"), elem_id="score-info")
        with gr.Accordion(t("score_json"), open=False):
            score_json = gr.JSON(label=t("score_json_label"), elem_id="score-json")

    running = gr.on([run_button.click, prompt.submit], generate_stream, [prompt] + settings,
                    view, api_name="generate_stream", **group("generation"))
    stop_button(stop, running, view)
    score_button.click(generate_score, [text, settings[0]], [scored, score_info, score_json],
                       api_name="generate_score", **group("generation"))
