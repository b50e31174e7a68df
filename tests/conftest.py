"""Shared fixtures: the whole app launched once, offline, plus a client and a browser page."""
import atexit
import os
import shutil
import socket
import tempfile

os.environ["HF_HUB_OFFLINE"] = "1"  # tests never reach for the Hub; they use the bundled models
if "GRADIO_TEMP_DIR" not in os.environ:  # uploads and results of this run only, removed at its end
    os.environ["GRADIO_TEMP_DIR"] = tempfile.mkdtemp(prefix="llmlab-test-files-")
    atexit.register(shutil.rmtree, os.environ["GRADIO_TEMP_DIR"], True)
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import pytest  # noqa: E402

CHROMIUM = os.environ.get("LLMLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    import app
    demo = app.build_app()
    port = free_port()
    demo.queue(default_concurrency_limit=2).launch(
        server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
        mcp_server=True, **app.launch_kwargs())
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="session")
def llama_server():
    """A real OpenAI-compatible server (llama-cpp-python's) on 127.0.0.1, serving the bundled model."""
    from tests.fixtures.engines import start_server
    process, url = start_server()
    yield url
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def client(app_url):
    from gradio_client import Client
    return Client(app_url, verbose=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"no browser at {CHROMIUM}: run `make setup-test` (installs Debian chromium) "
                    "or set LLMLAB_CHROMIUM")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)  # first use of a model may load it
    page.goto(app_url, wait_until="load")
    page.wait_for_selector("#llmlab-header p")
    yield page
    context.close()


@pytest.fixture(scope="session")
def remote_app_url(llama_server):
    """The whole app in its own process, generating only through the remote engine: the real
    OpenAI-compatible server of the `llama_server` fixture (LLMLAB_ENGINE=remote)."""
    import subprocess
    import sys
    import time
    import urllib.request
    port = free_port()
    env = {**os.environ, "LLMLAB_ENGINE": "remote", "LLMLAB_ENGINE_URL": llama_server}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--no-warm-up"], cwd=root,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 240
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"the app with the remote engine did not start: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=30)
