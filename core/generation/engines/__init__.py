"""Which engine serves a generation model, and the fast engine's build state.

LLMLAB_ENGINE (default auto):
  auto          LLMLAB_ENGINE_URL set: the remote server (tried first; local models remain
                the fallbacks); a GGUF file (the bundled model, or a local one): llama.cpp when
                it is installed, else transformers on the GGUF converted to safetensors once;
                anything else: transformers. A llama.cpp that is built while the app runs
                (`make run` builds it in the background) takes over from the next request.
  transformers  always transformers (the reference; attention views need it)
  llamacpp      llama.cpp only: a model that is not a GGUF file is passed over
  remote        the server at LLMLAB_ENGINE_URL only
"""
from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
import threading
import time
from pathlib import Path

from core.errors import ModelUnavailable

log = logging.getLogger(__name__)

KIND_VAR, URL_VAR = "LLMLAB_ENGINE", "LLMLAB_ENGINE_URL"
KINDS = ("auto", "transformers", "llamacpp", "remote")
MAX_STREAMS = 8  # generation requests served at once (the UI's queue); each engine admits what it can
BUILD_STATUS = "llama-build.status"   # written by scripts/build-engine.sh next to the venv
BUILD_LOG = "llama-build.log"


def kind() -> str:
    wanted = os.environ.get(KIND_VAR, "auto").strip().lower().replace(".", "").replace("-", "") or "auto"
    if wanted not in KINDS:
        raise ModelUnavailable(f"{KIND_VAR}={wanted!r} is not one of {', '.join(KINDS)}.")
    return wanted


def remote_url() -> str:
    return os.environ.get(URL_VAR, "").strip().rstrip("/")


def llama_installed() -> bool:
    importlib.invalidate_caches()
    return importlib.util.find_spec("llama_cpp") is not None


def build(where: str, place):
    """The engine for one candidate: `where` is a Hub id, a folder, a .gguf file or a server URL."""
    from core.generation.engines.hf import TransformersEngine
    wanted = kind()
    if where.startswith(("http://", "https://")):
        from core.generation.engines.remote import RemoteEngine
        return RemoteEngine.load(where)
    if wanted == "remote":
        raise ModelUnavailable(f"{KIND_VAR}=remote serves only the server at {URL_VAR}"
                               + ("" if remote_url() else f", and {URL_VAR} is not set") + ".")
    gguf = where.endswith(".gguf")
    if wanted == "llamacpp" or (wanted == "auto" and gguf and llama_installed()):
        if not gguf:
            raise ModelUnavailable(f"llama.cpp reads GGUF files; {where} is not one ({KIND_VAR}=llamacpp).")
        try:
            from core.generation.engines.llamacpp import LlamaCppEngine
            return LlamaCppEngine.load(Path(where), place)
        except Exception as err:
            if wanted == "llamacpp":
                raise
            log.warning("llama.cpp engine failed to load %s (%s); transformers serves it", where, err)
            engine = TransformersEngine.load(where, place)
            engine.notes.append(f"llama.cpp could not load it ({type(err).__name__}: {str(err)[:200]}); "
                                f"transformers serves it.")
            return engine
    engine = TransformersEngine.load(where, place)
    engine.stand_in = wanted == "auto" and gguf  # llama.cpp takes over once it is built
    return engine


# --- the engine of a loaded model, upgraded once llama.cpp is there --------------------

_lock = threading.Lock()
_checked = [0.0]
RECHECK_S = 10.0


def current(loaded):
    """loaded.engine, made for models built outside the loader, and switched to llama.cpp
    for a GGUF model once the background build has installed it."""
    from core.generation.engines.hf import TransformersEngine
    engine = loaded.engine
    if engine is None:
        with _lock:
            if loaded.engine is None:
                loaded.engine = TransformersEngine(loaded.model, loaded.tokenizer, loaded.placement,
                                                   loaded.source)
        return loaded.engine
    if getattr(engine, "stand_in", False) and _newly_installed():
        with _lock:
            if loaded.engine is engine:
                loaded.engine = _upgrade(engine, loaded.placement)
    return loaded.engine


def _newly_installed() -> bool:
    """Has a build finished since the last look? (At most every RECHECK_S; pip may still be
    copying files while llama_cpp is already findable, so a build's "done" mark is awaited.)"""
    now = time.monotonic()
    if now < _checked[0]:
        return False
    _checked[0] = now + RECHECK_S
    status = Path(sys.prefix) / BUILD_STATUS
    if status.exists() and not status.read_text().startswith("done"):
        return False
    return llama_installed()


def _upgrade(engine, place):
    from core.generation.engines.llamacpp import LlamaCppEngine
    try:
        fast = LlamaCppEngine.load(engine.gguf, place, tokenizer=engine.tokenizer, reference=engine.model)
    except Exception as err:  # a broken build must not take generation down
        log.warning("llama.cpp is installed but does not load (%s); transformers keeps serving", err)
        _checked[0] = time.monotonic() + 30 * RECHECK_S
        return engine
    log.info("llama.cpp is installed: it serves %s from now on", engine.gguf.name)
    fast.notes.append("llama.cpp took over from transformers when its build finished.")
    return fast


# --- the background build (scripts/build-engine.sh) -------------------------------------

def build_state() -> str:
    """One line on the fast engine's install, for the banner ("" when there is nothing to say)."""
    if llama_installed():
        return ""
    status = Path(sys.prefix) / BUILD_STATUS
    try:
        state, _, since = status.read_text().strip().partition(" ")
    except OSError:
        return "llama.cpp is not installed (`make engine` builds it): transformers serves."
    if state == "building":
        minutes = max(0, int((time.time() - float(since or time.time())) // 60))
        return (f"llama.cpp is being built in the background (started {minutes} min ago): "
                f"transformers serves until it is ready.")
    return f"llama.cpp failed to build (see {Path(sys.prefix) / BUILD_LOG}): transformers serves."
