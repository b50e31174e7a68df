"""Summarize latency on a 500-word article, LLM Lab vs what a user would write by hand.

    python -m bench.summarize [--tokens 64] [--repeats 3] [--no-long]

Extractive: core.summarize.extract (sentence splitter, TextRank or centroid, MMR) vs a
hand-written centroid ranking (regex split, encode, cosine to the mean, top 3).
Abstractive: core.summarize.summarize_stream on the chat model vs `model.generate` with the
same chat prompt and greedy settings. Variants run interleaved (A B C, A B C, ...) so a busy
machine slows them alike; each figure is the median of the repeats. Writes bench/results/summarize.md.
"""
import sys
import argparse
import os
import platform
import re
import statistics
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

from bench import save  # noqa: E402
from core import summarize  # noqa: E402
from core.runtime import loader  # noqa: E402

SENTENCES = 3


# --- extractive ---------------------------------------------------------------------------------

def extract_by_hand(text: str) -> list[str]:
    """The few lines a user would write: split on end marks, embed, keep the closest to the mean."""
    model = loader.load("embedding").model
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]
    vectors = model.encode(sentences, normalize_embeddings=True)
    scores = vectors @ vectors.mean(axis=0)
    return [sentences[i] for i in sorted(np.argsort(-scores)[:SENTENCES])]


EXTRACTIVE = {
    "hand-written: regex split + encode + centroid top 3": extract_by_hand,
    "LLM Lab extract, centroid + MMR": lambda t: summarize.extract(t, SENTENCES, method="centroid").sentences,
    "LLM Lab extract, TextRank + MMR": lambda t: summarize.extract(t, SENTENCES).sentences,
}


# --- abstractive --------------------------------------------------------------------------------

def abstract_by_hand(text: str, tokens: int) -> dict:
    """apply the chat template to the same prompt, then one plain `model.generate` call."""
    loaded = loader.load("generation")
    messages = summarize.ChatSummarizer.messages(text)
    start = time.perf_counter()
    ids = loaded.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                               return_dict=True).to(loaded.placement.device)
    with torch.inference_mode():
        out = loaded.model.generate(**ids, max_new_tokens=tokens, do_sample=False, temperature=None,
                                    top_k=None, top_p=None, repetition_penalty=summarize.REPETITION_PENALTY,
                                    pad_token_id=loaded.tokenizer.eos_token_id)
    seconds = time.perf_counter() - start
    text = loaded.tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)
    return {"seconds": seconds, "first": seconds, "text": text, "chunks": 1}


def abstract_ours(text: str, tokens: int) -> dict:
    start, first = time.perf_counter(), None
    for update in summarize.summarize_stream(text, max_new_tokens=tokens):
        if first is None and update.text:
            first = time.perf_counter() - start
    return {"seconds": time.perf_counter() - start, "first": first or 0.0, "text": update.text,
            "chunks": update.chunks, "update": update}


ABSTRACTIVE = {
    "hand-written: chat template + model.generate (no streaming)": abstract_by_hand,
    "LLM Lab summarize_stream (streamed, tidied)": abstract_ours,
}
BASELINE = "hand-written: chat template + model.generate (no streaming)"


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def measure(article: dict, long_text: str | None, tokens: int, repeats: int) -> dict:
    text = article["text"].strip()  # as core.text.documents normalises it, so both prompts are the same
    for run in EXTRACTIVE.values():  # warm-up (model loads), not measured
        run(text)
    for run in ABSTRACTIVE.values():
        run(text, 4)
    extractive = {name: [] for name in EXTRACTIVE}
    abstractive = {name: [] for name in ABSTRACTIVE}
    for _ in range(repeats):
        for name, run in EXTRACTIVE.items():
            start = time.perf_counter()
            chosen = run(text)
            extractive[name].append({"seconds": time.perf_counter() - start,  # whole or inside a longer "sentence"
                                     "key": any(article["key_sentence"] in s for s in chosen)})
        for name, run in ABSTRACTIVE.items():
            abstractive[name].append(run(text, tokens))
    ours = abstractive["LLM Lab summarize_stream (streamed, tidied)"][0]
    same = summarize.tidy(abstractive[BASELINE][0]["text"]) == ours["text"]
    long = abstract_ours(long_text, tokens) if long_text else None
    return {"extractive": extractive, "abstractive": abstractive, "same": same, "long": long,
            "long_words": words(long_text or ""), "example": ours["text"]}


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def report(measured: dict, article: dict, tokens: int, repeats: int, load_before: float) -> str:
    chat, embed = loader.load("generation"), loader.load("embedding")
    lines = [
        "# Summarize: latency on a 500-word article, LLM Lab vs hand-written", "",
        f"Article: `examples/articles/{article['file']}` ({words(article['text'])} words). "
        f"torch {torch.__version__} · transformers {transformers.__version__} · "
        f"{platform.processor() or platform.machine()} · {os.cpu_count()} CPUs visible, torch threads: "
        f"{torch.get_num_threads()} · load average before the run {load_before:.1f} · median of "
        f"{repeats} interleaved repeats, models already loaded.", "",
        f"## Extractive ({SENTENCES} sentences) · {embed.describe()}", "",
        "| variant | seconds (median) | min–max | key sentence chosen |", "|---|---:|---:|---:|"]
    for name, runs in measured["extractive"].items():
        times = [r["seconds"] for r in runs]
        lines.append(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f}–{max(times):.3f} | "
                     f"{'yes' if all(r['key'] for r in runs) else 'no'} |")
    base = median(measured["abstractive"][BASELINE], "seconds")
    lines += ["", f"## Abstractive (greedy, up to {tokens} new tokens) · {chat.describe()}", "",
              "| variant | seconds (median) | vs generate | min–max | first text shown (s) | summary words |",
              "|---|---:|---:|---:|---:|---:|"]
    for name, runs in measured["abstractive"].items():
        times = [r["seconds"] for r in runs]
        seconds = statistics.median(times)
        lines.append(f"| {name} | {seconds:.2f} | {(seconds / base - 1) * 100:+.1f}% | "
                     f"{min(times):.2f}–{max(times):.2f} | {median(runs, 'first'):.2f} | "
                     f"{words(runs[0]['text'])} |")
    lines += ["", "Same output: " + ("yes — LLM Lab's summary is the hand-written call's text, tidied "
                                     "(preamble, repeats and a cut-off last sentence removed)."
                                     if measured["same"] else "NO — the two decodings differ."),
              "", f"LLM Lab summary: _{measured['example']}_", ""]
    if measured["long"]:
        long = measured["long"]
        lines += ["## A long text (the three bundled articles, "
                  f"{measured['long_words']} words), one run", "",
                  f"{long['chunks']} chunks, then combined: {long['seconds']:.1f} s in all, first text after "
                  f"{long['first']:.2f} s. Notes: {' '.join(long['update'].notes)}", ""]
    lines += [f"Reproduce: `{command()}` (a few minutes on 2 cores). On a machine shared with other jobs, "
              f"LLMLAB_THREADS=1 gives steadier figures than two threads that wait for each other.", ""]
    return "\n".join(lines)


def command() -> str:
    threads = os.environ.get("LLMLAB_THREADS")
    return f"{'LLMLAB_THREADS=' + threads + ' ' if threads else ''}python -m bench.summarize"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tokens", type=int, default=64, help="max new tokens of the abstract")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-long", dest="long", action="store_false", help="skip the chunked long-text run")
    args = parser.parse_args(argv)
    articles = summarize.example_articles()
    load_before = os.getloadavg()[0]
    long_text = "\n\n".join(a["text"] for a in articles) if args.long else None
    measured = measure(articles[0], long_text, args.tokens, args.repeats)
    text = report(measured, articles[0], args.tokens, args.repeats, load_before)
    save("summarize", text)


if __name__ == "__main__":
    main(sys.argv[1:])
