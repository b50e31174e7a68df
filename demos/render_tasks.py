"""The Summarize, Sentiment, Fine-tune and Translate tabs' results as Markdown and chart tables
(the rendering layer's part for those tasks; demos.render holds the shared pieces).
"""
import re

import pandas as pd

from demos.i18n import STRINGS, text
from demos.render import notes_markdown


# --- summaries and sentiment -------------------------------------------------------------------

def summary_info(kind: str, method: str, model: str, notes: list[str], extra: str = "", lang: str = "en") -> str:
    """How a summary was made: `kind` ("extractive", "abstractive", "extractive_instead"), the
    method and model, `extra` (a count or the stage it is at), then the notes."""
    line = text("summary_line", lang, kind=text(f"kind_{kind}", lang), method=method, model=model)
    return "\n".join([line + (f" · {stage_words(extra, lang)}" if extra else "")] + [f"- {note}" for note in notes])


_STAGES = [(re.compile(r"^summarising chunk (\d+) of (\d+)(?: \(round (\d+)\))?$"), "stage_chunk"),
           (re.compile(r"^combining (\d+) chunk summaries$"), "stage_combining"),
           (re.compile(r"^(\d+) of (\d+) sentences$"), "stage_sentences"),
           (re.compile(r"^summarising$"), "stage_summarising"), (re.compile(r"^done$"), "stage_done")]


def stage_words(stage: str, lang: str = "en") -> str:
    """A summarizer's stage ("summarising chunk 2 of 5", "done", ...) in language `lang`."""
    for pattern, key in _STAGES:
        found = pattern.match(stage)
        if found:
            values = [v for v in found.groups() if v]
            out = text(key, lang, **dict(zip("abc", values))) if values else text(key, lang)
            return out + (text("stage_round", lang, c=values[2]) if len(values) > 2 else "")
    return stage


def chunk_summaries(summaries: list[str], lang: str = "en") -> str:
    return "\n\n".join(f"**{text('chunk_n', lang, n=i + 1)}** {s}" for i, s in enumerate(summaries))


def sentiment_markdown(result) -> str:
    if result.error:
        return f"⚠️ {result.error}"
    rating = "" if result.rating is None else f" · rating {result.rating:+.1f} on −4..+4"
    return notes_markdown([f"**{result.label}** ({result.scores[result.label]:.0%}){rating}"]
                          + [f"- ⚠️ {note}" for note in result.notes]
                          + [f"<small>Model: {result.model}</small>"], [])


# --- fine-tuning and translation ---------------------------------------------------------------

def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def finetune_markdown(snap: dict, lang: str = "en") -> str:
    """The status line of a fine-tuning job, and when it is done, what it learned; in language `lang`."""
    where = text("ft_where", lang, epoch=f"{snap['epoch']:.1f}", epochs=snap["epochs"], step=snap["step"],
                 steps=snap["steps"], s=f"{snap['training_s']:.0f}", budget=f"{snap['budget_s']:.0f}")
    lines = [f"**{snap['name']}** · {snap['method']} · {snap['examples']}"]
    if snap["state"] in ("starting", "training"):
        lines.append(text(f"ft_{snap['state']}", lang, where=where, progress=f"{snap['progress']:.0%}"))
    elif snap["state"] == "done":
        key = "ft_ended_" + str(snap["ended_by"]).replace(" ", "_")
        lines.append(text("ft_done", lang, why=text(key, lang) if key in STRINGS else snap["ended_by"], where=where,
                          before=percent(snap["accuracy_before"]), after=percent(snap["accuracy_after"])))
    elif snap["state"] == "cancelled":
        lines.append(text("ft_cancelled", lang))
    else:
        lines.append(text("ft_failed", lang, error=snap["error"]))
    return notes_markdown(lines, snap["notes"])


def finetune_curves(snap: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training loss per step, held-out accuracy per epoch) as line-plot tables."""
    curve = snap["curve"]
    loss = pd.DataFrame({"step": [p["step"] for p in curve if p["loss"] is not None],
                         "loss": [p["loss"] for p in curve if p["loss"] is not None]})
    held = [p for p in curve if p["held_out_accuracy"] is not None]
    accuracy = pd.DataFrame({"epoch": [p["epoch"] for p in held],
                             "accuracy": [p["held_out_accuracy"] for p in held]})
    return loss, accuracy


def finetune_predictions(snap: dict) -> pd.DataFrame:
    """Held-out examples: the true label, and the prediction before and after training."""
    rows = [{"text": r["text"], "label": r["label"], "before": f"{r['before']} ({r['before_p']:.0%})",
             "after": f"{r['after']} ({r['after_p']:.0%})" if "after" in r else "…",
             "right": ("✓" if r["after"] == r["label"] else "✗") if "after" in r else ""}
            for r in snap["held_out"]]
    return pd.DataFrame(rows, columns=["text", "label", "before", "after", "right"])


def translation_info(update, lang: str = "en") -> str:
    line = text("translation_line", lang, direction=text(update.direction.replace("-", "_"), lang),
                method=update.method, model=update.model, stage=update.stage)
    return notes_markdown([line], update.notes)
