"""The llama.cpp engine's thread: what each step does (the engine itself: llamacpp.py).

Callers hand in jobs (prefill, step, score, fork, clear, release, and load: a prompt the
transformers reference read, llama_handoff.py); one thread takes them all and makes every
llama.cpp call. Each round: release/clear/fork (no decode needed), admit waiting prompts while
slots and cells last (first come, first served), write handed-over caches, then ONE llama_decode
over the next token of every decoding sequence plus a chunk of any prompt being read, and hand
each asker its logits row.
"""
from __future__ import annotations

import ctypes
import gc
import logging
import os
import threading
import time

import numpy as np

from core.errors import GenerationError
from core.runtime import priority

log = logging.getLogger(__name__)

BATCH = 512          # tokens per llama_decode
CHUNK_BUSY = 128     # prompt tokens per step while other sequences decode (keeps their steps short)
READS = ("prefill", "score", "load")  # jobs that take a slot (load: a prompt the reference read)
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
SCORE_ROWS = 128     # logits rows per step when scoring a text

# With float16/float32 weights, a step of one token is padded to two (the second in a scratch
# sequence, dropped after). ggml multiplies a single token's activations by float16 weights after
# rounding them to float16, but two or more at full float32 precision (llamafile's sgemm). Padding
# keeps every step on the float32 path: a stream's logits then differ alone and in a batch by
# ~3e-5, not ~3e-2. Quantized weights always take 8-bit activations, so there padding would only
# double the work of a step (FLOAT_FTYPES: the weight types padded).


class Slot:
    """A sequence's place in the context: seq_id (-1 until admitted), length, cells reserved."""
    __slots__ = ("id", "pos", "reserve", "running")

    def __init__(self, reserve: int):
        self.id, self.pos, self.reserve, self.running = -1, 0, reserve, False


class Job:
    __slots__ = ("slot", "kind", "tokens", "fed", "source", "state", "scores", "result", "error", "done")

    def __init__(self, slot: Slot, kind: str, tokens=(), source: Slot | None = None, state=None):
        self.slot, self.kind, self.tokens, self.source, self.state = slot, kind, list(tokens), source, state
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


class Steps:
    """The engine thread's half of LlamaCppEngine (which sets up the context and the attributes used here)."""

    def _submit(self, job: Job) -> Job:
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
                work = self._load(work)
                self._carried = self._decode([j for j in work if j.slot.id >= 0])
                self._carried += [j for j in work if j.slot.id < 0]
            except Exception as err:  # reach every waiting caller instead of dying silently
                log.exception("llama.cpp engine step failed")
                for job in jobs:
                    job.finish(error=GenerationError(f"The llama.cpp engine failed: {err}"))
                self._carried = []

    def _gather(self) -> list[Job] | None:
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
        first = next((j for j in jobs if j.kind in READS), None)
        return first is not None and bool(self._free) and self._reserved + self._need(first) <= self.cells

    @staticmethod
    def _need(job: Job) -> int:
        return job.slot.reserve + len(job.tokens)

    def _control(self, jobs: list[Job]) -> list[Job]:
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

    def _admit(self, work: list[Job]) -> None:
        for job in work:
            slot = job.slot
            if slot.id >= 0 or job.kind not in READS:
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

    def _load(self, work: list[Job]) -> list[Job]:
        """Write the caches of admitted prompts the reference has read (llama_handoff.py). One
        llama.cpp does not take (it checks the layout and types) is read by llama.cpp instead."""
        for job in work:
            if job.kind != "load" or job.slot.id < 0:
                continue
            row, state = job.state
            buffer = (ctypes.c_uint8 * len(state)).from_buffer(state)
            if self.L.llama_state_seq_set_data(self._ctx, buffer, len(state), job.slot.id) != len(state):
                log.warning("llama.cpp did not take a handed-over cache: it reads long prompts itself from now on")
                self.handoff.enabled = False
                self.L.llama_memory_seq_rm(self._memory, job.slot.id, -1, -1)
                job.kind, job.state = "prefill", None
                continue
            job.slot.pos, job.slot.running = len(job.tokens), True
            self._running.add(job.slot)
            job.finish(row)
        return [j for j in work if not (j.kind == "load" and j.done.is_set())]

    def _decode(self, work: list[Job]) -> list[Job]:
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
        if padded:  # see the comment on padding at the top
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

    def _put(self, i: int, token: int, slot: Slot, want: bool) -> None:
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
