"""The one model loader every tab shares.

`load(task)` walks the registry's candidates in order and returns the first that loads,
once per process: concurrent callers wait for the one load. It owns device, dtype and
threads (core.runtime.device), the task table and offline sources (core.runtime.registry) and
the GGUF -> safetensors conversion cache (core.runtime.gguf). Every result says what answered.
"""
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ModelUnavailable
from core.runtime import registry
from core.runtime.device import Placement, placement
from core.runtime.gguf import converted_folder, discard_conversion
from core.runtime.registry import Candidate

log = logging.getLogger(__name__)


@dataclass
class Loaded:
    task: str
    candidate: Candidate
    model: Any = None          # None for a method candidate (and a remote server)
    tokenizer: Any = None
    placement: Placement | None = None
    source: str = ""           # hub | cache | bundled | local | remote | method
    params: int = 0
    load_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    engine: Any = None         # generation: the engine that runs it (core.generation.engine)

    @property
    def network(self):
        """The torch model itself: a generation model that llama.cpp serves keeps its transformers
        reference behind a proxy that loads it on first use (attention views, compression)."""
        resolve = getattr(type(self.model), "resolve", None)
        return resolve(self.model) if resolve else self.model

    @property
    def is_method(self) -> bool:
        return self.candidate.source == "method"

    def describe(self) -> str:
        if self.is_method:
            return f"{self.candidate.label} (method)"
        size = f"{self.params / 1e6:.0f}M params" if self.params else ""
        if self.engine is None:
            return f"{self.candidate.label} · {self.source} · {self.placement} · {size}".rstrip(" ·")
        source = self.engine.source or self.source
        return f"{self.candidate.label} · {source} · {self.engine.details()} · {size}".rstrip(" ·")


def _where(c: Candidate, build) -> tuple[str, str]:
    """(folder, file, URL or Hub id to load from, source name for the UI)."""
    if c.source == "bundled":
        path = registry.bundled_path(c.id)
        if path.suffix == ".gguf" and not getattr(build, "reads_gguf", False):
            return str(converted_folder(path, c.id)), "cache"
        return str(path), "bundled"
    if c.source == "hub" and not registry.hub.online():
        return c.id, "cache"
    return c.id, c.source


def _build(task: str, c: Candidate) -> Loaded:
    if c.source == "method":
        return Loaded(task, c, source="method")
    place = placement()
    start = time.perf_counter()
    build = registry.TASKS[task].build
    where, source = _where(c, build)
    try:
        built = build(where, place)
    except Exception:
        if source != "cache" or c.source != "bundled":
            raise
        log.warning("cached conversion in %s did not load; converting again", where)
        discard_conversion(Path(where))
        where, source = _where(c, build)
        built = build(where, place)
    model, tokenizer, engine = (*built, None) if len(built) == 2 else built
    if engine is not None:  # generation: the engine knows its size and where its weights came from
        return Loaded(task, c, model, tokenizer, place, engine.source or source, engine.params,
                      time.perf_counter() - start, list(engine.notes), engine)
    params = sum(p.numel() for p in model.parameters())
    return Loaded(task, c, model, tokenizer, place, source, params, time.perf_counter() - start)


# --- load once per process, thread-safe ----------------------------------------------

_loaded: dict[tuple[str, str], Loaded] = {}
_default: dict[str, Loaded] = {}
# One lock for every load, not one per task: two first loads at once (the warm-up's embedding model
# and a request's chat model) import transformers from two threads, and its lazy module then fails
# with "cannot import name 'AutoTokenizer'". Re-entrant: a builder may load another task.
_load_lock = threading.RLock()


def load(task: str, model_id: str | None = None) -> Loaded:
    """The model serving `task` (or the candidate `model_id`), loaded on first call only."""
    cached = _loaded.get((task, model_id)) if model_id else _default.get(task)
    if cached:
        return cached
    with _load_lock:
        cached = _loaded.get((task, model_id)) if model_id else _default.get(task)
        if cached:
            return cached
        notes = []
        pool = [c for c in registry.candidates(task) if model_id in (None, c.id)]
        if not pool:
            raise ModelUnavailable(f"{model_id!r} is not a {task} candidate; "
                                   f"choose one of {[c.id for c in registry.candidates(task)]}")
        for c in pool:
            if (task, c.id) in _loaded:
                found = _loaded[(task, c.id)]
                break
            reason = registry.availability(c)
            if reason is None:
                try:
                    found = _build(task, c)
                    break
                except Exception as err:  # a broken candidate must not take the task down
                    reason = f"failed to load: {type(err).__name__}: {str(err)[:300]}"
                    log.warning("%s candidate %s %s", task, c.id, reason)
            notes.append(f"{c.label} ({c.id}): {reason}")
        else:
            raise ModelUnavailable(_nothing_loaded(task, notes))
        found.notes = notes + [n for n in found.notes if n not in notes]
        _loaded[(task, found.candidate.id)] = found
        if model_id is None:
            _default[task] = found
        return found


def _nothing_loaded(task: str, notes: list[str]) -> str:
    return (f"No model for {task} could be loaded.\n  - " + "\n  - ".join(notes) +
            f"\nInstall the offline models with `make setup`, connect to the Hugging Face Hub, "
            f"or set {registry.env_var(task)} to a local model folder.")


def choices(task: str) -> list[Candidate]:
    """Candidates that can be used here (for a model picker)."""
    return [c for c in registry.candidates(task) if registry.availability(c) is None]


def status() -> list[dict]:
    """One row per task: what serves it now, or what will on first use."""
    rows = []
    for task in registry.TASKS:
        done = _default.get(task)
        if done:
            rows.append({"task": task, "model": done.describe(), "state": "loaded",
                         "engine": done.engine.name if done.engine else "", "notes": done.notes})
            continue
        usable = choices(task)
        rows.append({"task": task, "model": usable[0].label if usable else "none available",
                     "state": "loads on first use" if usable else "unavailable", "notes": []})
    return rows


def warm_up(tasks=("embedding", "generation")) -> threading.Thread:
    """Load the main models in the background so the first request is fast."""
    def run():
        for task in tasks:
            try:
                load(task)
            except Exception as err:  # reported by status() and on first use, not fatal here
                log.warning("warm-up of %s failed: %s", task, err)
    thread = threading.Thread(target=run, name="llmlab-warm-up", daemon=True)
    thread.start()
    return thread
