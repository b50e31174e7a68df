"""Generation, chat and scoring on the real offline model (SmolLM2-135M-Instruct)."""
import random
import threading

import pytest

from core import generation
from core.generation import GenerationError, chat, chat_stream, complete, last, scoring, stream
from core.runtime import loader

# ("What is the capital of France?" sits on a near tie for this 135M model: float16 weights answer Paris,
# 8-bit ones start "L'Étoile...". Perplexity on real text differs by 0.3%; see the README's engine section.)
QUESTION = [{"role": "user", "content": "Which city is the capital of France?"}]


@pytest.fixture(scope="module", autouse=True)
def real_model():
    loaded = loader.load("generation")
    assert "SmolLM2-135M-Instruct" in loaded.describe(), loaded.describe()
    return loaded


def test_streamed_text_grows_chunk_by_chunk_and_repeats_for_a_fixed_seed():
    settings = dict(max_new_tokens=16, temperature=0.9, top_p=0.95, seed=42)
    first = [u.text for u in stream("Once upon a time", **settings)]
    assert len(set(first)) >= 5  # many distinct, growing chunks, not one block at the end
    assert all(later.startswith(earlier) for earlier, later in zip(first, first[1:]))
    assert [u.text for u in stream("Once upon a time", **settings)] == first


def test_candidate_probabilities_are_valid_at_every_stage():
    final = complete("The weather today is", max_new_tokens=10, temperature=0.8, top_k=40,
                     top_p=0.9, repetition_penalty=1.2, seed=7, top_n=50)
    assert len(final.steps) >= 1
    for step in final.steps:
        for stage, candidates in step.stages.items():
            probs = [c.prob for c in candidates]
            assert all(p >= 0 for p in probs) and sum(probs) <= 1 + 1e-5, stage
        filtered = {c.token_id: c.prob for c in step.stages["filtered"]}
        assert step.kept <= 40
        assert step.token_id in filtered and filtered[step.token_id] == pytest.approx(step.prob)
        model = {c.token_id for c in step.stages["model"]}
        assert set(filtered) <= model  # top-k/top-p only ever remove candidates


def test_top_k_one_equals_greedy():
    greedy = complete("The three primary colours are", max_new_tokens=12, temperature=0)
    top1 = complete("The three primary colours are", max_new_tokens=12, temperature=1.0, top_k=1, seed=3)
    assert top1.text == greedy.text and [s.token_id for s in top1.steps] == [s.token_id for s in greedy.steps]


def test_fluent_english_is_less_perplexing_than_the_same_words_shuffled():
    sentence = "The children walked to school together on a sunny morning in early spring."
    words = sentence.split()
    random.Random(0).shuffle(words)
    fluent, shuffled = scoring.score(sentence), scoring.score(" ".join(words))
    assert fluent.perplexity * 5 < shuffled.perplexity
    assert fluent.total_logprob > shuffled.total_logprob


def test_chat_answers_a_simple_question():
    answer = chat(QUESTION, max_new_tokens=24)
    assert "Paris" in answer


def test_chat_stream_yields_the_growing_answer_with_stats_and_model():
    updates = list(chat_stream(QUESTION, max_new_tokens=24))
    final = updates[-1]
    assert final.done and final.finish_reason in ("eos", "length") and "Paris" in final.text
    assert final.stats.new_tokens == len(final.steps) and final.stats.first_token_s > 0
    assert final.stats.tokens_per_s > 0 and "SmolLM2" in final.model and "cpu" in final.model
    assert all(u.text == final.text[:len(u.text)] for u in updates)


def test_a_stop_string_ends_a_real_completion():
    final = complete("1, 2, 3, 4, 5,", max_new_tokens=20, stop=[" 8"])
    assert final.finish_reason == "stop" and " 8" not in final.text
    assert final.text.startswith(" 6, 7,")


def test_a_chat_longer_than_the_context_drops_the_oldest_turns(monkeypatch):
    monkeypatch.setenv("LLMLAB_MAX_CONTEXT", "300")
    messages = []
    for i in range(12):
        messages += [{"role": "user", "content": f"Note {i}: " + "the sky is blue. " * 6},
                     {"role": "assistant", "content": "Noted."}]
    final = last(chat_stream(messages + QUESTION, max_new_tokens=12))
    assert any("oldest" in n and "300-token" in n for n in final.notices)
    assert final.stats.prompt_tokens <= 300 - 12
    assert final.done and final.text


def test_cancel_stops_a_real_run_at_once():
    cancel = threading.Event()
    seen = 0
    story = [{"role": "user", "content": "Write a long story about a dragon."}]
    for update in chat_stream(story, max_new_tokens=200, cancel=cancel):
        seen += 1
        if seen == 3:
            cancel.set()
    assert update.finish_reason == "cancelled" and update.stats.new_tokens == 3


def test_bad_input_gets_a_clear_message_and_the_model_keeps_working(monkeypatch):
    with pytest.raises(GenerationError, match="empty"):
        next(stream(""))
    monkeypatch.setenv("LLMLAB_MAX_CONTEXT", "64")
    with pytest.raises(GenerationError, match="Shorten"):
        next(stream("long words " * 100, max_new_tokens=8))
    monkeypatch.delenv("LLMLAB_MAX_CONTEXT")
    clamped = complete("Hello", max_new_tokens=6, temperature=100, top_p=0, seed=1)
    assert len(clamped.notices) == 2 and (clamped.settings.temperature, clamped.settings.top_p) == (2.0, 0.01)
    assert clamped.stats.new_tokens <= 6
    assert "Paris" in generation.chat(QUESTION, max_new_tokens=24)
