"""One interface to the model that writes: load it, prefill a prompt, step one token at a time and
read the next-token distribution, fork or reset the cache.

    engine = engine_of(loader.load("generation"))
    with engine.sequence() as seq:        # one request's KV cache
        out = seq.prefill(prompt_ids)      # NextToken: out.logits is the (1, vocab) float32 row
        out = seq.step(token)              # feed the drawn token, get the next row

Engines (core/generation/engines/):
  transformers  any Hub or local model; the reference for exactness; attention weights
  llama.cpp     GGUF files (the bundled chat model, or one LLMLAB_MODEL_GENERATION points at);
                concurrent sequences are decoded together, one forward pass per step
  remote        an OpenAI-compatible server at LLMLAB_ENGINE_URL (llama.cpp's server, vLLM, TGI,
                Ollama); the server draws the tokens and reports top-N log-probabilities

Token ids always come from the project's tokenizer (`engine.tokenizer`, a transformers
tokenizer); no engine re-tokenizes the text of a prompt with special-token parsing on.
Which engine serves: LLMLAB_ENGINE=auto|transformers|llamacpp|remote (core.generation.engines.kind).
"""
from __future__ import annotations

import gc
import threading
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from core.errors import GenerationError


@dataclass(frozen=True)
class Capabilities:
    full_logits: bool      # each step gives the whole logits row (else top-N log-probabilities only)
    draws_tokens: bool     # the engine draws each token itself; the loop records, it does not choose
    constraints: bool      # a constraint may change the logits before the draw (needs full_logits)
    batching: bool         # concurrent sequences are decoded together, one forward pass per step
    fork: bool             # a sequence's cache can be copied (beam search)
    scoring: bool          # log-probabilities of every token of a given text
    attention: bool        # attention weights can be read
    max_sequences: int     # sequences served at once; more wait for a free one
    view: str              # what the next-token view shows, and how exact it is


@dataclass
class NextToken:
    """What one prefill or step gives: the next-token distribution, whole or its top N."""
    logits: Any = None                        # torch (1, vocab) float32, when the engine has full logits
    top: list[tuple[int, float]] = field(default_factory=list)  # (id, log-probability), best first
    token: int | None = None                  # the token the engine drew (engines that draw)
    piece: str | None = None                  # that token's text as the engine gave it
    finish: str | None = None                 # the engine ended the sequence: "eos" or "length"


class Sequence:
    """One request's place in an engine: its KV cache. Use it as a context manager (or close())."""

    def prefill(self, ids: list[int]) -> NextToken:
        """Read the prompt (the cache is emptied first); the distribution of the first new token."""
        raise NotImplementedError

    def step(self, token: int) -> NextToken:
        """Append `token`; the distribution of the one after it."""
        raise NotImplementedError

    def fork(self) -> "Sequence":
        """A new sequence with a copy of this one's cache (both continue independently)."""
        raise GenerationError(f"{type(self).__name__} cannot fork its cache.")

    def reset(self) -> None:
        """Empty the cache; the next call must be prefill."""
        raise NotImplementedError

    def close(self) -> None:
        """Give the sequence's resources back (also done when it is garbage-collected)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Engine:
    """A loaded model behind the interface. Subclasses set the attributes in __init__."""
    name: str = ""            # "transformers" | "llama.cpp" | "remote"
    tokenizer: Any = None     # the project's tokenizer for this model (transformers)
    capabilities: Capabilities
    context: int = 0          # tokens the model reads and writes at once (its own limit)
    params: int = 0
    source: str = ""          # where the weights came from: hub | cache | bundled | local | remote
    model: Any = None         # the transformers model (the reference), where there is one
    device: str = "cpu"       # where the logits rows are (torch device)
    notes: list[str]          # what a person should know about how it was loaded

    def sequence(self, settings=None) -> Sequence:
        """A new, empty sequence. `settings` (core.generation.sampling.Settings) matter only to
        engines that draw tokens themselves; they also tell the engine how many tokens to expect."""
        raise NotImplementedError

    def steps(self, pairs: list[tuple[Sequence, int]]) -> list[NextToken]:
        """Step several sequences of one caller (beam search); engines that batch do it in one pass."""
        return [sequence.step(token) for sequence, token in pairs]

    def score(self, ids: list[int], chunk: int = 512) -> tuple[list[float], list[int]]:
        """(log P(ids[i+1] | ids[:i+1]), its rank among all tokens) for each i; at most `chunk`
        positions' logits at a time."""
        raise GenerationError(f"The {self.name} engine cannot score a text token by token; "
                              f"LLMLAB_ENGINE=llamacpp or transformers can.")

    def end_ids(self) -> set[int]:
        """Token ids that end a generation."""
        ends = {self.tokenizer.eos_token_id}
        return {i for i in ends if i is not None}

    def details(self) -> str:
        """What runs the model, for the model line: weights, device, threads."""
        return ""

    def close(self) -> None:
        pass


class Admission:
    """At most `limit` sequences at once; the others wait their turn (FIFO enough for a UI).

    A sequence that is dropped without close() (a stream abandoned by its consumer) still gives
    its place back when it is garbage-collected, so an abandoned request cannot block the rest.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self._free = threading.BoundedSemaphore(limit)

    def _acquire(self) -> None:
        while not self._free.acquire(timeout=2.0):
            gc.collect()  # a dropped stream caught in a reference cycle (a traceback) holds one

    def enter(self, owner) -> weakref.finalize:
        """Wait for a place; calling the returned finalizer (or dropping `owner`) gives it back."""
        self._acquire()
        return weakref.finalize(owner, self._free.release)

    @contextmanager
    def turn(self):
        """A place for the duration of a `with` block (one-shot work such as scoring)."""
        self._acquire()
        try:
            yield
        finally:
            self._free.release()


def engine_of(loaded) -> Engine:
    """The engine serving a loaded generation model; a transformers engine around a model built
    elsewhere (tests, benchmarks). Switches to llama.cpp when it was built after start."""
    from core.generation import engines
    return engines.current(loaded)
