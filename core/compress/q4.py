"""The 4-bit row: the bundled GGUF (SmolLM2-135M-Instruct, Q4_1) run by llama.cpp.

`runner(loaded)` is the one place the compression comparison asks for it. It uses
llama-cpp-python when that is installed (it ships only as source on PyPI and takes a long
compile); otherwise it raises Unavailable with the reason, and the row says so. When the
project's own fast engine (core.generation.engine) lands, point `runner` at it.

Token ids are the transformers tokenizer's (the GGUF's vocabulary is the same one: it is what
the safetensors copy was converted from), so every variant reads exactly the same tokens.
"""
from __future__ import annotations

import atexit
import importlib.util
import os
import threading
import time

import numpy as np
import torch

from core.compress import CONTEXT
from core.compress.variants import Greedy, Runner, Unavailable
from core.runtime import loader, registry
from core.runtime.device import placement

BUNDLE = "smollm2-135m-instruct"
SAME_WEIGHTS = {BUNDLE, "HuggingFaceTB/SmolLM2-135M-Instruct"}   # candidates the GGUF is a copy of


def unavailable_reason(loaded: loader.Loaded) -> str | None:
    if loaded.candidate.id not in SAME_WEIGHTS:
        return f"no 4-bit GGUF of {loaded.candidate.label} is bundled (only of SmolLM2-135M-Instruct)"
    if registry.bundled_path(BUNDLE) is None:
        return f"the GGUF is not installed: run `{registry.BUNDLES[BUNDLE][1]}`"
    if importlib.util.find_spec("llama_cpp") is None:
        return ("llama.cpp is not installed here: `pip install llama-cpp-python` (source only on "
                "PyPI: it compiles for tens of minutes on 2 cores)")
    return None


def runner(loaded: loader.Loaded) -> Runner:
    reason = unavailable_reason(loaded)
    if reason:
        raise Unavailable(reason)
    return LlamaCppRunner(registry.bundled_path(BUNDLE))


class LlamaCppRunner(Runner):
    name = "q4"
    weights = "4-bit (GGUF Q4_1)"

    def __init__(self, path):
        from llama_cpp import Llama
        started = time.perf_counter()
        self.llm = Llama(model_path=str(path), n_ctx=CONTEXT, n_batch=512, logits_all=True,
                         n_threads=placement().threads, verbose=False)
        atexit.register(self.llm.close)  # freed before interpreter teardown, not during it
        self.lock = threading.Lock()  # one llama.cpp context: one sequence at a time
        self.build_seconds = time.perf_counter() - started
        self.disk_bytes = os.path.getsize(path)
        self.memory_bytes = self.llm._model.size()
        self.note = (f"llama.cpp (llama-cpp-python) on {path.name}: blocks of 32 weights share a "
                     f"scale and a minimum; llama.cpp also rounds each layer's input to 8 bits "
                     f"inside its matrix products")

    def logits(self, ids):
        with self.lock:
            self.llm.reset()
            self.llm.eval(ids)
            return torch.from_numpy(np.array(self.llm.scores[:len(ids)], dtype=np.float32))

    def greedy(self, ids, max_new_tokens, eos):
        out, started, first = [], time.perf_counter(), 0.0
        with self.lock:
            self.llm.reset()
            step = list(ids)
            for _ in range(max_new_tokens):
                self.llm.eval(step)
                token = int(np.argmax(self.llm.scores[self.llm.n_tokens - 1]))
                first = first or time.perf_counter() - started
                if token == eos:
                    break
                out.append(token)
                step = [token]
        return Greedy(out, first, time.perf_counter() - started)
