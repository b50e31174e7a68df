"""How one decoding step turns the model's logits into the next token, in three visible stages.

A language model gives P(w_i | w_<i) at every step; generation draws w_i from it. The draw
goes through three distributions, and each step records the top candidates of all three:

  model     softmax(logits): what the model itself predicts
  adjusted  after the repetition penalty and temperature (temperature 0 = greedy: all mass
            on the most likely token, the limit of the softmax as temperature -> 0)
  filtered  after top-k / top-p, renormalised: the distribution the token is drawn from

The processors are transformers' own, in the order `model.generate` applies them.
"""
from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field, fields

from core.errors import BadSettings

STAGES = ("model", "adjusted", "filtered")
MAX_NEW_TOKENS = 1024
MAX_STOP_STRINGS = 8
MAX_STOP_LENGTH = 100
SEED_RANGE = 2**32  # what numpy and the UI accept; torch takes more, the UI cannot show it

# setting -> (lowest, highest, type); a value outside is clamped and a notice says so
LIMITS = {
    "max_new_tokens": (1, MAX_NEW_TOKENS, int),
    "temperature": (0.0, 2.0, float),
    "top_k": (0, 1000, int),
    "top_p": (0.01, 1.0, float),
    "repetition_penalty": (1.0, 2.0, float),
}


@dataclass(frozen=True)
class Settings:
    max_new_tokens: int = 256
    temperature: float = 0.0    # 0 = greedy
    top_k: int = 0              # 0 = off
    top_p: float = 1.0          # 1 = off
    repetition_penalty: float = 1.0
    stop: tuple[str, ...] = ()
    seed: int | None = None     # None = a fresh random seed, reported so the run can be repeated

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    @classmethod
    def checked(cls, **values) -> tuple["Settings", list[str]]:
        """Settings with every value brought into range, and notices saying what was changed."""
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise BadSettings(f"unknown setting(s): {', '.join(sorted(unknown))}")
        notices, clean = [], {}
        for name, value in values.items():
            if value is None and name != "seed":
                continue  # None means "the default"
            if name in LIMITS:
                clean[name] = _clamp(name, value, notices)
        clean["stop"] = _stop_strings(values.get("stop") or (), notices)
        clean["seed"] = _seed(values.get("seed"))
        settings = cls(**clean)
        if settings.greedy and (settings.top_k or settings.top_p < 1):
            notices.append("Temperature 0 is greedy decoding: top-k and top-p have no effect.")
        return settings, notices

    def to_dict(self) -> dict:
        return asdict(self)


def _clamp(name: str, value, notices: list[str]):
    low, high, kind = LIMITS[name]
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadSettings(f"{name} must be a number, not {value!r}") from None
    if math.isnan(number):
        raise BadSettings(f"{name} must be a number, not NaN")
    clamped = min(max(number, low), high)
    if clamped != number:
        notices.append(f"{name} {value} is outside {low}–{high}; used {kind(clamped)}.")
    return kind(round(clamped)) if kind is int else clamped


def _stop_strings(stop, notices: list[str]) -> tuple[str, ...]:
    if isinstance(stop, str):
        stop = [stop]
    strings = [s for s in stop if isinstance(s, str) and s]
    if len(strings) > MAX_STOP_STRINGS:
        notices.append(f"Only the first {MAX_STOP_STRINGS} stop strings are used.")
    if any(len(s) > MAX_STOP_LENGTH for s in strings):
        notices.append(f"Stop strings are cut to {MAX_STOP_LENGTH} characters.")
    return tuple(dict.fromkeys(s[:MAX_STOP_LENGTH] for s in strings[:MAX_STOP_STRINGS]))


def _seed(seed) -> int:
    if seed is None or seed == "":
        return random.randrange(1, SEED_RANGE)  # never 0: the page's seed box reads 0 as "random"
    try:
        return int(float(seed)) % SEED_RANGE
    except (TypeError, ValueError, OverflowError):
        raise BadSettings(f"seed must be a whole number, not {seed!r}") from None


# --- one step ------------------------------------------------------------------------

@dataclass
class TokenProb:
    token_id: int
    token: str
    prob: float


@dataclass
class Step:
    """One generated token and the distributions it was drawn from."""
    index: int
    token_id: int
    token: str                 # what the token added to the text ("" for end-of-text)
    prob: float                # its probability in the distribution it was drawn from
    model_prob: float          # its probability as the model gave it
    kept: int                  # how many tokens survived top-k / top-p
    stages: dict[str, list[TokenProb]] = field(default_factory=dict)  # STAGES -> top candidates

    def to_dict(self) -> dict:
        return asdict(self)


class TokenNames:
    """id -> readable text of one token, cached (the same few thousand ids come back)."""

    def __init__(self, tokenizer):
        self.tokenizer, self.names = tokenizer, {}

    def __call__(self, token_id: int) -> str:
        name = self.names.get(token_id)
        if name is None:
            name = self.names[token_id] = self.tokenizer.decode([token_id])
        return name


class Sampler:
    """Chooses each next token; with `top_n` > 0 it also records the three stages."""

    def __init__(self, settings: Settings, names: TokenNames, device: str, top_n: int = 10):
        import torch
        from transformers import (RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper,
                                  TopKLogitsWarper, TopPLogitsWarper)
        self.settings, self.names, self.top_n = settings, names, top_n
        self.adjust = []
        if settings.repetition_penalty != 1:
            self.adjust.append(RepetitionPenaltyLogitsProcessor(float(settings.repetition_penalty)))
        self.filter = []
        if not settings.greedy:
            if settings.temperature != 1:
                self.adjust.append(TemperatureLogitsWarper(settings.temperature))
            if settings.top_k:
                self.filter.append(TopKLogitsWarper(settings.top_k))
            if settings.top_p < 1:
                self.filter.append(TopPLogitsWarper(settings.top_p))
        self.generator = torch.Generator(device).manual_seed(settings.seed)

    def __call__(self, input_ids: torch.Tensor, logits: torch.Tensor, index: int) -> tuple[int, Step | None]:
        """(next token id, the step's record or None) from the last position's logits (1, vocab)."""
        import torch
        raw, adjusted, filtered = self._stages(input_ids, logits)
        if self.settings.greedy:
            token = int(adjusted.argmax(-1))
            return token, self._record_greedy(index, token, raw) if self.top_n else None
        if not self.top_n:
            return int(torch.multinomial(filtered.softmax(-1), 1, generator=self.generator)), None
        probs = torch.cat([raw, adjusted, filtered]).softmax(-1)  # one softmax for the 3 stages
        token = int(torch.multinomial(probs[2:], 1, generator=self.generator))
        return token, self._record(index, token, probs, filtered)

    def record(self, input_ids: torch.Tensor, logits: torch.Tensor, index: int, token: int) -> Step | None:
        """The record of a step whose token was drawn elsewhere (an engine that draws itself)."""
        import torch
        if not self.top_n:
            return None
        raw, adjusted, filtered = self._stages(input_ids, logits)
        if self.settings.greedy:
            return self._record_greedy(index, token, raw)
        return self._record(index, token, torch.cat([raw, adjusted, filtered]).softmax(-1), filtered)

    def _stages(self, input_ids, logits):
        raw = logits.float()
        adjusted = raw
        for process in self.adjust:
            adjusted = process(input_ids, adjusted)
        filtered = adjusted
        for process in self.filter:
            filtered = process(input_ids, filtered)
        return raw, adjusted, filtered

    def _record_greedy(self, index: int, token: int, raw: torch.Tensor) -> Step:
        """Temperature -> 0 makes (b) and (c) one-hot on the argmax; nothing is left to filter."""
        probs = raw.softmax(-1)
        top = probs.topk(min(self.top_n, raw.shape[-1]))
        model = [TokenProb(i, self.names(i), p) for i, p in zip(top.indices[0].tolist(), top.values[0].tolist())]
        chosen = [TokenProb(token, self.names(token), 1.0)]
        return Step(index, token, "", 1.0, float(probs[0, token]), 1,
                    {"model": model, "adjusted": chosen, "filtered": list(chosen)})

    def _record(self, index: int, token: int, probs: torch.Tensor, filtered: torch.Tensor) -> Step:
        import torch
        top = probs.topk(min(self.top_n, probs.shape[-1]))
        ids, values = top.indices.tolist(), top.values.tolist()
        stages = {stage: [TokenProb(i, self.names(i), p) for i, p in zip(ids[s], values[s]) if p > 0]
                  for s, stage in enumerate(STAGES)}
        kept = int(torch.isfinite(filtered).sum())
        return Step(index, token, "", probs[2, token].item(), probs[0, token].item(), kept, stages)
