"""The llama.cpp engine: GGUF models through llama-cpp-python's C API, with step-level batching.

One llama_context holds up to SLOTS sequences (seq_id = slot) in one unified KV cache. A single
engine thread makes every llama.cpp call. Each step is ONE llama_decode whose batch holds the
next token of every sequence that is decoding, plus a chunk of any prompt being read, so requests
join and leave between any two steps and no stream waits for another to finish. After the
decode, each sequence's whole next-token logits row is copied out (llama_get_logits_ith) and
handed to the thread that asked; that thread draws the token (core.generation.sampling) and
asks for the next step. Before each decode the engine waits briefly (at most half the last
step's time) for the other running sequences' next tokens, so that they share the pass.

Which GGUF runs (as shipped, or its weights written once as Q8_0 or float): llama_weights.py.

Token ids come from the project's tokenizer; llama.cpp's own tokenizer is never used.
"""
from __future__ import annotations

import ctypes
import gc
import logging
import os
import threading
import time
import weakref
from collections import deque
from pathlib import Path

import numpy as np

from core.errors import GenerationError
from core.generation.engine import Capabilities, Engine, NextToken, Sequence
from core.generation.engines.llama_weights import FLOAT_FTYPES, bounded_spinning, library, weights_file
from core.runtime import gguf as conversion
from core.runtime import priority
from core.runtime import registry

log = logging.getLogger(__name__)

SLOTS = 8            # sequences decoded together (and the app's concurrent generation requests)
CELLS = 7936         # KV cells shared by all sequences (float32: 46 KB each for SmolLM2-135M);
                     # + the pad's cell, llama.cpp rounds the context up to 8192
BATCH = 512          # tokens per llama_decode
CHUNK_BUSY = 128     # prompt tokens per step while other sequences decode (keeps their steps short)
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
SCORE_ROWS = 128     # logits rows per step when scoring a text
KV_UNIFIED = True
# With float16/float32 weights, a step of one token is padded to two (the second in a scratch
# sequence, dropped after). ggml multiplies a single token's activations by float16 weights after
# rounding them to float16, but two or more at full float32 precision (llamafile's sgemm). Padding
# keeps every step on the float32 path: a stream's logits then differ alone and in a batch by
# ~3e-5, not ~3e-2. Quantized weights always take 8-bit activations, so there padding would only
# double the work of a step (FLOAT_FTYPES: the weight types padded).
GGML_TYPE_F32 = 0


class _Slot:
    """A sequence's place in the context: seq_id (-1 until admitted), length, cells reserved."""
    __slots__ = ("id", "pos", "reserve", "running")

    def __init__(self, reserve: int):
        self.id, self.pos, self.reserve, self.running = -1, 0, reserve, False


class _Job:
    __slots__ = ("slot", "kind", "tokens", "fed", "source", "scores", "result", "error", "done")

    def __init__(self, slot: _Slot, kind: str, tokens=(), source: _Slot | None = None):
        self.slot, self.kind, self.tokens, self.source = slot, kind, list(tokens), source
        self.fed, self.scores = 0, ([], [])
        self.result = self.error = None
        self.done = threading.Event()

    def finish(self, result=None, error: Exception | None = None) -> None:
        if not self.done.is_set():
            self.result, self.error = result, error
            self.done.set()

    def wait(self):
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.result


class LlamaCppEngine(Engine):
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
        self.pad = L.llama_model_ftype(self._model) in FLOAT_FTYPES  # see FLOAT_FTYPES
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
        self._pad = _Slot(0)
        self._pad.id = slots
        self._reserved = 0
        self._running: set[_Slot] = set()
        self._pending: deque[_Job] = deque()
        self._carried: list[_Job] = []  # prompts and scores that need more than one step
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
            return self._submit(_Job(seq.slot, "score", ids)).wait()

    def steps(self, pairs: list[tuple["LlamaSequence", int]]) -> list[NextToken]:
        jobs = [self._submit(_Job(sequence.slot, "step", [token])) for sequence, token in pairs]
        return [LlamaSequence.next_token(job.wait()) for job in jobs]

    def end_ids(self) -> set[int]:
        return set(self._ends)

    def details(self) -> str:
        return f"cpu · {self.weights} weights, float32 cache · llama.cpp · {self.threads} threads"

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

    # --- the engine thread -------------------------------------------------------------------

    def _submit(self, job: _Job) -> _Job:
        with self._wake:
            if self._stopping:
                job.finish(error=GenerationError("The llama.cpp engine has been shut down."))
                return job
            self._pending.append(job)
            self._wake.notify()
        return job

    def _serve(self) -> None:
        priority.lower_this_thread()  # and so llama.cpp's workers, started from here: see core.runtime.priority
        while True:
            jobs = self._gather()
            if jobs is None:
                return
            try:
                work = self._control(jobs)
                self._admit(work)
                self._carried = self._decode([j for j in work if j.slot.id >= 0])
                self._carried += [j for j in work if j.slot.id < 0]
            except Exception as err:  # reach every waiting caller instead of dying silently
                log.exception("llama.cpp engine step failed")
                for job in jobs:
                    job.finish(error=GenerationError(f"The llama.cpp engine failed: {err}"))
                self._carried = []

    def _gather(self) -> list[_Job] | None:
        with self._wake:
            while not self._stopping and not self._can_progress():
                if not self._wake.wait(timeout=2.0) and self._pending:
                    gc.collect()  # a dropped stream caught in a reference cycle (a traceback) holds a slot
            if self._stopping:
                return None
            # let the other running sequences hand in their next token, so they share this pass
            deadline = time.monotonic() + min(0.03, max(0.002, self._last_step_s / 2))
            while (sum(j.kind == "step" for j in self._pending) < len(self._running)
                   and (left := deadline - time.monotonic()) > 0):
                self._wake.wait(left)
            jobs = self._carried + list(self._pending)
            self._pending.clear()
            self._carried = []
            return jobs

    def _can_progress(self) -> bool:
        jobs = self._carried + list(self._pending)
        for job in jobs:
            if job.kind in ("release", "clear", "step") or job.slot.id >= 0 or (job.kind == "fork" and self._free):
                return True
        first = next((j for j in jobs if j.kind in ("prefill", "score")), None)
        return first is not None and bool(self._free) and self._reserved + self._need(first) <= self.cells

    @staticmethod
    def _need(job: _Job) -> int:
        return job.slot.reserve + len(job.tokens)

    def _control(self, jobs: list[_Job]) -> list[_Job]:
        """Release, clear and fork (no decode needed); returns the jobs that need a decode."""
        L, work = self.L, []
        for job in jobs:
            slot = job.slot
            if job.kind in ("release", "clear"):
                if slot.id >= 0:
                    L.llama_memory_seq_rm(self._memory, slot.id, -1, -1)
                    self._free.append(slot.id)
                    self._reserved -= slot.reserve
                    self._running.discard(slot)
                    slot.id = -1
                slot.pos = 0
                job.finish()
            elif job.kind == "fork":
                if not self._free or job.source.id < 0:
                    work.append(job)  # waits for a free slot
                    continue
                slot.id = self._free.pop()
                self._reserved += slot.reserve
                L.llama_memory_seq_cp(self._memory, job.source.id, slot.id, -1, -1)
                slot.pos, slot.running = job.source.pos, True
                self._running.add(slot)
                job.finish()
            else:
                work.append(job)
        return [j for j in work if j.kind != "fork"] + [j for j in work if j.kind == "fork"]

    def _admit(self, work: list[_Job]) -> None:
        for job in work:
            slot = job.slot
            if slot.id >= 0 or job.kind not in ("prefill", "score"):
                continue
            need = self._need(job)
            if need > self.cells:
                job.finish(error=GenerationError(f"This request needs {need} tokens of cache; the llama.cpp "
                                                 f"engine holds {self.cells}. Shorten it."))
                continue
            if not self._free or self._reserved + need > self.cells:
                break  # first come, first served: later ones wait too
            slot.reserve, slot.id = need, self._free.pop()
            self._reserved += need

    def _decode(self, work: list[_Job]) -> list[_Job]:
        """One llama_decode over the next token of every decoding sequence and prompt chunks;
        returns the jobs that are not finished yet."""
        steps = [j for j in work if j.kind == "step"]
        reading = [j for j in work if j.kind in ("prefill", "score")]
        forks = [j for j in work if j.kind == "fork"]
        n, rows = 0, []  # rows: (batch index, job, token index in job)
        for job in steps:
            self._put(n, job.tokens[0], job.slot, True)
            rows.append((n, job, 0))
            n += 1
        room = BATCH - n if not steps else min(BATCH - n, CHUNK_BUSY)
        for job in reading:
            take = min(room, len(job.tokens) - job.fed, SCORE_ROWS if job.kind == "score" else BATCH)
            for k in range(job.fed, job.fed + take):
                want = k < len(job.tokens) - 1 if job.kind == "score" else k == len(job.tokens) - 1
                self._put(n, job.tokens[k], job.slot, want)
                if want:
                    rows.append((n, job, k))
                n += 1
            job.fed += take
            room -= take
        if n == 0:
            return reading + forks
        started = time.perf_counter()
        padded = n == 1 and self.pad
        if padded:  # see FLOAT_FTYPES
            self._put(n, 0, self._pad, False)
            n += 1
        self._batch.n_tokens = n
        self._fit_threads()
        code = self.L.llama_decode(self._ctx, self._batch)
        if padded:
            self.L.llama_memory_seq_rm(self._memory, self._pad.id, -1, -1)
            self._pad.pos = 0
        self._last_step_s = time.perf_counter() - started
        if code != 0:
            error = GenerationError(f"llama.cpp could not decode this step (code {code}): its cache is "
                                    f"full; try a shorter prompt or fewer new tokens.")
            for job in steps + reading:
                self.L.llama_memory_seq_rm(self._memory, job.slot.id, -1, -1)
                job.slot.pos, job.slot.running = 0, False
                self._running.discard(job.slot)
                job.finish(error=error)
            return forks
        self.stats["steps"] += 1
        self.stats["tokens"] += len(steps)
        self.stats["batched"] += len(steps) > 1
        self._deliver(rows)
        for job in reading:
            if job.fed == len(job.tokens) and job.kind == "score":
                job.finish((job.scores[0], job.scores[1]))
        return [j for j in reading if not j.done.is_set()] + forks

    def _fit_threads(self) -> None:
        """With fit_threads (unless LLMLAB_FIT_THREADS=0): all threads while the cores are otherwise idle,
        fewer while other threads want them, since OpenMP threads that wait at llama.cpp's barriers
        for a descheduled partner cost more than they give (bench/engine.py --part threads, beside
        a busy core: 3.8 tok/s on 2 briefly spinning threads, 58 fitted; 41 and 52 with sleeping
        waits). Without it: all threads, always."""
        wanted = self.threads
        if self.threads > 1 and self.fit_threads:
            with open("/proc/loadavg", "rb") as f:  # "... running/total last-pid": threads runnable now
                running = int(f.read().split()[3].split(b"/")[0])
            wanted = max(1, min(self.threads, CORES - (running - 1)))  # - 1: this thread
        if wanted != self._threads_now:
            self.L.llama_set_n_threads(self._ctx, wanted, wanted)
            self._threads_now = wanted

    def _put(self, i: int, token: int, slot: _Slot, want: bool) -> None:
        self._tokens[i], self._positions[i], self._wants[i] = token, slot.pos, want
        self._seq_ids[i][0] = slot.id
        slot.pos += 1

    def _deliver(self, rows) -> None:
        scored: dict[int, list] = {}
        for index, job, k in rows:
            row = np.ctypeslib.as_array(self.L.llama_get_logits_ith(self._ctx, index), shape=(self.n_vocab,))
            if job.kind == "score":
                scored.setdefault(id(job), [job, [], []])
                scored[id(job)][1].append(row.copy())
                scored[id(job)][2].append(job.tokens[k + 1])
                continue
            job.slot.running = True
            self._running.add(job.slot)
            job.finish(row.copy())
        for job, matrix, following in scored.values():
            logprobs, ranks = _chosen(np.stack(matrix), np.array(following))
            job.scores[0].extend(logprobs)
            job.scores[1].extend(ranks)


def _chosen(logits: np.ndarray, following: np.ndarray) -> tuple[list[float], list[int]]:
    """Each following token's log-probability and rank (1 = top) from logits rows (n, vocab)."""
    logits = logits.astype(np.float64)
    top = logits.max(-1, keepdims=True)
    norm = np.log(np.exp(logits - top).sum(-1)) + top[:, 0]
    chosen = logits[np.arange(len(following)), following]
    ranks = (logits > chosen[:, None]).sum(-1) + 1
    return (chosen - norm).tolist(), ranks.tolist()


class LlamaSequence(Sequence):
    def __init__(self, engine: LlamaCppEngine, expected_new: int = 0):
        self.engine, self.slot = engine, _Slot(expected_new)
        self._release = weakref.finalize(self, _release, engine, self.slot)

    def prefill(self, ids: list[int]) -> NextToken:
        if self.slot.id >= 0:
            self.reset()
        if not ids:
            raise GenerationError("There is no prompt to read.")
        return self._next(_Job(self.slot, "prefill", ids))

    def step(self, token: int) -> NextToken:
        if not self.slot.running:
            raise GenerationError("step() before prefill(): the sequence has no prompt.")
        return self._next(_Job(self.slot, "step", [token]))

    def _next(self, job: _Job) -> NextToken:
        return self.next_token(self.engine._submit(job).wait())

    @staticmethod
    def next_token(row: np.ndarray) -> NextToken:
        import torch
        return NextToken(logits=torch.from_numpy(row)[None])

    def fork(self) -> "LlamaSequence":
        twin = LlamaSequence(self.engine, self.slot.reserve)
        self.engine._submit(_Job(twin.slot, "fork", source=self.slot)).wait()
        return twin

    def reset(self) -> None:
        self.engine._submit(_Job(self.slot, "clear")).wait()

    def close(self) -> None:
        self._release()


def _release(engine: LlamaCppEngine, slot: _Slot) -> None:
    if not engine._stopping:
        engine._submit(_Job(slot, "release"))


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
