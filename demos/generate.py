"""Generate tab: stream a completion and watch the next-token distribution at every step; score a text."""
import gradio as gr

from core import generate, scoring, tokenview
from core.loader import ModelUnavailable, choices
from core.sampling import LIMITS, STAGES

TITLE = "Generate"
ERRORS = (generate.GenerationError, ModelUnavailable)
CSS = """
#generate-tokens span, #chat-tokens span { cursor: pointer; }
.step-chart { min-height: 260px; }
"""
EXAMPLES = ["The capital of France is", "Once upon a time, in a small village,",
            "def fibonacci(n):", "The three primary colours are"]


# --- pieces shared with the Chat tab ---------------------------------------------------------

def model_choices() -> list[tuple[str, str]]:
    return [(f"{c.label} ({c.source})", c.id) for c in choices("generation")]


def settings_controls(prefix: str, max_new_tokens: int = 64,
                      temperature: float = 0.7) -> list[gr.components.Component]:
    """Model picker and sampling settings, in the order generate.stream takes them."""
    models = model_choices()
    model = gr.Dropdown(models, value=models[0][1] if models else None, label="Model",
                        elem_id=f"{prefix}-model")
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


def friendly(call, *args, **kwargs):
    """call(*args, **kwargs), with a core error shown to the user as a message."""
    try:
        return call(*args, **kwargs)
    except ERRORS as err:
        raise gr.Error(str(err)) from None


def settings_dict(max_new_tokens, temperature, top_k, top_p, repetition_penalty, stop, seed) -> dict:
    return dict(max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k, top_p=top_p,
                repetition_penalty=repetition_penalty, seed=seed,
                stop=[s for s in (stop or "").splitlines() if s])


def token_view(prefix: str):
    """Coloured tokens, step picker and the three-stage charts; returns the components."""
    tokens = gr.HighlightedText(label="Generated tokens: colour = probability of the drawn token "
                                "(click a token to see its step)", color_map=tokenview.BAND_COLORS,
                                show_legend=True, combine_adjacent=False, elem_id=f"{prefix}-tokens")
    info = gr.Markdown(elem_id=f"{prefix}-info")
    with gr.Accordion("Next-token view: candidates at each step", open=True):
        step = gr.Slider(0, 1, value=0, step=1, label="Step", elem_id=f"{prefix}-step")
        caption = gr.Markdown(elem_id=f"{prefix}-step-caption")
        with gr.Row():
            charts = [gr.BarPlot(x="token", y="prob", color="kind", sort="-y", y_lim=[0, 1],
                                 title=tokenview.STAGE_TITLES[stage], x_title="", y_title="probability",
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
    frames, caption = tokenview.step_frames(run, index)
    return *frames, caption


def pick_step(run: dict | None, event: gr.SelectData):
    index = event.index[0] if isinstance(event.index, (list, tuple)) else event.index
    return index, *show_step(run, index)


def view_updates(updates):
    """Values for token_view's components after each Update (the heavier ones throttled),
    with the Update itself last."""
    try:
        for update, redraw in tokenview.throttled(updates):
            run = update.to_dict(steps=redraw)
            spans, info = tokenview.generation_spans(update), tokenview.run_summary(run)
            if not redraw:
                yield (spans, info) + (gr.skip(),) * (3 + len(STAGES)) + (update,)
                continue
            last = max(len(run["steps"]) - 1, 0)
            frames, caption = tokenview.step_frames(run, last)
            slider = gr.Slider(0, max(last, 1), value=last, step=1)
            yield (spans, info, run, slider, *frames, caption, update)
    except ERRORS as err:
        raise gr.Error(str(err)) from None


# --- this tab's events -----------------------------------------------------------------------

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
    for *values, _ in view_updates(generate.stream(prompt, model_id=model or None, **settings)):
        yield values


def generate_score(text: str, model: str):
    """Score a text: each token's probability under the model, total log-probability, perplexity.

    Args:
        text: any text.
        model: generation model id; blank for the default.
    Returns:
        the tokens coloured by probability, a summary (perplexity, least expected tokens,
        model), and the full result as JSON.
    """
    result = friendly(scoring.score, text, model_id=model or None).to_dict()
    return tokenview.score_spans(result), tokenview.score_summary(result), result


def build() -> None:
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
                                    color_map=tokenview.BAND_COLORS, elem_id="score-tokens")
        score_info = gr.Markdown(elem_id="score-info")
        with gr.Accordion("Score as JSON", open=False):
            score_json = gr.JSON(elem_id="score-json")

    running = gr.on([run_button.click, prompt.submit], generate_stream, [prompt] + settings,
                    view, api_name="generate_stream",
                    concurrency_id="generation", concurrency_limit=1)
    stop_button.click(None, cancels=[running])
    score_button.click(generate_score, [text, settings[0]], [scored, score_info, score_json],
                       api_name="generate_score", concurrency_id="generation")
