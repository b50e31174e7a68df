import pytest
import torch

from core.runtime import device


def test_cpu_when_no_accelerator(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert device.pick_device({}) == "cpu"
    assert device.pick_dtype("cpu", {}) == torch.float32


def test_cuda_preferred_over_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert device.pick_device({}) == "cuda"


def test_mps_when_no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert device.pick_device({}) == "mps"
    assert device.pick_dtype("mps", {}) == torch.float16


@pytest.mark.parametrize("bf16, expected", [(True, torch.bfloat16), (False, torch.float16)])
def test_gpu_dtype_follows_bf16_support(monkeypatch, bf16, expected):
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: bf16)
    assert device.pick_dtype("cuda", {}) == expected


def test_environment_overrides():
    assert device.pick_device({"LLMLAB_DEVICE": "cpu"}) == "cpu"
    assert device.pick_dtype("cpu", {"LLMLAB_DTYPE": "bf16"}) == torch.bfloat16
    assert device.pick_threads({"LLMLAB_THREADS": "3"}) == 3


@pytest.mark.parametrize("env, fn", [
    ({"LLMLAB_DEVICE": "tpu"}, lambda e: device.pick_device(e)),
    ({"LLMLAB_DTYPE": "int3"}, lambda e: device.pick_dtype("cpu", e)),
    ({"LLMLAB_THREADS": "zero"}, lambda e: device.pick_threads(e)),
])
def test_bad_overrides_say_what_is_allowed(env, fn):
    with pytest.raises(ValueError, match="LLMLAB_"):
        fn(env)


def test_cuda_override_without_cuda_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA"):
        device.pick_device({"LLMLAB_DEVICE": "cuda"})


def test_threads_default_to_usable_cores():
    assert device.pick_threads({}) >= 1
