"""Summaries on the real offline models: MiniLM for extractive, SmolLM2-135M-Instruct (chat) for abstractive."""
import re

import pytest

from core import summarize
from core.errors import SummarizeError

ARTICLES = summarize.example_articles()
BUSES = ARTICLES[0]
LONG = "\n\n".join(a["text"] for a in ARTICLES)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


# --- extractive ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 3, 5])
@pytest.mark.parametrize("method", ["textrank", "centroid"])
def test_extractive_sentences_are_verbatim_in_source_order_and_counted(n, method):
    text = BUSES["text"]
    result = summarize.extract(text, sentences=n, method=method)
    assert len(result.sentences) == n
    positions = [text.index(s) for s in result.sentences]  # verbatim: each is found in the source
    assert positions == sorted(positions)
    assert result.summary == " ".join(result.sentences)
    assert "all-MiniLM-L6-v2" in result.model and "cpu" in result.model


@pytest.mark.parametrize("article", ARTICLES, ids=[a["file"] for a in ARTICLES])
def test_extractive_summary_contains_the_key_sentence(article):
    assert article["key_sentence"] in summarize.extract(article["text"], sentences=3).sentences


def test_ratio_sets_the_length():
    result = summarize.extract(BUSES["text"], ratio=0.25)
    assert len(result.sentences) == round(0.25 * len(result.spans))


def test_highlights_mark_exactly_the_chosen_sentences():
    result = summarize.extract(BUSES["text"], sentences=3)
    marked = [text for text, tag in result.highlights() if tag == "summary"]
    assert marked == result.sentences
    assert "".join(text for text, _ in result.highlights()) == BUSES["text"].strip()


def test_one_sentence_is_returned_as_it_is_with_a_note():
    result = summarize.extract("Harlow will replace its diesel buses with electric ones.", sentences=3)
    assert result.sentences == ["Harlow will replace its diesel buses with electric ones."]
    assert any("single sentence" in n for n in result.notes)


def test_text_without_punctuation_gives_verbatim_pieces():
    text = " ".join(BUSES["text"].replace(".", "").replace(",", "").split())
    result = summarize.extract(text, sentences=2)
    assert len(result.sentences) == 2 and all(s in text for s in result.sentences)
    assert any("no sentence punctuation" in n for n in result.notes)


def test_chinese_text_is_split_at_chinese_full_stops():
    text = ("哈罗市将在2030年前把全部柴油公交车换成电动公交车。试点期间，十二辆电动公交车运送了四十多万名乘客。"
            "司机说电动公交车更安静。冬季的续航仍然是最大的担忧。第一批四十辆新车将于明年秋天投入运营。")
    result = summarize.extract(text, sentences=2)
    assert len(result.spans) == 5 and len(result.sentences) == 2
    assert all(s.endswith("。") and s in text for s in result.sentences)
    assert any("not look like English" in n for n in result.notes)


@pytest.mark.parametrize("text, message", [("", "no text to summarise"),
                                           ("x" * 1_048_576, "200,000"),
                                           ("Go. " * 300_000, "200,000")])
def test_bad_input_is_a_clear_error(text, message):
    with pytest.raises(SummarizeError, match=message):
        summarize.extract(text)
    with pytest.raises(SummarizeError, match=message):
        next(summarize.summarize_stream(text))


def test_read_file_uses_the_shared_reader_and_refuses_binary(tmp_path):
    good = tmp_path / "article.md"
    good.write_text(BUSES["text"], encoding="utf-8")
    assert summarize.read_file(str(good)).startswith("Harlow Replaces")
    image = tmp_path / "photo.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(SummarizeError, match="not text"):
        summarize.read_file(str(image))
    with pytest.raises(SummarizeError, match="not supported"):
        summarize.read_file(str(tmp_path / "data.xlsx"))


# --- abstractive with the offline chat model -------------------------------------------------------

def test_abstractive_offline_is_streamed_nonempty_and_shorter_than_the_text():
    text = BUSES["text"]
    updates = list(summarize.summarize_stream(text, max_new_tokens=40))
    final = updates[-1]
    assert final.done and final.text.strip()
    assert words(final.text) < words(text) / 3
    assert "chat model with a summarization prompt" in final.method and "greedy" in final.method
    assert "SmolLM2-135M-Instruct" in final.model and final.chunks == 1
    streamed = [u.text for u in updates[:-1]]
    assert len(set(streamed)) >= 5, "the summary was not streamed"
    assert all(b.startswith(a) for a, b in zip(streamed, streamed[1:]))
    assert re.search(r"Harlow|bus", final.text, re.I), final.text  # it is about the article


def test_abstractive_long_text_is_chunked_then_combined():
    updates = list(summarize.summarize_stream(LONG, max_new_tokens=24, chunk_tokens=700))
    final = updates[-1]
    assert final.chunks >= 2 and len(final.chunk_summaries) == final.chunks
    assert all(s.strip() for s in final.chunk_summaries) and final.text.strip()
    assert any(f"summarised in {final.chunks} chunks" in n for n in final.notes)
    stages = [u.stage for u in updates]
    assert f"summarising chunk 2 of {final.chunks}" in stages
    assert f"combining {final.chunks} chunk summaries" in stages
    assert words(final.text) < words(LONG) / 10


def test_abstractive_beam_search_on_the_chat_model():
    first_paragraphs = "\n\n".join(ARTICLES[1]["text"].split("\n\n")[:3])  # short: beams cost a lot on CPU
    updates = list(summarize.summarize_stream(first_paragraphs, max_new_tokens=12, num_beams=2))
    assert updates[-1].text.strip() and "beam search (2 beams)" in updates[-1].method
    assert len(updates) == 2  # the one chunk when done, then the final update


def test_abstractive_on_chinese_text_does_not_crash_and_says_the_model_may_be_poor():
    final = summarize.summarize("哈罗市将在2030年前把全部柴油公交车换成电动公交车。冬季的续航仍然是最大的担忧。",
                                max_new_tokens=12)
    assert final.done and any("not look like English" in n for n in final.notes)
