"""Two parts of bench/engine.py that look inside the llama.cpp engine:

handoff  time to first token by prompt length: the prompt read by the transformers reference and
         its cache handed to llama.cpp (core/generation/engines/llama_handoff.py), against
         llama.cpp reading it itself; the same prompts, interleaved, medians.
steps    what one llama_decode costs with 1 and with 8 sequences in the batch (the engine's own
         timing, no app, no sampling), and what that allows: the most 8 streams can give over
         one, if nothing but the decode took time.
"""
import statistics
import time

from bench import table
from bench.engine import ARTICLE, engines, first_token, load

LENGTHS = (40, 80, 160, 320, 550)  # tokens, roughly


def handoff(args) -> list[str]:
    from core.generation.prompts import fit_chat
    reference, fast = engines()
    words = (ARTICLE * 4).split()
    minimum, rows = fast.handoff.minimum, []
    fast.handoff.minimum = 1  # every length handed over (or not), for the comparison
    try:
        for length in LENGTHS:
            text = " ".join(words[:int(length * 0.72)]) + "\n\nSummarize."
            ids = fit_chat(reference.tokenizer, [{"role": "user", "content": text}], 4000)[0]
            first_token(fast, ids)  # warm-up (the first long prompt loads the reference)
            times = {True: [], False: []}
            for _ in range(args.rounds):
                for handed in (True, False):
                    times[handed].append(first_token(fast, ids, handed))
            rows.append([str(len(ids)), f"{statistics.median(times[True]):.2f}",
                         f"{statistics.median(times[False]):.2f}", load()])
    finally:
        fast.handoff.minimum = minimum
    return [f"Time to first token by prompt length (LLM Lab loop, capture on, {fast.weights} weights, "
            f"median of {args.rounds} interleaved rounds). The default hands prompts of {minimum}+ tokens over.",
            ""] + table(["prompt tokens", "read by transformers, cache handed over (s)",
                         "read by llama.cpp (s)", "load average"], rows)


def steps(args) -> list[str]:
    _, fast = engines()
    L, real, timed = fast.L, fast.L.llama_decode, []

    def decode(ctx, batch):
        started = time.perf_counter()
        code = real(ctx, batch)
        timed.append((batch.n_tokens, time.perf_counter() - started))
        return code
    rows, cost = [], {}
    L.llama_decode = decode
    try:
        for count in (1, args.streams):
            sequences = [fast.sequence() for _ in range(count)]
            for i, sequence in enumerate(sequences):
                sequence.prefill(list(range(1000 + i, 1020 + i)))
            timed.clear()
            started = time.perf_counter()
            for k in range(args.tokens):
                fast.steps([(sequence, 500 + k) for sequence in sequences])
            seconds = time.perf_counter() - started
            for sequence in sequences:
                sequence.close()
            ms = [t * 1000 for n, t in timed if n >= count]
            cost[count] = statistics.median(ms)
            rows.append([str(count), f"{cost[count]:.1f}", f"{statistics.median(ms[:8]):.1f}",
                         f"{statistics.median(ms[-8:]):.1f}", f"{count * args.tokens / seconds:.1f}", load()])
    finally:
        L.llama_decode = real
    bound = args.streams * cost[1] / cost[args.streams]
    return [f"One llama_decode with 1 and with {args.streams} sequences ({fast.weights} weights, {fast.threads} "
            f"threads, {args.tokens} steps after a 20-token prompt each; the engine alone, no sampling or app).",
            ""] + table(["sequences per step", "ms per step (median)", "first 8 steps", "last 8 steps",
                         "tokens/s, engine alone", "load average"], rows) + \
        ["", f"So {args.streams} streams can give at most {bound:.1f}x the tokens/s of one on this machine, "
             f"even with no time spent outside llama_decode."]
