"""Streaming generation that records the next-token distribution at every step.

    for update in chat_stream([{"role": "user", "content": "Hi!"}], max_new_tokens=32):
        print(update.text)          # the cumulative generated text

Our own decoding loop over the model with its KV cache (one forward pass per token), so
each step's logits are at hand: core.generation.sampling turns them into the token and the record of
the three stages. Stop strings are checked on the decoded text; a `cancel` event or closing
the generator ends generation before the next forward pass.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable, Iterator


from core.errors import GenerationError
from core.generation.prompts import TRANSCRIPT_STOP, clean_messages, encode_text, fit_chat
from core.generation.sampling import Sampler, Settings, Step, TokenNames
from core.runtime import loader

DEFAULT_MAX_CONTEXT = 4096  # prefill of more on a 2-vCPU Space takes tens of seconds

# The one decoding hook: (token ids generated so far, this step's logits (1, vocab)) -> logits,
# applied before sampling (e.g. core.summarize.faithful bans tokens that would invent a number).
Constraint = Callable[[list[int], "torch.Tensor"], "torch.Tensor"]


@dataclass
class Stats:
    prompt_tokens: int = 0
    new_tokens: int = 0
    seconds: float = 0.0         # from the call to the last token
    first_token_s: float = 0.0   # time to first token: tokenizing + prefill + first draw
    tokens_per_s: float = 0.0    # new_tokens / seconds
    seed: int = 0


@dataclass
class Update:
    """What the stream yields after each token, and once more at the end (done=True).

    Each Update is a snapshot (keeping one does not change it later); the Step objects
    inside are shared between snapshots.

    text:    the cumulative generated text (stop string and end-of-text token excluded)
    steps:   one core.generation.sampling.Step per generated token so far, with its candidates in
             three stages (empty when top_n=0)
    done, finish_reason: "eos" (model ended), "stop" (a stop string), "length" (max tokens
             or the context is full), "cancelled"
    stats, model (which model/device answered), settings, notices (what was clamped or cut)
    """
    text: str
    steps: list[Step]
    stats: Stats
    model: str
    settings: Settings
    notices: list[str] = field(default_factory=list)
    done: bool = False
    finish_reason: str | None = None
    _step_dicts: list[dict] = field(default_factory=list, repr=False, compare=False)

    @property
    def step(self) -> Step | None:
        return self.steps[-1] if self.steps else None

    def to_dict(self, steps: bool = True) -> dict:
        """Plain JSON-able data. Steps already converted are reused while streaming, so a
        stream of n tokens converts each step once, not n times."""
        if steps and (self.done or len(self._step_dicts) > len(self.steps)):
            self._step_dicts.clear()  # the final cut of a stop string may change past steps
        if steps:
            self._step_dicts.extend(s.to_dict() for s in self.steps[len(self._step_dicts):])
        settings = self.settings.to_dict()
        settings["stop"] = list(settings["stop"])
        return {"text": self.text, "done": self.done, "finish_reason": self.finish_reason,
                "model": self.model, "stats": asdict(self.stats), "settings": settings,
                "notices": list(self.notices), "steps": list(self._step_dicts) if steps else []}


# --- context ---------------------------------------------------------------------------

def context_limit(loaded: loader.Loaded) -> int:
    """Tokens the model may read and write in one go: its own limit, capped by LLMLAB_MAX_CONTEXT."""
    config = loaded.model.config
    own = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)
    cap = int(os.environ.get("LLMLAB_MAX_CONTEXT", DEFAULT_MAX_CONTEXT))
    return min(own or cap, cap)


def _budget(context: int, settings: Settings) -> int:
    return context - min(settings.max_new_tokens, context // 2)


# --- public entry points ---------------------------------------------------------------

def stream(prompt: str, *, model_id: str | None = None, top_n: int = 10,
           cancel: threading.Event | None = None, constraint: Constraint | None = None,
           **settings) -> Iterator[Update]:
    """Continue `prompt` as plain text (completion). Yields Updates; see `Update`."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise GenerationError("The prompt is empty: type some text for the model to continue.")
    checked, notices = Settings.checked(**settings)
    loaded = loader.load("generation", model_id)
    started = time.perf_counter()  # the one-off model load is not part of time to first token
    ids = encode_text(loaded.tokenizer, prompt)
    budget = _budget(context_limit(loaded), checked)
    if len(ids) > budget:
        raise GenerationError(f"The prompt is {len(ids)} tokens; {loaded.candidate.label} reads at most "
                              f"{budget} here (context {context_limit(loaded)} minus room for the answer). "
                              f"Shorten it.")
    yield from decode(loaded, ids, checked, notices, top_n=top_n, cancel=cancel, started=started,
                      constraint=constraint)


def chat_stream(messages: list[dict], *, max_new_tokens: int = 256, temperature: float = 0.0,
                top_k: int = 0, top_p: float = 1.0, repetition_penalty: float = 1.0,
                stop: list[str] | tuple = (), seed: int | None = None, model_id: str | None = None,
                top_n: int = 10, cancel: threading.Event | None = None,
                constraint: Constraint | None = None) -> Iterator[Update]:
    """Answer a chat history [{"role": "system"|"user"|"assistant", "content": str}, ...].

    Yields an `Update` after every generated token and a last one with done=True;
    `update.text` is the cumulative answer so far. A history longer than the context is cut
    from the oldest turns (a notice says so). Settings out of range are clamped (notices);
    empty or unusable input raises GenerationError with a message fit for the user.
    `top_n` candidates per stage are recorded in `update.steps` (0 = record nothing).
    `constraint` (see Constraint) may change each step's logits before sampling.
    """
    checked, notices = Settings.checked(max_new_tokens=max_new_tokens, temperature=temperature, top_k=top_k,
                                        top_p=top_p, repetition_penalty=repetition_penalty, stop=stop, seed=seed)
    messages = clean_messages(messages)
    loaded = loader.load("generation", model_id)
    started = time.perf_counter()
    tokenizer = loaded.tokenizer
    if not tokenizer.chat_template:
        notices.append(f"{loaded.candidate.label} has no chat template: the history is given to it "
                       f"as a plain 'User:/Assistant:' transcript.")
        checked = Settings(**{**checked.to_dict(), "stop": checked.stop + (TRANSCRIPT_STOP,)})
    ids, dropped = fit_chat(tokenizer, messages, _budget(context_limit(loaded), checked))
    if dropped:
        notices.append(f"The chat is longer than the {context_limit(loaded)}-token context: "
                       f"the oldest {dropped} message(s) were left out.")
    yield from decode(loaded, ids, checked, notices, top_n=top_n, cancel=cancel, started=started,
                      constraint=constraint)


def last(updates: Iterator[Update]) -> Update:
    """The final Update of a stream."""
    update = None
    for update in updates:
        pass
    return update


def chat(messages: list[dict], **settings) -> str:
    """The final answer text of `chat_stream` (same arguments; records no candidates unless
    top_n is given)."""
    settings.setdefault("top_n", 0)
    return last(chat_stream(messages, **settings)).text


def complete(prompt: str, **settings) -> Update:
    """The final Update of `stream` (same arguments)."""
    return last(stream(prompt, **settings))


# --- the decoding loop -----------------------------------------------------------------

def end_ids(loaded: loader.Loaded) -> set[int]:
    ends = {loaded.tokenizer.eos_token_id}
    config_eos = getattr(loaded.model.generation_config, "eos_token_id", None)
    ends.update(config_eos if isinstance(config_eos, list) else [config_eos])
    return {i for i in ends if i is not None}


def decode(loaded: loader.Loaded, prompt_ids: list[int], settings: Settings, notices: list[str], *,
           top_n: int = 10, cancel: threading.Event | None = None,
           started: float | None = None, constraint: Constraint | None = None) -> Iterator[Update]:
    """Generate from `prompt_ids` with the KV cache, one forward pass per token."""
    started = started or time.perf_counter()
    model, tokenizer, device = loaded.model, loaded.tokenizer, loaded.placement.device
    room = context_limit(loaded) - len(prompt_ids)
    if settings.max_new_tokens > room:
        notices.append(f"Only {room} new tokens fit in the {context_limit(loaded)}-token context.")
    limit = min(settings.max_new_tokens, room)
    sampler = Sampler(settings, TokenNames(tokenizer), device, top_n)
    text = Text(tokenizer, settings.stop)
    stats = Stats(prompt_tokens=len(prompt_ids), seed=settings.seed)
    steps: list[Step] = []
    step_dicts: list[dict] = []  # shared by the snapshots, so each step is converted once
    model_name = loaded.describe()

    def snapshot(done: bool = False, reason: str | None = None) -> Update:
        _timing(stats, started)
        return Update(text.value, list(steps), replace(stats), model_name, settings, list(notices),
                      done, reason, step_dicts)

    ends = end_ids(loaded)
    n = len(prompt_ids)
    import torch
    ids = torch.zeros((1, n + limit), dtype=torch.long, device=device)  # prompt + answer, for the penalty
    ids[0, :n] = torch.tensor(prompt_ids)
    cache, reason = None, "length"
    for i in range(limit):
        if cancel is not None and cancel.is_set():
            reason = "cancelled"
            break
        token, step, cache = _advance(model, sampler, ids, n + i, cache, i, constraint, n)
        if i == 0:
            stats.first_token_s = time.perf_counter() - started
        stats.new_tokens = i + 1
        if token in ends:
            reason = "eos"
            if step:
                steps.append(step)
            break
        piece, stopped = text.add(token)
        if step:
            step.token = piece
            steps.append(step)
        if stopped:
            reason = "stop"
            text.trim_pieces(steps)
            break
        yield snapshot()
    yield snapshot(done=True, reason=reason)


# Per call, not around the loop: inference mode is per thread, and a streaming consumer
# (gradio) may resume the generator on a different thread at every step.
def _advance(model, sampler: Sampler, ids: torch.Tensor, length: int, cache, index: int,
             constraint: Constraint | None = None, prompt_length: int = 0) -> tuple[int, Step | None, object]:
    """One forward pass (the whole prompt first, then one token over the KV cache) and one draw;
    the drawn token is written at ids[0, length]."""
    import torch
    new = ids[:, :length] if cache is None else ids[:, length - 1:length]
    with torch.inference_mode():
        out = model(input_ids=new, past_key_values=cache, use_cache=True, logits_to_keep=1)
        logits = out.logits[:, -1, :]
        if constraint is not None:
            logits = constraint(ids[0, prompt_length:length].tolist(), logits)
        token, step = sampler(ids[:, :length], logits, index)
    ids[0, length] = token
    return token, step, out.past_key_values


def _timing(stats: Stats, started: float) -> None:
    stats.seconds = time.perf_counter() - started
    stats.tokens_per_s = stats.new_tokens / stats.seconds if stats.seconds else 0.0


class Text:
    """The generated text, decoded incrementally; finds stop strings.

    Decodes a short window of recent tokens (the method of text-generation-inference) so a
    step costs the same however long the answer; a token that ends inside a multi-byte
    character adds nothing until the character is complete.
    """

    def __init__(self, tokenizer, stop: tuple[str, ...] = ()):
        self.tokenizer, self.stop = tokenizer, stop
        self.ids: list[int] = []
        self.value = ""
        self.prefix, self.read = 0, 0

    def add(self, token: int) -> tuple[str, bool]:
        """(text this token added, whether a stop string now ends the text)."""
        self.ids.append(token)
        before = self.tokenizer.decode(self.ids[self.prefix:self.read], skip_special_tokens=True)
        after = self.tokenizer.decode(self.ids[self.prefix:], skip_special_tokens=True)
        if len(after) <= len(before) or after.endswith("\ufffd"):
            return "", False
        piece = after[len(before):]
        self.prefix, self.read = self.read, len(self.ids)
        start = max(0, len(self.value) - max(map(len, self.stop), default=0))
        self.value += piece
        found = [at for at in (self.value.find(s, start) for s in self.stop) if at >= 0]
        if found:
            self.value = self.value[:min(found)]
            return piece, True
        return piece, False

    def trim_pieces(self, steps: list[Step]) -> None:
        """After a stop string cut the text, cut the steps' pieces so they still add up to it."""
        extra = sum(len(s.token) for s in steps) - len(self.value)
        for step in reversed(steps):
            if extra <= 0:
                break
            cut = min(extra, len(step.token))
            step.token = step.token[:len(step.token) - cut]
            extra -= cut
