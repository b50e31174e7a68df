"""The Fine-tune tab through gradio_client and a real MCP client: training streams its progress,
the model then serves sentiment_finetuned in the session that trained it and nowhere else
(another gradio_client session, MCP clients), cancel keeps nothing, bad input gets a message."""
import re
import time

import pytest
from gradio_client import Client, handle_file

from tests.fixtures.mcp import mcp_session, texts
from tests.unit.test_finetune import FOOD, MANY, SPORT, TYPED

GOAL = "The goalkeeper saved a penalty in the last minute."


def test_the_endpoints_are_named_and_documented(client):
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert [p["parameter_name"] for p in api["/finetune_train"]["parameters"]] == \
        ["examples", "file", "text_column", "label_column", "method", "epochs"]
    assert all(p["parameter_has_default"] for p in api["/finetune_train"]["parameters"])
    assert [p["parameter_name"] for p in api["/sentiment_finetuned"]["parameters"]] == ["text", "model"]
    assert "/finetune_use" not in api and "/finetune_file_columns" not in api  # page plumbing is private


def test_training_streams_and_the_model_serves_only_its_own_session(client, app_url):
    job = client.submit(MANY, None, None, None, "lora", 2, api_name="/finetune_train")
    status, loss, accuracy, table, key, snap = job.result(timeout=600)
    assert len(job.outputs()) >= 2  # streamed: at least one update before the last
    assert "Done" in status and "LoRA" in status and key.startswith("ft-") and snap["key"] == key
    assert len(loss["data"]) == snap["step"] > 0 and accuracy["data"][0][0] == 0.0
    assert table["headers"] == ["text", "label", "before", "after", "right"] and table["data"]
    scores, info, words = client.predict(GOAL, key, api_name="/sentiment_finetuned")
    assert scores["label"] == "A" and {c["label"] for c in scores["confidences"]} == {"A", "B"}
    assert "fine-tuned in this session" in info and any(w["class_or_confidence"] for w in words)
    stranger = Client(app_url, verbose=False)
    with pytest.raises(Exception, match="no fine-tuned model with the key"):
        stranger.predict(GOAL, key, api_name="/sentiment_finetuned")
    (over_mcp,) = mcp_session(app_url, [("sentiment_finetuned", {"text": GOAL, "model": key})])
    assert over_mcp.isError and "no fine-tuned model with the key" in texts(over_mcp)[0]


def test_a_model_trained_over_mcp_is_not_visible_to_a_gradio_client(client, app_url):
    pairs = "\n".join([f"sport: {t}" for t in SPORT] + [f"food: {t}" for t in FOOD])
    trained, used = mcp_session(app_url, [("finetune_train", {"examples": pairs, "method": "head"}),
                                          ("sentiment_finetuned", {"text": GOAL, "model": "ft-guessed-key"})])
    assert not trained.isError and "Done" in texts(trained)[0]
    key = re.search(r"ft-[\w-]{16,}", " ".join(texts(trained))).group()
    assert used.isError and "no fine-tuned model with the key" in texts(used)[0]
    with pytest.raises(Exception, match="no fine-tuned model with the key"):
        client.predict(GOAL, key, api_name="/sentiment_finetuned")


def test_cancel_stops_the_job_and_keeps_nothing(client):
    job = client.submit(MANY, None, None, None, "lora", 30, api_name="/finetune_train")
    deadline = time.monotonic() + 300
    while not job.outputs() and time.monotonic() < deadline:
        time.sleep(0.5)
    key = job.outputs()[0][4]
    assert client.predict(key, api_name="/finetune_cancel").startswith("Cancelling")
    status, *_ = job.result(timeout=300)
    assert "Cancelled" in status
    with pytest.raises(Exception, match="not ready: its job is cancelled"):
        client.predict(GOAL, key, api_name="/sentiment_finetuned")


def test_a_csv_with_any_label_names_trains(client, tmp_path):
    path = tmp_path / "topics.csv"
    path.write_text("sentence,kind\n" + "\n".join([f'"{t}",ball games' for t in SPORT] +
                                                 [f'"{t}",kitchen' for t in FOOD]), encoding="utf-8")
    status, *_, snap = client.predict("", handle_file(str(path)), "", "", "head", 3, api_name="/finetune_train")
    assert snap["labels"] == ["ball games", "kitchen"] and snap["state"] == "done"


@pytest.mark.parametrize("examples, message", [
    ("", "There are no examples"),
    ("just a sentence without a label", "have no label"),
    ("a: one\na: two\na: three", "at least two different labels"),
    ("a: one\nb: two\nb: three", "at least 2 examples"),
    ("a: x\n" * 50_000, "the limit is 200,000"),
    ("A: \x00\nB: \x01\x02", "these examples have 0"),
])
def test_bad_examples_get_a_message(client, examples, message):
    with pytest.raises(Exception, match=message):
        client.predict(examples, api_name="/finetune_train")


def test_bad_settings_and_files_get_a_message(client, tmp_path):
    with pytest.raises(Exception, match="`method` must be one of"):
        client.predict(TYPED, None, None, None, "everything", api_name="/finetune_train")
    binary = tmp_path / "x.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(Exception, match="binary"):
        client.predict("", handle_file(str(binary)), api_name="/finetune_train")
    with pytest.raises(Exception, match="no fine-tuned model"):
        client.predict(GOAL, "", api_name="/sentiment_finetuned")
    with pytest.raises(Exception, match="no fine-tuned model"):
        client.predict("not-a-key", api_name="/finetune_cancel")
