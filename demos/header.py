"""The banner on top of every page: where the models run, and which model serves each task, in
plain words and in the browser's language; the language switch."""
import re

import gradio as gr

from core.generation import engines
from core.runtime import loader
from core.runtime.device import placement
from core.runtime.registry import TASKS
from demos import i18n, notices
from demos.i18n import t, text

CSS = i18n.CSS + """
@media (max-width: 640px) {  /* phones: the banner is one line; the accordion below has the rest */
  #llmlab-header p { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
}
#llmlab-top { align-items: flex-start; }
#llmlab-lang { flex-grow: 0; min-width: fit-content; gap: 4px; }
#llmlab-lang button { min-width: 0; padding: 2px 10px; }
/* the language shown now (gradio sets <html lang> to the page's locale) */
html[lang^="zh"] #llmlab-lang-zh-CN, html:not([lang^="zh"]) #llmlab-lang-en {
  outline: 2px solid var(--color-accent); font-weight: 700; }
"""
STATES = {"loaded": "state_loaded", "loads on first use": "state_first_use", "unavailable": "state_unavailable"}


def device_words(lang: str) -> str:
    where = placement()
    if where.gpu_name:
        return text("device_gpu", lang, name=where.gpu_name)
    return text("device_mps", lang) if where.device == "mps" else text("device_cpu", lang)


def model_words(row: dict, lang: str) -> str:
    """What serves a task, in words: a model's name, or how the task is done without a model of
    its own (a "method" of the registry)."""
    if row["model"] == "none available":
        return text("none_available", lang)
    name = row["model"].split(" · ")[0].removesuffix(" (method)")
    return next((text(f"how_{c.id}", lang) for c in TASKS[row["task"]].candidates
                 if c.label == name and f"how_{c.id}" in i18n.STRINGS), name)


# the details' words about a model (source, size, engine) -> the table's keys
DETAILS = [(re.compile(r"^(bundled|cache|hub|local|remote)$"), "source_{0}"),
           (re.compile(r"^(\d+)M params$"), "params"),
           (re.compile(r"^(\S+) weights, (\S+) cache$"), "weights_cache"),
           (re.compile(r"^(\d+) threads$"), "threads"),
           (re.compile(r"^prompts of (\d+)\+ tokens read by transformers$"), "handoff")]


def detail_words(row: dict, lang: str) -> str:
    """The details table's model column: the model's name, where it comes from, where it runs and
    its size, the words in language `lang`; a task done without a model of its own as the banner says it."""
    name = row["model"].split(" · ")[0].removesuffix(" (method)")
    if model_words(row, lang) != name:
        return model_words(row, lang)
    parts = row["model"].split(" · ")
    for i, part in enumerate(parts[1:], 1):
        for pattern, key in DETAILS:
            found = pattern.match(part)
            if found:
                parts[i] = text(key.format(*found.groups()), lang, **dict(zip("ab", found.groups())))
                break
    return " · ".join(parts)


def summary_markdown(lang: str = "en") -> str:
    models = " · ".join(text("banner_item", lang, task=text("task_" + r["task"], lang), model=model_words(r, lang))
                        + (f" ({text('fast_engine', lang, engine=r['engine'])})" if r.get("engine") else "")
                        for r in loader.status())
    where = text("runs_on", lang, device=f"**{device_words(lang)}**", threads=placement().threads)
    return f"{where} — {models}"


def details_markdown(lang: str = "en") -> str:
    rows = loader.status()
    lines = [text("details_head", lang), "|---|---|---|"]
    lines += [f"| {text('task_' + r['task'], lang)} | {detail_words(r, lang)} | "
              f"{text(STATES[r['state']], lang) if r['state'] in STATES else r['state']} |" for r in rows]
    notes = [n for r in rows for n in r["notes"]]
    building = engines.build_state()
    if building:
        lines += ["", building]
    if notes:
        lines += ["", text("not_used_here", lang)] + [f"- {notices.words(n, lang)}" for n in notes]
    return "\n".join(lines)


def build(demo: gr.Blocks) -> None:
    with gr.Row(elem_id="llmlab-top"):
        gr.Markdown(t("app_intro"))
        with gr.Row(elem_id="llmlab-lang"):
            buttons = {code: gr.Button(name, size="sm", elem_id=f"llmlab-lang-{code}")
                       for code, name in (("en", "English"), ("zh-CN", "中文"))}
    summary = gr.Markdown(elem_id="llmlab-header")
    with gr.Accordion(t("models_and_device"), open=False):
        details = gr.Markdown(elem_id="llmlab-models")
        gr.Markdown(t("language_note"), elem_id="llmlab-languages")
    locale = gr.Textbox("en", visible=False, max_length=16, label="Locale")
    # models load in the background after start; refresh the banner as they arrive, in the
    # language the page shows (read by the browser: LOCALE_JS)
    for trigger in (demo.load, gr.Timer(5).tick):
        trigger(refresh, locale, [summary, details], js=i18n.LOCALE_JS, api_visibility="private",
                show_progress="hidden", queue=False)
    for code, button in buttons.items():
        button.click(refresh, locale, [summary, details], js=i18n.switch_js(code), api_visibility="private",
                     show_progress="hidden", queue=False)


def refresh(locale: str = "en") -> tuple[str, str]:
    lang = i18n.lang(locale)
    return summary_markdown(lang), details_markdown(lang)
