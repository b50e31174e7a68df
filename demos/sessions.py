"""Who is asking, and what is theirs: their documents and their files.

A browser tab and a gradio_client Client each have a gradio session. Their documents live in the
session's state (a gr.State dict, so no event needs to return it) and their uploads and result
files are deleted when a browser session ends (gradio's unload event); files of sessions that
never end (API clients) are swept by age (gradio's delete_cache, set in app.py).

gradio's MCP server calls the app through ONE gradio_client session shared by every MCP client
(it marks those calls with the header `x-gradio-user: mcp`), so nothing an MCP client sends may
be kept in that session's state. Its documents go into a private corpus under a random key,
returned to it as `corpus_key`; a call without a key sees the example corpus only.
"""
import os
import secrets
import shutil
import threading
import weakref
from pathlib import Path

import gradio as gr
from gradio.utils import get_upload_folder

from core.retrieval import corpus as corpora

PRIVATE = corpora.PrivateCorpora()
UPLOADS = Path(get_upload_folder())  # gradio's cache: uploads, downloads, results it serves


class SessionData(dict):
    """One session's own things (its corpus): the value of its gr.State, changed in place."""


_states: "weakref.WeakValueDictionary[str, SessionData]" = weakref.WeakValueDictionary()
_lock = threading.Lock()


def from_mcp(request: gr.Request | None) -> bool:
    return request is not None and request.headers.get("x-gradio-user") == "mcp"


def _session(request: gr.Request | None) -> str | None:
    """The caller's own gradio session; None for MCP calls (one session shared by all)."""
    if request is None or from_mcp(request):
        return None
    return getattr(request, "session_hash", None)


# --- documents ---------------------------------------------------------------------------------

def documents(state: dict | None, use_examples: bool, corpus_key: str | None,
              request: gr.Request | None) -> corpora.Corpus:
    """The corpus a search or a question reads."""
    if (corpus_key or "").strip():
        return PRIVATE.get(corpus_key, use_examples)
    if from_mcp(request) or state is None:
        return corpora.session(None, use_examples)
    return _own(state, use_examples, request)


def documents_to_change(state: dict | None, use_examples: bool, corpus_key: str | None,
                        request: gr.Request | None) -> tuple[corpora.Corpus, str | None]:
    """The corpus documents are added to or loaded into, and its key when it is a private one
    (a new one for an MCP call without a key)."""
    if (corpus_key or "").strip():
        return PRIVATE.get(corpus_key, use_examples), corpus_key.strip()
    if from_mcp(request) or state is None:
        key, corpus = PRIVATE.create(use_examples)
        return corpus, key
    return _own(state, use_examples, request), None


def _own(state: dict, use_examples: bool, request: gr.Request | None) -> corpora.Corpus:
    state["corpus"] = corpora.session(state.get("corpus"), use_examples)
    if (session := _session(request)) is not None and isinstance(state, SessionData):
        with _lock:
            _states[session] = state
    return state["corpus"]


def key_note(key: str | None) -> str:
    """What to tell a caller whose documents are in a private corpus."""
    if not key:
        return ""
    return (f"\n\nThese documents are in a private corpus. Pass `corpus_key=\"{key}\"` to `ask` and "
            f"`run_search` to use them; it is kept {PRIVATE.ttl_s / 3600:g} hour(s) after its last "
            f"use (use `save_index` with the same key to keep it).")


# --- files -------------------------------------------------------------------------------------

class SessionFiles:
    """Files that belong to sessions (uploads, results): deleted when the last session holding
    one ends. Result files are moved into gradio's cache first, so no copy is left elsewhere."""

    def __init__(self):
        self._holders: dict[str, set[str]] = {}   # path -> session hashes
        self._lock = threading.Lock()

    def track(self, request: gr.Request | None, *paths: str | None) -> None:
        session = _session(request)
        if session is None:
            return
        with self._lock:
            for path in paths:
                if path:
                    self._holders.setdefault(str(Path(path).resolve()), set()).add(session)
            if len(self._holders) > 10_000:  # API sessions never end: forget files the age sweep took
                for gone in [p for p in self._holders if not os.path.exists(p)]:
                    del self._holders[gone]

    def track_upload(self, files, request: gr.Request) -> None:
        """An upload box's new value (one path, a list of them, or None)."""
        self.track(request, *(files if isinstance(files, list) else [files]))

    def publish(self, path: str, request: gr.Request | None) -> str:
        """`path` moved into a fresh folder of gradio's cache (served from there as is) and
        held by the session."""
        folder = UPLOADS / f"result-{secrets.token_hex(16)}"
        folder.mkdir(parents=True)
        target = str(folder / Path(path).name)
        shutil.move(path, target)
        self.track(request, target)
        return target

    def held(self, request: gr.Request | None) -> list[str]:
        session = _session(request)
        with self._lock:
            return sorted(p for p, holders in self._holders.items() if session in holders)

    def end(self, session: str) -> None:
        with self._lock:
            mine = [p for p, holders in self._holders.items() if session in holders]
            orphans = []
            for path in mine:
                self._holders[path].discard(session)
                if not self._holders[path]:
                    del self._holders[path]
                    orphans.append(path)
        for path in orphans:
            _remove(path)


def _remove(path: str) -> None:
    try:
        os.remove(path)
        os.rmdir(os.path.dirname(path))  # gradio keeps each file in a folder of its own
    except OSError:
        pass


FILES = SessionFiles()


def end_session(request: gr.Request) -> None:
    """gradio's unload event: the tab was closed; its files and documents go now."""
    session = _session(request)
    if session is None:
        return
    FILES.end(session)
    with _lock:
        state = _states.pop(session, None)
    if state is not None:
        state.clear()
