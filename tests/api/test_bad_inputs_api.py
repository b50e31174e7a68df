"""The bad-input matrix: every argument of every endpoint, sent raw over HTTP (as a script or a
hostile client would: lone surrogates, NaN, Infinity, wrong types, huge values), gets a clear
message that names the argument and shows nothing internal, and the app keeps serving."""
import json
import urllib.request

import pytest
from gradio_client import Client

from tests.api.mcp_client import data_url

INTERNALS = ("Traceback", "TypeError", "ValueError", "pydantic", "validation error for", "TextEncodeInput",
             "Could not preprocess", "event handler", "<lambda>", "not supported between", "NaN to integer")
HUGE = "x" * 1_000_001
HOSTILE = {  # component -> values it must refuse
    "Textbox": ["bad \ud800 text", HUGE, 12345, {"text": "x"}, ["a"]],
    "Slider": ["NaN", float("nan"), float("inf"), -1e12, 1e12, True, "5", None, [1]],
    "Number": ["NaN", float("nan"), float("-inf"), 1.5, -7, "seven", True],
    "Radio": ["no-such-choice", 3, None, ["auto"]],
    "Dropdown": ["no/such-model", 7, {"x": 1}, "\ud800"],
    "Checkbox": ["yes", 1, "NaN", [True]],
    "Chatbot": ["not a list", [{"role": "robot", "content": "x"}], [{"role": "user", "content": {"x": 1}}],
                [["user", "hi"]], [{"role": "user", "content": "\ud800"}], [{"role": "user", "content": HUGE}]],
    "File": ["/etc/passwd", {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}, 12,
             "data:text/plain;base64,***not-base64***"],
}


def endpoints(app_url: str) -> dict:
    return Client(app_url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"]


def valid(parameter: dict):
    if parameter["parameter_has_default"]:
        return parameter["parameter_default"]
    kind = parameter["component"]
    return {"Textbox": "The hotel staff were wonderful.", "Dropdown": "ft-any-model-key",
            "File": data_url(b"text\nGood food.\n", "text/csv")}[kind]


def call_raw(app_url: str, endpoint: str, data: list) -> tuple[str, object]:
    """POST to gradio's REST API with JSON as a hostile client writes it (NaN, lone surrogates
    escaped as \\ud800); returns ("complete" | "error", payload)."""
    body = json.dumps({"data": data}, allow_nan=True).encode()  # ensure_ascii: surrogates escaped
    request = urllib.request.Request(f"{app_url}gradio_api/call{endpoint}", body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        event = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{app_url}gradio_api/call{endpoint}/{event}", timeout=600) as response:
        lines = response.read().decode("utf-8", "replace").splitlines()
    kind = next(line.split(": ", 1)[1] for line in reversed(lines) if line.startswith("event:"))
    payload = json.loads(next(line[6:] for line in reversed(lines) if line.startswith("data:")))
    return kind, payload


def matrix(app_url: str):
    for endpoint, info in endpoints(app_url).items():
        parameters = info["parameters"]
        for i, parameter in enumerate(parameters):
            for value in HOSTILE.get(parameter["component"], []):
                data = [valid(p) for p in parameters]
                data[i] = value
                yield endpoint, parameter["parameter_name"], value, data


def test_every_argument_of_every_endpoint_refuses_hostile_values_with_a_clear_message(app_url):
    failures, cases = [], 0
    for endpoint, name, value, data in matrix(app_url):
        cases += 1
        kind, payload = call_raw(app_url, endpoint, data)
        message = payload if isinstance(payload, str) else json.dumps(payload)
        shown = ascii(value)[:30]
        if kind != "error":
            failures.append(f"{endpoint}({name}={shown}): accepted")
        # the message names the argument, or (a free-text menu whose value the pipeline refuses) the value
        elif not (f"`{name}`" in message or (isinstance(value, str) and value in message)) or \
                any(marker in message for marker in INTERNALS):
            failures.append(f"{endpoint}({name}={shown}): {message[:160]}")
    assert cases > 150
    assert not failures, f"{len(failures)} of {cases} cases:\n" + "\n".join(failures)


def test_the_app_still_serves_after_the_matrix(app_url):
    client = Client(app_url, verbose=False)
    scores, _ = client.predict("The hotel staff were wonderful.", api_name="/sentiment_classify")
    assert scores["label"] == "positive"
    html, _, _ = client.predict("What is a KV cache?", 1, [], True, "", api_name="/search_query")
    assert "kv-cache.md" in html


@pytest.mark.parametrize("endpoint, data, expected", [
    ("/generate_score", ["no \ud800 surrogates", None], "`text` contains characters that are not valid Unicode"),
    ("/search_query", ["why \ud83d", 5, [], True, ""], "`query` contains characters that are not valid Unicode"),
    ("/summarize_extractive", ["A b. C d. E f.", 3, 0, "textrank", float("nan")],
     "`diversity` must be a number from 0 to 1"),
    ("/summarize_abstractive", ["A b. C d.", None, float("nan"), 1], "`max_new_tokens` must be a whole number"),
    ("/summarize_extractive", ["A b. C d.", "NaN", 0, "textrank", 0.3], "`sentences` must be a whole number"),
    ("/chat_send", ["Hi", [{"role": "user"}]], "message 1 must be text"),
])
def test_the_defects_found_by_the_campaign_are_clear_messages(app_url, endpoint, data, expected):
    kind, payload = call_raw(app_url, endpoint, data)
    assert kind == "error" and expected in json.dumps(payload, ensure_ascii=False)
