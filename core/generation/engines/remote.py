"""The remote engine: an OpenAI-compatible server (llama.cpp's server, vLLM, TGI, Ollama) at
LLMLAB_ENGINE_URL, so that the app scales out by pointing at an existing serving engine.

One streamed /v1/completions request per answer: the server batches requests and draws each
token with the request's settings (temperature, top-k, top-p, repetition penalty, seed), and
reports each token's top-N log-probabilities. The next-token view is built from those: the
model's probabilities of those N tokens are exact, the rest of the vocabulary is not seen, and
the adjusted and filtered stages are recomputed here from the N alone (approximate). Scoring a
text needs prompt log-probabilities, which servers do not report alike (llama-cpp-python's are
shifted by one token), so this engine does not score.

The prompt is sent as the project's token ids where the server takes them (vLLM, llama.cpp's
server); a server that takes text only (llama-cpp-python's) gets the text, and a prompt whose
text it would read differently (user text spelling a control token such as <|im_start|>) is
refused rather than sent. The tokenizer: LLMLAB_ENGINE_TOKENIZER (a Hub id, folder or .gguf),
else the server's model id when it names one of those.
"""
from __future__ import annotations

import json
import os
from collections import deque
from pathlib import Path

from core.errors import GenerationError, ModelUnavailable
from core.generation.engine import Admission, Capabilities, Engine, NextToken, Sequence

TOKENIZER_VAR = "LLMLAB_ENGINE_TOKENIZER"
TOP_N = 20       # log-probabilities asked for per token (OpenAI's maximum)
STREAMS = 8      # requests in flight at once; the server batches them
TIMEOUT_S = 300


class RemoteEngine(Engine):
    name = "remote"
    source = "remote"

    def __init__(self, url: str, served: str, tokenizer, client, takes_ids: bool, top_n: int):
        self.url, self.served, self.tokenizer, self.client = url, served, tokenizer, client
        self.takes_ids, self.top_n = takes_ids, top_n
        self.notes: list[str] = []
        self.context, self.params, self.model = 0, 0, None
        view = (f"the server draws each token; the model's probabilities of its top {top_n} candidates "
                f"are exact, the rest of the vocabulary is not seen, and the adjusted and filtered "
                f"stages are recomputed here from those {top_n} alone (approximate)") if top_n else (
                "the server reports no log-probabilities (llama-cpp-python's server needs "
                "--logits_all True): only the drawn tokens are shown")
        self.capabilities = Capabilities(
            full_logits=False, draws_tokens=True, constraints=False, batching=True, fork=False,
            scoring=False, attention=False, max_sequences=STREAMS, view=view)
        self.admission = Admission(STREAMS)
        self._ids = _inverse_vocabulary(tokenizer)

    @classmethod
    def load(cls, url: str, tokenizer: str | None = None) -> "RemoteEngine":
        import httpx
        client = httpx.Client(timeout=httpx.Timeout(TIMEOUT_S, connect=5.0),
                              limits=httpx.Limits(max_connections=2 * STREAMS))
        try:
            models = client.get(f"{url}/v1/models").raise_for_status().json()["data"]
        except Exception as err:
            raise ModelUnavailable(f"The server at {url} does not answer /v1/models: {err}") from None
        served = models[0]["id"] if models else ""
        tokenizer = _tokenizer(tokenizer or os.environ.get(TOKENIZER_VAR, "").strip() or served)
        probe = tokenizer("Hi", add_special_tokens=False).input_ids
        takes_ids = _post(client, url, {"prompt": probe, "max_tokens": 1, "model": served}) is not None
        top_n = TOP_N if _post(client, url, {"prompt": "Hi", "max_tokens": 1, "logprobs": TOP_N,
                                             "model": served}) is not None else 0
        return cls(url, served, tokenizer, client, takes_ids, top_n)

    def sequence(self, settings=None) -> "RemoteSequence":
        return RemoteSequence(self, settings)

    def details(self) -> str:
        how = "token ids" if self.takes_ids else "prompt text"
        return f"{self.served or 'model'} @ {self.url} · remote (OpenAI-compatible, {how}, top-{self.top_n} logprobs)"

    def prompt(self, ids: list[int]):
        if self.takes_ids:
            return list(ids)
        text = self.tokenizer.decode(ids)
        if self.tokenizer(text, add_special_tokens=False).input_ids != list(ids):
            raise GenerationError("The server reads prompts as text, and this prompt's text would not read "
                                  "back as the same tokens (it may spell a control token such as "
                                  "<|im_start|>). Remove such markup, or use a local engine.")
        return text

    def token_id(self, text: str) -> int:
        found = self._ids.get(text)
        if found is None:
            ids = self.tokenizer(text, add_special_tokens=False).input_ids
            found = ids[0] if ids else (self.tokenizer.unk_token_id or 0)
        return found

    def close(self) -> None:
        self.client.close()


class RemoteSequence(Sequence):
    """One streamed completion: prefill sends the request, each step reads the next token."""

    def __init__(self, engine: RemoteEngine, settings):
        self.engine, self.settings = engine, settings
        self._place = engine.admission.enter(self)
        self._context = self._lines = None
        self._queue: deque[NextToken] = deque()

    def prefill(self, ids: list[int]) -> NextToken:
        self.reset()
        s, engine = self.settings, self.engine
        body = {"model": engine.served, "prompt": engine.prompt(ids), "stream": True,
                "max_tokens": s.max_new_tokens, "temperature": s.temperature, "top_p": s.top_p,
                "top_k": s.top_k, "min_p": 0.0, "repeat_penalty": s.repetition_penalty,
                "repetition_penalty": s.repetition_penalty, "seed": s.seed}
        if engine.top_n:
            body["logprobs"] = engine.top_n
        self._context = engine.client.stream("POST", f"{engine.url}/v1/completions", json=body)
        response = self._context.__enter__()
        if response.status_code != 200:
            message = response.read().decode(errors="replace")[:300]
            self.reset()
            raise GenerationError(f"The server at {engine.url} answered {response.status_code}: {message}")
        self._lines = response.iter_lines()
        return self._next()

    def step(self, token: int) -> NextToken:
        return self._next()  # the server has drawn `token` itself and goes on

    def _next(self) -> NextToken:
        while not self._queue:
            line = next(self._lines, None) if self._lines is not None else None
            if line is None or line.strip() == "data: [DONE]":
                return NextToken(finish="length")
            if line.startswith("data:"):
                self._read(json.loads(line[5:]))
        return self._queue.popleft()

    def _read(self, chunk: dict) -> None:
        choice = (chunk.get("choices") or [{}])[0]
        text, logprobs = choice.get("text") or "", choice.get("logprobs") or {}
        tokens = logprobs.get("tokens") or ([text] if text else [])
        tops = logprobs.get("top_logprobs") or [{}] * len(tokens)
        for i, token in enumerate(tokens):
            top = sorted(((self.engine.token_id(t), lp) for t, lp in (tops[i] or {}).items()), key=lambda p: -p[1])
            self._queue.append(NextToken(top=top, token=self.engine.token_id(token),
                                         piece=text if len(tokens) == 1 else token))
        if choice.get("finish_reason") and not tokens:
            self._queue.append(NextToken(finish="eos" if choice["finish_reason"] == "stop" else "length"))

    def reset(self) -> None:
        if self._context is not None:
            self._context.__exit__(None, None, None)  # closing the stream cancels it on the server
        self._context = self._lines = None
        self._queue.clear()

    def close(self) -> None:
        self.reset()
        self._place()


def _post(client, url: str, body: dict) -> dict | None:
    """The JSON answer of a /v1/completions request, or None when the server refuses it."""
    try:
        response = client.post(f"{url}/v1/completions", json=body)
    except Exception as err:
        raise ModelUnavailable(f"The server at {url} did not answer: {err}") from None
    return response.json() if response.status_code == 200 else None


def _tokenizer(name: str):
    """The project's tokenizer for the served model: a .gguf file, a folder or a Hub id."""
    from transformers import AutoTokenizer

    from core.runtime import gguf, registry
    path = Path(name).expanduser()
    try:
        if path.suffix == ".gguf" and path.exists():
            return gguf.tokenizer(path, registry.bundle_name(path) or
                                  (path.stem if path.stem != "model" else path.parent.name))
        return AutoTokenizer.from_pretrained(str(path) if path.is_dir() else name)
    except Exception as err:
        raise ModelUnavailable(f"No tokenizer for the served model {name!r} ({type(err).__name__}); set "
                               f"{TOKENIZER_VAR} to its Hub id, folder or GGUF file.") from None


def _inverse_vocabulary(tokenizer) -> dict[str, int]:
    """Token text -> id, for servers that report tokens as text (lowest id where texts collide)."""
    texts = tokenizer.batch_decode([[i] for i in range(len(tokenizer))])
    inverse: dict[str, int] = {}
    for i, text in enumerate(texts):
        inverse.setdefault(text, i)
    return inverse
