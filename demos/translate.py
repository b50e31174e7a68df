"""Translate tab: English <-> Chinese, streamed; a translation model where one can be had, else the
chat model with a prompt (and a caveat saying how much to trust it)."""
import gradio as gr

from core import translate as core
from demos.i18n import request_lang, t
from demos.render_passages import support_html
from demos.render_tasks import translation_info
from demos.widgets import Session, model_menu, user_errors

TITLE = t("tab_translate")
DIRECTIONS = [(t("detect"), "auto"), (t("en_zh"), "en-zh"), (t("zh_en"), "zh-en")]
EXAMPLES = ["The city will replace all of its diesel buses with electric ones by 2030.",
            "Astronomers say light pollution hides most stars from people who live in cities.",
            "今天天气很好，我们下午三点去公园散步。",
            "这家图书馆收藏了一万两千本关于语言学的书。"]


@user_errors
def translate(text: str, direction: str = "auto", model: str = "", request: gr.Request = None):
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
    lang = request_lang(request)
    for update in core.translate_stream(text, direction, model or None):
        if not update.done:
            yield update.text, translation_info(update, lang), gr.skip(), gr.skip()
            continue
        yield (update.text, translation_info(update, lang),
               support_html(update.text, update.marks, "translation", lang), update.to_dict())


def build(session: Session) -> None:
    gr.Markdown(t("translate_how"))
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label=t("text"), lines=8, max_lines=20, max_length=core.MAX_CHARS, elem_id="translate-text",
                              placeholder=t("translate_placeholder"))
            with gr.Row():
                direction = gr.Radio(DIRECTIONS, value="auto", label=t("direction"), elem_id="translate-direction")
                model = model_menu("translation", "translate-model", automatic=t("automatic"),
                                   allow_custom_value=True)
            with gr.Row():
                run = gr.Button(t("translate_run"), variant="primary", elem_id="translate-run")
                stop = gr.Button(t("stop"), variant="stop", elem_id="translate-stop")
            gr.Examples([[e] for e in EXAMPLES], text, label=t("examples"))
        with gr.Column():
            output = gr.Textbox(label=t("translation"), lines=8, elem_id="translate-output")
            info = gr.Markdown(label=t("how_translated"), elem_id="translate-info")
            marks = gr.HTML(label=t("translate_marks"), elem_id="translate-marks")
            with gr.Accordion(t("result_json"), open=False):
                as_json = gr.JSON(label=t("result"), elem_id="translate-json")
    running = gr.on([run.click, text.submit], translate, [text, direction, model], [output, info, marks, as_json],
                    api_name="translate", show_progress_on=info, concurrency_id="generation",
                    concurrency_limit=1)
    stop.click(None, cancels=[running])
