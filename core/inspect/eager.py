"""Attention weights need the "eager" attention implementation: the default sdpa (and flash)
kernels compute softmax(QK^T/sqrt(d))V without ever forming W, so they cannot return it.

Rather than load a second copy of the weights, `eager(model)` makes a second model object that
shares every parameter with the loaded one (a deep copy with the parameters memoised) and
switches that object alone to eager attention. Measured on SmolLM2-135M: ~0.03 s and ~1 MB
(its rotary-embedding buffers) instead of 538 MB of weights; see bench/attention.py.
"""
import copy
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any


@dataclass
class EagerView:
    model: Any              # runs with attn_implementation="eager"; shares the weights
    seconds: float          # time to make it
    extra_bytes: int        # memory it holds that the original does not
    own: bool               # True when the model itself already ran eager attention

    def describe(self) -> str:
        if self.own:
            return "the model's own attention returns its weights"
        return (f"a second, eager-attention view of the model sharing its weights: made once in "
                f"{self.seconds:.2f} s, {self.extra_bytes / 2**20:.1f} MB extra")


_views: "weakref.WeakKeyDictionary[Any, EagerView]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def tensor_bytes(tensors) -> int:
    return sum(t.numel() * t.element_size() for t in tensors)


def eager(model) -> EagerView:
    """An eager-attention version of `model` (a transformers PreTrainedModel), made once."""
    with _lock:
        found = _views.get(model)
        if found is None:
            found = _views[model] = _make(model)
        return found


def _make(model) -> EagerView:
    if model.config._attn_implementation == "eager":
        return EagerView(model, 0.0, 0, own=True)
    start = time.perf_counter()
    view = copy.deepcopy(model, {id(p): p for p in model.parameters()})
    view.set_attn_implementation("eager")
    original = {t.data_ptr() for t in [*model.parameters(), *model.buffers()]}
    extra = tensor_bytes(t for t in [*view.parameters(), *view.buffers()] if t.data_ptr() not in original)
    return EagerView(view.eval(), time.perf_counter() - start, extra, own=False)
