"""The rendering layer: core results as the HTML, Markdown, token spans and chart tables the
tabs show. Core never formats for a page; the tabs never format for themselves. This module holds
the shared pieces and the generation views; demos.render_passages (Search, Ask, support marks),
demos.render_tasks (Summarize, Sentiment, Fine-tune, Translate) and demos.render_inside (the
model's insides) the rest.

Token views work on the dicts of `Update.to_dict()` / `Score.to_dict()`, so the same views can be
built from what the API returns.
"""
import html
import re

import pandas as pd

from core.generation.sampling import STAGES
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
