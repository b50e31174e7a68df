"""Streaming with probability capture vs the hand-written `model.generate`, side by side.

    python -m bench.generate [--tokens 64] [--repeats 3]

Same model, prompt and settings for every variant; the variants run interleaved (A B C D,
A B C D, ...) so a busy machine slows them alike, and each figure is the median of the
repeats. Writes bench/results/generate.md.
"""
import argparse
import os
import platform
import statistics
import sys
import threading
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import TextIteratorStreamer  # noqa: E402
from transformers.generation.streamers import BaseStreamer  # noqa: E402

from bench import save  # noqa: E402
from core import generation  # noqa: E402
from core.generation.sampling import Sampler, Settings, TokenNames  # noqa: E402
from core.runtime import loader  # noqa: E402

PROMPT = [{"role": "user", "content": "Write a long story about a dragon who learns to fly."}]
SETTINGS = {
    "greedy": dict(temperature=0.0),
    "sampling": dict(temperature=0.7, top_k=50, top_p=0.95, repetition_penalty=1.1),
}


class FirstTokenTimer(BaseStreamer):
    """Notes when `generate` hands over its first new token (the first put() is the prompt)."""

    def __init__(self):
        self.puts, self.first = 0, None

    def put(self, value):
        self.puts += 1
        if self.puts == 2:
            self.first = time.perf_counter()

    def end(self):
        pass


def generate_kwargs(settings: dict, tokens: int, tokenizer) -> dict:
    sample = settings["temperature"] > 0
    kwargs = dict(max_new_tokens=tokens, do_sample=sample, pad_token_id=tokenizer.eos_token_id)
    if sample:  # top_k=0 and top_p=1 switch off generate's own defaults, as in our loop
        kwargs.update(temperature=settings["temperature"], top_k=settings.get("top_k", 0),
                      top_p=settings.get("top_p", 1.0))
    else:
        kwargs.update(temperature=None, top_k=None, top_p=None)
    kwargs["repetition_penalty"] = settings.get("repetition_penalty", 1.0)
    return kwargs


def run_generate(loaded, ids, settings, tokens, seed) -> dict:
    torch.manual_seed(seed)
    timer = FirstTokenTimer()
    start = time.perf_counter()
    with torch.inference_mode():
        out = loaded.model.generate(ids, streamer=timer, **generate_kwargs(settings, tokens, loaded.tokenizer))
    seconds = time.perf_counter() - start
    new = out.shape[1] - ids.shape[1]
    return {"tokens": new, "seconds": seconds, "ttft": timer.first - start, "ids": out[0, ids.shape[1]:].tolist()}


def run_generate_streamer(loaded, ids, settings, tokens, seed) -> dict:
    """What a user writes to stream text from generate: TextIteratorStreamer and a thread."""
    torch.manual_seed(seed)
    streamer = TextIteratorStreamer(loaded.tokenizer, skip_prompt=True, skip_special_tokens=True)
    kwargs = dict(inputs=ids, streamer=streamer, **generate_kwargs(settings, tokens, loaded.tokenizer))
    start = time.perf_counter()
    worker = threading.Thread(target=lambda: loaded.model.generate(**kwargs))
    worker.start()
    first, text = None, ""
    for piece in streamer:
        if first is None and piece:
            first = time.perf_counter()
        text += piece
    worker.join()
    seconds = time.perf_counter() - start
    count = len(loaded.tokenizer(text, add_special_tokens=False).input_ids)  # approximate: re-tokenized
    return {"tokens": count, "seconds": seconds, "ttft": (first or time.perf_counter()) - start, "ids": None}


def run_ours(top_n):
    def run(loaded, ids, settings, tokens, seed) -> dict:
        start = time.perf_counter()
        for update in generation.chat_stream(PROMPT, max_new_tokens=tokens, seed=seed, top_n=top_n, **settings):
            pass  # a consumer that reads every update, as the UI does
        seconds = time.perf_counter() - start
        return {"tokens": update.stats.new_tokens, "seconds": seconds, "ttft": update.stats.first_token_s,
                "ids": [s.token_id for s in update.steps] or None}
    return run


VARIANTS = {
    "model.generate (hand-written, no streaming)": run_generate,
    "model.generate + TextIteratorStreamer": run_generate_streamer,
    "LLM Lab stream, no capture (top_n=0)": run_ours(0),
    "LLM Lab stream + 3-stage capture (top_n=10)": run_ours(10),
}
BASELINE = "model.generate (hand-written, no streaming)"


def measure(tokens: int, repeats: int) -> dict:
    loaded = loader.load("generation")
    text = generation.render_chat(loaded.tokenizer, PROMPT)
    ids = loaded.tokenizer(text, add_special_tokens=False, return_tensors="pt").input_ids.to(loaded.placement.device)
    results = {}
    for name, settings in SETTINGS.items():
        for run in VARIANTS.values():  # warm-up, not measured
            run(loaded, ids, settings, 4, 0)
        runs = {variant: [] for variant in VARIANTS}
        for repeat in range(repeats):
            for variant, run in VARIANTS.items():
                runs[variant].append(run(loaded, ids, settings, tokens, seed=repeat))
        if name == "greedy":  # the same tokens, or the comparison means nothing
            ours = runs["LLM Lab stream + 3-stage capture (top_n=10)"][0]["ids"]
            assert ours == runs[BASELINE][0]["ids"], "greedy output differs from model.generate"
        results[name] = runs
    return {"loaded": loaded, "results": results, "prompt_tokens": ids.shape[1],
            "capture": capture_cost(loaded, ids)}


def capture_cost(loaded, ids, calls: int = 200) -> dict:
    """ms per token of the sampler alone, with and without recording, on the same real logits."""
    with torch.inference_mode():
        logits = loaded.model(input_ids=ids, logits_to_keep=1).logits[:, -1, :]
    costs = {}
    for name, settings in SETTINGS.items():
        checked, _ = Settings.checked(seed=0, **settings)
        for top_n in (0, 10):
            sampler = Sampler(checked, TokenNames(loaded.tokenizer), loaded.placement.device, top_n)
            with torch.inference_mode():
                sampler(ids, logits, 0)  # warm-up
                times = []
                for i in range(calls):
                    start = time.perf_counter()
                    sampler(ids, logits, i)
                    times.append(time.perf_counter() - start)
            costs[(name, top_n)] = statistics.median(times) * 1000
    return costs


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def report(measured: dict, tokens: int, repeats: int, load_before: float) -> str:
    loaded = measured["loaded"]
    lines = [
        "# Generate: streaming with probability capture vs `model.generate`", "",
        f"Model **{loaded.describe()}** · torch {torch.__version__} · transformers "
        f"{transformers.__version__} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs visible, torch threads: {torch.get_num_threads()} · "
        f"load average before the run {load_before:.1f}", "",
        f"Prompt: the chat template around \"{PROMPT[0]['content']}\" ({measured['prompt_tokens']} tokens); "
        f"up to {tokens} new tokens; median of {repeats} interleaved repeats. tokens/s = new tokens / "
        f"wall time of the whole call (prefill included); TTFT = time to first token.", "",
    ]
    for name, runs in measured["results"].items():
        base = statistics.median(r["tokens"] / r["seconds"] for r in runs[BASELINE])
        lines += [f"## {name}: `{SETTINGS[name]}`", "",
                  "| variant | new tokens | tokens/s (median) | vs generate | tokens/s (min–max) "
                  "| TTFT s (median) |", "|---|---:|---:|---:|---:|---:|"]
        for variant, variant_runs in runs.items():
            rates = [r["tokens"] / r["seconds"] for r in variant_runs]
            rate = statistics.median(rates)
            lines.append(f"| {variant} | {median(variant_runs, 'tokens'):.0f} | {rate:.1f} | "
                         f"{(rate / base - 1) * 100:+.1f}% | {min(rates):.1f}–{max(rates):.1f} | "
                         f"{median(variant_runs, 'ttft'):.3f} |")
        lines.append("")
    lines += ["## The sampler alone (same real logits, median of 200 calls)", "",
              "| settings | choose the token (ms) | choose + record 3 stages, top 10 (ms) | recording adds "
              "| as share of one decoding step |", "|---|---:|---:|---:|---:|"]
    for name, runs in measured["results"].items():
        bare, full = measured["capture"][(name, 0)], measured["capture"][(name, 10)]
        step_ms = 1000 / statistics.median(r["tokens"] / r["seconds"] for r in runs[BASELINE])
        lines.append(f"| {name} | {bare:.2f} | {full:.2f} | {full - bare:.2f} ms | "
                     f"{(full - bare) / step_ms * 100:.1f}% of {step_ms:.0f} ms |")
    lines += ["", "Greedy outputs of the LLM Lab loop and `model.generate` were checked to be the same tokens.",
              f"Reproduce: `{command()}` (a few minutes on 2 cores). On a machine shared with other "
              f"jobs, LLMLAB_THREADS=1 gives steadier figures than two threads that wait for each other.", ""]
    return "\n".join(lines)


def command() -> str:
    threads = os.environ.get("LLMLAB_THREADS")
    return f"{'LLMLAB_THREADS=' + threads + ' ' if threads else ''}python -m bench.generate"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    measured = measure(args.tokens, args.repeats)
    text = report(measured, args.tokens, args.repeats, load_before)
    save("generate", text)


if __name__ == "__main__":
    main(sys.argv[1:])
