"""Which device, dtype and thread count the models run with.

CUDA > MPS > CPU, fp32 on CPU and bf16/fp16 on GPUs. Each choice can be overridden:
LLMLAB_DEVICE (cuda, cuda:1, mps, cpu), LLMLAB_DTYPE (float32, bfloat16, float16),
LLMLAB_THREADS (torch intra-op threads on CPU).
"""
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# torch is imported inside the functions: importing it costs ~3 s, and the app must be
# serving before the models (and torch) are needed.
DTYPES = {"float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
          "float16": "float16", "fp16": "float16"}


@dataclass(frozen=True)
class Placement:
    device: str
    dtype: Any  # torch.dtype
    threads: int

    @property
    def gpu_name(self) -> str | None:
        """The CUDA device's product name ("NVIDIA H100 ..."), None off CUDA."""
        if not self.device.startswith("cuda"):
            return None
        import torch
        return torch.cuda.get_device_name(torch.device(self.device))

    def __str__(self):
        name = self.device + (f" ({self.gpu_name})" if self.gpu_name else "")
        return f"{name} · {str(self.dtype).removeprefix('torch.')}"


def pick_device(env=os.environ) -> str:
    import torch
    wanted = env.get("LLMLAB_DEVICE", "").strip().lower()
    if wanted:
        if wanted.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"LLMLAB_DEVICE={wanted} but torch sees no CUDA device "
                             f"(torch {torch.__version__}); unset it or use cpu.")
        if wanted == "mps" and not torch.backends.mps.is_available():
            raise ValueError("LLMLAB_DEVICE=mps but MPS is not available; unset it or use cpu.")
        if wanted not in ("cpu", "mps") and not wanted.startswith("cuda"):
            raise ValueError(f"LLMLAB_DEVICE={wanted!r} is not one of cuda, cuda:N, mps, cpu.")
        return wanted
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def pick_dtype(device: str, env=os.environ):
    import torch
    wanted = env.get("LLMLAB_DTYPE", "").strip().lower()
    if wanted:
        if wanted not in DTYPES:
            raise ValueError(f"LLMLAB_DTYPE={wanted!r} is not one of {', '.join(DTYPES)}.")
        return getattr(torch, DTYPES[wanted])
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if device == "mps":
        return torch.float16
    return torch.float32


def pick_threads(env=os.environ) -> int:
    wanted = env.get("LLMLAB_THREADS", "").strip()
    if wanted:
        if not wanted.isdigit() or int(wanted) < 1:
            raise ValueError(f"LLMLAB_THREADS={wanted!r} must be a positive whole number.")
        return int(wanted)
    try:  # the cores this process may use, which in a container can be fewer than the host's
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=1)
def placement() -> Placement:
    """The process-wide choice, made once; torch's thread count is set here."""
    import torch
    device = pick_device()
    threads = pick_threads()
    torch.set_num_threads(threads)
    return Placement(device, pick_dtype(device), threads)
