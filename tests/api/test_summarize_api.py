"""The Summarize tab's endpoints through gradio_client, on the real offline models."""
import pytest
from gradio_client.exceptions import AppError

from core.summarize import example_articles

ARTICLE = example_articles()[0]


def test_the_endpoints_are_named_and_documented(client):
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert [p["parameter_name"] for p in api["/summarize_extractive"]["parameters"]] == \
        ["text", "sentences", "ratio_percent", "method", "diversity"]
    assert [p["parameter_name"] for p in api["/summarize_abstractive"]["parameters"]] == \
        ["text", "model", "max_new_tokens", "num_beams"]
    assert "/summarize_read_file" not in api  # upload plumbing is private


def test_extractive_returns_the_key_sentence_highlighted_and_says_which_model(client):
    summary, highlighted, info = client.predict(ARTICLE["text"], 3, 0, "textrank", 0.3,
                                                api_name="/summarize_extractive")
    assert ARTICLE["key_sentence"] in summary
    marked = [part["token"] for part in highlighted if part["class_or_confidence"] == "summary"]
    assert len(marked) == 3 and " ".join(marked) == summary
    assert "".join(part["token"] for part in highlighted) == ARTICLE["text"].strip()
    assert "TextRank" in info and "all-MiniLM-L6-v2" in info and "3 of" in info


def test_extractive_by_ratio_with_the_centroid(client):
    summary, _, info = client.predict(ARTICLE["text"], 1, 20, "centroid", 0, api_name="/summarize_extractive")
    assert "centroid" in info and "5 of 23 sentences" in info


@pytest.mark.parametrize("text, message", [("", "no text to summarise"), ("word " * 250_000, "200,000")])
def test_bad_input_gives_a_clear_error_and_the_app_keeps_serving(client, text, message):
    with pytest.raises(AppError, match=message):
        client.predict(text, 3, 0, "textrank", 0.3, api_name="/summarize_extractive")
    with pytest.raises(AppError, match=message):
        client.predict(text, "", 16, 1, api_name="/summarize_abstractive")
    assert client.predict("One. Two.", 1, 0, "textrank", 0, api_name="/summarize_extractive")[0]


def test_abstractive_streams_and_says_which_model_and_method(client):
    job = client.submit(ARTICLE["text"], "", 24, 1, api_name="/summarize_abstractive")
    summary, info, chunks, marks, support = job.result()
    texts = [out[0] for out in job.outputs()]
    assert summary.strip() and len(summary.split()) < len(ARTICLE["text"].split()) / 3
    assert len(set(texts)) >= 5, "the summary was not streamed"
    assert "greedy" in info and chunks == ""
    if "Extractive (instead)" not in info:
        assert "SmolLM2-135M-Instruct" in info and "chat model with a summarization prompt" in info


def test_abstractive_summaries_come_with_support_marks(client):
    summary, info, chunks, marks, support = client.predict(ARTICLE["text"], "", 48, 1,
                                                           api_name="/summarize_abstractive")
    assert support["unsupported_facts"] == 0 and support["checked"] > 0
    assert all(summary[m["start"]:m["end"]] == m["text"] for m in support["marks"])
    assert "checked" in marks and "llmlab-supported" in marks
