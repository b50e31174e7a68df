"""Which GGUF the llama.cpp engine runs, and llama_cpp itself, loaded once.

Weights: a small model (< 1B parameters) in a GGUF quantized below 8 bits (the bundled Q4_1) is
requantized once to Q8_0 (cached; 0.5 s). On this memory-bound CPU Q8_0 decodes about as fast as
Q4_1 and twice as fast as float16, and reads a prompt twice as fast as Q4_1 (bench/engine.py).
llama.cpp multiplies 8-bit weights by 8-bit-quantized activations, so its greedy tokens can part
from the transformers reference (the same weights de-quantized to float32) where two candidates
are nearly tied; bench/engine.py reports where. A request's logits are the same alone and in any
batch. LLMLAB_LLAMA_WEIGHTS=f16 (or f32) runs float weights instead: slower, with greedy output
that stays the reference's; gguf runs the file as shipped; q8_0 forces the requantization.
"""
from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path

from core.runtime import gguf as conversion

log = logging.getLogger(__name__)

FLOAT_FTYPES = (0, 1, 32)  # llama_ftype: f32, f16, bf16
GGML_TYPE_F32 = 0          # ggml_type of the K/V cache the engine keeps
WEIGHTS_VAR = "LLMLAB_LLAMA_WEIGHTS"
FTYPES = {"f32": 0, "f16": 1, "q8_0": 7}  # llama_ftype values
SMALL = 1_000_000_000  # parameters: below this, 8-bit weights cost little memory

_library = None


def library():
    """llama_cpp, loaded once (core/__init__.py has set OpenMP's wait policy by then)."""
    global _library
    if _library is None:
        import llama_cpp
        import llama_cpp._logger
        llama_cpp._logger.set_verbose(False)
        llama_cpp.llama_backend_init()
        _library = llama_cpp
    return _library


def bounded_spinning() -> bool:
    """Whether OpenMP's waiting threads sleep (PASSIVE) or spin at most GOMP_SPINCOUNT rounds
    (set to at most 1,000,000) before they sleep: see core/__init__.py."""
    if os.environ.get("OMP_WAIT_POLICY", "").upper() == "PASSIVE":
        return True
    count = os.environ.get("GOMP_SPINCOUNT", "")
    return count.isdigit() and int(count) <= 1_000_000


def weights_file(path: Path, name: str, threads: int, wanted: str | None = None) -> Path:
    """The GGUF llama.cpp runs: `path` as shipped, or its weights written once in another type
    (`wanted`, else LLMLAB_LLAMA_WEIGHTS, else by the module docstring's rule)."""
    wanted = (wanted or os.environ.get(WEIGHTS_VAR, "")).strip().lower()
    if wanted not in ("", "gguf", *FTYPES):
        raise ValueError(f"{WEIGHTS_VAR}={wanted!r} is not one of gguf, {', '.join(FTYPES)}.")
    if not wanted:
        L = library()
        model = L.llama_model_load_from_file(str(path).encode(), L.llama_model_default_params())
        try:  # memory-mapped: ~0.1 s
            small = 0 < L.llama_model_n_params(model) < SMALL if model else False
            below_8_bits = model and L.llama_model_ftype(model) not in (*FTYPES.values(), *FLOAT_FTYPES)
        finally:
            if model:
                L.llama_model_free(model)
        wanted = "q8_0" if small and below_8_bits else "gguf"
    if wanted == "gguf":
        return path
    folder = conversion.cached_file(path, f"{name}.{wanted}", lambda source, target: _requantize(
        source, target / "model.gguf", FTYPES[wanted], threads))
    return folder / "model.gguf"


def _requantize(source: Path, target: Path, ftype: int, threads: int) -> None:
    L = library()
    target.parent.mkdir(parents=True, exist_ok=True)
    params = L.llama_model_quantize_default_params()
    params.ftype, params.allow_requantize, params.nthread = ftype, True, threads
    log.info("writing %s as llama_ftype %d to %s (once)", source.name, ftype, target)
    if L.llama_model_quantize(str(source).encode(), str(target).encode(), ctypes.byref(params)) != 0:
        raise RuntimeError(f"llama.cpp could not convert {source.name}")
