"""Every endpoint of the Generate and Chat tabs through gradio_client, on the real offline model."""
import pytest
from gradio_client.exceptions import AppError

MODEL = "smollm2-135m-instruct"
GREEDY = dict(max_new_tokens=8, temperature=0, top_k=0, top_p=1, repetition_penalty=1, stop="", seed=1)


def generate(client, prompt, model=MODEL, **changes):
    settings = {**GREEDY, **changes}
    return client.predict(prompt, model, *settings.values(), api_name="/generate_stream")


def send(client, message, history=(), system="You are a helpful assistant.", model=MODEL, **changes):
    settings = {**GREEDY, "max_new_tokens": 16, **changes}
    return client.predict(message, list(history), system, model, *settings.values(), api_name="/chat_send")


def assert_streams_growing_text(client, model=MODEL):
    # 48 tokens: the page gets the text at most every widgets.TEXT_EVERY_S (0.1 s)
    job = client.submit("Once upon a time", model, *{**GREEDY, "max_new_tokens": 48}.values(),
                        api_name="/generate_stream")
    job.result()
    texts = [text_of(out[0]) for out in job.outputs()]
    assert len(set(texts)) >= 5
    assert all(later.startswith(earlier) for earlier, later in zip(texts, texts[1:]))


def text_of(spans) -> str:
    return "".join(s["token"] for s in spans)


def test_the_tab_endpoints_are_named_and_documented(client):
    api = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    for name in ("/generate_stream", "/generate_score", "/chat_send", "/chat_undo", "/chat_clear"):
        assert name in api, name
    params = [p["parameter_name"] for p in api["/generate_stream"]["parameters"]]
    assert params == ["prompt", "model", *GREEDY]


def test_generate_stream_returns_coloured_tokens_a_summary_and_the_steps_as_json(client):
    spans, info, run, step, *charts, caption = generate(client, "The capital of France is")
    assert run["text"].startswith(" Paris") and text_of(spans) == run["text"]
    assert "SmolLM2-135M-Instruct" in info and "cpu" in info and "tokens/s" in info
    assert "first token after" in info
    assert len(run["steps"]) == run["stats"]["new_tokens"] == 8
    first = run["steps"][0]
    assert set(first["stages"]) == {"model", "adjusted", "filtered"}
    assert first["stages"]["model"][0]["token"] == " Paris" and 0 < first["model_prob"] <= 1
    assert step["value"] == 7 and f"Step {step['value']}" in caption
    assert len(charts) == 3 and all(c["data"] for c in charts)


def test_generate_stream_streams_many_updates(client):
    assert_streams_growing_text(client)


def test_a_fixed_seed_gives_the_same_sample_twice(client):
    sampled = dict(temperature=1.0, top_k=50, top_p=0.95, seed=1234, max_new_tokens=10)
    assert generate(client, "My favourite food is", **sampled)[2]["text"] == \
        generate(client, "My favourite food is", **sampled)[2]["text"]


def test_generate_score_reports_perplexity_and_least_expected_tokens(client):
    spans, summary, result = client.predict("The cat sat on the mat.", MODEL, api_name="/generate_score")
    assert text_of(spans) == "The cat sat on the mat."
    assert "Perplexity" in summary and "least expected" in summary and "SmolLM2" in summary
    assert result["perplexity"] > 1 and len(result["least_expected"]) == 5


def content(message) -> str:
    parts = message["content"]
    return parts if isinstance(parts, str) else "".join(p.get("text", "") for p in parts)


def test_chat_continues_the_history_it_is_given_with_undo_and_clear(client):
    first, box, *_ = send(client, "Which city is the capital of France?")
    assert [m["role"] for m in first] == ["user", "assistant"] and box == ""
    assert "Paris" in content(first[1])
    second = send(client, "And which city is the capital of Japan?", history=first)[0]
    assert [content(m) for m in second[:2]] == [content(m) for m in first]
    assert len(second) == 4 and "Tokyo" in content(second[3])
    assert len(send(client, "Hello!")[0]) == 2  # no history given, none used: nothing leaks between callers
    shown, restored = client.predict(second, api_name="/chat_undo")
    assert [content(m) for m in shown] == [content(m) for m in first]
    assert restored == "And which city is the capital of Japan?"
    assert client.predict(api_name="/chat_clear") == ([], "")


@pytest.mark.parametrize("changes, message", [
    (dict(temperature=100), "`temperature` must be a number from 0 to 2 \\(got 100\\)"),
    (dict(top_p=0), "`top_p` must be a number from 0.01 to 1"),
    (dict(max_new_tokens=100000), "`max_new_tokens` must be a whole number from 1 to 1024")])
def test_out_of_range_settings_are_refused_with_a_clear_message(client, changes, message):
    with pytest.raises(AppError, match=message):
        generate(client, "Hello", **changes)


def test_bad_input_gets_a_message_and_the_app_keeps_serving(client):
    with pytest.raises(AppError, match="prompt is empty"):
        generate(client, "   ")
    with pytest.raises(AppError, match="text is empty"):
        client.predict("", MODEL, api_name="/generate_score")
    with pytest.raises(AppError, match="message is empty"):
        send(client, "")
    with pytest.raises(AppError, match="message 1 needs a role: user, assistant or system"):
        send(client, "Hi", history=[{"role": "wizard", "content": [{"type": "text", "text": "boo"}]}])
    with pytest.raises(AppError, match="`model` must be one of smollm2-135m-instruct"):
        client.predict("Hi", "no/such-model", *GREEDY.values(), api_name="/generate_stream")
    odd = generate(client, "日本語と絵文字 🎉🎉 \x00\x01 <script>alert(1)</script>")
    assert odd[2]["done"] and "tokens/s" in odd[1]
    assert generate(client, "The capital of France is")[2]["text"].startswith(" Paris")


def test_chat_with_my_documents_retrieves_passages_and_marks_the_answer(client):
    settings = {**GREEDY, "max_new_tokens": 32}
    history, box, *view, marks, data = client.predict(
        "Which chat format does SmolLM2 use?", [], "You are a helpful assistant.", MODEL, *settings.values(),
        True, api_name="/chat_send")
    answer = content(history[-1])
    assert history[0]["content"][0]["text"] == "Which chat format does SmolLM2 use?"  # the passages stay hidden
    assert data["passages"] and data["passages"][0]["document"] == "chat-templates.md"
    support = data["support"]
    assert support["checked"] > 0 and all(answer[m["start"]:m["end"]] == m["text"] for m in support["marks"])
    assert "checked" in marks
    plain = client.predict("Hi", [], "", MODEL, *settings.values(), api_name="/chat_send")
    assert plain[-1] is None and plain[-2] == ""   # without documents: no marks
