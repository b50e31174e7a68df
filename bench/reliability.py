"""Reliability under load and against hostile input, measured on the running app.

    python -m bench.reliability [--part mix|memory|pdf ...] [--baseline /path/to/other/checkout]

mix     50 clients mixing search, sentiment and extractive summaries (each waits THINK_S between
        requests) while 8 clients keep chat generations queued: p50 / p95 seconds per endpoint.
        With --baseline, the same mix against another checkout's app.py too, runs interleaved.
        The clients call gradio's HTTP API as curl would (--client gradio_client: through
        gradio_client, which costs the shared cores ~90 ms of CPU per call).
memory  the server's RSS before, at the peak of and after the largest requests the caps allow
        (a 20,000-character text scored, a 200,000-character extractive summary), and for a
        5 MB text, which is refused before any work.
pdf     a 69 kB PDF whose 400 pages share one content stream: LLM Lab's reader against the plain
        pypdf loop a user would write.
Every figure is reported with the load average of the machine (os.getloadavg) when it was taken.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from bench import save, table

ROOT = Path(__file__).resolve().parents[1]
GENERATIONS, CLIENTS, THINK_S, MEASURE_S, RAMP_S = 8, 50, 1.0, 90, 15
CLIENT = "http"  # or "gradio_client" (--client)
ARTICLE = (ROOT / "examples" / "articles" / "electric-buses.txt").read_text(encoding="utf-8")
QUERIES = ["How does attention decide which tokens matter?", "ways to make models smaller",
           "What is the risk of fine-tuning too long?", "tokens per parameter", "What is a KV cache?"]
REVIEWS = ["The hotel staff were wonderful.", "Cold food and a rude waiter.", "A dull, pointless film.",
           "Best pasta I have had in years!", "The battery died after a day."]


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# --- an app under test -------------------------------------------------------------------------

class App:
    def __init__(self, checkout: Path, label: str, env: dict | None = None):
        self.checkout, self.label = checkout, label
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}
        python = checkout / ".venv" / "bin" / "python"
        self.process = subprocess.Popen([str(python if python.exists() else sys.executable), "app.py",
                                         "--port", str(self.port)], cwd=checkout, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while True:
            try:
                urllib.request.urlopen(self.url, timeout=5).close()
                break
            except OSError:
                if time.time() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"{label}: the app did not start")
                time.sleep(0.5)
        self.warm_up()

    def client(self):
        if CLIENT == "gradio_client":
            from gradio_client import Client
            return Client(self.url, verbose=False)
        return HttpClient(self.url)

    def warm_up(self) -> None:
        client = self.client()
        for call in CALLS.values():
            call(client, 0)
        chat(client, 0)

    def rss_mb(self) -> float:
        import psutil
        return psutil.Process(self.process.pid).memory_info().rss / 2**20

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


class HttpClient:
    """gradio's HTTP API called as curl would (POST the inputs, read the result's event stream).
    The clients share the server's 2 cores: gradio_client spends about 90 ms of CPU per call
    here, more than a search costs the server, so with it the mix measured mostly the clients."""

    def __init__(self, url: str):
        self.url, self.session = url, uuid.uuid4().hex  # one session per client, as a page has

    def predict(self, *data, api_name: str):
        body = json.dumps({"data": list(data), "session_hash": self.session}).encode()
        request = urllib.request.Request(f"{self.url}gradio_api/call{api_name}", body,
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            event = json.load(response)["event_id"]
        with urllib.request.urlopen(f"{self.url}gradio_api/call{api_name}/{event}", timeout=600) as response:
            lines = response.read().decode().splitlines()
        kind = next(line[7:] for line in reversed(lines) if line.startswith("event: "))
        data = json.loads(next(line[6:] for line in reversed(lines) if line.startswith("data: ")))
        if kind != "complete":
            raise RuntimeError(f"{api_name}: {kind}: {data}")
        return data


def search(client, i):
    client.predict(QUERIES[i % len(QUERIES)], 5, [], True, api_name="/search_query")


def sentiment(client, i):
    client.predict(REVIEWS[i % len(REVIEWS)], api_name="/sentiment_classify")


def extractive(client, i):
    client.predict(ARTICLE, 3, 0, "textrank", 0.3, api_name="/summarize_extractive")


def chat(client, i):
    client.predict(f"Tell me one fact about the number {i}.", [], "Answer briefly.", "smollm2-135m-instruct",
                   48, 0, 50, 0.95, 1.0, "", 1, api_name="/chat_send")


CALLS = {"search": search, "sentiment": sentiment, "extractive summary": extractive}


# --- the mix -----------------------------------------------------------------------------------

def mix(app: App) -> dict[str, list[float]]:
    """Latencies (s) per endpoint of requests that started after the ramp and ended in the window."""
    stop, latencies, lock = threading.Event(), {name: [] for name in [*CALLS, "chat (generation)"]}, threading.Lock()
    start = time.perf_counter()

    def worker(name, call, think):
        client, i = app.client(), 0
        while not stop.is_set():
            began = time.perf_counter()
            try:
                call(client, i)
                ok = True
            except Exception:
                ok = False
            ended = time.perf_counter()
            # generations are the background load (each waits minutes in its queue): all that end
            # after the ramp count; the others must start and end in the window
            window = ended - start < RAMP_S + MEASURE_S and began - start > RAMP_S
            if ok and (window or (call is chat and ended - start > RAMP_S)):
                with lock:
                    latencies[name].append(ended - began)
            i += 1
            stop.wait(think)

    names = list(CALLS)
    threads = [threading.Thread(target=worker, args=("chat (generation)", chat, 0), daemon=True)
               for _ in range(GENERATIONS)]
    threads += [threading.Thread(target=worker, args=(names[i % 3], CALLS[names[i % 3]], THINK_S), daemon=True)
                for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(RAMP_S + MEASURE_S)
    stop.set()
    for thread in threads:
        thread.join(timeout=300)
    return latencies


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run_mix(variants: list[tuple[str, Path, dict]], rounds: int) -> list[str]:
    results: dict[str, dict[str, list[float]]] = {label: {} for label, *_ in variants}
    loads: dict[str, list[str]] = {label: [] for label, *_ in variants}
    for _ in range(rounds):
        for label, checkout, env in variants:  # interleaved: A B A B
            app = App(checkout, label, env)
            try:
                for name, values in mix(app).items():
                    results[label].setdefault(name, []).extend(values)
                loads[label].append(load())
            finally:
                app.stop()
    rows = []
    for label, *_ in variants:
        for name, values in results[label].items():
            rows.append([label, name, len(values), f"{percentile(values, 50):.2f}" if values else "–",
                         f"{percentile(values, 95):.2f}" if values else "–", ", ".join(loads[label])])
    return [f"### {CLIENTS} clients (search / sentiment / extractive, {THINK_S:g} s between requests) "
            f"with {GENERATIONS} chat generations queued; clients: {CLIENT}", "",
            *table(["app", "endpoint", "requests", "p50 s", "p95 s", "load average (1/5/15 min) after each run"],
                   rows), ""]


# --- memory ------------------------------------------------------------------------------------

def run_memory(checkout: Path) -> list[str]:
    app = App(checkout, "this checkout")
    client, rows = app.client(), []
    words = (ARTICLE + " ") * 400
    requests = [("score 20,000 characters (the cap)",
                 lambda: client.predict(words[:20_000], "smollm2-135m-instruct", api_name="/generate_score")),
                ("extractive summary of 200,000 characters (the cap)",
                 lambda: client.predict(words[:200_000], 3, 0, "centroid", 0.3, api_name="/summarize_extractive")),
                ("score 5,000,000 characters (refused)",
                 lambda: _refused(lambda: client.predict("x" * 5_000_000, "smollm2-135m-instruct",
                                                         api_name="/generate_score")))]
    try:
        for name, request in requests:
            time.sleep(3)
            before, peak, done = app.rss_mb(), [0.0], threading.Event()

            def watch():
                while not done.is_set():
                    peak[0] = max(peak[0], app.rss_mb())
                    time.sleep(0.05)

            watcher = threading.Thread(target=watch)
            watcher.start()
            started = time.perf_counter()
            request()
            seconds = time.perf_counter() - started
            done.set()
            watcher.join()
            time.sleep(5)
            rows.append([name, f"{seconds:.1f}", f"{before:.0f}", f"{peak[0]:.0f}", f"{app.rss_mb():.0f}", load()])
    finally:
        app.stop()
    return ["### Server memory around the largest requests", "",
            *table(["request", "seconds", "RSS before (MB)", "RSS peak (MB)", "RSS 5 s after (MB)",
                    "load average"], rows), ""]


def _refused(call) -> None:
    try:
        call()
    except Exception as err:
        assert "limit is 20,000" in str(err), err
        return
    raise AssertionError("a 5 MB text was accepted")


# --- a hostile PDF -----------------------------------------------------------------------------

PLAIN_PDF = r"""
import io, sys
from pypdf import PdfReader
text = [page.extract_text() for page in PdfReader(io.BytesIO(sys.stdin.buffer.read())).pages]
print(sum(map(len, text)))
"""


def run_pdf() -> list[str]:
    from core.errors import DocumentError
    from core.text.documents import read_document
    from tests.fixtures.pdf import shared_stream_pdf
    data, rows = shared_stream_pdf(pages=400, operations=2000), []
    started = time.perf_counter()
    try:
        read_document(data, "shared.pdf")
        outcome = "read"
    except DocumentError as err:
        outcome = str(err).split(": ", 1)[1][:60]
    rows.append(["LLM Lab reader (child process, bounded)", f"{time.perf_counter() - started:.1f}", outcome, load()])
    started = time.perf_counter()
    plain = subprocess.run([sys.executable, "-c", PLAIN_PDF], input=data, capture_output=True, timeout=900)
    chars = int(plain.stdout or 0)
    rows.append(["by hand: [page.extract_text() for page in PdfReader(f).pages]",
                 f"{time.perf_counter() - started:.1f}", f"{chars:,} characters extracted, then refused",
                 load()])
    return [f"### A {len(data) / 1024:.0f} kB PDF whose 400 pages share one content stream", "",
            *table(["reader", "seconds", "outcome", "load average"], rows), ""]


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--part", nargs="*", default=["mix", "memory", "pdf"], choices=["mix", "memory", "pdf"])
    parser.add_argument("--baseline", type=Path, help="another checkout to run the same mix against")
    parser.add_argument("--variant", action="append", default=[], metavar="LABEL:KEY=VALUE,...",
                        help="also run this checkout with these environment variables")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--client", choices=["http", "gradio_client"], default="http")
    args = parser.parse_args(argv)
    global CLIENT
    CLIENT = args.client
    command = " ".join(["python -m bench.reliability", *(argv or [])])
    lines = [f"Machine: {os.cpu_count()} cores, shared with other jobs. Command: `{command}`.", ""]
    if "pdf" in args.part:
        lines += run_pdf()
    if "memory" in args.part:
        lines += run_memory(ROOT)
    if "mix" in args.part:
        variants = [("this checkout", ROOT, {})]
        for variant in args.variant:
            label, _, settings = variant.partition(":")
            variants.append((label, ROOT, dict(kv.split("=", 1) for kv in settings.split(",") if kv)))
        if args.baseline:
            variants.append((f"baseline ({args.baseline})", args.baseline, {}))
        lines += run_mix(variants, args.rounds)
    return save("reliability" if CLIENT == "http" else f"reliability-{CLIENT}", "\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
