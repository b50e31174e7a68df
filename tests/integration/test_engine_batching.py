"""Step-level batching in the llama.cpp engine: concurrent requests are decoded together, and a
request decoded in a batch gives what it gives alone: the same tokens, and where rounding in a
differently shaped batch flips a near tie, the same distribution at that step. With 8-bit weights
(the default) activations are quantized to 8 bits too, which turns float rounding noise of ~1e-6
into steps of up to 1/127 of a block, and these add up over 30 layers: there the distributions agree
to 0.12 (measured up to 0.086 at a step over eight runs of eight streams, 2026-12-07; 0.045 and 0.08
were each too tight once), with float16 weights to 1e-3. A greedy token can flip only where the top
two lay closer than twice that (each may move by the tolerance): CI once flipped one at 0.415 vs 0.300.
llama.cpp itself refuses a step whose positions do not follow its sequence's cache, so what is left
to catch here is a stream given another's cache or logits, which moves its distribution far more."""
import gc
import threading
import time

import pytest

from core.generation import decode as generation
from core.generation.engines.llama_steps import CORES
from core.generation.engines.llamacpp import SLOTS
from core.generation.sampling import Settings
from tests.fixtures.engines import as_loaded, engine_named

MESSAGES = [f"Tell me something about the number {k}." for k in range(10)]
LONG = "Summarize: " + "The river rose after a week of rain, and the town moved its market uphill. " * 30


@pytest.fixture(scope="module")
def engine():
    return engine_named("llama.cpp")


@pytest.fixture(scope="module")
def tolerance(engine) -> float:
    return 1e-3 if engine.pad else 0.12  # engine.pad: float weights


def request(engine, message: str, tokens: int = 24, **settings) -> list:
    ids = generation.fit_chat(engine.tokenizer, [{"role": "user", "content": message}], 4000)[0]
    checked, notices = Settings.checked(max_new_tokens=tokens, **settings)
    return generation.last(generation.decode(as_loaded(engine), ids, checked, notices, top_n=10)).steps


def same(batched: list[list], alone: list[list], tolerance: float, sampled: tuple[int, ...] = ()) -> bool:
    """Each stream's tokens equal alone and batched; or, at the first token that differs, the model's
    top-10 probabilities agree to `tolerance` (rounding noise, not another cache or position) and, for
    a greedy stream, the top two were within twice `tolerance`. A sampled stream (its index in `sampled`) draws the
    same random number both times, so it flips where that draw lies near the boundary between two
    tokens, which rounding moves: the tokens need not be near a tie there."""
    assert len(batched) == len(alone)
    for k, (mine, reference) in enumerate(zip(batched, alone)):
        ours, theirs = [s.token_id for s in mine], [s.token_id for s in reference]
        if ours == theirs:
            continue
        i = next((k for k, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
        assert i < min(len(ours), len(theirs)), f"one stream stopped early at token {i}"
        got = {c.token_id: c.prob for c in mine[i].stages["model"]}
        want = {c.token_id: c.prob for c in reference[i].stages["model"]}
        gaps = [abs(got[t] - p) for t, p in want.items() if t in got]
        best, second = sorted(want.values(), reverse=True)[:2]
        assert k in sampled or best - second < 2 * tolerance, f"token {i} differs where the model was sure: {best} vs {second}"
        assert len(gaps) >= 8 and max(gaps) < tolerance, f"token {i} differs and so does its distribution: {gaps}"
    return True


def together(engine, jobs: list[tuple], stagger_s: float = 0.0) -> list[list]:
    results = [None] * len(jobs)

    def work(i, args, kwargs):
        time.sleep(i * stagger_s)
        results[i] = request(engine, *args, **kwargs)
    threads = [threading.Thread(target=work, args=(i, a, k)) for i, (a, k) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_concurrent_requests_share_steps_and_equal_the_same_requests_alone(engine, tolerance):
    jobs = [((m,), dict(temperature=0)) for m in MESSAGES[:6]] + \
           [((m,), dict(temperature=0.9, top_k=40, seed=s)) for s, m in enumerate(MESSAGES[6:8])]
    alone = [request(engine, *a, **k) for a, k in jobs]
    before = dict(engine.stats)
    batched = together(engine, jobs)
    assert same(batched, alone, tolerance, sampled=(6, 7))
    steps = engine.stats["steps"] - before["steps"]
    tokens = engine.stats["tokens"] - before["tokens"]
    assert engine.stats["batched"] > before["batched"]
    assert tokens / steps > 3, f"{tokens} tokens in {steps} steps: the requests were not decoded together"


@pytest.mark.parametrize("handed_over", [False, True], ids=["read-by-llama.cpp", "read-by-transformers"])
def test_requests_that_join_late_and_a_long_prompt_do_not_change_anyones_tokens(engine, tolerance, handed_over,
                                                                               monkeypatch):
    """The long prompt is read in chunks between the others' steps, or (the default from 128
    tokens, llama_handoff.py) by the transformers reference while they decode, its cache then
    written into llama.cpp's."""
    monkeypatch.setattr(engine.handoff, "enabled", handed_over)
    jobs = [((m,), dict(temperature=0)) for m in MESSAGES[:4]] + [((LONG, 16), dict(temperature=0))]
    alone = [request(engine, *a, **k) for a, k in jobs]
    assert same(together(engine, jobs, stagger_s=0.15), alone, tolerance)


def test_more_requests_than_slots_wait_for_one_and_all_finish(engine, tolerance):
    jobs = [((m, 8), dict(temperature=0)) for m in MESSAGES[:SLOTS + 2]]
    alone = [request(engine, *a, **k) for a, k in jobs]
    assert same(together(engine, jobs), alone, tolerance)
    deadline = time.monotonic() + 10  # the engine's loop takes back a finished stream's slot
    while len(engine._free) < SLOTS and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(engine._free) == SLOTS and engine._reserved == 0


def test_an_abandoned_stream_gives_its_slot_back(engine):
    ids = generation.fit_chat(engine.tokenizer, [{"role": "user", "content": MESSAGES[0]}], 4000)[0]
    checked, notices = Settings.checked(max_new_tokens=50, temperature=0)
    streams = [generation.decode(as_loaded(engine), ids, checked, list(notices)) for _ in range(SLOTS)]
    for stream in streams:
        next(stream)  # each holds a slot now
    assert not engine._free
    del streams, stream
    gc.collect()
    deadline = time.monotonic() + 10
    while len(engine._free) < SLOTS and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(engine._free) == SLOTS
    assert request(engine, MESSAGES[1], 4, temperature=0)


@pytest.mark.skipif(CORES < 2, reason="one core: llama.cpp always decodes on one thread")
def test_with_threads_fitted_decoding_uses_one_thread_beside_a_busy_core_and_two_on_idle_ones(engine):
    """Two OpenMP threads whose partner is descheduled wait at every barrier: with thread fitting
    on (the default; LLMLAB_FIT_THREADS=0 turns it off), beside a busy core (another process) the
    engine decodes on one thread (bench/engine.py --part threads)."""
    import subprocess
    import sys
    assert engine.threads == 2
    was, engine.fit_threads = engine.fit_threads, True
    try:
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            time.sleep(0.3)
            assert request(engine, MESSAGES[2], 4, temperature=0)
            assert engine._threads_now == 1
        finally:
            spinner.kill()
            spinner.wait()
        for _ in range(20):  # idle again (CI runs nothing else; allow a passing blip)
            request(engine, MESSAGES[3], 2, temperature=0)
            if engine._threads_now == 2:
                break
        assert engine._threads_now == 2
    finally:
        engine.fit_threads = was


def test_streams_dropped_inside_a_reference_cycle_give_their_slots_back_without_help(engine):
    """A stream abandoned inside a reference cycle is freed only by the cycle collector: the
    engine runs it when a request has waited 2 s for a slot (as a Stop in the page can leave)."""
    ids = generation.fit_chat(engine.tokenizer, [{"role": "user", "content": MESSAGES[0]}], 4000)[0]
    checked, notices = Settings.checked(max_new_tokens=50, temperature=0)

    class Holder:  # holds its stream and itself: only gc.collect() frees it
        def __init__(self):
            self.me, self.stream = self, generation.decode(as_loaded(engine), ids, checked, list(notices))
            next(self.stream)
    gc.disable()  # no collection but the engine's own
    try:
        for _ in range(SLOTS):
            Holder()
        assert not engine._free
        done = []
        waiting = threading.Thread(target=lambda: done.append(request(engine, MESSAGES[1], 4, temperature=0)),
                                   daemon=True)
        waiting.start()
        waiting.join(timeout=15)
        assert done and done[0], "a request still waits for the slots of streams dropped 15 s ago"
    finally:
        gc.enable()
