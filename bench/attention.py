"""What the Attention and Layer-by-layer views cost: the eager-attention view of the chat model
(sharing its weights) against loading a second eager copy, and the time of one pass.

    python -m bench.attention [--repeats 5]

Memory is measured in a fresh process per way (RSS, and USS/PSS, which count shared pages
once), after the model is loaded and one forward pass has touched it. Writes bench/results/attention.md.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench import machine, save, table  # noqa: E402

SENTENCE = ("The animal didn't cross the street because it was too tired, so it lay down on the warm "
            "pavement and waited for the traffic to stop before it tried again.")
WAYS = {
    "eager view sharing the weights (LLM Lab)": "shared",
    "by hand: a second copy, from_pretrained(..., attn_implementation='eager')": "copy",
}

CHILD = r"""
import copy, json, sys, time, psutil, torch
from core.runtime import loader
from core.inspect.eager import eager
process = psutil.Process()
def memory():
    info = process.memory_full_info()
    return {"rss": info.rss, "uss": info.uss, "pss": info.pss}
loaded = loader.load("generation")
ids = loaded.tokenizer(sys.argv[2], return_tensors="pt").input_ids
with torch.inference_mode():
    loaded.model(ids)
before = memory()
start = time.perf_counter()
if sys.argv[1] == "shared":
    model = eager(loaded.model).model
else:
    from transformers import AutoModelForCausalLM
    from core.runtime.loader import _where
    model = AutoModelForCausalLM.from_pretrained(_where(loaded.candidate)[0], attn_implementation="eager").eval()
made = time.perf_counter() - start
with torch.inference_mode():
    model(ids, output_attentions=True)
after = memory()
print(json.dumps({"seconds": made, **{k: after[k] - before[k] for k in after}}))
"""


def one_way(way: str) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, way, SENTENCE], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": os.getcwd()}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def passes(repeats: int) -> list[list]:
    """Median seconds of: a plain sdpa forward, the attention view (every layer and head), the
    logit lens, on the same sentence, interleaved."""
    import torch

    from core.inspect import attention, lens
    from core.runtime import loader
    loaded = loader.load("generation")
    ids = loaded.tokenizer(SENTENCE, return_tensors="pt").input_ids

    def plain():
        with torch.inference_mode():
            loaded.model(ids)
    runs = {"plain forward (sdpa, no weights)": plain,
            "attention: every layer and head (eager view)": lambda: attention.attention(SENTENCE, "chat"),
            "attention of the embedding model": lambda: attention.attention(SENTENCE, "embedding"),
            "logit lens: every layer and position": lambda: lens.logit_lens(SENTENCE)}
    for run in runs.values():
        run()  # warm-up
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return [[name, f"{statistics.median(t):.3f}", f"{min(t):.3f}–{max(t):.3f}"] for name, t in times.items()]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    memory_rows = []
    for name, way in WAYS.items():
        m = one_way(way)
        memory_rows.append([name, f"{m['seconds']:.3f}", f"{m['rss'] / 2**20:+.1f}", f"{m['uss'] / 2**20:+.1f}",
                            f"{m['pss'] / 2**20:+.1f}"])
    timing = passes(args.repeats)
    from core.inspect.attention import attention
    tokens = len(attention(SENTENCE, "chat").tokens)
    lines = ["### Attention and layer-by-layer views: what the eager attention costs", "",
             f"Machine: {machine()}. Command: `python -m bench.attention`. Load average before: "
             f"{load_before:.2f}, after: {os.getloadavg()[0]:.2f}.", "",
             "SmolLM2-135M-Instruct runs with sdpa attention, which never forms W; the views need eager "
             "attention. Memory: change after the second model is made and has run once (fresh process "
             "per row; the fp32 model loaded and run before).", ""]
    lines += table(["way", "time to make (s)", "RSS (MB)", "USS (MB)", "PSS (MB)"], memory_rows)
    lines += ["", "RSS counts a page once per mapping: the copy's weights are memory-mapped from the same "
              "safetensors file as the loaded model's, so RSS doubles while USS/PSS (physical memory) barely "
              "move. That holds only for an fp32 model mapped from disk on CPU; on a GPU, or in another dtype, "
              "the copy is a real second 538 MB. The shared view costs a few MB (its own small buffers) anywhere.", "",
              f"One pass over a {tokens}-token sentence, median of {args.repeats} interleaved repeats:", ""]
    lines += table(["pass", "seconds (median)", "min–max"], timing)
    save("attention", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
