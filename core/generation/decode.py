"""Streaming generation that records the next-token distribution at every step.

    for update in chat_stream([{"role": "user", "content": "Hi!"}], max_new_tokens=32):
        print(update.text)          # the cumulative generated text

Our own decoding loop over an engine (core.generation.engine: transformers, llama.cpp or a
remote server) and its KV cache, one step per token, so each step's logits are at hand:
core.generation.sampling turns them into the token and the record of the three stages. An
engine that draws tokens itself (a remote server) gives its top-N log-probabilities instead,
and the loop records those. Stop strings are checked on the decoded text; a `cancel` event or
closing the generator ends generation before the next step.
"""
from __future__ import annotations

import math
import os
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Callable, Iterator


from core.errors import GenerationError
from core.generation.engine import NextToken, engine_of
from core.generation.prompts import TRANSCRIPT_STOP, clean_messages, encode_text, fit_chat
from core.generation.sampling import Sampler, Settings, Step, TokenNames, TokenProb
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
    stats, model (which model/device answered), settings, notices (what was clamped or cut),
    engine (which engine answered: transformers, llama.cpp or remote)
    """
    text: str
    steps: list[Step]
    stats: Stats
    model: str
    settings: Settings
    notices: list[str] = field(default_factory=list)
    done: bool = False
    finish_reason: str | None = None
    engine: str = ""
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
                "model": self.model, "engine": self.engine, "stats": asdict(self.stats), "settings": settings,
                "notices": list(self.notices), "steps": list(self._step_dicts) if steps else []}


# --- context ---------------------------------------------------------------------------

def context_limit(loaded: loader.Loaded) -> int:
    """Tokens the model may read and write in one go: its own limit, capped by LLMLAB_MAX_CONTEXT."""
    cap = int(os.environ.get("LLMLAB_MAX_CONTEXT", DEFAULT_MAX_CONTEXT))
    return min(engine_of(loaded).context or cap, cap)


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
    `constraint` (see Constraint: generated ids, logits row -> logits row) changes each step's
    logits before the draw (engines with full logits only).
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
    return engine_of(loaded).end_ids()


def decode(loaded: loader.Loaded, prompt_ids: list[int], settings: Settings, notices: list[str], *,
           top_n: int = 10, cancel: threading.Event | None = None,
           started: float | None = None, constraint: Constraint | None = None) -> Iterator[Update]:
    """Generate from `prompt_ids` through the engine, one step per token."""
    import torch
    started = started or time.perf_counter()
    engine = engine_of(loaded)
    room = context_limit(loaded) - len(prompt_ids)
    if settings.max_new_tokens > room:
        notices.append(f"Only {room} new tokens fit in the {context_limit(loaded)}-token context.")
    limit = min(settings.max_new_tokens, room)
    if constraint is not None and not engine.capabilities.constraints:
        raise GenerationError(f"The {engine.name} engine draws the tokens itself, so this request's "
                              f"constraint cannot be applied; use a local engine (LLMLAB_ENGINE).")
    if top_n and not engine.capabilities.full_logits:
        notices.append(f"Next-token view: {engine.capabilities.view}.")
    sampler = Sampler(settings, TokenNames(engine.tokenizer), engine.device, top_n)
    text = Text(engine.tokenizer, settings.stop)
    stats = Stats(prompt_tokens=len(prompt_ids), seed=settings.seed)
    steps: list[Step] = []
    step_dicts: list[dict] = []  # shared by the snapshots, so each step is converted once
    model_name = loaded.describe()

    def snapshot(done: bool = False, reason: str | None = None) -> Update:
        _timing(stats, started)
        return Update(text.value, list(steps), replace(stats), model_name, settings, list(notices),
                      done, reason, engine.name, _step_dicts=step_dicts)

    ends = engine.end_ids()
    n = len(prompt_ids)
    ids = torch.zeros((1, n + limit), dtype=torch.long, device=engine.device)  # prompt + answer, for the penalty
    ids[0, :n] = torch.tensor(prompt_ids)
    reason, token = "length", None
    with engine.sequence(replace(settings, max_new_tokens=limit)) as sequence:
        for i in range(limit):
            if cancel is not None and cancel.is_set():
                reason = "cancelled"
                break
            out = sequence.prefill(prompt_ids) if i == 0 else sequence.step(token)
            if out.finish:
                reason = out.finish
                break
            token, step = _choose(sampler, ids[:, :n + i], out, i, constraint)
            ids[0, n + i] = token
            if i == 0:
                stats.first_token_s = time.perf_counter() - started
            stats.new_tokens = i + 1
            if token in ends:
                reason = "eos"
                if step:
                    steps.append(step)
                break
            piece, stopped = text.add(token, out.piece)
            if step:
                step.token = piece
                steps.append(step)
            if stopped:
                reason = "stop"
                text.trim_pieces(steps)
                break
            yield snapshot()
    yield snapshot(done=True, reason=reason)


def _choose(sampler: Sampler, history, out: NextToken, index: int, constraint) -> tuple[int, Step | None]:
    """The next token and its record: drawn here from the logits (after the constraint, if
    any), or taken from an engine that drew it itself (its top-N log-probabilities are then
    the record: the model's own probabilities of those N tokens exact, the later stages
    recomputed from them alone)."""
    if out.token is None:
        logits = out.logits
        if constraint is not None:
            logits = constraint(history[0, history.shape[1] - index:].tolist(), logits)
        return sampler(history, logits, index)
    import torch
    vocab = max(len(sampler.names.tokenizer), out.token + 1, *(i + 1 for i, _ in out.top))
    logits = torch.full((1, vocab), -math.inf)
    for token_id, logprob in out.top:
        logits[0, token_id] = logprob
    step = sampler.record(history, logits, index, out.token)
    if step is not None:
        step.stages["model"] = [TokenProb(i, sampler.names(i), math.exp(lp)) for i, lp in out.top[:sampler.top_n]]
        step.model_prob = math.exp(dict(out.top).get(out.token, -math.inf))
    return out.token, step


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

    def add(self, token: int, piece: str | None = None) -> tuple[str, bool]:
        """(text this token added, whether a stop string now ends the text). `piece`: the
        token's text as an engine that drew it gave it (then taken as it is)."""
        self.ids.append(token)
        if piece is None:
            before = self.tokenizer.decode(self.ids[self.prefix:self.read], skip_special_tokens=True)
            after = self.tokenizer.decode(self.ids[self.prefix:], skip_special_tokens=True)
            if len(after) <= len(before) or after.endswith("\ufffd"):
                return "", False
            piece = after[len(before):]
            self.prefix, self.read = self.read, len(self.ids)
        elif not piece:
            return "", False
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
