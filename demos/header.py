"""The banner on top of every page: the device, and which model serves each task."""
import gradio as gr

from core.generation import engines
from core.runtime import loader
from core.runtime.device import placement
from core.runtime.registry import TASKS

CSS = """
@media (max-width: 640px) {  /* phones: the banner is one line; the accordion below has the rest */
  #llmlab-header p { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
}
"""


def summary_markdown() -> str:
    models = " · ".join(f"{TASKS[r['task']].label}: **{r['model'].split(' · ')[0]}**"
                        + (f" ({r['engine']})" if r.get("engine") else "") for r in loader.status())
    return f"Device **{placement()}** ({placement().threads} threads) — {models}"


def details_markdown() -> str:
    rows = loader.status()
    lines = ["| task | model · source · device · dtype · size | state |", "|---|---|---|"]
    lines += [f"| {TASKS[r['task']].label} | {r['model']} | {r['state']} |" for r in rows]
    notes = [n for r in rows for n in r["notes"]]
    building = engines.build_state()
    if building:
        lines += ["", building]
    if notes:
        lines += ["", "Preferred models not used here:"] + [f"- {n}" for n in notes]
    return "\n".join(lines)


def build(demo: gr.Blocks) -> None:
    gr.Markdown("# LLM Lab\nUse language models, and see inside them while they work.")
    summary = gr.Markdown(elem_id="llmlab-header")
    with gr.Accordion("Models and device", open=False):
        details = gr.Markdown(elem_id="llmlab-models")
    # models load in the background after start; refresh the banner as they arrive
    for trigger in (demo.load, gr.Timer(5).tick):
        trigger(refresh, outputs=[summary, details], api_visibility="private",
                show_progress="hidden", queue=False)


def refresh() -> tuple[str, str]:
    return summary_markdown(), details_markdown()
