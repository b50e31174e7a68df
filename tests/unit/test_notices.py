"""core's notices reach the Chinese page in Chinese, with their numbers; unknown ones as written."""
import pytest

from core.generation.sampling import Settings
from demos import notices, render


def test_the_greedy_notice_from_core_is_translated():
    _, notes = Settings.checked(temperature=0, top_k=50)
    assert notes == ["Temperature 0 is greedy decoding: top-k and top-p have no effect."]
    assert notices.words(notes[0], "zh-CN") == "温度为 0 即贪心解码：top-k 和 top-p 不起作用。"
    assert notices.words(notes[0], "en") == notes[0]


def test_a_clamped_setting_keeps_its_numbers():
    _, notes = Settings.checked(top_k=5000)
    clamped = next(n for n in notes if "outside" in n)
    zh = notices.words(clamped, "zh-CN")
    assert "超出" in zh and "5000" in zh and "1000" in zh, zh


@pytest.mark.parametrize("note", ["Something core says that the table does not know.", ""])
def test_an_unknown_notice_is_shown_as_core_wrote_it(note):
    assert notices.words(note, "zh-CN") == note


def test_every_pattern_is_the_english_string_itself():
    """Each pattern matches its own English string (values filled in), so the two cannot drift apart."""
    samples = {"name": "top-k", "value": "5000", "low": "0", "high": "200", "used": "200", "n": "3", "room": "2",
               "context": "4096", "model": "Some-Model", "score": "0.12", "needed": "0.32", "label": "Qwen2.5",
               "id": "Qwen/Qwen2.5-0.5B-Instruct", "path": "/models/x.gguf", "command": "make setup"}
    for pattern, key, names in notices.NOTICES:
        english = notices.text(key, "en", **{k: samples[k] for k in names})
        assert notices.words(english.replace("“", "'").replace("”", "'"), "zh-CN") != english.replace("“", "'").replace("”", "'"), key


def test_the_run_line_shows_notices_in_the_page_language():
    run = {"stats": {"new_tokens": 1, "tokens_per_s": 1.0, "first_token_s": 0.1, "seed": 3}, "model": "m",
           "done": True, "finish_reason": "length", "notices": ["Only the first 8 stop strings are used."]}
    assert "只使用前 8 个停止字符串。" in render.run_summary(run, "zh-CN")


def test_why_a_hub_model_is_not_used_is_said_in_chinese():
    from core.runtime import registry
    candidate = next(c for c in registry.TASKS["generation"].candidates if c.source == "hub")
    why = registry.availability(candidate)  # offline in the tests (HF_HUB_OFFLINE=1)
    assert why, "the Hub model is usable: this test needs the Hub unreachable"
    reason = f"{candidate.label} ({candidate.id}): {why}"  # as core.runtime.loader writes its notes
    zh = notices.words(reason, "zh-CN")
    assert zh.startswith(f"{candidate.label}（{candidate.id}）：连不上 Hugging Face Hub"), zh
