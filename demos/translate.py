"""Translate tab: English <-> Chinese, streamed; a translation model where one can be had, else the
chat model with a prompt (and a caveat saying how much to trust it)."""
import gradio as gr

from core import translate as core
from demos.render import support_html, translation_info
from demos.widgets import Session, model_menu, user_errors

TITLE = "Translate"
DIRECTIONS = [("Detect", "auto"), ("English → Chinese", "en-zh"), ("Chinese → English", "zh-en")]
EXAMPLES = ["The city will replace all of its diesel buses with electric ones by 2030.",
            "Astronomers say light pollution hides most stars from people who live in cities.",
            "今天天气很好，我们下午三点去公园散步。",
            "这家图书馆收藏了一万两千本关于语言学的书。"]


@user_errors
def translate(text: str, direction: str = "auto", model: str = ""):
    """Translate between English and Chinese, streamed as it is written.

    Args:
        text: the text to translate (up to 5,000 characters; paragraphs are kept).
        direction: "auto" (English or Chinese, by the script), "en-zh" or "zh-en".
        model: a translation model id from the Model menu; blank picks the best one for the
            direction (a Helsinki-NLP opus-mt model where reachable, else the chat model with a
            translation prompt, which translates poorly and says so).
    Returns:
        the translation, a line saying the direction, the model and method, with notes and caveats,
        the numbers and dates of the translation (and names, into Chinese) marked as found in the source
        or not (HTML), and, when done, the whole result as JSON (its "marks" field has those marks).
    """
    for update in core.translate_stream(text, direction, model or None):
        if not update.done:
            yield update.text, translation_info(update), gr.skip(), gr.skip()
            continue
        yield (update.text, translation_info(update),
               support_html(update.text, update.marks, "translation"), update.to_dict())


def build(session: Session) -> None:
    gr.Markdown("Translate between English and Chinese. A translation model (Helsinki-NLP opus-mt, "
                "a Marian encoder-decoder) is used wherever it can be had; offline, the chat model is "
                "asked to translate, which a model this small does badly: the result says so.")
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label="Text", lines=8, max_lines=20, max_length=core.MAX_CHARS, elem_id="translate-text",
                              placeholder="English or Chinese text")
            with gr.Row():
                direction = gr.Radio(DIRECTIONS, value="auto", label="Direction", elem_id="translate-direction")
                model = model_menu("translation", "translate-model", automatic="Automatic (by direction)",
                                   allow_custom_value=True)
            with gr.Row():
                run = gr.Button("Translate", variant="primary", elem_id="translate-run")
                stop = gr.Button("Stop", variant="stop", elem_id="translate-stop")
            gr.Examples([[e] for e in EXAMPLES], text)
        with gr.Column():
            output = gr.Textbox(label="Translation", lines=8, elem_id="translate-output")
            info = gr.Markdown(label="How it was translated", elem_id="translate-info")
            marks = gr.HTML(label="Numbers and names checked against the source", elem_id="translate-marks")
            with gr.Accordion("The result as JSON", open=False):
                as_json = gr.JSON(label="Result", elem_id="translate-json")
    running = gr.on([run.click, text.submit], translate, [text, direction, model], [output, info, marks, as_json],
                    api_name="translate", show_progress_on=info, concurrency_id="generation",
                    concurrency_limit=1)
    stop.click(None, cancels=[running])
