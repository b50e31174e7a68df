"""Passages as the Search and Ask tabs show them: search hits with their best sentence marked,
the answer with its span and runners-up, the support marks of a model's output, and what adding
documents did (the rendering layer's part for documents; demos.render holds the shared pieces).
"""
import html

from core.retrieval.search import Hit
from demos.i18n import STRINGS, text
from demos.render import notes_markdown


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
