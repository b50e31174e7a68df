"""The grounded reader's costliest model call, side by side with the plain transformers call one
would write by hand, on the reader's own inputs for DEV questions of examples/bbc_qa.json: one
prompt per evidence sentence (worked examples, question, sentence, question again), each continued
by its sentence's candidate spans and by "None".

    python -m bench.continuations [questions]

  plain batch        every prompt + continuation as one sequence, left-padded, forward passes of
                     48 rows, log-probabilities gathered (what a user writes with transformers)
  prompted_logprobs  core.generation.continuations: the prompts' shared beginning run once, the
                     rest of each prompt once, every continuation over a copy of its prompt's cache
Interleaved question by question (the order alternating); medians; the largest difference
between the two methods' log-probabilities says they score the same thing.
"""
import os
import statistics
import sys
import time

from bench import machine, save, table
from bench.bbc import Fixture


def plain_batch(loaded, prompts, continuations) -> list[list[float]]:
    import torch

    from core.generation.continuations import BATCH as ROWS   # sequences per forward pass, as prompted_logprobs
    sequences = [prompts[p] + c for p, c in continuations]
    device, out = loaded.placement.device, []
    for at in range(0, len(sequences), ROWS):
        group, conts = sequences[at:at + ROWS], continuations[at:at + ROWS]
        width = max(map(len, group))
        ids = torch.zeros((len(group), width), dtype=torch.long, device=device)
        mask = torch.zeros((len(group), width), dtype=torch.long, device=device)
        for row, seq in enumerate(group):
            ids[row, width - len(seq):], mask[row, width - len(seq):] = torch.tensor(seq), 1
        with torch.inference_mode():
            logprobs = loaded.model(input_ids=ids, attention_mask=mask,
                                    position_ids=(mask.cumsum(-1) - 1).clamp(min=0)).logits.float().log_softmax(-1)
        for row, (_, c) in enumerate(conts):
            at_end = torch.arange(width - len(c) - 1, width - 1, device=device)
            out.append(logprobs[row, at_end, torch.tensor(c, device=device)].tolist())
    return out


def main(argv=None) -> None:
    from core.generation.continuations import prompted_logprobs
    from core.retrieval import qa, reader
    from core.retrieval.search import search
    from core.runtime import loader
    n = int(argv[0]) if argv else 24
    fixture, generation = Fixture.load(), loader.load("generation")
    corpus, tokenizer = fixture.corpus(), generation.tokenizer
    methods = {"plain batch": lambda args: plain_batch(generation, *args),
               "prompted_logprobs": lambda args: [c.tokens for c in prompted_logprobs(generation, *args)]}
    seconds, worst, tokens, loads = {m: [] for m in methods}, 0.0, [], [os.getloadavg()[0]]
    for k, item in enumerate(fixture.questions("dev")[:n]):
        result = search(corpus, item["question"], qa.READ_PASSAGES, sentences=False)
        reading = reader.candidates_of(qa.read_hits(result.hits, 4), item["question"], result.query_vector)
        spans = reading.spans
        if not spans:
            continue
        args = reader.alone_inputs(tokenizer, item["question"], reader.evidence(reading), spans,
                                   reader.answer_ids(tokenizer, spans))
        tokens.append(sum(map(len, args[0])) + sum(len(c) for _, c in args[1]))
        scores = {}
        for method in (list(methods) if k % 2 == 0 else list(methods)[::-1]):
            started = time.perf_counter()
            scores[method] = methods[method](args)
            seconds[method].append(time.perf_counter() - started)
        worst = max(worst, *(abs(a - b) for x, y in zip(*scores.values()) for a, b in zip(x, y)))
    loads.append(os.getloadavg()[0])
    plain = statistics.median(seconds["plain batch"])
    rows = [[m, f"{statistics.median(s):.2f}", f"{plain / statistics.median(s):.1f}×"] for m, s in seconds.items()]
    lines = ["### The grounded reader's sentence-by-sentence scoring pass", "",
             f"Machine: {machine()}; load {min(loads):.1f}–{max(loads):.1f}. Command: `python -m bench.continuations {n}`. "
             f"{len(tokens)} dev questions of examples/bbc_qa.json, a median {statistics.median(tokens):.0f} tokens "
             f"of prompts and continuations per question; SmolLM2-135M (transformers). Largest difference between "
             f"the two methods' log-probabilities: {worst:.1e}.", ""]
    save("continuations", "\n".join(lines + table(["method", "seconds p50", "speed-up"], rows)) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
