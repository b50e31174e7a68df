"""Fine-tune tab: labelled examples -> a classifier on the embedding model, trained in the background
with a live curve; before/after predictions on held-out examples; then usable in the Sentiment tab
(this session only). Also the Sentiment tab's small hook for those models (sentiment_hook)."""
import gradio as gr

from core import finetune, sentiment
from core.finetune.data import MAX_TYPED_CHARS
from demos import render_tasks, widgets
from demos.i18n import request_lang, t
from demos.widgets import Session, free_choice, user_errors

TITLE = t("tab_finetune")
EXAMPLE = """positive: The staff were friendly and the room was spotless.
positive: Great value, I would happily come back.
positive: The food arrived hot and tasted wonderful.
positive: A lovely quiet place with a beautiful view.
negative: The room smelled of smoke and the sheets were stained.
negative: We waited an hour and nobody apologised.
negative: Overpriced, noisy and the wifi never worked.
negative: The shower was cold every single morning.
positive: Check-in took two minutes and they upgraded us.
negative: The bed was so soft my back still hurts."""
TOPICS = """sport: The striker scored twice as the home side came back to win 3-2.
sport: She won her third straight title on the clay courts of Madrid.
sport: The coach was sacked after a run of seven defeats.
politics: The minister resigned after the vote on the budget was lost.
politics: Parliament will debate the new immigration bill next week.
politics: The opposition leader called for an early election.
tech: The new phone has a faster chip and a bigger battery.
tech: Hackers stole the passwords of two million users.
tech: The company released an update that fixes the crashing app.
sport: Rain delayed the final match of the cricket series.
politics: Voters in the capital queued for hours at polling stations.
tech: Engineers built a chip that runs language models on a watch."""


@user_errors
def finetune_file_columns(path: str | None):
    """The text and label columns of an uploaded CSV/TSV (guessed), offered in the two menus."""
    if not path or not path.lower().endswith((".csv", ".tsv")):
        return gr.update(choices=[], value=None), gr.update(choices=[], value=None)
    table = finetune.table(path)
    text_column, label_column = finetune.columns(table)
    names = [str(c) for c in table.frame.columns]
    return gr.update(choices=names, value=text_column), gr.update(choices=names, value=label_column)


@user_errors
def finetune_train(examples: str = "", file: str | None = None, text_column: str | None = None,
                   label_column: str | None = None, method: str = "lora", epochs: int = 10, models=None,
                   request: gr.Request = None):
    """Fine-tune a text classifier on labelled examples (any label names), streaming its progress.

    The classifier is the all-MiniLM-L6-v2 embedding model with a linear head; "lora" also trains
    LoRA adapters in the encoder, "head" trains the head only (faster). About a fifth of the
    examples (at least one per label) are held out to show predictions before and after training.
    Bounds: at most 2,000 examples and 20 labels, each label at least 2 examples, 60 s of training
    per job (the default budget), one running job per session.

    Args:
        examples: one example a line, "label: text" (e.g. "sport: The match ended 2-1"), at most 200,000 characters; used when no file is given.
        file: a CSV or TSV with a text column and a label column (or a .txt of "label: text" lines).
        text_column: the file's text column; blank to guess.
        label_column: the file's label column; blank to guess (a column named "label" is taken).
        method: "lora" (adapters + head) or "head" (head only).
        epochs: passes over the training examples (1-30); training also stops at the time budget.
    Returns:
        the job's status, the training loss per step, the held-out accuracy per epoch, the held-out
        examples with their labels before and after training, the model's key (pass it to
        sentiment_finetuned, in this session), and everything as JSON.
    """
    models, lang = finetune.session(models, request.session_hash if request else ""), request_lang(request)
    job = models.start(finetune.load(examples, file, text_column, label_column), method, epochs)
    for snap in job.follow():
        loss, accuracy = render_tasks.finetune_curves(snap)
        yield (render_tasks.finetune_markdown(snap, lang), loss, accuracy, render_tasks.finetune_predictions(snap), snap["key"],
               snap)
    if snap["state"] == "failed":
        raise finetune.FineTuneError(snap["error"])


@user_errors
def finetune_cancel(key: str, models=None) -> str:
    """Cancel a running fine-tuning job of this session.

    Args:
        key: the model key finetune_train returned (at most 64 characters).
    Returns:
        a line saying the job is being cancelled, or how it had already ended.
    """
    job = finetune.existing(models).get(key)
    if job.done:
        return f"The job had already ended: {job.state}."
    job.cancel()
    return "Cancelling… (the job stops after its current step; nothing is kept)."


@user_errors
def finetune_use(key: str, models=None):
    """Offer this session's models in the Sentiment tab, the chosen one selected."""
    models = finetune.existing(models)
    models.model(key)  # refuses a job that is still training, was cancelled or failed
    chosen = models.get(key)
    menu = [(job.name, job.key) for job in models.ready()]
    return (gr.update(choices=menu, value=chosen.key),
            f"**{chosen.name}** is selected in the Sentiment tab, under “Your fine-tuned models”.")


@user_errors
def sentiment_finetuned(text: str, model: str, models=None):
    """Classify a text with a classifier fine-tuned in this session (Fine-tune tab / finetune_train).

    Args:
        text: the text to classify (at most 20,000 characters).
        model: the model key finetune_train returned in this same session; models of other sessions cannot be used.
    Returns:
        the probability of each of the model's labels, a Markdown line with the label and the
        model, and which words pushed the prediction (occlusion).
    """
    result, attribution = sentiment.explain(text, model_id=finetune.existing(models).model(model))
    return result.scores, render_tasks.sentiment_markdown(result), attribution.categories()


def sentiment_hook(session: Session, text: gr.Textbox, scores: gr.Label, info: gr.Markdown,
                   words: gr.HighlightedText) -> None:
    """Inside the Sentiment tab: a menu of this session's fine-tuned models and a button that
    classifies the tab's text with the chosen one (into the tab's own outputs)."""
    with gr.Accordion(t("your_finetuned"), open=True):
        with gr.Row():
            menu = free_choice(gr.Dropdown(
                [], value=None, label=t("finetuned_menu"), allow_custom_value=True, scale=3,
                info=t("finetuned_info"),
                elem_id="sentiment-finetuned-model"))
            run = gr.Button(t("classify_with_it"), elem_id="sentiment-finetuned-run", scale=1)
    run.click(sentiment_finetuned, [text, menu, session.finetuned], [scores, info, words],
              api_name="sentiment_finetuned")
    session.finetuned_menu = menu


def build(session: Session) -> None:
    gr.Markdown(t("finetune_how"))
    with gr.Row():
        with gr.Column(scale=1):
            examples = gr.Textbox(label=t("examples_label"), lines=10, max_lines=20,
                                  max_length=MAX_TYPED_CHARS, value=EXAMPLE, elem_id="finetune-examples")
            widgets.examples([[EXAMPLE], [TOPICS]], examples, [t("example_hotel"), t("example_topics")])
            with gr.Accordion(t("csv_accordion"), open=False):
                upload = gr.File(label=t("file"), file_types=[".csv", ".tsv", ".txt"], type="filepath",
                                 elem_id="finetune-file")
                with gr.Row():
                    text_column = free_choice(gr.Dropdown([], label=t("text_column"), allow_custom_value=True,
                                                          elem_id="finetune-text-column"))
                    label_column = free_choice(gr.Dropdown([], label=t("label_column"), allow_custom_value=True,
                                                           elem_id="finetune-label-column"))
            with gr.Row():
                method = gr.Radio([(t(f"method_{key}"), key) for key in finetune.METHODS], value="lora",
                                  label=t("what_learns"), elem_id="finetune-method")
                epochs = gr.Slider(*finetune.EPOCHS, value=finetune.DEFAULT_EPOCHS, step=1, label=t("epochs"),
                                   elem_id="finetune-epochs")
            with gr.Row():
                train = gr.Button(t("train"), variant="primary", elem_id="finetune-train")
                cancel = gr.Button(t("cancel"), variant="stop", elem_id="finetune-cancel")
        with gr.Column(scale=1):
            status = gr.Markdown(label=t("status"), elem_id="finetune-status")
            with gr.Row():
                loss = gr.LinePlot(x="step", y="loss", title=t("training_loss"), label=t("training_loss"), height=220,
                                   elem_id="finetune-loss")
                accuracy = gr.LinePlot(x="epoch", y="accuracy", title=t("heldout_accuracy"), label=t("heldout_accuracy"),
                                       y_lim=[0, 1], height=220, elem_id="finetune-accuracy")
            predictions = gr.Dataframe(label=t("predictions"), interactive=False,
                                       wrap=True, elem_id="finetune-predictions")
            with gr.Row():
                key = gr.Textbox(label=t("model_key"), interactive=False,
                                 max_length=64, elem_id="finetune-key", scale=3)
                use = gr.Button(t("use_in_sentiment"), elem_id="finetune-use", scale=1,
                                visible=session.finetuned_menu is not None)
            with gr.Accordion(t("job_json"), open=False):
                as_json = gr.JSON(label=t("job"), elem_id="finetune-json")

    upload.change(finetune_file_columns, upload, [text_column, label_column], api_visibility="private")
    train.click(finetune_train, [examples, upload, text_column, label_column, method, epochs, session.finetuned],
                [status, loss, accuracy, predictions, key, as_json], api_name="finetune_train",
                show_progress_on=status, concurrency_id="finetune", concurrency_limit=finetune.MAX_JOBS + 2)
    cancel.click(finetune_cancel, [key, session.finetuned], status, api_name="finetune_cancel")
    if session.finetuned_menu is not None:
        use.click(finetune_use, [key, session.finetuned], [session.finetuned_menu, status],
                  api_visibility="private")
