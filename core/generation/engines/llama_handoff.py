"""Long prompts read by the transformers reference, their KV cache handed to llama.cpp.

On this 2-core CPU torch's float32 matrix multiply reads a long prompt faster than llama.cpp's
8-bit one (550 tokens: ~1.6 s against ~2.6 s, bench/engine.py), while llama.cpp decodes the
tokens after it 3-4x faster. So a prompt of at least LLMLAB_HANDOFF_TOKENS tokens (default 128;
0 = never) is read by the reference model, and its keys and values are written into the
llama.cpp sequence in llama.cpp's own sequence-state format (llama_state_seq_set_data). The
prompt's cache is then the reference's float32 one, and the first token's distribution the
reference's own; every later step is llama.cpp's. This is prefill/decode disaggregation, as
serving systems do it between machines, here between two engines in one process.

Only for models under 1B parameters, and where the layout is known (checked byte for byte
against llama.cpp's own state of the same prompt by tests/integration/test_llama_handoff.py): the
llama architecture, float32 K/V, V stored transposed (no flash attention). GGUF conversion
permutes each head's query/key rows so that llama.cpp's rotary embedding turns adjacent pairs
(x0, x1) where transformers turns (x0, x_d/2); the keys are permuted the same way here.
"""
from __future__ import annotations

import ctypes
import logging
import os
import struct
import threading

import numpy as np

from core.generation.engines.llama_weights import GGML_TYPE_F32, SMALL

log = logging.getLogger(__name__)

MAGIC = 0xAF143CD8  # llama.cpp's io_magic for sequence state (llama-context.cpp)
TOKENS_VAR = "LLMLAB_HANDOFF_TOKENS"
DEFAULT_TOKENS = 128  # from here the handoff saved 10% (111 tokens) to 35% (524): bench/engine.py --part handoff


def threshold() -> int:
    value = os.environ.get(TOKENS_VAR, "").strip()
    return int(value) if value.isdigit() else DEFAULT_TOKENS


class Handoff:
    """The reference model reading long prompts for a llama.cpp context. It is loaded when the
    first long prompt comes (a one-off wait, like any model's first use), and reads one prompt at
    a time, so a long prompt is always read the same way and a seeded run repeats exactly."""

    def __init__(self, L, model, reference, n_stream: int, minimum: int | None = None):
        self.minimum = threshold() if minimum is None else minimum
        self.n_stream, self.reference, self.model = n_stream, reference, None
        self.shape = _shape(L, model)
        self.enabled = bool(self.minimum and self.shape and reference is not None)
        self._lock = threading.Lock()

    def read(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray] | None:
        """(the first token's logits row, the sequence state to write) for a long prompt, or
        None where llama.cpp reads it (a short prompt, or no usable reference)."""
        if not self.enabled or len(ids) < self.minimum:
            return None
        import torch
        with self._lock:
            if self.model is None and not self._load():
                return None
            with torch.inference_mode():
                out = self.model(input_ids=torch.tensor([ids], device=self.model.device), use_cache=True,
                                 logits_to_keep=1)
            row = out.logits[0, -1].float().cpu().numpy()
            return row, state(out.past_key_values, len(ids), self.n_stream)

    def _load(self) -> bool:
        try:
            model = self.reference.resolve() if hasattr(self.reference, "resolve") else self.reference
            config = model.config
            head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
            if (config.num_hidden_layers, config.num_key_value_heads, head_dim) != self.shape:
                raise ValueError(f"its layers {config.num_hidden_layers, config.num_key_value_heads, head_dim} "
                                 f"are not llama.cpp's {self.shape}")
        except Exception as err:  # the handoff only saves time; llama.cpp reads every prompt without it
            log.warning("long prompts are read by llama.cpp: the reference model is not usable (%s)", err)
            self.enabled = False
            return False
        self.model = model
        return True


def _shape(L, model) -> tuple[int, int, int] | None:
    """(layers, K/V heads, head size) of a small llama-architecture GGUF, else None. Small: the
    reference holds the weights in float32 (a 1B model: 4 GB), and only there was it measured."""
    value = ctypes.create_string_buffer(64)
    if L.llama_model_meta_val_str(model, b"general.architecture", value, 64) < 0 or value.value != b"llama":
        return None
    if not 0 < L.llama_model_n_params(model) < SMALL:
        return None
    return (L.llama_model_n_layer(model), L.llama_model_n_head_kv(model),
            L.llama_model_n_embd(model) // L.llama_model_n_head(model))


def state(cache, n: int, n_stream: int = 1) -> np.ndarray:
    """A transformers cache of one sequence of `n` tokens (positions 0..n-1) in llama.cpp's
    sequence-state bytes (llama_kv_cache::state_write with V transposed), in stream 0 of
    `n_stream` (llama.cpp reads it into the destination sequence's own stream)."""
    import torch
    layers = cache.layers
    heads, _, dim = layers[0].keys.shape[1:]
    width = heads * dim * 4
    k_header, v_header = struct.pack("<iQ", GGML_TYPE_F32, width), struct.pack("<iII", GGML_TYPE_F32, 4, heads * dim)
    head = struct.pack("<IiII", MAGIC, 0, n_stream, n)
    cells_at = len(head)
    data_at = cells_at + 12 * n + 8
    k_size, v_size = len(k_header) + n * width, len(v_header) + n * width
    out = np.empty(data_at + len(layers) * (k_size + v_size) + 4 * (n_stream - 1), dtype=np.uint8)
    out[:cells_at] = np.frombuffer(head, np.uint8)
    cells = out[cells_at:data_at - 8].view(np.int32).reshape(n, 3)  # pos, number of sequences, sequence
    cells[:, 0], cells[:, 1], cells[:, 2] = np.arange(n), 1, 0
    out[data_at - 8:data_at] = np.frombuffer(struct.pack("<II", 1, len(layers)), np.uint8)  # V transposed
    at = data_at
    for layer in layers:  # keys: a row of heads x dim per cell, each head's halves interleaved
        out[at:at + len(k_header)] = np.frombuffer(k_header, np.uint8)
        target = torch.from_numpy(out[at + len(k_header):at + k_size].view(np.float32)).view(n, heads, dim // 2, 2)
        target.copy_(layer.keys[0].view(heads, n, 2, dim // 2).permute(1, 0, 3, 2))
        at += k_size
    for layer in layers:  # values: one row of n cells per channel
        out[at:at + len(v_header)] = np.frombuffer(v_header, np.uint8)
        target = torch.from_numpy(out[at + len(v_header):at + v_size].view(np.float32)).view(heads, dim, n)
        target.copy_(layer.values[0].permute(0, 2, 1))
        at += v_size
    out[at:] = 0  # the other streams: no cells
    return out
