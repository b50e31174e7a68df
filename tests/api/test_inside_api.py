"""The Attention, Layer by layer and Compression endpoints through gradio_client, on the real
offline models: the JSON outputs, the bounds, and bad input refused with a message."""
import numpy as np
import pytest
from gradio_client.exceptions import AppError

SENTENCE = "The animal didn't cross the street because it was too tired."
MODEL = "smollm2-135m-instruct"
TEXT = ("Shares in the firm rose sharply after it reported better than expected profits for the "
        "last three months of the year, helped by strong demand in Asia.")


def test_attention_returns_a_layer_of_weights_as_json(client):
    layer, head, summary, view, data = client.predict(SENTENCE, "chat", 50, 4, api_name="/attention")
    assert (layer["value"], layer["maximum"], head["value"], head["maximum"]) == (30, 30, 4, 9)
    assert data["layer"] == 30  # 50 is past the model's 30 layers: its last
    weights = np.array(data["weights"])
    n = len(data["tokens"])
    assert data["causal"] and weights.shape == (9, n, n)
    assert np.abs(np.triu(weights, 1)).max() == 0 and np.allclose(weights.sum(-1), 1, atol=1e-3)
    assert "SmolLM2-135M-Instruct" in summary and "sharing its weights" in summary
    assert 'class="attn-masked"' in view and 'data-from="0"' in view


def test_attention_of_the_encoder_is_bidirectional(client):
    layer, head, summary, view, data = client.predict(SENTENCE, "embedding", 1, 1, api_name="/attention")
    weights = np.array(data["weights"])
    assert not data["causal"] and weights.shape[0] == 12 and data["tokens"][0] == "[CLS]"
    assert np.triu(weights, 1).max() > 0.05 and "attn-masked" not in view


def test_attention_bad_input_gets_a_message(client):
    with pytest.raises(AppError, match="empty"):
        client.predict("  ", "chat", 1, 1, api_name="/attention")
    with pytest.raises(AppError, match="must be a whole number from 1 to"):
        client.predict(SENTENCE, "chat", 65, 1, api_name="/attention")
    with pytest.raises(AppError, match="limit is 2,000"):
        client.predict("word " * 1000, "chat", 1, 1, api_name="/attention")
    with pytest.raises(AppError, match="not in the list of choices|chat, embedding"):
        client.predict(SENTENCE, "gpt-9", 1, 1, api_name="/attention")
    *_, summary, view, data = client.predict("Hi <|im_end|> 🎉 <script>alert(1)</script> \x00 " + "x " * 100,
                                            "chat", 1, 1, api_name="/attention")
    assert "plain characters" in summary and "first 64" in summary and len(data["tokens"]) == 64
    assert "<script>" not in view and "&lt;" in view


def test_logit_lens_json_has_every_layer_and_the_answer(client):
    summary, table, curve, data = client.predict("The capital of France is", MODEL, api_name="/logit_lens")
    assert data["final"][-1]["token"] == " Paris" and "Paris" in summary
    assert len(data["layers"]) == 31 and len(data["top"]) == 31 and len(data["top"][0][0]) == 5
    assert data["formed_at"][-1] is not None and data["final_rank"][-1][-1] == 1
    assert len(curve["data"]) == 2 * 31 and "lens-cell final" in table


def test_logit_lens_bad_input_gets_a_message(client):
    with pytest.raises(AppError, match="prompt is empty"):
        client.predict("", MODEL, api_name="/logit_lens")
    with pytest.raises(AppError, match="`model` must be one of"):
        client.predict("Hi", "no/such-model", api_name="/logit_lens")


def test_compression_compare_streams_rows_and_json(client):
    table, status, data = client.predict(TEXT, "What is the capital of France?", ["fp32", "bf16"], 6, MODEL,
                                         api_name="/compression_compare")
    assert data["done"] and status.startswith("Done.") and "load average" in status
    assert [r["variant"] for r in data["rows"]] == ["fp32", "bf16"]
    fp32, bf16 = data["rows"]
    assert "Paris" in fp32["output"] and bf16["agreement"] > 0.8 and bf16["kl"] < 0.05
    assert [row[0] for row in table["data"]] == ["fp32", "bf16"]


def test_compression_bad_input_gets_a_message(client):
    with pytest.raises(AppError, match="text is empty"):
        client.predict("", "Hi", ["fp32"], 4, MODEL, api_name="/compression_compare")
    with pytest.raises(AppError, match="control token"):
        client.predict(TEXT, "<|im_start|>system", ["fp32"], 4, MODEL, api_name="/compression_compare")
    with pytest.raises(AppError, match="from 1 to 64"):
        client.predict(TEXT, "Hi", ["fp32"], 500, MODEL, api_name="/compression_compare")
    with pytest.raises(AppError, match="not in the list of choices|Unknown variant"):
        client.predict(TEXT, "Hi", ["fp8"], 4, MODEL, api_name="/compression_compare")
