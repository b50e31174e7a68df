"""Rendering for the tabs that open the model up: attention maps, the logit lens, the compression
table (the rest of the page's formatting is in demos.render)."""
import base64
import html
import io
import json
import os

import numpy as np
import pandas as pd

from demos.i18n import both, text
from demos.render import notes_markdown, visible



def token_label(token: str) -> str:
    """A token as a short label: trimmed, with whitespace-only tokens made visible."""
    return token.strip() or visible(token)


def _blue(weight: float) -> str:
    return f"rgba(37,99,235,{min(max(weight, 0.0), 1.0):.3f})"


def attention_html(att, layer: int, head: int) -> str:
    """Heat map of W (rows: token i, columns: token j it mixes in) beside the head view (a line
    from i on the left to j on the right, as opaque as W_ij). The page's script makes tokens
    clickable; the matrix rides along in data-w."""
    if att is None:
        return f"<p>{both('attention_empty')}</p>"  # shown before any run: in both languages
    layer, head = att.clamp(layer, head)
    w, labels = att.matrix(layer, head), [html.escape(token_label(t)) for t in att.tokens]
    n = len(labels)
    head_row = "".join(f'<th class="attn-col" data-to="{j}" title="to: {t}"><span>{t}</span></th>'
                       for j, t in enumerate(labels))
    rows = []
    for i, t in enumerate(labels):
        cells = "".join(
            f'<td class="attn-masked" data-i="{i}" data-j="{j}" title="masked: {t} cannot see '
            f'{labels[j]} (it comes later)"></td>' if att.causal and j > i else
            f'<td data-i="{i}" data-j="{j}" style="background:{_blue(w[i, j])}" '
            f'title="{t} takes {w[i, j]:.3f} of {labels[j]}"></td>' for j in range(n))
        rows.append(f'<tr><th class="attn-row" data-from="{i}" title="from: {t}">{t}</th>{cells}</tr>')
    table = (f'<table class="attn-map"><tr><th class="attn-corner">row i takes from column j</th>'
             f'{head_row}</tr>{"".join(rows)}</table>')
    step, width = 18, 330
    lines = "".join(f'<line data-i="{i}" data-j="{j}" x1="110" y1="{14 + i * step}" '
                    f'x2="{width - 110}" y2="{14 + j * step}" stroke-opacity="{w[i, j]:.3f}"/>'
                    for i in range(n) for j in range(n) if w[i, j] >= 0.01)
    left = "".join(f'<text class="attn-row" data-from="{i}" x="104" y="{18 + i * step}" '
                   f'text-anchor="end">{t}</text>' for i, t in enumerate(labels))
    right = "".join(f'<text class="attn-col" data-to="{j}" x="{width - 104}" '
                    f'y="{18 + j * step}">{t}</text>' for j, t in enumerate(labels))
    svg = (f'<svg class="attn-lines" width="{width}" height="{n * step + 10}" role="img" '
           f'aria-label="head view">{lines}{left}{right}</svg>')
    data = html.escape(json.dumps({"w": np.round(w, 3).tolist(),
                                   "tokens": [token_label(t) for t in att.tokens]}))
    kind = ("causal: a token sees only itself and the tokens before it" if att.causal
            else "bidirectional: every token sees every token")
    caption = (f"Layer {layer}, head {head} · {kind}. Colour: white = 0, blue = 1. Click a token on the "
               f"left (or a row) to see where it attends; on the right (or a column) to see what attends "
               f"to it. Click it again to see all.")
    return (f'<div class="llmlab-attn" data-w="{data}"><div class="attn-caption">{caption}</div>'
            f'<div class="attn-focus" aria-live="polite"></div>'
            f'<div class="attn-panels"><div class="attn-heat">{table}</div>{svg}</div></div>')


def heads_grid_html(att) -> str:
    """Every layer (rows) and head (columns) as a small heat map (heads_marker outlines the one shown)."""
    if att is None:
        return ""
    heads = "".join(f"<th>head {h}</th>" for h in range(1, att.heads + 1))
    rows = []
    for li in range(att.layers):
        tiles = "".join(
            f'<td><img class="attn-tile" '
            f'data-layer="{li + 1}" data-head="{hi + 1}" alt="layer {li + 1} head {hi + 1}" '
            f'title="layer {li + 1}, head {hi + 1}" src="{_png(att.weights[li, hi], att.causal)}"></td>'
            for hi in range(att.heads))
        rows.append(f"<tr><th>layer {li + 1}</th>{tiles}</tr>")
    return (f'<div class="llmlab-heads"><table><tr><th></th>{heads}</tr>{"".join(rows)}</table></div>')


def heads_marker(layer, head) -> str:
    """A style rule outlining the chosen tile of the overview, so choosing another head changes
    a line of CSS instead of sending every tile again."""
    return (f'<style>#attention-grid img[data-layer="{int(layer or 1)}"][data-head="{int(head or 1)}"] '
            f'{{ outline: 3px solid #dc2626; }}</style>')


def _png(w: np.ndarray, causal: bool) -> str:
    """A matrix as a PNG data URI: white (0) to blue (1); masked cells light grey."""
    from PIL import Image
    white, blue = np.array([255, 255, 255]), np.array([37, 99, 235])
    rgb = white + np.clip(w, 0, 1)[..., None] * (blue - white)
    if causal:
        rgb[np.triu(np.ones(w.shape, dtype=bool), 1)] = [225, 225, 225]
    buffer = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def attention_summary(att, lang: str = "en") -> str:
    if att is None:
        return ""
    line = text("attention_line", lang, model=att.model, tokens=len(att.tokens), layers=att.layers, heads=att.heads,
                s=f"{att.seconds:.2f}", how=att.eager)
    return notes_markdown([line], att.notes)


def _green(prob: float) -> str:
    return f"rgba(22,163,74,{min(max(prob, 0.0), 1.0) * 0.85:.3f})"


def lens_html(lens, position: int | None = None) -> str:
    """One row per layer (embeddings first, the model's output last), one column per position:
    the top next-token prediction there, shaded by its probability; outlined where it is already
    the model's final answer. Hover a cell for its top candidates."""
    if lens is None:
        return f"<p>{both('lens_empty')}</p>"
    n = len(lens.tokens)
    chosen = n - 1 if position is None else min(max(int(position), 0), n - 1)
    head = "".join(f'<th class="lens-pos{" chosen" if p == chosen else ""}" data-position="{p}" '
                   f'title="position {p + 1}: click to plot it">{html.escape(token_label(t))}</th>'
                   for p, t in enumerate(lens.tokens))
    rows = []
    for index, name in enumerate(lens.layers):
        cells = []
        for p, cands in enumerate(lens.top[index]):
            best, answer = cands[0], lens.final[p]
            tip = "; ".join(f"{c.token!r} {c.prob:.3f}" for c in cands)
            tip += f" | the final answer {answer.token!r}: rank {lens.final_rank[index][p]}, " \
                   f"p = {lens.final_prob[index][p]:.3f}"
            mark = " final" if best.token_id == answer.token_id else ""
            cells.append(f'<td class="lens-cell{mark}" style="background:{_green(best.prob)}" '
                         f'title="{html.escape(tip)}">{html.escape(token_label(best.token)[:10])}</td>')
        label = f"{name} (output)" if index == len(lens.layers) - 1 else name
        rows.append(f"<tr><th>{label}</th>{''.join(cells)}</tr>")
    following = "".join(f"<td>{html.escape(token_label(t))}</td>" for t in lens.tokens[1:]) + "<td>?</td>"
    return (f'<div class="llmlab-lens"><table><tr><th>input token →</th>{head}</tr>{"".join(rows)}'
            f'<tr class="lens-next"><th>actual next token</th>{following}</tr></table></div>')


def lens_curve(lens, position: int | None = None) -> pd.DataFrame:
    """Per layer, at one position: the probability of the model's final answer and of that
    layer's own top token (fixed series names, so the plot's colours never go stale)."""
    if lens is None:
        return pd.DataFrame({"layer": [], "probability": [], "series": []})
    p = len(lens.tokens) - 1 if position is None else min(max(int(position), 0), len(lens.tokens) - 1)
    rows = [(i, lens.final_prob[i][p], "the final answer") for i in range(len(lens.layers))]
    rows += [(i, lens.top[i][p][0].prob, "that layer's top token") for i in range(len(lens.layers))]
    return pd.DataFrame(rows, columns=["layer", "probability", "series"])


def lens_summary(lens, position: int | None = None, lang: str = "en") -> str:
    if lens is None:
        return ""
    p = len(lens.tokens) - 1 if position is None else min(max(int(position), 0), len(lens.tokens) - 1)
    answer, formed = lens.final[p], lens.formed_at(p)
    where = (text("lens_leads", lang, layer=lens.layers[formed]) if formed is not None
             else text("lens_never", lang))
    lines = [text("lens_line", lang, token=visible(lens.tokens[p]), position=p + 1, answer=visible(answer.token),
                  p=f"{answer.prob:.3f}", where=where, layers=len(lens.layers) - 1),
             f"<small>{text('lens_size', lang, model=lens.model, tokens=len(lens.tokens), rows=len(lens.layers), s=f'{lens.seconds:.2f}')}</small>"]
    return notes_markdown(lines, lens.notes)


def _number(value, digits: int):
    return None if value is None else round(value, digits)


COLUMN_KEYS = [f"col_{i}" for i in range(10)]  # variant, weights, on disk, ..., greedy answer


def compression_columns(lang: str = "en") -> list[str]:
    """The table's column names in language `lang` (API clients get the English ones)."""
    return [text(key, lang) for key in COLUMN_KEYS]


COMPRESSION_COLUMNS = compression_columns()


def compression_frame(progress, lang: str = "en") -> pd.DataFrame:
    """One row per variant; a variant that could not be measured says why in the answer column."""
    rows = []
    for r in (progress.rows if progress else []):
        answer = f"⚠️ {r.missing}" if r.missing else r.output
        if r.diverges_at is not None:
            answer += f"  [differs from fp32 from token {r.diverges_at + 1}]"
        rows.append([r.variant, r.weights, _number(r.disk_mb, 1), _number(r.memory_mb, 1),
                     _number(r.first_token_s, 2), _number(r.tokens_per_s, 1), _number(r.agreement, 3),
                     _number(r.kl, 4), _number(r.perplexity, 2), answer])
    return pd.DataFrame(rows, columns=compression_columns(lang))


def compression_markdown(progress, lang: str = "en") -> str:
    if progress is None:
        return ""
    lines = [("" if progress.done else text("measuring", lang))
             + text("compression_line", lang, status=progress.status, model=progress.model,
                    text=progress.text_tokens, prompt=progress.prompt_tokens)
             + (text("load_average", lang, load=progress.load_average, cores=os.cpu_count())
                if progress.load_average is not None else "")]
    lines += [f"- **{r.variant}**: {r.note}" for r in progress.rows if r.note and not r.missing]
    return notes_markdown(lines, progress.notes)
