import pytest

from core.runtime import hub, registry


def test_every_task_has_an_offline_candidate():
    for name, task in registry.TASKS.items():
        assert any(c.source in ("bundled", "method") for c in task.candidates), name


def test_offline_hub_candidates_are_unavailable_and_bundled_ones_are(monkeypatch):
    monkeypatch.setattr(hub, "online", lambda: False)
    by_id = {c.id: c for task in registry.TASKS.values() for c in task.candidates}
    assert "unreachable" in registry.availability(by_id["Qwen/Qwen2.5-0.5B-Instruct"])
    assert registry.availability(by_id["smollm2-135m-instruct"]) is None
    assert registry.availability(by_id["all-minilm-l6-v2"]) is None


def test_override_with_hub_id_goes_first(monkeypatch):
    monkeypatch.setenv("LLMLAB_MODEL_GENERATION", "openai-community/gpt2")
    first, *rest = registry.candidates("generation")
    assert (first.id, first.source) == ("openai-community/gpt2", "hub")
    assert "LLMLAB_MODEL_GENERATION" in first.why
    assert [c.id for c in rest].count("openai-community/gpt2") == 0


def test_override_with_folder_is_local(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMLAB_MODEL_EMBEDDING", str(tmp_path))
    first = registry.candidates("embedding")[0]
    assert (first.id, first.source) == (str(tmp_path.resolve()), "local")
    assert registry.availability(first) is None


def test_unknown_task_is_named():
    with pytest.raises(KeyError, match="tasks are"):
        registry.candidates("no-such-task")


def test_hub_decision_honours_offline_env(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.decide.cache_clear()
    assert hub.decide() is False
    hub.decide.cache_clear()


def test_unreachable_hub_switches_libraries_offline(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    hub.decide.cache_clear()
    try:
        assert hub.decide(timeout=1) is False
        import os
        assert os.environ["HF_HUB_OFFLINE"] == "1"
    finally:
        hub.decide.cache_clear()
