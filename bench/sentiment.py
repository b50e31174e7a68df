"""Sentiment throughput: one text at a time vs batched, by hand vs core, and through the app.

    python -m bench.sentiment [--texts 256] [--clients 16] [--requests 6]

1. In process, on the held-out sentences: core.sentiment.classify one text per call (64), the same
   texts as one list (batched, sorted by length), and the plain hand-written forward pass a user
   would write (tokenizer -> model -> softmax in batches of 32, no input checks).
2. Through the running tab on a loopback port with gradio_client: one client sending requests
   one after another, then `--clients` clients at once, with gradio's batching of concurrent
   requests on (as shipped, max_batch_size=16) and off. Request counts are bounded.
Writes bench/results/sentiment.md.
"""
import argparse
import os
import statistics
import sys
import threading
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import torch  # noqa: E402

from bench import write_table  # noqa: E402
from core import sentiment  # noqa: E402
from core.sentiment.model import EVAL_TSV, read_sentences  # noqa: E402


def rate(fn, texts) -> float:
    start = time.perf_counter()
    fn(texts)
    return len(texts) / (time.perf_counter() - start)


def by_hand(texts, batch_size=32):
    """What a user would write around the same merged model: no checks, no sorting."""
    model = sentiment.backend()
    with torch.inference_mode():
        for i in range(0, len(texts), batch_size):
            model.logits_fn(texts[i:i + batch_size])[:, :len(model.labels)].softmax(-1)


def in_process(texts, rounds: int) -> list[list]:
    """Variants interleaved (A B C, A B C, ...) so a busy machine slows them alike; median."""
    sentiment.classify(texts[:16])  # load and warm up
    variants = [("core `classify(text)`, one call per text", texts[:64],
                 lambda ts: [sentiment.classify(t) for t in ts]),
                ("core `classify(list)`, batched", texts, sentiment.classify),
                ("by hand: tokenizer → model → softmax, batches of 32", texts, by_hand)]
    speeds = {name: [] for name, *_ in variants}
    for _ in range(rounds):
        for name, inputs, fn in variants:
            speeds[name].append(rate(fn, inputs))
    return [[name, len(inputs), f"{statistics.median(speeds[name]):.0f}", "–", "–"]
            for name, inputs, _ in variants]


def launch(batch: bool, sizes: list[int]):
    """The tab's classify event alone, on a free loopback port; `sizes` collects the size of
    every batch the server function is handed."""
    import gradio as gr

    from demos import sentiment as tab

    def batched(texts):
        sizes.append(len(texts))
        return tab.sentiment_classify(texts)

    def one_at_a_time(text):
        sizes.append(1)
        scores, info = tab.sentiment_classify([text])
        return scores[0], info[0]

    with gr.Blocks() as demo:
        text, scores, info = gr.Textbox(), gr.Label(), gr.Markdown()
        button = gr.Button()
        if batch:
            button.click(batched, text, [scores, info], batch=True,
                         max_batch_size=16, api_name="sentiment_classify")
        else:
            button.click(one_at_a_time, text, [scores, info], api_name="sentiment_classify")
    demo.queue(default_concurrency_limit=2).launch(server_name="127.0.0.1", server_port=None,
                                                   prevent_thread_lock=True, quiet=True)
    return demo


def clients(url: str, n_clients: int, texts: list[str]) -> tuple[float, float]:
    """(texts/s over all clients, median seconds per request). Each client sends its share
    of `texts` one after another."""
    from gradio_client import Client
    pool = [Client(url, verbose=False) for _ in range(n_clients)]
    latencies, lock = [], threading.Lock()

    def work(client, share):
        for text in share:
            start = time.perf_counter()
            client.predict(text, api_name="/sentiment_classify")
            with lock:
                latencies.append(time.perf_counter() - start)

    threads = [threading.Thread(target=work, args=(c, texts[i::n_clients]))
               for i, c in enumerate(pool)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(texts) / (time.perf_counter() - start), statistics.median(latencies)


def through_app(texts, n_clients: int, requests: int) -> list[list]:
    rows = []
    for batch in (True, False):
        sizes: list[int] = []
        demo = launch(batch, sizes)
        try:
            mode = "gradio batching on (max 16)" if batch else "batching off"
            clients(demo.local_url, 1, texts[:4])  # warm up
            for n, share in ((1, texts[:requests * 4]), (n_clients, texts[:n_clients * requests])):
                sizes.clear()
                speed, latency = clients(demo.local_url, n, share)
                rows.append([f"app, {n} client{'s at once' if n > 1 else ''}, {mode}", len(share),
                             f"{speed:.0f}", f"{latency * 1000:.0f}",
                             f"{statistics.mean(sizes):.1f} / {max(sizes)}"])
        finally:
            demo.close()
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=256)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=6, help="requests per client")
    parser.add_argument("--rounds", type=int, default=3, help="repeats of the in-process rows")
    args, _ = parser.parse_known_args(argv)
    texts = read_sentences(EVAL_TSV)[0]
    texts = (texts * (args.texts // len(texts) + 1))[:args.texts]
    rows = in_process(texts, args.rounds) + through_app(texts, args.clients, args.requests)
    write_table("sentiment", f"Sentiment throughput ({sentiment.describe()})",
                ["how", "texts", "texts/s", "median latency (ms)", "server batch size mean / max"],
                rows,
                notes="Held-out sentences (~9 words each). In-process rows: median of the rounds, "
                      "interleaved. App rows include HTTP, queueing and gradio_client; clients, "
                      "server and model share the same cores.")


if __name__ == "__main__":
    main(sys.argv[1:])
