"""Sentiment tab: label + probabilities, word attribution, and whole files."""
import gradio as gr

from core import sentiment
from core.sentiment import batch as sentiment_batch
from core.sentiment.text import MAX_CHARS
from demos import sessions
from demos.finetune import sentiment_hook
from demos.i18n import request_lang, t, text
from demos.progress import Readable
from demos.render_tasks import sentiment_markdown
from demos.widgets import Session, free_choice, group, user_errors

TITLE = t("tab_sentiment")
CSS = ""
SHOWN_ROWS = 500
EXAMPLES = ["This movie was not good at all.",
            "The first act is slow, but the payoff is more than worth the wait.",
            "Oh great, the app logged me out again.",
            "Friendly staff and the best pasta I've had in years."]
STRENGTH_COLORS = {"strongly positive": "#16a34a", "positive": "#86efac",
                   "negative": "#fca5a5", "strongly negative": "#dc2626"}


@user_errors
def sentiment_classify(texts: list[str]) -> tuple[list[dict], list[str]]:
    """Classify the sentiment of a text.

    Args:
        texts: the text to classify: a review, a comment, a sentence (at most 20,000 characters).
    Returns:
        the probability of every class (negative, neutral, positive; calibrated offline), and a
        Markdown line with the label, the predicted rating (-4..+4, offline model), notes about
        the input, and the model that answered.
    """
    # batch=True: concurrent requests arrive together and go through the model as one batch
    results = sentiment.classify(list(texts))
    return [r.scores or None for r in results], [sentiment_markdown(r) for r in results]


@user_errors
def sentiment_explain(text: str) -> list[tuple[str, str | None]]:
    """Show which words push the sentiment prediction (integrated gradients offline; occlusion,
    i.e. drop a word and see the change, for other models).

    Args:
        text: the text to explain (at most 20,000 characters).
    Returns:
        the text as spans; each word that matters is tagged "strongly positive", "positive",
        "negative" or "strongly negative" by how much it moves log P(positive) - log P(negative).
    """
    _, attribution = sentiment.explain(text)
    return attribution.categories()


@user_errors
def sentiment_file_columns(path: str | None):
    """Offer the text columns of an uploaded file."""
    if not path:
        return gr.update(choices=[], value=None)
    table = sentiment_batch.read_table(path)
    return gr.update(choices=table.text_columns, value=table.default_column)


@user_errors
def sentiment_batch_file(path: str | None, column: str | None = None, request: gr.Request = None,
                         progress=gr.Progress()):
    """Classify every row of a CSV/TSV (one column holds the texts) or TXT (one text per line).

    Args:
        path: the file; at most 10,000 rows and 20 MB.
        column: the name of the column holding the texts (CSV/TSV); leave it out to use the likeliest one.
    Returns:
        the rows with sentiment_label, a score per class and a note (first rows shown),
        the full result as a CSV file, and a Markdown summary.
    """
    if not path:
        raise gr.Error("Upload a CSV, TSV or TXT file first.")
    table = sentiment_batch.read_table(path)
    lang = request_lang(request)
    result = sentiment_batch.classify_table(table, column or table.default_column, progress=Readable(progress, lang))
    counts = ", ".join(f"{label}: {n:,}" for label, n in result.counts.items())
    shown = text("rows_shown", lang, n=SHOWN_ROWS) if len(result.frame) > SHOWN_ROWS else ""
    summary = (text("rows_line", lang, rows=f"{len(result.frame):,}", shown=shown, counts=counts) + "\n\n"
               f"<small>{text('model_line', lang, model=result.model)}</small>")
    return result.frame.head(SHOWN_ROWS), sessions.FILES.publish(result.csv_path, request), summary


def build(session: Session) -> None:
    gr.Markdown(t("sentiment_how"))
    with gr.Row():
        with gr.Column():
            text = gr.Textbox(label=t("text"), lines=4, max_length=MAX_CHARS, elem_id="sentiment-input",
                              placeholder=t("sentiment_placeholder"))
            run = gr.Button(t("classify"), variant="primary", elem_id="sentiment-classify")
            gr.Examples(EXAMPLES, inputs=text, label=t("examples"))
        with gr.Column():
            scores = gr.Label(label=t("sentiment"), elem_id="sentiment-label")
            info = gr.Markdown(label=t("calibration"), elem_id="sentiment-info")
            words = gr.HighlightedText(label=t("which_words"),
                                       color_map=STRENGTH_COLORS, show_legend=True,
                                       show_inline_category=False, elem_id="sentiment-words")
    with gr.Accordion(t("classify_file_accordion"), open=False):
        with gr.Row():
            upload = gr.File(label=t("file"), file_types=[".csv", ".tsv", ".txt"],
                             type="filepath", elem_id="sentiment-file")
            column = free_choice(gr.Dropdown(label=t("text_column"), choices=[], allow_custom_value=True,
                                             elem_id="sentiment-column"))
        run_file = gr.Button(t("classify_file"), elem_id="sentiment-run-file")
        batch_info = gr.Markdown(label=t("file_summary"), elem_id="sentiment-batch-info")
        table = gr.Dataframe(label=t("results"), interactive=False, elem_id="sentiment-table")
        download = gr.File(label=t("download_csv"), elem_id="sentiment-download")

    gr.on([run.click, text.submit], sentiment_classify, text, [scores, info], batch=True,
          max_batch_size=16, api_name="sentiment_classify", **group("sentiment"),
          ).then(sentiment_explain, text, words, api_name="sentiment_explain", **group("sentiment"))
    sentiment_hook(session, text, scores, info, words)  # the session's fine-tuned models (demos.finetune)
    upload.change(sentiment_file_columns, upload, column, api_visibility="private")
    run_file.click(sentiment_batch_file, [upload, column], [table, download, batch_info],
                   api_name="sentiment_batch", **group("sentiment-files"))
