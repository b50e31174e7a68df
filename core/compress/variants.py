"""The same causal LM at several precisions, each behind one small interface (`Runner`):
the next-token logits at every position of a text, and a greedy answer with its timings.

    fp32          the loaded model itself (the reference)
    bf16          a copy with every weight in bfloat16 (16 bits, fp32's exponent range)
    int8          torch dynamic quantization of every nn.Linear: int8 weights, and each layer's
                  input rounded to 8 bits per tensor at run time (torch.ao, deprecated there)
    int8-weights  int8 weights per output row, dequantized on the fly; activations stay fp32
    q4            the bundled 4-bit GGUF through llama.cpp (core.compress.q4)

Variants are built once per process (the first build takes seconds) and shared: they are only
ever read. A variant that cannot be had here raises `Unavailable` with the reason.
"""
from __future__ import annotations

import copy
import io
import threading
import time
import warnings
from dataclasses import dataclass

import torch

from core.compress import NAMES
from core.runtime import loader


class Unavailable(Exception):
    """A variant that cannot be built here; the message says why."""


@dataclass
class Greedy:
    ids: list[int]            # the generated tokens (end-of-text excluded)
    first_token_s: float      # prompt in -> first token out
    seconds: float            # prompt in -> last token out

    @property
    def tokens_per_s(self) -> float | None:
        """Decoding speed after the first token (prefill excluded), None with one token."""
        after = self.seconds - self.first_token_s
        return (len(self.ids) - 1) / after if len(self.ids) > 1 and after > 0 else None


class Runner:
    """One precision of the model. Subclasses fill in logits and the two sizes."""
    name = ""
    weights = ""              # what is stored, in words
    disk_bytes = 0            # the weights saved to a file
    memory_bytes = 0          # the weights held in memory
    build_seconds = 0.0
    note = ""

    def logits(self, ids: list[int]):
        """(len(ids), vocab) float32 tensor: the next-token logits at every position."""
        raise NotImplementedError

    def greedy(self, ids: list[int], max_new_tokens: int, eos: int | None) -> Greedy:
        raise NotImplementedError


class TorchRunner(Runner):
    def __init__(self, name: str, weights: str, model, seconds: float, note: str = ""):
        self.name, self.weights, self.model = name, weights, model
        self.build_seconds, self.note = seconds, note
        self.memory_bytes = weight_bytes(model)
        self.disk_bytes = saved_bytes(model)

    def logits(self, ids):
        with torch.inference_mode():
            return self.model(input_ids=torch.tensor([ids], device=self.model.device)).logits[0].float()

    def greedy(self, ids, max_new_tokens, eos):
        out, cache, started, first = [], None, time.perf_counter(), 0.0
        step = torch.tensor([ids], device=self.model.device)
        with torch.inference_mode():
            for _ in range(max_new_tokens):
                result = self.model(input_ids=step, past_key_values=cache, use_cache=True, logits_to_keep=1)
                cache, token = result.past_key_values, int(result.logits[0, -1].argmax())
                first = first or time.perf_counter() - started
                if token == eos:
                    break
                out.append(token)
                step = torch.tensor([[token]], device=self.model.device)
        return Greedy(out, first, time.perf_counter() - started)


# --- sizes ------------------------------------------------------------------------------

def _tensors(value):
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)
    elif hasattr(value, "element_size") and value is not None:
        yield value


def weight_bytes(model) -> int:
    """Bytes of every tensor in the state dict, each storage counted once (tied weights)."""
    seen, total = set(), 0
    for value in model.state_dict().values():
        for tensor in _tensors(value):
            key = (tensor.data_ptr(), tensor.numel())
            if key not in seen:
                seen.add(key)
                total += tensor.numel() * tensor.element_size()
    return total


class _Counter(io.RawIOBase):
    def __init__(self):
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.size += len(data)
        return len(data)


def saved_bytes(model) -> int:
    """Size of torch.save(state_dict): the file these weights would make, counted, not written."""
    sink = _Counter()
    torch.save(model.state_dict(), sink)
    return sink.size


# --- the variants -----------------------------------------------------------------------

def _bf16(model):
    return copy.deepcopy(model).to(torch.bfloat16), "bf16", (
        "every weight and activation in bfloat16: 16 bits, fp32's range with 8 bits of precision")


def _int8(model):
    with warnings.catch_warnings():  # torch.ao.quantization warns that it is deprecated
        warnings.simplefilter("ignore")
        quantized = torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear},
                                                           dtype=torch.qint8)
    return quantized, "int8, int8 activations", (
        "torch dynamic quantization (torch.ao.quantization.quantize_dynamic, deprecated in torch): "
        "each linear layer's input is rounded to 8 bits with one scale for the whole tensor; "
        "the embedding stays fp32")


class Int8WeightLinear(torch.nn.Module):
    """A Linear layer whose weight is kept as int8 with one fp32 scale per output row."""

    def __init__(self, linear: torch.nn.Linear):
        super().__init__()
        weight = linear.weight.detach().float()
        scale = weight.abs().amax(dim=1).clamp(min=1e-12) / 127
        self.register_buffer("weight_int8", torch.round(weight / scale[:, None]).to(torch.int8))
        self.register_buffer("scale", scale)
        self.bias = linear.bias

    def forward(self, x):
        weight = self.weight_int8.to(x.dtype) * self.scale.to(x.dtype)[:, None]
        return torch.nn.functional.linear(x, weight, self.bias)


def _int8_weights(model):
    copied = copy.deepcopy(model)
    for parent in list(copied.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is torch.nn.Linear:
                setattr(parent, name, Int8WeightLinear(child))
    return copied, "int8, fp32 activations", (
        "int8 weights with one scale per output row, turned back into floats in every forward "
        "pass: the memory of int8 at fp32 speed or slower; activations stay fp32, and so does the "
        "embedding")


BUILDERS = {"bf16": _bf16, "int8": _int8, "int8-weights": _int8_weights}

_runners: dict[tuple[str, str], Runner] = {}
_lock = threading.Lock()


def runner(name: str, loaded: loader.Loaded) -> Runner:
    """The `name` variant of the loaded generation model, built on first use."""
    key = (loaded.candidate.id, name)
    with _lock:
        if key in _runners:
            return _runners[key]
        started = time.perf_counter()
        if name == "fp32" and loaded.network.dtype == torch.float32:
            made = TorchRunner("fp32", "fp32", loaded.network, 0.0,
                               "the model as loaded (32-bit floats): the reference for the other rows")
        elif name == "fp32":  # e.g. bf16 on a GPU: an fp32 copy computes in fp32, its weights stay rounded
            made = TorchRunner("fp32", "fp32", copy.deepcopy(loaded.network).float().eval(),
                               time.perf_counter() - started,
                               f"an fp32 copy of the model loaded in {loaded.network.dtype}: it computes in "
                               f"fp32, but its weights keep their {loaded.network.dtype} rounding")
        elif name.startswith("int8") and loaded.network.device.type != "cpu":
            raise Unavailable("the int8 variants here run on the CPU only; the model is on "
                              f"{loaded.network.device.type}")
        elif name == "q4":
            from core.compress import q4
            made = q4.runner(loaded)
        elif name in BUILDERS:
            model, weights, note = BUILDERS[name](loaded.network)
            made = TorchRunner(name, weights, model.eval(), time.perf_counter() - started, note)
        else:
            raise Unavailable(f"unknown variant {name!r}; variants are {', '.join(NAMES)}")
        _runners[key] = made
        return made
