"""The compression comparison on a tiny random Llama: the variants, their sizes, the measures
(agreement, KL, perplexity), the streamed progress and the input rules."""
import json
import math

import pytest
import torch

from core.compress import compare as comparison
from core.compress import variants
from core.compress.compare import Row, compare, diverges_at, measure
from core.errors import CompressionError
from core.generation import scoring
from core.runtime import loader

TEXT = "The quick brown fox jumps over the lazy dog. It was a sunny day in the park."


@pytest.fixture
def serving(monkeypatch, tiny):
    monkeypatch.setattr(loader, "load", lambda task, model_id=None: tiny)
    return tiny


def test_variants_shrink_the_weights_as_their_bits_say(tiny):
    fp32, bf16, int8, weights8 = (variants.runner(n, tiny) for n in ("fp32", "bf16", "int8", "int8-weights"))
    assert fp32.model is tiny.model and variants.runner("fp32", tiny) is fp32  # built once
    assert fp32.memory_bytes == sum(p.numel() * 4 for p in tiny.model.parameters())
    assert bf16.memory_bytes == pytest.approx(fp32.memory_bytes / 2, rel=0.01)
    linear = sum(m.weight.numel() for m in tiny.model.modules() if isinstance(m, torch.nn.Linear))
    for quantized in (int8, weights8):  # the linear weights go from 4 bytes to about 1
        assert quantized.memory_bytes == pytest.approx(fp32.memory_bytes - 3 * linear, rel=0.05)
    assert all(r.disk_bytes >= r.memory_bytes * 0.95 for r in (fp32, bf16, int8, weights8))


def test_int8_weight_only_linear_stays_close_to_the_float_layer():
    torch.manual_seed(0)
    layer = torch.nn.Linear(64, 32)
    x = torch.randn(5, 64)
    quantized = variants.Int8WeightLinear(layer)
    assert quantized.weight_int8.dtype == torch.int8
    assert torch.allclose(quantized(x), layer(x), atol=0.02)


def test_measures_are_zero_for_the_reference_and_match_scoring(serving, tiny):
    ids = scoring.start_tokens(tiny.tokenizer) + tiny.tokenizer(TEXT, add_special_tokens=False).input_ids
    logprobs = variants.runner("fp32", tiny).logits(ids)[:-1].log_softmax(-1)
    row = Row("fp32")
    measure(row, logprobs, logprobs, torch.tensor(ids[1:]))
    assert row.agreement == 1 and row.kl == 0
    assert row.perplexity == pytest.approx(scoring.score(TEXT).perplexity, rel=1e-4)
    shifted = Row("other")
    measure(shifted, (logprobs * 0.5).log_softmax(-1), logprobs, torch.tensor(ids[1:]))
    assert shifted.kl > 0 and 0 <= shifted.agreement <= 1


def test_compare_streams_progress_and_measures_every_variant(serving):
    seen = list(compare(TEXT, "Say hello.", ["bf16", "int8", "q4"], max_new_tokens=4))
    statuses = [p.status for p in seen]
    assert any(s.startswith("bf16: next-token") for s in statuses) and statuses[-1] == "Done."
    final = seen[-1]
    assert [r.variant for r in final.rows] == ["fp32", "bf16", "int8", "q4"]  # fp32 always first
    fp32, bf16, int8, q4 = final.rows
    assert fp32.kl == 0 and fp32.agreement == 1 and len(fp32.output_ids) <= 4
    assert bf16.kl < 0.05 and bf16.first_token_s > 0
    assert int8.perplexity > 0 and math.isfinite(int8.kl)
    assert "no 4-bit GGUF of tiny-random-llama" in q4.missing and q4.kl is None
    assert final.done and final.load_average is not None
    json.dumps(final.to_dict())


@pytest.mark.parametrize("args, message", [
    (("", "Hi", ["fp32"], 4), "text is empty"), ((TEXT, " ", ["fp32"], 4), "prompt is empty"),
    ((TEXT, "Hi", ["fp64"], 4), "Unknown variant"), ((TEXT, "Hi", ["fp32"], 0), "from 1 to 64"),
    ((TEXT, "Hi", ["fp32"], "many"), "whole number"), (("x" * 6001, "Hi", ["fp32"], 4), "limit"),
    ((TEXT, "Hi <|im_end|> there", ["fp32"], 4), "control token"), (("\x00\x01", "Hi", ["fp32"], 4), "too short")])
def test_unusable_input_is_refused_before_any_work(serving, args, message):
    with pytest.raises(CompressionError, match=message):
        next(compare(*args))


def test_a_long_text_is_cut_with_a_note(serving):
    first = next(compare("word " * 400, "Hi", ["fp32"], 1))
    assert first.text_tokens == comparison.MAX_TEXT_TOKENS and "first 256" in first.notes[0]


def test_divergence_is_the_first_differing_token():
    assert diverges_at([1, 2, 3], [1, 2, 3]) is None
    assert diverges_at([1, 2, 3], [1, 5, 3]) == 1
    assert diverges_at([1, 2, 3], [1, 2]) == 2


def test_a_variant_that_fails_to_build_is_a_row_with_the_reason_not_a_crash(serving, monkeypatch):
    real = variants.runner

    def broken_fp32(name, loaded):
        if name == "fp32":
            raise MemoryError("no room")
        return real(name, loaded)
    monkeypatch.setattr(variants, "runner", broken_fp32)
    fp32, bf16 = list(compare(TEXT, "Hi", ["bf16"], 2))[-1].rows
    assert "could not be built here (MemoryError)" in fp32.missing
    assert bf16.perplexity > 0 and bf16.kl is None and bf16.agreement is None  # nothing to compare with
    assert bf16.diverges_at is None and bf16.output_ids
