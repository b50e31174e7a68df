"""Translation mechanics: direction, which candidate serves which direction, chunking and
paragraphs, streaming, and the Hub path on a tiny random Marian model with a real MarianTokenizer
saved in a folder (LLMLAB_MODEL_TRANSLATION points at it, as for a downloaded Hub model)."""
import threading

import pytest

from core import translate
from core.errors import TranslateError
from core.runtime.registry import Candidate
from core.translate import translator
from tests.fixtures.translate import tiny_marian


@pytest.mark.parametrize("text, direction", [
    ("The weather is nice today.", "en-zh"), ("今天天气很好。", "zh-en"),
    ("我爱 NLP 和 machine learning 课程", "zh-en"), ("Beijing 北京 is a very large city indeed", "en-zh"),
    ("Price: 42 €", "en-zh")])
def test_direction_is_told_by_the_script(text, direction):
    assert translate.detect(text) == direction


@pytest.mark.parametrize("text", ["12345", "🎉🎉", "!!! ---"])
def test_text_without_english_or_chinese_words_is_refused(text):
    with pytest.raises(TranslateError, match="no English or Chinese words"):
        translate.detect(text)


@pytest.mark.parametrize("text, message", [("", "no text to translate"), ("   \n", "no text to translate"),
                                           (None, "no text to translate"), ("a" * 5_001, "limit is 5,000")])
def test_empty_or_long_text_is_refused_before_any_model_loads(text, message, monkeypatch):
    monkeypatch.setattr(translator, "translator", lambda *a: pytest.fail("a model was asked for"))
    with pytest.raises(TranslateError, match=message):
        list(translate.translate_stream(text))


def test_control_characters_and_broken_utf16_are_dropped_first(marian):
    final = translate.translate("Good \ud800morning.\x00\x07", direction="en-zh")
    assert final.source == "Good morning." and final.done
    with pytest.raises(TranslateError, match="no text to translate"):
        translate.translate("\ud800\x00")


def test_a_bad_direction_is_refused():
    with pytest.raises(TranslateError, match="Direction must be"):
        list(translate.translate_stream("Hello there.", direction="en-fr"))


def test_languages_come_from_the_name_or_the_tokenizer_config(tmp_path):
    assert translator.languages(Candidate("Helsinki-NLP/opus-mt-zh-en", "hub", "x")) == ("zh", "en")
    assert translator.languages(Candidate("chat-translate", "method", "x")) is None
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "tokenizer_config.json").write_text('{"source_lang": "eng", "target_lang": "zho"}')
    assert translator.languages(Candidate(str(folder), "local", "my-model")) == ("en", "zh")
    assert translator.languages(Candidate(str(tmp_path / "unknown"), "local", "unknown")) is None


@pytest.fixture(scope="module")
def marian_folder(tmp_path_factory):
    return tiny_marian(tmp_path_factory.mktemp("models") / "tiny-marian")


@pytest.fixture
def marian(marian_folder, monkeypatch):
    monkeypatch.setenv("LLMLAB_MODEL_TRANSLATION", marian_folder)
    return marian_folder


def test_the_override_serves_its_direction_and_the_chat_method_the_other(marian):
    model, notes = translator.translator("en-zh")
    assert isinstance(model, translator.Seq2SeqTranslator) and model.loaded.candidate.id == marian
    assert model.caveat is None and "AutoModelForSeq2SeqLM" in model.method
    other, _ = translator.translator("zh-en")
    assert isinstance(other, translator.ChatTranslator) and "small chat model" in other.caveat
    with pytest.raises(TranslateError, match="translates English to Chinese, not Chinese to English"):
        translator.translator("zh-en", marian)
    with pytest.raises(TranslateError, match="not a translation model here"):
        translator.translator("en-zh", "nobody/nothing")


def test_hub_path_streams_token_by_token_and_keeps_paragraphs(marian):
    text = "The weather is nice today. We go to the park.\n\nBuses are electric now."
    updates = list(translate.translate_stream(text))
    final = updates[-1]
    assert final.done and final.stage == "done" and final.direction == "en-zh" and "marks" in final.marks
    assert final.steps == 2 and final.step == 2
    assert "tiny-marian" in final.model and "local" in final.model
    first = [u.text for u in updates if u.stage == "chunk 1 of 2"]
    assert len(first) > 3 and all(b.startswith(a) for a, b in zip(first, first[1:]))  # grows token by token
    assert final.text.count("\n\n") == 1
    assert "marks" in final.to_dict()["marks"] and final.to_dict()["source"] == text


def test_a_long_paragraph_is_cut_into_chunks_that_fit(marian, monkeypatch):
    seen = []
    original = translator.Seq2SeqTranslator.stream

    def recording(self, text, source, target):
        seen.append(len(self.tokenizer(text).input_ids))
        yield from original(self, text, source, target)

    monkeypatch.setattr(translator.Seq2SeqTranslator, "stream", recording)
    monkeypatch.setattr(translator, "SEQ2SEQ_CHUNK_TOKENS", 40)
    text = " ".join(f"Sentence number {i} is about buses and trains in the city." for i in range(20))
    final = translate.translate(text)
    assert final.steps == len(seen) > 3 and all(n <= 42 for n in seen)


def test_abandoning_a_stream_stops_generation(marian):
    stream = translate.translate_stream("The weather is nice today. " * 20)
    next(stream)
    stream.close()
    assert not [t for t in threading.enumerate() if t.name == "summarize-generate"]


def test_an_answer_in_the_wrong_language_gets_a_note(marian, monkeypatch):
    monkeypatch.setattr(translator.Seq2SeqTranslator, "stream", lambda self, text, s, t: iter(["Still English."]))
    final = translate.translate("Good morning.", direction="en-zh")
    assert final.text == "Still English." and any("not in Chinese" in n for n in final.notes)


def test_chat_preamble_is_dropped():
    assert translator.PREAMBLE.sub("", "Sure! Here is the translation: 你好") == "你好"
    assert translator.PREAMBLE.sub("", "Translation: Good day") == "Good day"


def test_a_changed_number_is_marked_and_a_kept_one_is_not():
    from core.translate.translator import facts_kept
    kept = facts_kept("公交车在2030年全部换成电动的，共120辆。", "All 120 buses will be electric by 2030.", names=True)
    assert kept["unsupported"] == 0 and {m["text"] for m in kept["marks"]} >= {"120"}
    changed = facts_kept("By 2031 all 12 buses will be electric.", "到2030年，120辆公交车都将是电动的。", names=False)
    assert {m["text"] for m in changed["marks"] if m["status"] == "unsupported"} >= {"12"}
    assert all(m["kind"] != "name" for m in changed["marks"])
