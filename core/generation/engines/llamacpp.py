"""The llama.cpp engine: GGUF models through llama-cpp-python's C API, with step-level batching.

One llama_context holds up to SLOTS sequences (seq_id = slot) in one unified KV cache. A single
engine thread makes every llama.cpp call. Each step is ONE llama_decode whose batch holds the
next token of every sequence that is decoding, plus a chunk of any prompt being read, so requests
join and leave between any two steps and no stream waits for another to finish. After the
decode, each sequence's whole next-token logits row is copied out (llama_get_logits_ith) and
handed to the thread that asked; that thread draws the token (core.generation.sampling) and
asks for the next step. Before each decode the engine waits briefly (at most half the last
step's time) for the other running sequences' next tokens, so that they share the pass.

What the engine thread does each step: llama_steps.py. Which GGUF runs (as shipped, or its
weights written once as Q8_0 or float): llama_weights.py. Long prompts read by the transformers
reference, their cache handed over: llama_handoff.py.

Token ids come from the project's tokenizer; llama.cpp's own tokenizer is never used.
"""
from __future__ import annotations

import ctypes
import logging
import os
import threading
import weakref
from collections import deque
from pathlib import Path

import numpy as np

from core.errors import GenerationError
from core.generation.engine import Capabilities, Engine, NextToken, Sequence
from core.generation.engines.llama_handoff import Handoff
from core.generation.engines.llama_steps import BATCH, SCORE_ROWS, Job, Slot, Steps
from core.generation.engines.llama_weights import (FLOAT_FTYPES, GGML_TYPE_F32, bounded_spinning, library,
                                                   weights_file)
from core.runtime import gguf as conversion
from core.runtime import registry

log = logging.getLogger(__name__)

SLOTS = 8            # sequences decoded together (and the app's concurrent generation requests)
CELLS = 7936         # KV cells shared by all sequences (float32: 46 KB each for SmolLM2-135M);
                     # + the pad's cell, llama.cpp rounds the context up to 8192
KV_UNIFIED = True


class LlamaCppEngine(Steps, Engine):
    name = "llama.cpp"

    def __init__(self, path: Path, tokenizer, threads: int, source: str = "local", reference=None,
                 slots: int = SLOTS, cells: int = CELLS):
        L = library()
        self.notes: list[str] = []
        if threads > 1 and not bounded_spinning():
            threads = 1  # spinning OpenMP threads collapse on a shared machine (see core/__init__.py)
            self.notes.append("OpenMP threads may spin without bound: llama.cpp runs on 1 thread.")
        self.L, self.path, self.tokenizer, self.threads, self.source = L, Path(path), tokenizer, threads, source
        self.model = reference  # the transformers reference, loaded on first use (see LazyModel)
        self._model = L.llama_model_load_from_file(str(path).encode(), L.llama_model_default_params())
        if not self._model:
            raise RuntimeError(f"llama.cpp could not load {path}")
        self.vocab = L.llama_model_get_vocab(self._model)
        self.n_vocab = L.llama_vocab_n_tokens(self.vocab)
        if len(tokenizer) > self.n_vocab:
            raise RuntimeError(f"{path.name} has {self.n_vocab} tokens but its tokenizer {len(tokenizer)}")
        params = L.llama_context_default_params()
        # one more sequence and cell: the pad (see _decode)
        params.n_ctx, params.n_batch, params.n_ubatch, params.n_seq_max = cells + 1, BATCH, BATCH, slots + 1
        params.n_threads = params.n_threads_batch = threads
        params.kv_unified, params.no_perf = KV_UNIFIED, True
        # closest to the transformers reference: no flash attention, float32 K/V (the defaults,
        # flash attention and float16 K/V, change greedy tokens earlier)
        params.flash_attn_type = L.LLAMA_FLASH_ATTN_TYPE_DISABLED
        params.type_k = params.type_v = GGML_TYPE_F32
        self._ctx = L.llama_init_from_model(self._model, params)
        if not self._ctx:
            raise RuntimeError("llama.cpp could not make a context")
        self._memory = L.llama_get_memory(self._ctx)
        self.slots, self.cells = slots, cells
        self._threads_now = threads
        # on unless LLMLAB_FIT_THREADS=0 (see _fit_threads)
        self.fit_threads = os.environ.get("LLMLAB_FIT_THREADS", "1") != "0"
        self.context = min(L.llama_model_n_ctx_train(self._model), cells)
        self.params = L.llama_model_n_params(self._model)
        description = ctypes.create_string_buffer(128)
        L.llama_model_desc(self._model, description, 128)
        self.weights = description.value.decode(errors="replace").split()[-1]
        self.pad = L.llama_model_ftype(self._model) in FLOAT_FTYPES  # padded steps: see llama_steps.py
        self.handoff = Handoff(L, self._model, reference, 1 if KV_UNIFIED else slots + 1)
        self.capabilities = Capabilities(
            full_logits=True, draws_tokens=False, constraints=True, batching=True, fork=True, scoring=True,
            attention=False, max_sequences=slots,
            view=f"exact for llama.cpp's computation on {self.weights} weights: the whole next-token "
                 f"distribution at every step (it may differ slightly from transformers' float32)")
        self._ends = {t for t in (L.llama_vocab_eos(self.vocab), L.llama_vocab_eot(self.vocab),
                                  tokenizer.eos_token_id) if t is not None and t >= 0}
        self._batch = L.llama_batch_init(BATCH, 0, 1)
        self._tokens = np.ctypeslib.as_array(self._batch.token, shape=(BATCH,))
        self._positions = np.ctypeslib.as_array(self._batch.pos, shape=(BATCH,))
        self._wants = np.ctypeslib.as_array(self._batch.logits, shape=(BATCH,))
        np.ctypeslib.as_array(self._batch.n_seq_id, shape=(BATCH,))[:] = 1
        self._seq_ids = [self._batch.seq_id[i] for i in range(BATCH)]
        self._free = list(range(slots))[::-1]
        self._pad = Slot(0)
        self._pad.id = slots
        self._reserved = 0
        self._running: set[Slot] = set()
        self._pending: deque[Job] = deque()
        self._carried: list[Job] = []  # prompts and scores that need more than one step
        self._wake = threading.Condition(threading.RLock())  # RLock: a finalizer may release in here
        self._last_step_s = 0.01
        self._stopping = False
        self.stats = {"steps": 0, "tokens": 0, "batched": 0}
        self._thread = threading.Thread(target=self._serve, name="llama.cpp-engine", daemon=True)
        self._thread.start()

    @classmethod
    def load(cls, path: Path, place, tokenizer=None, reference=None) -> "LlamaCppEngine":
        name = registry.bundle_name(path)
        tokenizer = tokenizer or conversion.tokenizer(path, name or path.stem)
        if reference is None:
            reference = LazyModel(lambda: _reference(path, place))
        weights = weights_file(path, name or path.stem, place.threads)
        return cls(weights, tokenizer, place.threads, "bundled" if name else "local", reference)

    # --- the interface ---------------------------------------------------------------------

    def sequence(self, settings=None) -> "LlamaSequence":
        return LlamaSequence(self, getattr(settings, "max_new_tokens", 0))

    def score(self, ids: list[int], chunk: int = SCORE_ROWS) -> tuple[list[float], list[int]]:
        with self.sequence() as seq:  # chunk: llama.cpp reads SCORE_ROWS rows per step at most
            return self._submit(Job(seq.slot, "score", ids)).wait()

    def steps(self, pairs: list[tuple["LlamaSequence", int]]) -> list[NextToken]:
        jobs = [self._submit(Job(sequence.slot, "step", [token])) for sequence, token in pairs]
        return [LlamaSequence.next_token(job.wait()) for job in jobs]

    def end_ids(self) -> set[int]:
        return set(self._ends)

    def details(self) -> str:
        handoff = (f" · prompts of {self.handoff.minimum}+ tokens read by transformers"
                   if self.handoff.enabled else "")
        return f"cpu · {self.weights} weights, float32 cache · llama.cpp · {self.threads} threads{handoff}"

    def close(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout=30)
        for job in self._carried + list(self._pending):
            job.finish(error=GenerationError("The llama.cpp engine has been shut down."))
        self.L.llama_batch_free(self._batch)
        self.L.llama_free(self._ctx)
        self.L.llama_model_free(self._model)

class LlamaSequence(Sequence):
    def __init__(self, engine: LlamaCppEngine, expected_new: int = 0):
        self.engine, self.slot = engine, Slot(expected_new)
        self._release = weakref.finalize(self, _release, engine, self.slot)

    def prefill(self, ids: list[int]) -> NextToken:
        if self.slot.id >= 0:
            self.reset()
        if not ids:
            raise GenerationError("There is no prompt to read.")
        read = self.engine.handoff.read(ids)
        if read is not None:
            return self._next(Job(self.slot, "load", ids, state=read))
        return self._next(Job(self.slot, "prefill", ids))

    def step(self, token: int) -> NextToken:
        if not self.slot.running:
            raise GenerationError("step() before prefill(): the sequence has no prompt.")
        return self._next(Job(self.slot, "step", [token]))

    def _next(self, job: Job) -> NextToken:
        return self.next_token(self.engine._submit(job).wait())

    @staticmethod
    def next_token(row: np.ndarray) -> NextToken:
        import torch
        return NextToken(logits=torch.from_numpy(row)[None])

    def fork(self) -> "LlamaSequence":
        twin = LlamaSequence(self.engine, self.slot.reserve)
        self.engine._submit(Job(twin.slot, "fork", source=self.slot)).wait()
        return twin

    def reset(self) -> None:
        self.engine._submit(Job(self.slot, "clear")).wait()

    def close(self) -> None:
        self._release()


def _release(engine: LlamaCppEngine, slot: Slot) -> None:
    if not engine._stopping:
        engine._submit(Job(slot, "release"))


class LazyModel:
    """The transformers reference model of a GGUF, loaded on first use (attention views, tests
    that compare with transformers); llama.cpp never needs it."""

    def __init__(self, load):
        self._load, self._model, self._lock = load, None, threading.Lock()

    def resolve(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.resolve(), name)

    def __call__(self, *args, **kwargs):
        return self.resolve()(*args, **kwargs)


def _reference(path: Path, place):
    from core.generation.engines.hf import TransformersEngine
    return TransformersEngine.load(str(path), place).model
