"""The one rendering layer: core results as the HTML, Markdown, token spans and chart tables the
tabs show. Core never formats for a page; the tabs never format for themselves.

Token views work on the dicts of `Update.to_dict()` / `Score.to_dict()`, so the same views can be
built from what the API returns.
"""
import html
import re

import pandas as pd

from core.generation.sampling import STAGES
from core.retrieval.search import Hit
from demos import notices
from demos.i18n import LANGUAGES, STRINGS, both, text


def notes_markdown(lines: list[str], notes: list[str], mark: str = "⚠️ ", lang: str = "en") -> str:
    """Paragraphs of `lines`, then each note as its own paragraph (core's notices in language `lang`)."""
    return "\n\n".join(lines + [f"{mark}{notices.words(n, lang)}" for n in notes])


# --- generation: coloured tokens, the three-stage charts, summary lines ------------------------

BANDS = [(0.9, "p ≥ 0.9"), (0.5, "0.5 ≤ p < 0.9"), (0.1, "0.1 ≤ p < 0.5"), (0.0, "p < 0.1")]
BAND_COLORS = {"p ≥ 0.9": "#1a9850", "0.5 ≤ p < 0.9": "#a6d96a", "0.1 ≤ p < 0.5": "#fdae61",
               "p < 0.1": "#d73027", "end of text": "#9e9e9e", "not scored": "#9e9e9e"}
BAND_WORDS = {"end of text": "band_end", "not scored": "band_unscored"}  # the others read alike in both


def band_legend(bands=tuple(BAND_COLORS)) -> str:
    """HTML: the colour of each probability band, named in the page's language (gradio's own
    legend shows the bands' keys, English)."""
    return '<div class="llmlab-legend">' + "".join(
        f'<span style="background:{BAND_COLORS[band]}">{both(BAND_WORDS[band]) if band in BAND_WORDS else html.escape(band)}</span>'
        for band in bands) + "</div>"
END_MARK = " [end]"


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


CONTROL_NAMES = {"im_end": "end of answer", "eot_id": "end of answer", "end_of_turn": "end of answer",
                 "endoftext": "end of text", "end_of_text": "end of text", "eos": "end of text",
                 "im_start": "start of a turn", "s": "start of text", "bos": "start of text", "pad": "padding",
                 "unk": "unknown"}
# control tokens written <name> (without bars): the common ones, and SmolLM2's (StarCoder's) code markers
BARE_CONTROLS = set(CONTROL_NAMES) | {"mask", "cls", "sep", "filename", "reponame", "repo_name", "file_sep",
                                      "gh_stars", "issue_start", "issue_comment", "issue_closed", "jupyter_start",
                                      "jupyter_text", "jupyter_code", "jupyter_output", "empty_output",
                                      "commit_before", "commit_msg", "commit_after"}
_CONTROL = re.compile(r"^<(\|?)(/?)([A-Za-z0-9_]+)\1>$")


def visible(token: str) -> str:
    """A token as a label a person can read: a control token by what it means (never as
    `<|im_end|>`), spaces and line breaks as marks (explained by WHITESPACE_LEGEND)."""
    control = _CONTROL.match(token)
    if control and (control.group(1) or control.group(3).lower() in BARE_CONTROLS):
        name = control.group(3).lower()
        meaning = "end of text" if control.group(2) else CONTROL_NAMES.get(name, name.replace("_", " "))
        return f"[{meaning}]"
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def step_frames(run: dict | None, index: int | float | None, lang: str = "en") -> tuple[list[pd.DataFrame], str]:
    """One bar-chart table per stage (token, prob, kind) for step `index`, and a caption."""
    steps = (run or {}).get("steps") or []
    empty = pd.DataFrame({"token": [], "prob": [], "kind": []})
    if not steps:
        return [empty] * len(STAGES), text("step_empty", lang)
    index = min(max(int(index or 0), 0), len(steps) - 1)
    step = steps[index]
    frames = []
    for stage in STAGES:
        rows = step["stages"][stage]
        labels = _unique([visible(c["token"]) for c in rows])
        kinds = ["drawn" if c["token_id"] == step["token_id"] else "other" for c in rows]
        frames.append(pd.DataFrame({"token": labels, "prob": [c["prob"] for c in rows], "kind": kinds}))
    caption = text("step_caption", lang, index=index, token=visible(_name(step)), prob=f"{step['prob']:.3f}",
                   model_prob=f"{step['model_prob']:.3f}", kept=step["kept"])
    caption += f"\n\n<small>{text('step_legend', lang)}</small>"
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


def ended(reason: str | None, lang: str = "en") -> str:
    key = f"finish_{reason}"
    return text("run_ended", lang, why=text(key, lang) if key in STRINGS else reason)


def run_summary(run: dict | None, lang: str = "en") -> str:
    """The line under the output: who answered, how fast, why it ended (while it writes: how far
    it is), and any notices; in language `lang`."""
    if not run:
        return ""
    stats = run["stats"]
    engine = text("run_engine", lang, engine=run["engine"]) if run.get("engine") else ""
    line = text("run_line", lang, model=run["model"], engine=engine, tokens=stats["new_tokens"],
                speed=f"{stats['tokens_per_s']:.1f}", first=f"{stats['first_token_s']:.2f}", seed=stats["seed"])
    if run.get("done"):
        line += " · " + ended(run["finish_reason"], lang)
    else:
        limit, speed = run["settings"]["max_new_tokens"], stats["tokens_per_s"]
        left = (limit - stats["new_tokens"]) / speed if speed > 0 and stats["new_tokens"] >= 2 else None
        line = text("run_writing", lang, tokens=stats["new_tokens"], limit=limit,
                    left=text("writing_left", lang, time=duration(left, lang)) if left else "") + " · " + line
    return notes_markdown([line], run.get("notices", []), lang=lang)


def duration(seconds: float, lang: str = "en") -> str:
    """A length of time as a person says it: "40 s", "3 min" (in language `lang`)."""
    if seconds < 90:
        return text("seconds", lang, n=max(1, round(seconds)))
    return text("minutes", lang, n=round(seconds / 60))


def stopped_summary(info: str | None, lang: str = "en") -> str:
    """The run's line once the person pressed Stop: marked as stopped, no longer as writing."""
    stopped = f"**⏹ {ended('cancelled', lang)}**"
    if not info or any(text("run_ended", code, why="") in info for code in LANGUAGES):
        return info or stopped
    line, _, notes = info.partition("\n\n")
    if any(line.startswith(text("run_writing", code, tokens=0, limit=0, left="")[:4]) for code in LANGUAGES):
        line = line.split(" · ", 1)[-1]
    return f"{line} · {stopped}" + (f"\n\n{notes}" if notes else "")


def score_summary(result: dict | None, lang: str = "en") -> str:
    if not result:
        return ""
    worst = ", ".join(f"**{visible(result['tokens'][i]['token'])}** ({result['tokens'][i]['prob']:.2g})"
                      for i in result["least_expected"])
    lines = [text("score_line", lang, ppl=f"{result['perplexity']:.1f}", logprob=f"{result['total_logprob']:.1f}",
                  n=result["scored_tokens"], worst=worst), text("scored_by", lang, model=result["model"])]
    return notes_markdown(lines, result.get("notices", []), lang=lang)


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


def hit_html(hit: Hit, label: str | None = None, marks: list[tuple[int, int]] | None = None,
             part: tuple[int, int] | None = None, shown_in: str = "", lang: str = "en") -> str:
    """One passage as HTML: its source and score, with `marks` (default: its best sentence) marked;
    only `part` of its text (offsets) when the rest is shown in passage `shown_in`, with "…" there."""
    label = label or f"#{hit.rank}"
    marks = [hit.sentence] if marks is None else marks
    mine = text("hit_yours", lang) if hit.source == "yours" else ""
    lo, hi = part or (0, len(hit.chunk.text))
    body = highlighted(hit.chunk.text[lo:hi], [(max(s, lo) - lo, min(e, hi) - lo) for s, e in marks if s < hi and e > lo])
    gap = f'<span class="llmlab-gap" title="{html.escape(text("hit_gap", lang, passage=shown_in))}">…</span>'
    body = (gap + " " if lo else "") + body + (" " + gap if hi < len(hit.chunk.text) else "")
    return (f'<div class="llmlab-hit"><div class="llmlab-hit-head"><b>{label}</b> '
            f'{text("hit_score", lang)} {hit.score:.3f} · <b>{html.escape(hit.chunk.doc)}</b>{mine} · '
            f'{text("hit_position", lang, page=hit.chunk.page, start=hit.chunk.start, end=hit.chunk.end)}'
            f'</div><div class="llmlab-hit-text">{body}</div></div>')


def hits_html(hits, lang: str = "en") -> str:
    """The passages, best first; text a better passage of the same document already shows (the
    sentence neighbouring passages share) is not repeated."""
    if not hits:
        return f"<p>{text('no_passages', lang)}</p>"
    shown: dict[str, list[tuple[int, int, str]]] = {}
    out = []
    for hit in hits:
        chunk, lo, hi, where = hit.chunk, 0, len(hit.chunk.text), ""
        for start, end, label in shown.get(chunk.doc, []):
            if start <= chunk.start < end < chunk.end:  # begins with the end of a better passage
                lo, where = max(lo, end - chunk.start), label
            elif chunk.start < start < chunk.end <= end:  # ends with the start of one
                hi, where = min(hi, start - chunk.start), label
        while lo < hi and chunk.text[lo].isspace():
            lo += 1
        shown.setdefault(chunk.doc, []).append((chunk.start, chunk.end, f"#{hit.rank}"))
        out.append(hit_html(hit, part=(lo, hi), shown_in=where, lang=lang))
    return "\n".join(out)


def answer_markdown(answer, lang: str = "en") -> str:
    """The answer, how it was found and how sure, in language `lang` (notes from the pipeline stay English)."""
    confidence = text("answer_confidence", lang, value=f"{answer.confidence:.2f}") if answer.confidence is not None else ""
    threshold = text("answer_threshold", lang, value=f"{answer.refuse_below:.2f}") if answer.refuse_below is not None else ""
    key = f"answered_{answer.method}"
    how = text(key, lang) if key in STRINGS else answer.method
    lines = [f"### {answer.text or '…'}",
             f"<small>{text('answered_by', lang, how=how)} · {answer.model}{confidence}{threshold}</small>"]
    if answer.span:
        lines.append(text("answer_span", lang, passage=answer.span["passage"], start=answer.span["start"],
                          end=answer.span["end"]))
    if answer.runners_up:
        lines.append(text("runners_up", lang) + " · ".join(f"“{r['text']}” ({r['prob']:.2f})" for r in answer.runners_up))
    if answer.evidence:
        lines.append(text("closest_sentence", lang) + answer.evidence)
    return notes_markdown(lines, answer.notices, lang=lang)


def answer_passages_html(answer, lang: str = "en") -> str:
    blocks = [hit_html(hit, f"[{i + 1}]", [(s, e) for h, s, e in answer.marks if h == i], lang=lang)
              for i, hit in enumerate(answer.hits)]
    return "\n".join(blocks) or f"<p>{text('no_passages', lang)}</p>"


def support_html(output: str, support: dict | None, what: str = "answer", lang: str = "en") -> str:
    """The output with each checked item coloured (supported / unsupported / given) and the count
    of unsupported items first."""
    if not support or not output:
        return ""
    out, at = [], 0
    for m in sorted(support["marks"], key=lambda m: m["start"]):
        if m["start"] < at:
            continue
        title = f"{m['kind']}: {text('mark_' + m['status'], lang)}"
        out += [html.escape(output[at:m["start"]]),
                f'<span class="llmlab-{m["status"]}" title="{html.escape(title)}">'
                f'{html.escape(output[m["start"]:m["end"]])}</span>']
        at = m["end"]
    out.append(html.escape(output[at:]))
    bad, facts = support["unsupported"], support["unsupported_facts"]
    head = (text("support_all", lang, what=text(f"what_{what}", lang), n=support["checked"]) if not bad else
            text("support_bad", lang, bad=bad, n=support["checked"], facts=facts))
    return (f'<div class="llmlab-support"><div class="llmlab-support-head">{head}</div>'
            f'<div class="llmlab-support-text">{"".join(out)}</div></div>').replace("\n", "<br>")


SUPPORT_CSS = """
.llmlab-supported { background: #c8e6c9; border-radius: 2px; }
.llmlab-unsupported { background: #ffcdd2; border-bottom: 2px solid #d32f2f; border-radius: 2px; }
.llmlab-given { background: #e3f2fd; border-radius: 2px; }
.llmlab-support-head { font-size: 0.9em; margin-bottom: 4px; }
.llmlab-hit mark.llmlab-answer { background: #81c784; font-weight: 600; }
"""


def ingest_markdown(report, lang: str = "en") -> str:
    lines = []
    if report.added:
        lines.append(text("indexed", lang, n=len(report.added), chunks=report.chunks, names=", ".join(report.added)))
    lines += [f"⚠️ {w}" for w in report.warnings]
    lines += [f"❌ {e}" for e in report.errors]
    return "\n\n".join(lines) or text("nothing_to_add", lang)


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
