"""The decoding loop, settings and prompts, on tiny models built from the bundled tokenizer."""
import json
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch

from core.errors import BadSettings, GenerationError
from core.generation import decode as generate
from core.generation.decode import Text, chat_stream, decode, last
from core.generation.prompts import clean_messages, fit_chat
from core.generation.sampling import Sampler, Settings, TokenNames
from tests.fixtures.generate import bundled_tokenizer, scripted


def run(loaded, prompt="Hello there", top_n=10, cancel=None, **settings):
    checked, notices = Settings.checked(**settings)
    ids = loaded.tokenizer(prompt).input_ids
    return list(decode(loaded, ids, checked, notices, top_n=top_n, cancel=cancel))


# --- settings --------------------------------------------------------------------------

def test_out_of_range_settings_are_clamped_with_a_notice():
    settings, notices = Settings.checked(top_p=0, temperature=100, max_new_tokens=100000, top_k=-3)
    assert (settings.top_p, settings.temperature, settings.max_new_tokens, settings.top_k) == (0.01, 2.0, 1024, 0)
    text = " ".join(notices)
    for name in ("top_p", "temperature", "max_new_tokens", "top_k"):
        assert name in text


@pytest.mark.parametrize("bad", [{"temperature": "hot"}, {"top_p": float("nan")}, {"seed": "abc"},
                                 {"max_new_tokens": None, "beams": 3}])
def test_unusable_settings_are_refused_with_a_message(bad):
    with pytest.raises(BadSettings, match="temperature|top_p|seed|beams"):
        Settings.checked(**bad)


def test_a_missing_seed_is_drawn_and_reported_and_stop_strings_are_cleaned():
    settings, _ = Settings.checked(seed=None, stop=["", "\n\n", "\n\n", "x" * 500])
    assert isinstance(settings.seed, int)
    assert settings.stop == ("\n\n", "x" * 100)


def test_greedy_ignores_top_k_and_top_p_and_says_so():
    _, notices = Settings.checked(temperature=0, top_k=5)
    assert any("greedy" in n for n in notices)


# --- the loop on a real (tiny, random) transformer ----------------------------------------

def test_greedy_loop_with_kv_cache_matches_model_generate(tiny):
    updates = run(tiny, max_new_tokens=12, temperature=0)
    ids = tiny.tokenizer("Hello there", return_tensors="pt").input_ids
    expected = tiny.model.generate(ids, max_new_tokens=12, do_sample=False)[0, ids.shape[1]:].tolist()
    assert [s.token_id for s in updates[-1].steps] == expected


def test_a_fixed_seed_repeats_the_run_and_another_seed_does_not(tiny):
    settings = dict(max_new_tokens=15, temperature=1.0, seed=123)
    first, again = run(tiny, **settings), run(tiny, **settings)
    other = run(tiny, **{**settings, "seed": 124})
    assert [u.text for u in first] == [u.text for u in again]
    ids = [s.token_id for s in first[-1].steps]
    assert ids == [s.token_id for s in again[-1].steps]
    assert ids != [s.token_id for s in other[-1].steps]


def test_top_k_one_equals_greedy(tiny):
    greedy = run(tiny, max_new_tokens=10, temperature=0)[-1]
    top1 = run(tiny, max_new_tokens=10, temperature=1.5, top_k=1, seed=5)[-1]
    assert [s.token_id for s in top1.steps] == [s.token_id for s in greedy.steps]


@pytest.mark.parametrize("settings", [dict(temperature=0.7, top_k=20, top_p=0.9, repetition_penalty=1.3),
                                      dict(temperature=1.3, top_p=0.5), dict(temperature=0)])
def test_every_stage_is_a_valid_distribution_and_holds_the_drawn_token(tiny, settings):
    final = run(tiny, top_n=30, max_new_tokens=8, seed=1, **settings)[-1]
    assert len(final.steps) == 8
    for step in final.steps:
        for stage, candidates in step.stages.items():
            probs = [c.prob for c in candidates]
            assert all(p >= 0 for p in probs) and sum(probs) <= 1 + 1e-5, stage
            assert probs == sorted(probs, reverse=True)
        filtered = {c.token_id: c.prob for c in step.stages["filtered"]}
        assert 0 < step.prob <= 1 and 0 < step.model_prob <= 1
        assert 1 <= step.kept <= settings.get("top_k", 10**6)
        if step.kept <= 30:  # the whole filtered set is shown: the drawn token is in it
            assert step.token_id in filtered and math.isclose(filtered[step.token_id], step.prob)
            assert math.isclose(sum(filtered.values()), 1, rel_tol=1e-4)


def test_repetition_penalty_lowers_the_probability_of_seen_tokens(tokenizer):
    settings, _ = Settings.checked(temperature=1.0, repetition_penalty=2.0, seed=0)
    sampler = Sampler(settings, TokenNames(tokenizer), "cpu", top_n=len(tokenizer))
    logits = torch.ones(1, len(tokenizer))
    logits[0, 7] = 3.0  # the model's favourite, seen before: 3 -> 1.5
    _, step = sampler(torch.tensor([[5, 7]]), logits, 0)
    model = {c.token_id: c.prob for c in step.stages["model"]}
    adjusted = {c.token_id: c.prob for c in step.stages["adjusted"]}
    assert adjusted[7] < model[7] and adjusted[5] < model[5]
    assert adjusted[9] > model[9]  # unseen tokens share the mass taken from the seen ones
    assert adjusted[7] / adjusted[9] == pytest.approx(math.exp(1.5 - 1.0), rel=1e-4)


def test_without_capture_no_steps_are_recorded_but_the_text_is_the_same(tiny):
    captured = run(tiny, max_new_tokens=6, temperature=0)[-1]
    bare = run(tiny, max_new_tokens=6, temperature=0, top_n=0)[-1]
    assert bare.steps == [] and bare.text == captured.text


# --- exact text: stop strings, end of text, cancellation -----------------------------------

def test_the_text_streams_piece_by_piece_and_ends_at_end_of_text(tokenizer):
    loaded = scripted(tokenizer, "Paris is the capital of France.")
    updates = run(loaded, max_new_tokens=50)
    texts = [u.text for u in updates]
    assert all(b.startswith(a) for a, b in zip(texts, texts[1:]))
    assert len(set(texts)) > 5
    final = updates[-1]
    assert final.done and final.finish_reason == "eos" and final.text == "Paris is the capital of France."
    assert "".join(s.token for s in final.steps) == final.text
    assert final.steps[-1].token_id == tokenizer.eos_token_id and final.steps[-1].token == ""
    assert [s.index for s in final.steps] == list(range(len(final.steps)))
    assert all(not u.done for u in updates[:-1])


@pytest.mark.parametrize("stop, expected", [(["\n\n", "Four"], "One. Two."),
                                            (["wo.\n\nTh"], "One. T"),  # across tokens
                                            (["Five"], "One. Two.\n\nThree.")])
def test_a_stop_string_cuts_the_text_and_the_steps(tokenizer, stop, expected):
    final = run(scripted(tokenizer, "One. Two.\n\nThree."), max_new_tokens=50, stop=stop)[-1]
    assert final.text == expected
    assert final.finish_reason == ("eos" if stop == ["Five"] else "stop")
    assert "".join(s.token for s in final.steps) == final.text


def test_max_new_tokens_and_the_context_end_the_run(tokenizer):
    loaded = scripted(tokenizer, "a b c d e f g h i j k l m n o p")
    assert run(loaded, max_new_tokens=4)[-1].finish_reason == "length"
    small = scripted(tokenizer, "a b c d e f g h i j k l m n o p", context=6)
    final = run(small, prompt="Hi", max_new_tokens=50)[-1]
    assert final.stats.new_tokens == 6 - len(tokenizer("Hi").input_ids)
    assert any("context" in n for n in final.notices)


def test_cancel_ends_the_run_before_the_next_forward_pass(tokenizer):
    loaded = scripted(tokenizer, "a b c d e f g h i j k l m n o p")
    cancel = threading.Event()
    stream = decode(loaded, [1, 2], Settings(max_new_tokens=50, seed=0), [], cancel=cancel)
    for i, update in enumerate(stream):
        if i == 2:
            cancel.set()
            forwards = loaded.model.forwards
    assert update.done and update.finish_reason == "cancelled" and update.stats.new_tokens == 3
    assert loaded.model.forwards == forwards


def test_every_step_runs_in_inference_mode_even_when_resumed_on_other_threads(tokenizer):
    loaded = scripted(tokenizer, "a b c d e f")
    stream = decode(loaded, [1, 2], Settings(max_new_tokens=6, seed=0), [])
    with ThreadPoolExecutor(max_workers=3) as pool:  # as gradio does: each next() on some worker thread
        while not pool.submit(next, stream).result().done:
            pass
    assert loaded.model.inference_mode == [True] * 6


def test_incremental_decoding_equals_decoding_the_whole_answer(tokenizer):
    sample = "Grüße 日本語のテキスト 🎉🎉 and code: x = [1, 2]\n\tdone"
    text = Text(tokenizer)
    pieces = [text.add(i)[0] for i in tokenizer(sample, add_special_tokens=False).input_ids]
    assert "".join(pieces) == text.value == sample
    assert "" in pieces  # some tokens end inside a character and add nothing yet


def test_an_update_is_plain_json(tokenizer):
    final = run(scripted(tokenizer, "Hi!"), max_new_tokens=5)[-1]
    data = json.loads(json.dumps(final.to_dict()))
    assert data["text"] == "Hi!" and data["steps"][0]["stages"]["model"][0]["prob"] > 0.99
    assert data["stats"]["new_tokens"] == len(data["steps"])


# --- chat prompts ------------------------------------------------------------------------

def history(turns: int) -> list[dict]:
    out = [{"role": "system", "content": "Be brief."}]
    for i in range(turns):
        out += [{"role": "user", "content": f"Question {i}: " + "tell me more " * 20},
                {"role": "assistant", "content": f"Answer {i}: " + "here is more " * 20}]
    return out + [{"role": "user", "content": "Last question?"}]


def test_a_long_chat_is_cut_from_the_oldest_turns(tokenizer):
    messages = history(30)
    ids, dropped = fit_chat(tokenizer, messages, budget=400)
    assert len(ids) <= 400 and dropped > 0
    prompt = tokenizer.decode(ids)
    assert "Be brief." in prompt and "Last question?" in prompt
    assert "Question 0:" not in prompt and "Question 29:" in prompt
    assert prompt.index("Question 29:") < prompt.index("Answer 29:")  # starts with a user turn
    assert fit_chat(tokenizer, history(1), budget=4000)[1] == 0


def test_a_last_message_longer_than_the_context_is_refused(tokenizer):
    with pytest.raises(GenerationError, match="Shorten"):
        fit_chat(tokenizer, [{"role": "user", "content": "word " * 2000}], budget=100)


def test_messages_from_gradio_are_read_and_bad_ones_refused():
    got = clean_messages([{"role": "user", "content": [{"type": "text", "text": "Hi"}]}])
    assert got == [{"role": "user", "content": "Hi"}]
    assert clean_messages("Hello") == [{"role": "user", "content": "Hello"}]
    for bad in ([], [{"role": "user", "content": "  "}], [{"role": "robot", "content": "x"}],
                [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]):
        with pytest.raises(GenerationError):
            clean_messages(bad)


def test_chat_stream_without_a_chat_template_uses_a_transcript(tokenizer, monkeypatch):
    plain = bundled_tokenizer()
    plain.chat_template = None
    loaded = scripted(plain, "Fine, thanks.\nUser: and you?")
    monkeypatch.setattr(generate.loader, "load", lambda task, model_id=None: loaded)
    final = last(chat_stream([{"role": "user", "content": "How are you?"}], max_new_tokens=40))
    assert final.text == "Fine, thanks." and final.finish_reason == "stop"
    assert any("transcript" in n for n in final.notices)
    assert generate.chat([{"role": "user", "content": "How are you?"}], max_new_tokens=40) == final.text


def test_completion_refuses_empty_and_too_long_prompts(tokenizer, monkeypatch):
    loaded = scripted(tokenizer, "ok", context=64)
    monkeypatch.setattr(generate.loader, "load", lambda task, model_id=None: loaded)
    with pytest.raises(GenerationError, match="empty"):
        next(generate.stream("   "))
    with pytest.raises(GenerationError, match="tokens"):
        next(generate.stream("word " * 200, max_new_tokens=8))
    assert generate.complete("Say", max_new_tokens=8).text == "ok"
