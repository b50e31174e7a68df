"""Summarize mechanics: ranking maths, chunking, tidying, and the seq2seq path on a tiny random
BART built from the bundled MiniLM tokenizer (so it runs offline in seconds)."""
import numpy as np
import pytest
import torch

from core import summarize
from core.errors import SummarizeError
from core.runtime.registry import bundled_path
from core.summarize import abstractive, chunking, extractive, inputs
from core.text.sentences import split_sentences

ARTICLES = summarize.example_articles()
LONG = "\n\n".join(a["text"] for a in ARTICLES)


# --- ranking -------------------------------------------------------------------------------------

def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_textrank_ranks_the_sentence_most_similar_to_the_others_first():
    vectors = unit([[1, 0.1, 0], [1, 0, 0.1], [0.9, 0.2, 0.1], [0, 0, 1]])
    scores = extractive.textrank(vectors)
    assert scores.sum() == pytest.approx(1, abs=1e-4)
    assert int(np.argmin(scores)) == 3 and scores[:3].min() > scores[3]


def test_centroid_scores_are_cosines_to_the_mean_direction():
    vectors = unit([[1, 0], [1, 0.1], [0, 1]])
    mean = vectors.mean(0) / np.linalg.norm(vectors.mean(0))
    assert extractive.centroid(vectors) == pytest.approx(vectors @ mean, abs=1e-6)


def test_mmr_skips_a_near_duplicate_and_returns_source_order():
    vectors = unit([[0, 1, 0], [1, 0, 0], [1, 0.01, 0], [0, 0, 1]])
    scores = np.array([0.2, 1.0, 0.99, 0.5])
    assert extractive.mmr(vectors, scores, 2, diversity=0.0) == [1, 2]  # by score only
    assert extractive.mmr(vectors, scores, 2, diversity=0.5) == [1, 3]  # the duplicate passed over
    assert extractive.mmr(vectors, scores, 4, diversity=0.5) == [0, 1, 2, 3]


@pytest.mark.parametrize("sentences, ratio, n, wanted", [(3, None, 10, 3), (None, None, 10, 3),
                                                         (5, 0.2, 10, 2), (1, 0.01, 10, 1)])
def test_count_takes_a_number_or_a_ratio(sentences, ratio, n, wanted):
    assert extractive.count(n, sentences, ratio) == wanted


@pytest.mark.parametrize("sentences, ratio", [(0, None), ("many", None), (3, 1.5), (3, -0.1)])
def test_count_refuses_nonsense_with_a_message(sentences, ratio):
    with pytest.raises(SummarizeError):
        extractive.count(10, sentences, ratio)


@pytest.mark.parametrize("text", ["", "   \n\t ", None, 42])
def test_no_text_is_a_clear_error(text):
    with pytest.raises(SummarizeError, match="no text to summarise"):
        inputs.source(text)


def test_a_megabyte_of_text_is_refused_with_the_limit_in_the_message():
    with pytest.raises(SummarizeError, match="200,000"):
        inputs.source("All work and no play makes Jack a dull boy. " * 24_000)


def test_text_without_punctuation_is_cut_into_verbatim_pieces():
    text = " ".join(f"word{i}" for i in range(400))
    spans, notes = extractive.sentence_spans(text)
    assert len(spans) > 1 and notes and "no sentence punctuation" in notes[0]
    assert all(e - s <= extractive.MAX_SENTENCE_CHARS for s, e in spans)
    assert " ".join(text[s:e] for s, e in spans) == text


def test_highlights_cover_the_source_and_label_the_chosen_sentences():
    text = "One fish. Two fish. Red fish. Blue fish."
    spans = split_sentences(text)
    result = extractive.Extract(text, spans, [1, 3], [0.0] * 4, "test", "test")
    assert "".join(t for t, _ in result.highlights()) == text
    assert [t for t, tag in result.highlights() if tag] == ["Two fish.", "Blue fish."]
    assert result.summary == "Two fish. Blue fish."


def test_cjk_sentences_join_without_spaces():
    assert extractive.join_sentences(["今天天气很好。", "我们去公园。"]) == "今天天气很好。我们去公园。"


# --- chunking and tidying ------------------------------------------------------------------------

class WordTokenizer:
    """Counts one token per word, like a tokenizer would roughly."""

    def __call__(self, texts, add_special_tokens=False):
        class Out:
            input_ids = [t.split() for t in texts]
        return Out()


def test_pack_keeps_sentences_whole_chunks_within_budget_and_paragraphs():
    text = "\n\n".join(" ".join(f"Sentence {i} has five words." for i in range(p, p + 4)) for p in range(0, 20, 4))
    spans, sizes = chunking.units(WordTokenizer(), text, budget=24)
    assert len(spans) == 20 and sizes == [5] * 20
    chunks = chunking.pack(text, spans, sizes, budget=24)  # 4 sentences and the breaks between them
    assert chunks == text.split("\n\n")
    assert chunking.pack(text, spans, sizes, budget=1000) == [text]  # one chunk is the text as it is


def test_render_marks_left_out_sentences_with_a_space():
    text = "One fish.\n\nTwo fish. Red fish."
    spans = split_sentences(text)
    assert chunking.render(text, spans) == text
    assert chunking.render(text, [spans[0], spans[2]]) == "One fish. Red fish."


def test_a_sentence_longer_than_the_budget_is_cut_to_fit():
    long = " ".join(["Word"] + ["word"] * 99)
    text = "Short one. " + long
    spans, sizes = chunking.units(WordTokenizer(), text, budget=30)
    assert text[slice(*spans[0])] == "Short one." and all(s <= 30 for s in sizes)
    assert " ".join(text[s:e] for s, e in spans[1:]) == long


@pytest.mark.parametrize("raw, clean", [
    ("Here is a summary of the text: The bus fleet goes electric. It costs money.",
     "The bus fleet goes electric. It costs money."),
    ("Sure! Here's a short summary:\nThe bus fleet goes electric.", "The bus fleet goes electric."),
    ("Summary: Buses go electric. Buses go electric. Buses go electric.", "Buses go electric."),
    ("Buses go electric by 2030. The plan costs 310 million euros and the", "Buses go electric by 2030."),
    ("Only an unfinished fragment", "Only an unfinished fragment…"),
    ("今天天气很好。我们去公园", "今天天气很好。"),
])
def test_tidy_strips_preambles_repeats_and_a_cut_off_sentence(raw, clean):
    assert abstractive.tidy(raw) == clean


# --- the seq2seq path on a tiny random BART ------------------------------------------------------

CONTEXT = 64  # positions of the tiny model: every bundled article is longer than this


@pytest.fixture(scope="module")
def tiny_bart(tmp_path_factory):
    from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration
    tokenizer = AutoTokenizer.from_pretrained(str(bundled_path("all-minilm-l6-v2")))
    torch.manual_seed(0)
    config = BartConfig(vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                        decoder_ffn_dim=64, max_position_embeddings=CONTEXT,
                        pad_token_id=tokenizer.pad_token_id, bos_token_id=tokenizer.cls_token_id,
                        eos_token_id=tokenizer.sep_token_id, decoder_start_token_id=tokenizer.cls_token_id,
                        forced_eos_token_id=None, tie_word_embeddings=False)  # untied: it writes words
    folder = tmp_path_factory.mktemp("tiny-bart")
    BartForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder.resolve())


@pytest.fixture
def seq2seq(tiny_bart, monkeypatch):
    """The tiny model as the summarization override, with every chunk it is given recorded."""
    monkeypatch.setenv("LLMLAB_MODEL_SUMMARIZATION", tiny_bart)
    seen = []
    original = abstractive.Seq2SeqSummarizer.stream

    def recording(self, text, max_new_tokens, num_beams, constraint=None):
        seen.append(len(self.tokenizer(text).input_ids))
        yield from original(self, text, max_new_tokens, num_beams, constraint)

    monkeypatch.setattr(abstractive.Seq2SeqSummarizer, "stream", recording)
    return tiny_bart, seen


def test_seq2seq_summarizer_is_loaded_from_the_override_and_says_so(seq2seq):
    model_id, _ = seq2seq
    model = summarize.summarizer(model_id)
    assert isinstance(model, abstractive.Seq2SeqSummarizer)
    assert model.context == CONTEXT and model.budget(16) == CONTEXT - 2
    assert "seq2seq" in model.method and "local" in model.loaded.describe()


def test_seq2seq_greedy_streams_and_chunks_a_long_text(seq2seq):
    model_id, seen = seq2seq
    article = ARTICLES[0]["text"]
    updates = list(summarize.summarize_stream(article, max_new_tokens=10, model_id=model_id, max_chunks=20))
    final = updates[-1]
    assert final.done and final.stage == "done" and final.text
    assert final.chunks > 1 and len(final.chunk_summaries) == final.chunks
    assert any(f"summarised in {final.chunks} chunks" in note for note in final.notes)
    assert all(n <= CONTEXT for n in seen), "a chunk longer than the model's context was given to it"
    assert len(seen) > final.chunks  # the chunk summaries were summarised again
    steps = [u.step for u in updates]
    assert steps == sorted(steps) and final.step == final.steps
    chunk_one = [u.text for u in updates if u.stage == f"summarising chunk 1 of {final.chunks}"]
    assert len(chunk_one) > 2 and all(b.startswith(a) for a, b in zip(chunk_one, chunk_one[1:]))


def test_seq2seq_beam_search_shows_each_chunk_when_done(seq2seq):
    model_id, seen = seq2seq
    updates = list(summarize.summarize_stream(ARTICLES[1]["text"], max_new_tokens=8, num_beams=3,
                                              model_id=model_id, max_chunks=20))
    final = updates[-1]
    assert final.text and "beam search (3 beams)" in final.method
    assert len(updates) == len(seen) + 1  # one update per generate call, plus the final one


def test_a_text_needing_too_many_chunks_is_cut_to_its_central_sentences(seq2seq):
    model_id, seen = seq2seq
    final = summarize.summarize(LONG, max_new_tokens=8, model_id=model_id, max_chunks=3)
    assert final.chunks <= 3 and any("most central sentences" in n for n in final.notes)
    assert len(seen) <= 3 + 3 + 1  # at most max_chunks per round


def test_a_short_text_is_summarised_whole_with_a_note(seq2seq):
    model_id, seen = seq2seq
    final = summarize.summarize("Buses are going electric.", max_new_tokens=8, model_id=model_id)
    assert final.chunks == 1 and len(seen) == 1 and not final.chunk_summaries
    assert any("very short" in n for n in final.notes)


def test_abandoning_a_stream_stops_the_generate_thread(seq2seq):
    import threading
    model_id, _ = seq2seq
    stream = summarize.summarize_stream(ARTICLES[0]["text"], max_new_tokens=400, model_id=model_id)
    next(stream)
    stream.close()
    assert not [t for t in threading.enumerate() if t.name == "summarize-generate"]
