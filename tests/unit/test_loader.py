"""Loader mechanics on fake builders: once-only, fallback, clear failures, cache repair."""
import threading
import time
from dataclasses import replace

import pytest

from core.errors import ModelUnavailable
from core.runtime import gguf as conversion
from core.runtime import loader, registry
from core.runtime.registry import Candidate


class FakeModel:
    def parameters(self):
        return []


@pytest.fixture
def fresh(monkeypatch):
    """A loader with empty caches and a fake 'generation' registry."""
    monkeypatch.setattr(loader, "_loaded", {})
    monkeypatch.setattr(loader, "_default", {})
    monkeypatch.setattr(loader, "_load_lock", threading.RLock())
    monkeypatch.delenv("LLMLAB_MODEL_GENERATION", raising=False)
    return monkeypatch


def use_candidates(monkeypatch, *candidates):
    monkeypatch.setitem(registry.TASKS, "generation", replace(registry.TASKS["generation"], candidates=list(candidates)))
    monkeypatch.setattr(registry, "availability",
                        lambda c: None if c.source in ("local", "method") else "unreachable")


def use_builder(monkeypatch, build):
    monkeypatch.setitem(registry.TASKS, "generation", replace(registry.TASKS["generation"], build=build))


def test_eight_threads_cause_one_load(fresh):
    use_candidates(fresh, Candidate("/m", "local", "m"))
    calls = []

    def slow_build(where, place):
        calls.append(where)
        time.sleep(0.3)
        return FakeModel(), None

    use_builder(fresh, slow_build)
    results = [None] * 8
    threads = [threading.Thread(target=lambda i=i: results.__setitem__(i, loader.load("generation")))
               for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["/m"]
    assert all(r is results[0] for r in results)
    assert results[0].load_seconds >= 0.3 and results[0].source == "local"


def test_falls_back_and_says_why(fresh):
    use_candidates(fresh, Candidate("org/hub-model", "hub", "hub-model"),
                   Candidate("/broken", "local", "broken"), Candidate("/good", "local", "good"))

    def build(where, place):
        if where == "/broken":
            raise OSError("no config.json in /broken")
        return FakeModel(), "tok"

    use_builder(fresh, build)
    got = loader.load("generation")
    assert got.candidate.id == "/good" and got.tokenizer == "tok"
    assert "unreachable" in got.notes[0] and "no config.json" in got.notes[1]


def test_nothing_loadable_says_what_to_install_or_set(fresh):
    use_candidates(fresh, Candidate("org/hub-model", "hub", "hub-model"))
    with pytest.raises(ModelUnavailable) as err:
        loader.load("generation")
    assert "LLMLAB_MODEL_GENERATION" in str(err.value) and "unreachable" in str(err.value)


def test_method_candidate_has_no_model(fresh):
    use_candidates(fresh, Candidate("chat-reader", "method", "chat reader"))
    got = loader.load("generation")
    assert got.is_method and got.describe() == "chat reader (method)"


def test_unknown_override_falls_back_with_a_clear_note(fresh):
    fresh.setenv("LLMLAB_MODEL_GENERATION", "nobody/no-such-model")
    use_candidates(fresh, Candidate("/good", "local", "good"))
    use_builder(fresh, lambda where, place: (FakeModel(), None))
    got = loader.load("generation")
    assert got.candidate.id == "/good"
    assert "nobody/no-such-model" in got.notes[0] and "unreachable" in got.notes[0]


def test_corrupt_conversion_cache_is_converted_again(fresh, tmp_path):
    fresh.setenv("LLMLAB_CACHE", str(tmp_path))
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF" * 10)
    conversions = []

    def fake_convert(source, target):
        conversions.append(target)
        conversion.shutil.rmtree(target, ignore_errors=True)  # as the real one replaces the folder
        target.mkdir()
        (target / "weights").write_text("good")
        (target / conversion.CONVERTED_MARK).write_text(conversion.json.dumps(conversion._gguf_signature(source)))

    def build(where, place):
        if (conversion.Path(where) / "weights").read_text() != "good":
            raise ValueError("corrupt safetensors header")
        return FakeModel(), None

    fresh.setattr(conversion, "_convert", fake_convert)
    fresh.setattr(registry, "bundled_path", lambda name: gguf)
    use_builder(fresh, build)
    use_candidates(fresh, Candidate("smollm2-135m-instruct", "bundled", "SmolLM2"))
    fresh.setattr(registry, "availability", lambda c: None)

    folder = conversion.converted_folder(gguf, "smollm2-135m-instruct")
    assert conversion.converted_folder(gguf, "smollm2-135m-instruct") == folder  # cached: no second run
    (folder / "weights").write_text("garbage")
    got = loader.load("generation")
    assert got.source == "cache" and len(conversions) == 2
    assert (folder / "weights").read_text() == "good"


def test_half_written_cache_without_mark_is_redone(fresh, tmp_path):
    fresh.setenv("LLMLAB_CACHE", str(tmp_path))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"x")
    (tmp_path / "name").mkdir()  # a folder left by a crash, with no completion mark
    done = []
    fresh.setattr(conversion, "_convert", lambda source, target: done.append(target))
    conversion.converted_folder(gguf, "name")
    assert done == [tmp_path / "name"]
