"""Summarize tab: extractive (central sentences, highlighted in the text) and abstractive (streamed)."""
import gradio as gr

from core import summarize as core
from demos.i18n import request_lang, t
from demos.progress import Readable
from demos.render_passages import support_html
from demos.render_tasks import chunk_summaries, summary_info
from demos.widgets import Session, examples, group, model_menu, user_errors

TITLE = t("tab_summarize")


# --- events ------------------------------------------------------------------------------------

@user_errors
def summarize_read_file(path: str | None) -> tuple[str, None]:
    """The text of an uploaded TXT, MD, PDF or HTML document, put into the text box (and the
    upload box emptied, ready for the next file)."""
    return core.read_file(path), None


@user_errors
def summarize_extractive(text: str, sentences: int = 3, ratio_percent: float = 0,
                         method: str = "textrank", diversity: float = 0.3, request: gr.Request = None):
    """Extractive summary: the most central sentences of the text, verbatim and in their original order.

    Args:
        text: the text to summarise (up to 200,000 characters).
        sentences: how many sentences to keep, 1-20 (used when ratio_percent is 0).
        ratio_percent: keep this percentage of the sentences instead, 0-100 (0 = use `sentences`).
        method: "textrank" (PageRank over the sentence-similarity graph) or "centroid" (closeness to the mean sentence embedding).
        diversity: 0-1; higher passes over sentences close to ones already chosen.
    Returns:
        the summary, the source with the chosen sentences highlighted, and a line saying which
        method and embedding model chose them.
    """
    result = core.extract(text, sentences=sentences, ratio=(ratio_percent or 0) / 100,
                          method=method, diversity=diversity)
    info = summary_info("extractive", f"ranked by {result.method}", result.model, result.notes,
                        f"{len(result.chosen)} of {len(result.spans)} sentences", request_lang(request))
    return result.summary, result.highlights(), info


@user_errors
def summarize_abstractive(text: str, model: str = "", max_new_tokens: int = 128, num_beams: int = 1,
                          request: gr.Request = None, progress=gr.Progress()):
    """Abstractive summary written by a model, streamed as it is written. Long texts are
    summarised chunk by chunk, then the chunk summaries are combined.

    Args:
        text: the text to summarise (up to 200,000 characters).
        model: a summarization model id from the list; leave it out for the default (a seq2seq summarizer from the Hub when reachable, else the chat model with a prompt).
        max_new_tokens: the longest summary, in tokens (8-512).
        num_beams: 1 = greedy decoding, streamed token by token; more (up to 8) = beam search: better wording, slower, shown when each chunk is done.
    Numbers and names can only be copied from the text while the model writes; sentences that
    still state one the text does not have are dropped, and when nothing is left (or no model
    can be loaded) the extractive summary is returned instead, with a note.

    Returns:
        the summary, a line saying which model and method wrote it (and whether the text was
        chunked), the summaries of the chunks when there were several, the summary with every
        number, date, name and word marked supported / unsupported by the text, and those
        marks as JSON (with the count of unsupported items).
    """
    lang = request_lang(request)
    readable = Readable(progress, lang)
    for update in core.summarize_stream(text, max_new_tokens=max_new_tokens, num_beams=num_beams,
                                        model_id=model or None):
        readable((update.step, update.steps), update.stage)
        kind = "extractive_instead" if update.extractive else "abstractive"
        yield (update.text, summary_info(kind, update.method, update.model, update.notes, update.stage, lang),
               chunk_summaries(update.chunk_summaries, lang),
               support_html(update.text, update.support, "summary", lang), update.support)


# --- the tab -----------------------------------------------------------------------------------

def build(session: Session) -> None:
    articles = core.example_articles()
    gr.Markdown(t("summarize_how"))
    with gr.Row():
        with gr.Column(scale=1):
            text = gr.Textbox(label=t("text"), lines=14, max_lines=24, max_length=core.MAX_CHARS,
                              elem_id="summarize-text",
                              placeholder=t("summarize_placeholder"))
            upload = gr.File(label=t("summarize_upload"), type="filepath",
                             file_types=[".txt", ".md", ".pdf", ".html", ".htm"], height=90,
                             elem_id="summarize-file")
            examples([[a["text"]] for a in articles] + [["\n\n".join(a["text"] for a in articles)]],
                     text, [a["title"] for a in articles] + [t("long_example")])
        with gr.Column(scale=1):
            with gr.Group():
                gr.Markdown(t("extractive_head"), padding=True)
                with gr.Row():
                    sentences = gr.Slider(1, 20, value=3, step=1, label=t("sentences"),
                                          elem_id="summarize-sentences")
                    ratio = gr.Slider(0, 100, value=0, step=5, label=t("ratio"),
                                      elem_id="summarize-ratio")
                with gr.Row():
                    method = gr.Radio([("TextRank", "textrank"), (t("centroid"), "centroid")],
                                      value="textrank", label=t("ranking"), elem_id="summarize-method")
                    diversity = gr.Slider(0, 1, value=0.3, step=0.05, label=t("diversity"),
                                          elem_id="summarize-diversity")
                extract_button = gr.Button(t("extract_run"), variant="primary",
                                           elem_id="summarize-extract")
                extracted = gr.Textbox(label=t("extractive_summary"), lines=4, elem_id="summarize-extractive")
                extract_info = gr.Markdown(label=t("how_made"), elem_id="summarize-extractive-info")
            with gr.Group():
                gr.Markdown(t("abstractive_head"), padding=True)
                model = model_menu("summarization", "summarize-model",
                                   allow_custom_value=True)  # API callers may leave it blank
                with gr.Row():
                    length = gr.Slider(core.LENGTH[0], core.LENGTH[1], value=128, step=8,
                                       label=t("summary_length"), elem_id="summarize-length")
                    beams = gr.Slider(core.BEAMS[0], core.BEAMS[1], value=1, step=1,
                                      label=t("beams"),
                                      elem_id="summarize-beams")
                with gr.Row():
                    write_button = gr.Button(t("write_run"), variant="primary", elem_id="summarize-write")
                    stop_button = gr.Button(t("stop"), variant="stop", elem_id="summarize-stop")
                written = gr.Textbox(label=t("abstractive_summary"), lines=6, elem_id="summarize-abstractive")
                write_info = gr.Markdown(label=t("model_method"), elem_id="summarize-abstractive-info")
                support = gr.HTML(label=t("summary_support"),
                                  elem_id="summarize-support")
                with gr.Accordion(t("support_json"), open=False):
                    support_json = gr.JSON(label=t("support_marks"), elem_id="summarize-support-json")
                with gr.Accordion(t("chunk_accordion"), open=False):
                    chunk_summaries = gr.Markdown(label=t("chunk_label"), elem_id="summarize-chunks")
    highlighted = gr.HighlightedText(label=t("highlighted"),
                                     color_map={"summary": "#ffd54f"}, show_legend=False,
                                     show_inline_category=False, elem_id="summarize-highlighted")

    upload.upload(summarize_read_file, upload, [text, upload], api_visibility="private")
    extract_button.click(summarize_extractive, [text, sentences, ratio, method, diversity],
                         [extracted, highlighted, extract_info], api_name="summarize_extractive",
                         **group("extractive"))
    writing = write_button.click(summarize_abstractive, [text, model, length, beams],
                                 [written, write_info, chunk_summaries, support, support_json],
                                 api_name="summarize_abstractive",
                                 show_progress_on=write_info,  # keep the streamed text visible
                                 **group("generation"))
    stop_button.click(None, cancels=[writing])
