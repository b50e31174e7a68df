"""Attention weights and the logit lens on tiny random models built from the bundled tokenizers:
the eager view, the causal mask, the JSON, the structure finder, and the input rules."""
import json

import numpy as np
import pytest
import torch
from transformers import AutoTokenizer, BertConfig, BertModel, GPT2Config, GPT2LMHeadModel

from core.errors import InspectError
from core.inspect import attention, lens
from core.inspect.eager import eager
from core.inspect.text import PARTIAL, clean, tokenize
from core.runtime import loader, registry
from tests.fixtures.generate import as_loaded


@pytest.fixture(scope="module")
def tiny_gpt2(tokenizer):
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tokenizer), n_embd=32, n_layer=3, n_head=4, n_positions=128,
                        bos_token_id=0, eos_token_id=0)
    return as_loaded(GPT2LMHeadModel(config).eval(), tokenizer, "tiny-random-gpt2")


class FakeSentenceTransformer(list):
    """What attention() reads of a SentenceTransformer: [0].auto_model and .tokenizer."""

    def __init__(self, encoder, tokenizer):
        super().__init__([type("Transformer", (), {"auto_model": encoder})()])
        self.tokenizer = tokenizer


@pytest.fixture(scope="module")
def tiny_encoder():
    tokenizer = AutoTokenizer.from_pretrained(registry.bundled_path("all-minilm-l6-v2"))
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=64)
    encoder = BertModel(config).eval()
    return loader.Loaded("embedding", registry.Candidate("tiny-bert", "local", "tiny-bert"),
                         FakeSentenceTransformer(encoder, tokenizer), None, None, "local")


@pytest.fixture
def serving(monkeypatch, tiny, tiny_encoder):
    """The loader answers with the tiny models."""
    models = {"generation": tiny, "embedding": tiny_encoder}
    monkeypatch.setattr(loader, "load", lambda task, model_id=None: models[task])
    return models


# --- input rules ---------------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [("", "empty"), ("   \n ", "empty"), (None, "empty"), (42, "empty"),
                                          ("\x00\x01\x02", "empty"), ("x" * 2001, "limit")])
def test_unusable_text_is_refused_with_a_message(tokenizer, bad, message):
    with pytest.raises(InspectError, match=message):
        tokenize(tokenizer, bad, limit=10)


def test_control_tokens_are_read_as_characters_and_said_so(tokenizer):
    tokens = tokenize(tokenizer, "Hi <|im_start|>system", limit=64)
    assert tokenizer.convert_tokens_to_ids("<|im_start|>") not in tokens.ids
    assert "<|im_start|>" in tokens.notes[0] and "plain characters" in tokens.notes[0]


def test_long_text_is_cut_to_the_limit_with_a_note(tokenizer):
    tokens = tokenize(tokenizer, ("one two three " * 40).strip(), limit=12)
    assert len(tokens.ids) == 12 and tokens.total == 120
    assert "the first 12" in tokens.notes[0]


def test_labels_add_up_to_the_text_and_mark_split_characters(tokenizer):
    tokens = tokenize(tokenizer, "A café 🎉 日本", limit=64)
    assert PARTIAL in tokens.labels  # the emoji is three byte-level tokens
    assert "".join(t for t in tokens.labels if t != PARTIAL).replace(" ", "").startswith("Acafé")
    assert clean("a\ud800b\x00c") == "a?bc"


# --- attention ------------------------------------------------------------------------------

def test_the_eager_view_shares_the_weights_and_leaves_the_model_alone(tiny):
    model = tiny.model
    assert model.config._attn_implementation != "eager"
    view = eager(model)
    assert view is eager(model)  # made once
    assert view.model.config._attn_implementation == "eager"
    assert model.config._attn_implementation != "eager"
    assert all(a.data_ptr() == b.data_ptr() for a, b in zip(model.parameters(), view.model.parameters()))
    assert view.extra_bytes < 10_000
    ids = torch.tensor([[5, 6, 7, 8]])
    with torch.inference_mode():
        assert torch.allclose(model(ids).logits, view.model(ids).logits, atol=1e-5)


def test_decoder_attention_is_causal_and_rows_sum_to_one(serving):
    seen = attention.attention("The cat sat on the mat.", "chat")
    n = len(seen.tokens)
    assert seen.causal and seen.weights.shape == (2, 4, n, n)
    assert np.abs(np.triu(seen.weights, 1)).max() == 0          # the causal mask: nothing after i
    assert np.allclose(seen.weights.sum(-1), 1, atol=1e-5)        # each row of W is a distribution
    assert "sharing its weights" in seen.eager


def test_encoder_attention_is_bidirectional(serving):
    seen = attention.attention("The cat sat on the mat.", "embedding")
    assert not seen.causal and seen.tokens[0] == "[CLS]" and seen.tokens[-1].strip() == "[SEP]"
    assert np.triu(seen.weights, 1).max() > 0.01                 # tokens see the ones after them
    assert np.allclose(seen.weights.sum(-1), 1, atol=1e-5)


def test_attention_json_clamps_the_layer_and_round_trips(serving):
    seen = attention.attention("Hello world, again.", "chat")
    data = json.loads(json.dumps(seen.to_dict(layer=99)))
    assert data["layer"] == 2 and len(data["weights"]) == 4 and data["causal"]
    assert np.allclose(np.array(data["weights"]), seen.weights[1], atol=1e-4)
    assert seen.clamp(0, -3) == (1, 1)
    strongest = attention.strongest(seen.matrix(1, 1)[2], seen.tokens)
    assert strongest[0][2] == pytest.approx(seen.matrix(1, 1)[2].max())


def test_an_unknown_model_is_refused(serving):
    with pytest.raises(InspectError, match="chat, embedding"):
        attention.attention("Hi", "gpt-5")


# --- the logit lens ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, norm_path", [("tiny", "model.norm"), ("tiny_gpt2", "transformer.ln_f")])
def test_the_final_norm_and_head_are_found_by_structure(request, name, norm_path):
    model = request.getfixturevalue(name).model
    norm, head = lens.final_norm_and_head(model)
    assert norm is model.get_submodule(norm_path) and head is model.get_output_embeddings()


@pytest.mark.parametrize("name", ["tiny", "tiny_gpt2"])
def test_lens_rows_are_norm_and_head_of_each_layer_and_the_last_is_the_model(monkeypatch, request, name):
    loaded = request.getfixturevalue(name)
    monkeypatch.setattr(loader, "load", lambda task, model_id=None: loaded)
    seen = lens.logit_lens("Hello there, how are you")
    model, n = loaded.model, len(seen.tokens)
    layers = model.config.num_hidden_layers
    assert seen.layers[0] == "embeddings" and len(seen.layers) == layers + 1
    ids = torch.tensor([seen.ids])
    with torch.inference_mode():
        out = model(ids, output_hidden_states=True)
        norm, head = lens.final_norm_and_head(model)
        first = head(norm(out.hidden_states[1][0])).softmax(-1)
    assert [c.token_id for c in seen.final] == out.logits[0].argmax(-1).tolist()
    assert [row[0].token_id for row in seen.top[1]] == first.argmax(-1).tolist()
    assert seen.top[1][0][0].prob == pytest.approx(first[0].max().item(), rel=1e-4)
    assert all(r == 1 for r in seen.final_rank[-1]) and len(seen.top[0]) == n
    data = json.loads(json.dumps(seen.to_dict()))
    assert data["formed_at"][-1] == seen.formed_at(n - 1) and data["formed_at"][-1] <= layers


def test_formed_at_is_the_first_layer_from_which_the_answer_stays_on_top():
    seen = lens.Lens("m", ["a"], [1], ["embeddings", "layer 1", "layer 2", "layer 3"], [], [], [],
                     [[1], [3], [1], [1]], 0.0)
    assert seen.formed_at(0) == 2
    seen.final_rank = [[2], [1], [1], [1]]
    assert seen.formed_at(0) == 1


def test_lens_refuses_an_empty_prompt(serving):
    with pytest.raises(InspectError, match="prompt is empty"):
        lens.logit_lens("  ")
