"""Scoring mechanics and the plain-data views of a run, on tiny models."""
import math

import pytest

from core.errors import GenerationError
from core.generation import decode as generate
from core.generation import scoring
from core.generation.decode import decode
from core.generation.sampling import Settings
from demos import render
from tests.fixtures.generate import bundled_tokenizer, scripted, tiny_llama


@pytest.fixture(scope="module")
def tokenizer():
    return bundled_tokenizer()


@pytest.fixture
def tiny(tokenizer, monkeypatch):
    loaded = tiny_llama(tokenizer)
    monkeypatch.setattr(generate.loader, "load", lambda task, model_id=None: loaded)
    return loaded


def final_run(loaded, stop=(), **settings):
    checked, notices = Settings.checked(stop=stop, seed=3, **settings)
    return list(decode(loaded, [1, 2, 3], checked, notices))[-1]


# --- scoring -----------------------------------------------------------------------------

def test_score_adds_up(tiny):
    text = "The cat sat on the mat. 日本 🎉"
    result = scoring.score(text)
    assert "".join(t.token for t in result.tokens) == text
    assert all(t.prob is not None and 0 < t.prob <= 1 and t.rank >= 1 for t in result.tokens)
    assert result.scored_tokens == len(result.tokens)  # the start token lets the first be scored too
    assert result.total_logprob == pytest.approx(sum(t.logprob for t in result.tokens))
    assert result.perplexity == pytest.approx(math.exp(-result.total_logprob / result.scored_tokens))
    worst = [result.tokens[i].prob for i in result.least_expected]
    assert worst == sorted(worst) and worst[0] == min(t.prob for t in result.tokens)


def test_scoring_in_chunks_equals_one_pass(tiny, monkeypatch):
    text = "A longer text, so that it takes several chunks of the KV cache to read it all. " * 3
    whole = scoring.score(text)
    monkeypatch.setattr(scoring, "CHUNK", 7)
    chunked = scoring.score(text)
    assert [t.token_id for t in chunked.tokens] == [t.token_id for t in whole.tokens]
    for a, b in zip(chunked.tokens, whole.tokens):
        assert a.logprob == pytest.approx(b.logprob, abs=1e-4)
        assert abs(a.rank - b.rank) <= 2  # a random model has near-ties that float noise reorders


def test_scoring_a_text_longer_than_the_context_says_what_was_scored(tiny, monkeypatch):
    monkeypatch.setenv("LLMLAB_MAX_CONTEXT", "32")
    result = scoring.score("word " * 100)
    assert len(result.tokens) == 31 and "first 31" in result.notices[0]


def test_scoring_refuses_empty_text_and_scores_a_list(tiny):
    with pytest.raises(GenerationError, match="empty"):
        scoring.score(" \n ")
    results = scoring.score(["One.", "Two words."])
    assert [r.text for r in results] == ["One.", "Two words."]


# --- views -------------------------------------------------------------------------------

def test_spans_have_one_entry_per_step_and_mark_the_end(tokenizer):
    final = final_run(scripted(tokenizer, "Paris is nice."), max_new_tokens=20)
    spans = render.generation_spans(final)
    assert spans == render.generation_spans(final.to_dict())
    assert len(spans) == len(final.steps)
    assert spans[-1] == (render.END_MARK, "end of text")
    assert "".join(text for text, _ in spans[:-1]) == "Paris is nice."
    assert {band for _, band in spans[:-1]} == {"p ≥ 0.9"}  # the scripted model is sure


@pytest.mark.parametrize("prob, band", [(1.0, "p ≥ 0.9"), (0.9, "p ≥ 0.9"), (0.6, "0.5 ≤ p < 0.9"),
                                        (0.1, "0.1 ≤ p < 0.5"), (0.0999, "p < 0.1"), (None, "not scored")])
def test_bands(prob, band):
    assert render.band(prob) == band
    assert band in render.BAND_COLORS


def test_step_frames_show_three_stages_and_flag_the_drawn_token(tokenizer):
    run = final_run(tiny_llama(tokenizer), max_new_tokens=4, temperature=0.8, top_k=5).to_dict()
    frames, caption = render.step_frames(run, 2)
    assert len(frames) == 3 and caption.startswith("Step 2:")
    filtered = frames[2]
    assert len(filtered) == 5 and list(filtered["kind"]).count("drawn") == 1
    assert filtered["prob"].sum() == pytest.approx(1, rel=1e-4)
    assert list(frames[0]["token"]) == list(dict.fromkeys(frames[0]["token"]))  # labels are distinct
    assert render.step_frames(run, 99)[1].startswith("Step 3:")  # clamped to the last step
    empty, message = render.step_frames(None, 0)
    assert all(f.empty for f in empty) and "Generate" in message


def test_summaries_say_model_speed_seed_and_notices(tokenizer):
    run = final_run(scripted(tokenizer, "Hi."), max_new_tokens=2000).to_dict()
    summary = render.run_summary(run)
    assert "scripted" in summary and "tokens/s" in summary and "seed 3" in summary
    assert "max_new_tokens" in summary  # the clamp notice
    assert render.visible(" a\nb") == "␣a↵b"
