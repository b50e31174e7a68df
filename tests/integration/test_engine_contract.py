"""One contract, every engine present: transformers and llama.cpp on the bundled model, and the
remote engine against a real llama_cpp.server on 127.0.0.1. llama.cpp is never skipped: where it
is missing the tests fail and say how to build it."""
import math

import pytest
import torch

from core.errors import GenerationError
from core.generation import decode as generation
from core.generation.sampling import Settings
from tests.fixtures.engines import ENGINES, as_loaded, engine_named

PROMPTS = ["Write a short story about a robot.", "Explain why the sky is blue.",
           "Give me three tips for learning Python.", "What is the capital of France and why is it famous?"]


@pytest.fixture(scope="module")
def engines(request):
    made = {}

    def get(name):
        if name not in made:
            made[name] = engine_named(name, request.getfixturevalue("llama_server") if name == "remote" else None)
        return made[name]
    return get


@pytest.fixture(params=ENGINES)
def engine(request, engines):
    return engines(request.param)


def chat_ids(engine, message: str) -> list[int]:
    return generation.fit_chat(engine.tokenizer, [{"role": "user", "content": message}], 4000)[0]


def run(engine, ids, constraint=None, **settings):
    checked, notices = Settings.checked(**settings)
    return generation.last(generation.decode(as_loaded(engine), ids, checked, notices, constraint=constraint))


def greedy_ids(engine, message: str, tokens: int = 48) -> list[int]:
    return [s.token_id for s in run(engine, chat_ids(engine, message), max_new_tokens=tokens, temperature=0).steps]


def test_a_step_gives_the_next_token_distribution(engine):
    vocab = len(engine.tokenizer)
    with engine.sequence(Settings(max_new_tokens=2, seed=0)) as sequence:
        first = sequence.prefill(chat_ids(engine, PROMPTS[0]))
        token = first.token if first.token is not None else int(first.logits.argmax())
        second = sequence.step(token)
    for out in (first, second):
        if engine.capabilities.full_logits:
            assert out.logits.shape[0] == 1 and out.logits.shape[1] >= vocab and out.logits.dtype == torch.float32
            assert torch.isfinite(out.logits).all()
        else:  # top-N log-probabilities, best first, and the token the server drew
            logprobs = [lp for _, lp in out.top]
            assert len(out.top) == 20 and logprobs == sorted(logprobs, reverse=True)
            assert 0 < sum(math.exp(lp) for lp in logprobs) <= 1 + 1e-4 and 0 <= out.token < vocab
    assert engine.capabilities.constraints == engine.capabilities.full_logits


def test_a_seed_repeats_a_sampled_run_and_another_seed_does_not(engine):
    ids = chat_ids(engine, PROMPTS[0])
    settings = dict(max_new_tokens=16, temperature=1.0, top_p=0.95, seed=11)
    first, again = run(engine, ids, **settings), run(engine, ids, **settings)
    other = run(engine, ids, **{**settings, "seed": 12})
    assert first.text == again.text and [s.token_id for s in first.steps] == [s.token_id for s in again.steps]
    assert other.text != first.text


def test_a_stop_string_ends_the_text(engine):
    final = run(engine, engine.tokenizer("1, 2, 3, 4, 5,").input_ids, max_new_tokens=20, temperature=0, stop=[" 8"])
    assert final.finish_reason == "stop" and final.text.startswith(" 6, 7,") and " 8" not in final.text
    assert "".join(s.token for s in final.steps) == final.text


def test_the_cache_is_reset_between_requests(engine):
    first = greedy_ids(engine, PROMPTS[1], 12)
    greedy_ids(engine, PROMPTS[2], 12)
    assert greedy_ids(engine, PROMPTS[1], 12) == first
    if engine.capabilities.full_logits:  # a sequence read again from the start forgets what it held
        with engine.sequence() as used:
            used.prefill(chat_ids(engine, PROMPTS[2]))
            used.step(42)
            again = used.prefill(chat_ids(engine, PROMPTS[1]))
        with engine.sequence() as fresh:
            clean = fresh.prefill(chat_ids(engine, PROMPTS[1]))
        assert torch.allclose(again.logits, clean.logits, atol=1e-3)


NEAR_TIE = 0.05      # the reference's top two probabilities at a flipped token differ by less
SAME_MODEL = 0.06    # ... and the two engines' probabilities of its top 10 agree this closely


def greedy_steps(engine, message: str, tokens: int = 64) -> list:
    checked, notices = Settings.checked(max_new_tokens=tokens, temperature=0)
    return generation.last(generation.decode(as_loaded(engine), chat_ids(engine, message), checked, notices,
                                             top_n=10)).steps


@pytest.mark.parametrize("name", ["llama.cpp", "remote"])
def test_greedy_tokens_are_the_transformers_engines_until_a_near_tie(engines, name):
    """llama.cpp runs the bundled weights requantized to 8 bits, with 8-bit activations (the test
    server: float16; transformers: float32). Greedy tokens are the reference's until two candidates
    are nearly tied; there, the two distributions still agree. Measured here over 64 tokens with
    8-bit weights: 2 of these 4 prompts identical, the others part at top-two gaps of 0.01-0.03."""
    reference, fast = engines("transformers"), engines(name)
    for message in PROMPTS:
        expected, got = greedy_steps(reference, message), greedy_steps(fast, message)
        first = next((i for i, (a, b) in enumerate(zip(expected, got)) if a.token_id != b.token_id), None)
        if first is None:
            continue
        want = {c.token_id: c.prob for c in expected[first].stages["model"]}
        have = {c.token_id: c.prob for c in got[first].stages["model"]}
        best, second = sorted(want.values(), reverse=True)[:2]
        assert best - second < NEAR_TIE, (message, first, best, second)
        assert max(abs(p - have[t]) for t, p in want.items() if t in have) < SAME_MODEL, (message, first)


def test_with_float16_weights_llama_cpp_keeps_the_transformers_greedy_tokens(monkeypatch):
    """LLMLAB_LLAMA_WEIGHTS=f16, the exact mode: 7 of 8 prompts identical over 64 tokens, the 8th
    from token 56 (measured here); the bound is the first 32."""
    from core.generation.engines.llamacpp import LlamaCppEngine
    from core.runtime import registry
    from core.runtime.device import placement
    from tests.fixtures.engines import BUNDLED, require_llama
    require_llama()
    monkeypatch.setenv("LLMLAB_LLAMA_WEIGHTS", "f16")
    reference = engine_named("transformers")
    exact = LlamaCppEngine.load(registry.bundled_path(BUNDLED), placement(), tokenizer=reference.tokenizer,
                                reference=reference.model)
    try:
        assert exact.weights == "F16"
        diverged = []
        for message in PROMPTS:
            expected, got = greedy_ids(reference, message), greedy_ids(exact, message)
            first = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), None)
            assert first is None or first >= 32, (message, first)
            diverged.append(first)
        assert diverged.count(None) >= len(PROMPTS) - 1, diverged
    finally:
        exact.close()


def test_fork_continues_like_a_fresh_sequence(engine):
    if not engine.capabilities.fork:
        with engine.sequence(Settings(max_new_tokens=1, seed=0)) as sequence, pytest.raises(GenerationError):
            sequence.fork()
        return
    ids = chat_ids(engine, PROMPTS[3])
    with engine.sequence() as sequence:
        sequence.prefill(ids)
        with sequence.fork() as twin:
            left, right = sequence.step(504), twin.step(60)  # "The" / "L": the two now differ
    with engine.sequence() as fresh:
        expected = fresh.prefill(ids + [60])
    assert int(right.logits.argmax()) == int(expected.logits.argmax())
    assert (right.logits - expected.logits).abs().max() < 0.05
    assert int(left.logits.argmax()) != int(right.logits.argmax())


def test_scores_agree_with_the_transformers_engine(engines, engine):
    ids = [0] + engine.tokenizer("The children walked to school on a sunny morning.", add_special_tokens=False).input_ids
    if not engine.capabilities.scoring:
        with pytest.raises(GenerationError, match="score"):
            engine.score(ids)
        return
    logprobs, ranks = engine.score(ids, 4)  # in chunks smaller than the text
    expected, _ = engines("transformers").score(ids)
    assert len(logprobs) == len(ranks) == len(ids) - 1 and all(r >= 1 for r in ranks)
    # 8-bit weights and activations (llama.cpp) against float32: measured up to 0.16 nats a token
    assert max(abs(a - b) for a, b in zip(logprobs, expected)) < (0.05 if engine.name == "transformers" else 0.3)


def test_a_constraint_changes_the_draw_or_is_refused(engine):
    ids = chat_ids(engine, PROMPTS[3])
    free = greedy_ids(engine, PROMPTS[3], 4)

    def ban_the_first_choice(generated, logits):
        logits = logits.clone()
        logits[0, free[0]] = -math.inf
        return logits
    if not engine.capabilities.constraints:
        with pytest.raises(GenerationError, match="constraint"):
            run(engine, ids, constraint=ban_the_first_choice, max_new_tokens=4, temperature=0)
        return
    banned = run(engine, ids, constraint=ban_the_first_choice, max_new_tokens=4, temperature=0)
    assert all(s.token_id != free[0] for s in banned.steps) and banned.steps[0].token_id != free[0]


def test_the_update_says_which_engine_answered(engine):
    final = run(engine, chat_ids(engine, PROMPTS[3]), max_new_tokens=4, temperature=0)
    assert final.engine == engine.name and final.to_dict(steps=False)["engine"] == engine.name
    if not engine.capabilities.full_logits:
        assert any("approximate" in n for n in final.notices)
