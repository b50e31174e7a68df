"""Kill the app (SIGKILL) while it indexes, then restart it on the same port: it starts at once
(no "port in use" from the dead run's TIME_WAIT sockets), the example index and a saved session
index are intact, and every tab's cheap path answers."""
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from gradio_client import Client

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "How many tokens are in the GPT-2 vocabulary?"


def start(port: int, data: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "LLMLAB_DATA": str(data), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    return subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--no-warm-up"], cwd=ROOT,
                            env=env, stdout=open(log, "ab"), stderr=subprocess.STDOUT)


def wait_until_served(url: str, process: subprocess.Popen, seconds: float = 180) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        assert process.poll() is None, "the app exited"
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"not served after {seconds} s")


def test_killed_while_indexing_then_restarted_on_the_same_port(tmp_path):
    port, data, log = free_port(), tmp_path / "data", tmp_path / "app.log"
    url = f"http://127.0.0.1:{port}/"
    first = start(port, data, log)
    try:
        wait_until_served(url, first)
        client = Client(url, verbose=False)
        client.predict(None, "Moths navigate by the moon and get confused by street lamps.", False, "",
                       api_name="/search_add_documents")
        key, _ = client.predict("", api_name="/search_save_index")
        # a search with the examples builds their index (embed 97 passages, save atomically): kill
        # the app as soon as its log says it began, i.e. while it embeds
        threading.Thread(target=lambda: _quietly(lambda: Client(url, verbose=False).predict(
            QUESTION, 3, [], True, "", api_name="/search_query")), daemon=True).start()
        deadline = time.perf_counter() + 120
        while "Indexing the" not in log.read_text(errors="replace") and time.perf_counter() < deadline:
            time.sleep(0.02)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    assert not [p for p in data.iterdir() if p.name.startswith("examples-")], \
        "the example index was complete before the kill: the test did not kill during indexing"

    second = start(port, data, log)  # the same port, at once
    try:
        startup = wait_until_served(url, second)
        assert startup < 120 and "already in use" not in log.read_text(errors="replace")
        client = Client(url, verbose=False)
        html, _, _ = client.predict(QUESTION, 3, [], True, "", api_name="/search_query")
        assert "tokenization.md" in html  # the example index: rebuilt or loaded, never half of one
        assert "1 of yours" in client.predict(key, False, "", api_name="/search_load_index")
        html, _, _ = client.predict("what confuses moths?", 1, [], False, "", api_name="/search_query")
        assert "street lamps" in html  # the index saved before the kill
        scores, _ = client.predict("A wonderful, moving film.", api_name="/sentiment_classify")
        assert scores["label"] == "positive"
        assert [p for p in (data / "sessions").iterdir() if not p.name.startswith(".")] == [data / "sessions" / key]
    finally:
        second.terminate()
        second.wait(timeout=30)


def _quietly(call):
    try:
        call()
    except Exception:  # the server is killed under it
        pass
