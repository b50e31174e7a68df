"""Long work gives way to short requests: it runs in threads of lower CPU priority.

On a 2-core machine one generation, an extractive summary of a long text or an indexing job can
keep both cores busy; a search or a sentiment score that arrives meanwhile should not wait behind
them. Linux gives every thread its own nice value, and the threads it starts inherit it (the
OpenMP workers of torch and of llama.cpp are started by the thread that first computes), so the
work of a nice thread and of its helpers yields the CPU to the server's other threads, and takes
all of it when nothing else runs. Where threads have no nice value of their own this changes
nothing.
"""
from __future__ import annotations

import contextvars
import functools
import inspect
import os
import threading
from concurrent.futures import ThreadPoolExecutor

# CFS weight 110 against 1024 for nice 0: ~10% of a contended core. LLMLAB_LONG_WORK_NICE=0 turns it off.
NICE = int(os.environ.get("LLMLAB_LONG_WORK_NICE", 10))
WORKERS = 32       # long requests running at once, across all groups (each group has its own limit)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def lower_this_thread(nice: int = NICE) -> bool:
    """Lower the calling thread's CPU priority (Linux: per thread). True when it took effect."""
    if nice <= 0:
        return False
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        return True
    except (AttributeError, OSError):
        return False


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="long-work", initializer=lower_this_thread)
        return _pool


def low_priority(fn):
    """`fn` (a function or a generator function) run in low-priority threads; the caller waits
    for its result, or for each of its items in turn. A generator advances only when the caller
    asks for its next item (never running ahead of a caller that stopped listening), and closing
    the returned generator closes it. Context variables go along (gradio keeps the request's
    progress tracker and language there)."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            context = contextvars.copy_context()
            generator = fn(*args, **kwargs)  # makes the generator; runs none of its code yet
            try:
                while (item := _executor().submit(context.run, next, generator, _END).result()) is not _END:
                    yield item
            finally:
                generator.close()
        return stream

    @functools.wraps(fn)
    def call(*args, **kwargs):
        context = contextvars.copy_context()
        return _executor().submit(context.run, fn, *args, **kwargs).result()
    return call


_END = object()
