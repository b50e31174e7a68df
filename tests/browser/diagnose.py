"""What the in-process app was doing when a browser test timed out: the generation engine's slots,
the gradio queue's busy groups, the stacks of the threads that generate, and what the page shows.
(It is how the Stop tests' "Generate stall" in CI was explained: the engine was idle and the page
said the run had ended after a few tokens. The sampled run had drawn the end of the text early, so
those tests now run greedy on a prompt the model continues; see test_generate_browser.ENDLESS.)"""
import gc
import sys
import threading
import traceback


def engine_state() -> str:
    from core.runtime import loader
    engine = loader.load("generation").engine
    lines = [f"engine {type(engine).__name__}: free slots {getattr(engine, '_free', '?')}, "
             f"cells reserved {getattr(engine, '_reserved', '?')} of {getattr(engine, 'cells', '?')}"]
    if hasattr(engine, "_running"):
        lines.append(f"running (slot, pos, reserve): {[(s.id, s.pos, s.reserve) for s in engine._running]}; "
                     f"pending: {[(j.kind, j.slot.id) for j in engine._pending]}; "
                     f"carried: {[(j.kind, j.slot.id, j.fed, len(j.tokens)) for j in engine._carried]}; "
                     f"steps {engine.stats}")
    return "\n".join(lines)


def queue_state() -> str:
    lines = []
    for queue in [o for o in gc.get_objects() if type(o).__name__ == "Queue" and type(o).__module__ == "gradio.queueing"]:
        for group, events in queue.event_queue_per_concurrency_id.items():
            if events.queue or events.current_concurrency:
                lines.append(f"gradio group {group}: {len(events.queue)} waiting, "
                             f"{events.current_concurrency}/{events.concurrency_limit} running")
    return "\n".join(lines) or "gradio queue: nothing waiting or running"


def stacks(words=("generation", "decode", "llamacpp", "priority", "loader")) -> str:
    names = {t.ident: t.name for t in threading.enumerate()}
    out = []
    for ident, frame in sys._current_frames().items():
        stack = traceback.format_stack(frame)
        if names.get(ident) == "llama.cpp-engine" or any(w in "".join(stack) for w in words):
            out.append(f"--- thread {names.get(ident, ident)}\n" + "".join(stack[-12:]))
    return "\n".join(out)


def app_state() -> str:
    try:
        return "\n".join([engine_state(), queue_state(), stacks()])
    except Exception as err:  # the report must not hide the failure it explains
        return f"(no report: {type(err).__name__}: {err})"


def wait_or_report(page, condition: str, timeout_ms: int = 120_000) -> None:
    """page.wait_for_function(condition); on a timeout, fail with app_state() and the page's state."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_function(condition, timeout=timeout_ms)
    except PlaywrightTimeout:
        shown = page.evaluate("() => [...document.querySelectorAll('#generate-info, .toast-body')]"
                              ".map(e => e.innerText.slice(0, 300))")
        raise AssertionError(f"not met in {timeout_ms / 1000:.0f} s: {condition}\npage shows: {shown}\n"
                             f"{app_state()}") from None
