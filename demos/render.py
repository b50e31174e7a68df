"""The one rendering layer: core results as the HTML, Markdown, token spans and chart tables the
tabs show. Core never formats for a page; the tabs never format for themselves.

Token views work on the dicts of `Update.to_dict()` / `Score.to_dict()`, so the same views can be
built from what the API returns.
"""
import html

import pandas as pd

from core.generation.sampling import STAGES
from core.retrieval.search import Hit


def notes_markdown(lines: list[str], notes: list[str], mark: str = "⚠️ ") -> str:
    """Paragraphs of `lines`, then each note as its own paragraph."""
    return "\n\n".join(lines + [f"{mark}{n}" for n in notes])


# --- generation: coloured tokens, the three-stage charts, summary lines ------------------------

BANDS = [(0.9, "p ≥ 0.9"), (0.5, "0.5 ≤ p < 0.9"), (0.1, "0.1 ≤ p < 0.5"), (0.0, "p < 0.1")]
BAND_COLORS = {"p ≥ 0.9": "#1a9850", "0.5 ≤ p < 0.9": "#a6d96a", "0.1 ≤ p < 0.5": "#fdae61",
               "p < 0.1": "#d73027", "end of text": "#9e9e9e", "not scored": "#9e9e9e"}
STAGE_TITLES = {"model": "(a) as the model gives it",
                "adjusted": "(b) + penalty, temperature",
                "filtered": "(c) + top-k/top-p: drawn from"}
END_MARK = " [end]"
FINISH = {"eos": "the model ended its answer", "stop": "a stop string ended it",
          "length": "it reached the most new tokens allowed", "cancelled": "stopped by you"}


def band(prob: float | None) -> str:
    if prob is None:
        return "not scored"
    return next(name for low, name in BANDS if prob >= low)


def generation_spans(run) -> list[tuple[str, str]]:
    """(text, probability band) per generated step of an Update or its dict.

    One span per step, in step order, so a span's index is its step's index (a token that
    ends inside a multi-byte character shows as an empty span); the end-of-text token shows
    as a mark.
    """
    if not run:
        return []
    if isinstance(run, dict):
        steps = [(s["token"], s["prob"]) for s in run["steps"]]
        text, reason = run["text"], run.get("finish_reason")
    else:
        steps, text, reason = [(s.token, s.prob) for s in run.steps], run.text, run.finish_reason
    spans = [(token, band(prob)) for token, prob in steps]
    if reason == "eos" and spans and spans[-1][0] == "":
        spans[-1] = (END_MARK, "end of text")
    if not spans and text:  # recorded without steps (top_n=0)
        spans.append((text, None))
    return spans


def score_spans(result: dict | None) -> list[tuple[str, str]]:
    return [(t["token"], band(t["prob"])) for t in result["tokens"]] if result else []


def visible(token: str) -> str:
    """A token as a chart label: spaces and newlines made visible."""
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def step_frames(run: dict | None, index: int | float | None) -> tuple[list[pd.DataFrame], str]:
    """One bar-chart table per stage (token, prob, kind) for step `index`, and a caption."""
    steps = (run or {}).get("steps") or []
    empty = pd.DataFrame({"token": [], "prob": [], "kind": []})
    if not steps:
        return [empty] * len(STAGES), "Generate some text, then pick a step to see its candidates."
    index = min(max(int(index or 0), 0), len(steps) - 1)
    step = steps[index]
    frames = []
    for stage in STAGES:
        rows = step["stages"][stage]
        labels = _unique([visible(c["token"]) for c in rows])
        kinds = ["drawn" if c["token_id"] == step["token_id"] else "other" for c in rows]
        frames.append(pd.DataFrame({"token": labels, "prob": [c["prob"] for c in rows], "kind": kinds}))
    caption = (f"Step {index}: drew **{visible(_name(step))}** with probability {step['prob']:.3f} "
               f"(the model gave it {step['model_prob']:.3f}); {step['kept']} token(s) left after "
               f"top-k / top-p.")
    return frames, caption


def _name(step: dict) -> str:
    return next((c["token"] for c in step["stages"]["model"] if c["token_id"] == step["token_id"]),
                step["token"])


def _unique(labels: list[str]) -> list[str]:
    """Distinct chart labels: two tokens can look alike (e.g. parts of one character)."""
    seen, out = {}, []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return out


def run_summary(run: dict | None) -> str:
    """The line under the output: who answered, how fast, why it ended, and any notices."""
    if not run:
        return ""
    stats = run["stats"]
    engine = f" · answered by the **{run['engine']}** engine" if run.get("engine") else ""
    line = (f"**{run['model']}**{engine} · {stats['new_tokens']} tokens · "
            f"{stats['tokens_per_s']:.1f} tokens/s · first token after {stats['first_token_s']:.2f} s · "
            f"seed {stats['seed']}")
    if run.get("done"):
        line += f" · ended: {FINISH.get(run['finish_reason'], run['finish_reason'])}"
    return notes_markdown([line], run.get("notices", []))


def score_summary(result: dict | None) -> str:
    if not result:
        return ""
    worst = ", ".join(f"**{visible(result['tokens'][i]['token'])}** ({result['tokens'][i]['prob']:.2g})"
                      for i in result["least_expected"])
    lines = [f"Perplexity **{result['perplexity']:.1f}** · total log-probability "
             f"{result['total_logprob']:.1f} over {result['scored_tokens']} tokens · "
             f"least expected: {worst}", f"Scored by **{result['model']}**"]
    return notes_markdown(lines, result.get("notices", []))


# --- passages: search hits and answers -------------------------------------------------------

def highlighted(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML of `text` with the character spans wrapped in <mark>."""
    out, at = [], 0
    for s, e in sorted(spans):
        if s < at:
            continue
        out += [html.escape(text[at:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        at = e
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "<br>")


def hit_html(hit: Hit, label: str | None = None, marks: list[tuple[int, int]] | None = None) -> str:
    """One passage as HTML: its source and score, with `marks` (default: its best sentence) marked."""
    label = label or f"#{hit.rank}"
    marks = [hit.sentence] if marks is None else marks
    mine = " (yours)" if hit.source == "yours" else ""
    return (f'<div class="llmlab-hit"><div class="llmlab-hit-head"><b>{label}</b> '
            f'score {hit.score:.3f} · <b>{html.escape(hit.chunk.doc)}</b>{mine} · {hit.position()}'
            f'</div><div class="llmlab-hit-text">{highlighted(hit.chunk.text, marks)}</div></div>')


def hits_html(hits) -> str:
    return "\n".join(hit_html(h) for h in hits) if hits else "<p>No passages found.</p>"


ANSWERED_BY = {"extractive": "extractive QA (answer span copied from a passage)",
               "grounded": "grounded reader (an exact span of a passage, chosen by the chat model)",
               "chat-reader": "chat model writing from the retrieved passages",
               "evidence": "retrieval only: no model could read the passages",
               "not-found": "retrieval only: no passage scored high enough"}


def answer_markdown(answer) -> str:
    confidence = f" · confidence {answer.confidence:.2f}" if answer.confidence is not None else ""
    threshold = f" (answers from {answer.refuse_below:.2f})" if answer.refuse_below is not None else ""
    how = ANSWERED_BY.get(answer.method, answer.method)
    lines = [f"### {answer.text or '…'}",
             f"<small>Answered by **{how}** · {answer.model}{confidence}{threshold}</small>"]
    if answer.span:
        lines.append(f"Span copied from passage [{answer.span['passage']}], characters "
                     f"{answer.span['start']}–{answer.span['end']}.")
    if answer.runners_up:
        lines.append("Runners-up: " + " · ".join(f"“{r['text']}” ({r['prob']:.2f})" for r in answer.runners_up))
    if answer.evidence:
        lines.append(f"Closest sentence to the question: {answer.evidence}")
    return notes_markdown(lines, answer.notices)


def answer_passages_html(answer) -> str:
    blocks = [hit_html(hit, f"[{i + 1}]", [(s, e) for h, s, e in answer.marks if h == i])
              for i, hit in enumerate(answer.hits)]
    return "\n".join(blocks) or "<p>No passages.</p>"


SUPPORT_TITLES = {"supported": "found in the sources", "unsupported": "NOT found in the sources",
                  "given": "a word of the question"}


def support_html(text: str, support: dict | None, what: str = "answer") -> str:
    """The output with each checked item coloured (supported / unsupported / given) and the count
    of unsupported items first."""
    if not support or not text:
        return ""
    out, at = [], 0
    for m in sorted(support["marks"], key=lambda m: m["start"]):
        if m["start"] < at:
            continue
        title = f"{m['kind']}: {SUPPORT_TITLES[m['status']]}"
        out += [html.escape(text[at:m["start"]]),
                f'<span class="llmlab-{m["status"]}" title="{html.escape(title)}">'
                f'{html.escape(text[m["start"]:m["end"]])}</span>']
        at = m["end"]
    out.append(html.escape(text[at:]))
    bad, facts = support["unsupported"], support["unsupported_facts"]
    head = (f"✅ every checked item of the {what} is in the sources ({support['checked']} checked)" if not bad else
            f"⚠️ <b>{bad} unsupported</b> of {support['checked']} checked items "
            f"({facts} number(s), date(s) or name(s))")
    return (f'<div class="llmlab-support"><div class="llmlab-support-head">{head}</div>'
            f'<div class="llmlab-support-text">{"".join(out)}</div></div>').replace("\n", "<br>")


SUPPORT_CSS = """
.llmlab-supported { background: #c8e6c9; border-radius: 2px; }
.llmlab-unsupported { background: #ffcdd2; border-bottom: 2px solid #d32f2f; border-radius: 2px; }
.llmlab-given { background: #e3f2fd; border-radius: 2px; }
.llmlab-support-head { font-size: 0.9em; margin-bottom: 4px; }
.llmlab-hit mark.llmlab-answer { background: #81c784; font-weight: 600; }
"""


def ingest_markdown(report) -> str:
    lines = []
    if report.added:
        lines.append(f"Indexed **{len(report.added)}** document(s) in {report.chunks} passages: "
                     + ", ".join(report.added))
    lines += [f"⚠️ {w}" for w in report.warnings]
    lines += [f"❌ {e}" for e in report.errors]
    return "\n\n".join(lines) or "Nothing to add: upload files or paste text."


# --- summaries and sentiment -------------------------------------------------------------------

def summary_info(kind: str, method: str, model: str, notes: list[str], extra: str = "") -> str:
    lines = [f"**{kind}** · {method} · model: {model}" + (f" · {extra}" if extra else "")]
    return "\n".join(lines + [f"- {note}" for note in notes])


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


ENDED = {"done": "all epochs done", "time budget": "the time budget ran out (it keeps what it learned)",
         "cancelled": "cancelled by you"}


def finetune_markdown(snap: dict) -> str:
    """The status line of a fine-tuning job, and when it is done, what it learned."""
    where = (f"epoch {snap['epoch']:.1f} of {snap['epochs']} · step {snap['step']} of {snap['steps']} · "
             f"{snap['training_s']:.0f} s of at most {snap['budget_s']:.0f} s")
    lines = [f"**{snap['name']}** · {snap['method']} · {snap['examples']}"]
    if snap["state"] in ("starting", "training"):
        lines.append(f"{'Preparing' if snap['state'] == 'starting' else 'Training'}: {where} "
                     f"({snap['progress']:.0%})")
    elif snap["state"] == "done":
        lines.append(f"Done ({ENDED.get(snap['ended_by'], snap['ended_by'])}; {where}). Held-out accuracy "
                     f"**{percent(snap['accuracy_before'])} → {percent(snap['accuracy_after'])}** "
                     f"(before → after training).")
    elif snap["state"] == "cancelled":
        lines.append("Cancelled: nothing was kept.")
    else:
        lines.append(f"Failed: {snap['error']}")
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


def translation_info(update) -> str:
    names = {"en-zh": "English → Chinese", "zh-en": "Chinese → English"}
    line = f"**{names[update.direction]}** · {update.method} · model: {update.model} · {update.stage}"
    return notes_markdown([line], update.notes)
