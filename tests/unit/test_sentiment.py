"""Sentiment mechanics on tiny random Hub-style classifiers built from the bundled MiniLM
tokenizer: input checks, label names from id2label, batching order, attribution, files."""
import csv

import numpy as np
import pytest
from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

from core import sentiment
from core.errors import SentimentInputError
from core.runtime import registry
from core.sentiment import batch as sentiment_batch
from core.sentiment.attribution import occlusion
from core.sentiment.model import hub_labels
from core.sentiment.text import MAX_CHARS, check


def tiny_classifier(folder, id2label):
    tokenizer = AutoTokenizer.from_pretrained(str(registry.bundled_path("all-minilm-l6-v2")))
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, num_labels=len(id2label),
                        id2label=id2label, label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder.resolve())


@pytest.fixture(scope="module")
def sst2_like(tmp_path_factory):
    return tiny_classifier(tmp_path_factory.mktemp("sst2"), {0: "NEGATIVE", 1: "POSITIVE"})


@pytest.fixture
def hub_model(sst2_like, monkeypatch):
    """The tiny classifier as the sentiment task's override candidate (a local folder)."""
    monkeypatch.setenv("LLMLAB_MODEL_SENTIMENT", sst2_like)
    return sst2_like


# --- input checks ---------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x01"])
def test_empty_input_is_refused_with_a_message(text):
    with pytest.raises(SentimentInputError, match="empty"):
        check(text)


@pytest.mark.parametrize("text", ["😀😀🎉", "!!! ???", "👍 — 👎"])
def test_emoji_or_symbols_only_is_refused_with_a_message(text):
    with pytest.raises(SentimentInputError, match="no words"):
        check(text)


def test_one_word_is_classified_with_a_note():
    text, notes = check("Wonderful")
    assert text == "Wonderful" and any("single word" in n for n in notes)


@pytest.mark.parametrize("text", ["この映画はとても良かったです", "Ce film était vraiment très mauvais, quelle déception"])
def test_non_english_gets_a_note(text):
    assert any("English" in n for n in check(text)[1])


def test_english_gets_no_notes():
    assert check("The staff were friendly and the room was clean.")[1] == []


def test_a_megabyte_is_cut_with_a_note():
    text, notes = check("good " * 200_000)
    assert len(text) <= MAX_CHARS and any("1,000,000 characters" in n for n in notes)


def test_hub_label_names_are_made_readable():
    assert hub_labels({0: "NEGATIVE", 1: "POSITIVE"}) == ["negative", "positive"]
    assert hub_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}) == ["negative", "neutral", "positive"]
    assert hub_labels({0: "neg", 1: "neu", 2: "pos"}) == ["negative", "neutral", "positive"]
    assert hub_labels({0: "1 star", 1: "2 stars"}) == ["1 star", "2 stars"]


# --- the Hub path, on a tiny random classifier -----------------------------------------

def test_hub_classifier_gives_every_class_a_probability(hub_model):
    result = sentiment.classify("The soup was lovely.", model_id=hub_model)
    assert set(result.scores) == {"negative", "positive"}
    assert abs(sum(result.scores.values()) - 1) < 1e-5
    assert result.label == max(result.scores, key=result.scores.get)
    assert "sst2" in result.model and result.error is None


def test_three_class_hub_model_reports_neutral(tmp_path, monkeypatch):
    folder = tiny_classifier(tmp_path, {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    monkeypatch.setenv("LLMLAB_MODEL_SENTIMENT", folder)
    result = sentiment.classify("It was fine.", model_id=folder)
    assert list(result.scores) == ["negative", "neutral", "positive"]


def test_a_list_keeps_order_and_marks_what_cannot_be_classified(hub_model):
    texts = ["a long sentence about a very good film indeed", "", "bad", "😀", "ok then"]
    results = sentiment.classify(texts, model_id=hub_model, batch_size=2)
    assert [r.error is None for r in results] == [True, False, True, False, True]
    singles = [sentiment.classify(t, model_id=hub_model) for t in texts if t.strip("😀")]
    batched = [r for r in results if not r.error]
    for one, many in zip(singles, batched):  # batching and sorting by length change nothing
        assert one.text == many.text
        assert np.allclose(list(one.scores.values()), list(many.scores.values()), atol=1e-5)


def test_a_single_bad_text_raises(hub_model):
    with pytest.raises(SentimentInputError):
        sentiment.classify("", model_id=hub_model)


def test_text_past_what_the_model_reads_gets_a_note(hub_model):
    result = sentiment.classify("word " * 2000, model_id=hub_model)
    assert any("reads about the first" in n for n in result.notes)


# --- attribution ------------------------------------------------------------------------

def lexicon_model(texts):
    """P(positive) rises with 'wonderful' and falls with 'terrible'."""
    score = np.array([t.count("wonderful") - t.count("terrible") for t in texts], dtype=float)
    pos = 1 / (1 + np.exp(-2 * score))
    return np.c_[1 - pos, pos]


def test_occlusion_finds_the_word_that_decides():
    result = occlusion("The food was terrible, really.", lexicon_model, ["negative", "positive"])
    assert result.strongest(1) == ["terrible"]
    assert "".join(piece for piece, _ in result.spans) == "The food was terrible, really."
    categories = result.categories()
    assert ("terrible", "strongly negative") in categories
    assert all(name is None for piece, name in categories if "food" in piece)


def test_occlusion_on_a_hub_model_returns_a_score_per_word(hub_model):
    _, attribution = sentiment.explain("Nice clean rooms", model_id=hub_model)
    assert [w for w, _ in attribution.words] == ["Nice", "clean", "rooms"]
    assert all(-1 <= v <= 1 for _, v in attribution.spans if v is not None)


def test_integrated_gradients_add_up_to_the_change_from_a_blank_sentence(tmp_path):
    """Completeness: the words' scores sum to score(text) - score(all [PAD]), and word pieces
    are summed into the words they belong to."""
    import torch
    from transformers import AutoModel
    from core.sentiment.attribution import integrated_gradients
    from core.sentiment.model import SentenceClassifier, pool
    folder = tiny_classifier(tmp_path, {0: "negative", 1: "neutral", 2: "positive"})
    torch.manual_seed(0)
    encoder = AutoModel.from_pretrained(folder).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = SentenceClassifier(encoder, tokenizer, torch.nn.Linear(32, 4)).eval()
    text = "Unbelievably wonderful soup"
    result = integrated_gradients(text, model, ["negative", "neutral", "positive"], 256, steps=200)
    assert [w for w, _ in result.words] == ["Unbelievably", "wonderful", "soup"]
    batch = tokenizer([text], return_tensors="pt")
    blank = batch["input_ids"].clone()
    blank[0, 1:-1] = tokenizer.pad_token_id
    with torch.no_grad():
        ends = [model.head(pool(encoder(input_ids=ids, attention_mask=batch["attention_mask"])
                                .last_hidden_state, batch["attention_mask"]))[0]
                for ids in (batch["input_ids"], blank)]
    change = float((ends[0][2] - ends[0][0]) - (ends[1][2] - ends[1][0]))
    assert sum(v for _, v in result.words) == pytest.approx(change, rel=0.05, abs=1e-3)


# --- files ------------------------------------------------------------------------------

def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def test_csv_text_column_is_found_and_rows_come_back_in_order(hub_model, tmp_path):
    rows = [["id", "stars", "review"]] + [[i, i % 5, f"review number {i}, quite {'good' if i % 2 else 'bad'}"]
                                          for i in range(300)]
    rows[1 + 5][2] = ""  # row 5 (after the header): an empty cell stays a row, with a note
    table = sentiment_batch.read_table(write_csv(tmp_path / "in.csv", rows))
    assert table.text_columns == ["review"]
    seen = []
    result = sentiment_batch.classify_table(table, "review", model_id=hub_model,
                                            progress=lambda f, msg: seen.append(f))
    assert seen[0] == 0 and seen[-1] == 1.0 and len(seen) >= 3
    back = list(csv.DictReader(open(result.csv_path, encoding="utf-8")))
    assert [r["id"] for r in back] == [str(i) for i in range(300)]
    assert back[5]["sentiment_label"] == "" and "empty" in back[5]["sentiment_note"]
    assert all(r["sentiment_label"] in ("negative", "positive") for i, r in enumerate(back) if i != 5)
    assert {"sentiment_score_negative", "sentiment_score_positive"} <= set(back[0])


def test_txt_is_one_text_per_line(tmp_path):
    path = tmp_path / "in.txt"
    path.write_text("great phone\n\nawful battery\nfine\n", encoding="utf-8")
    table = sentiment_batch.read_table(path)
    assert table.frame["text"].tolist() == ["great phone", "awful battery", "fine"]


def test_name_hint_beats_length_when_choosing_the_column(tmp_path):
    rows = [["notes", "comment"], ["a rather long internal note here", "nice"]]
    assert sentiment_batch.read_table(write_csv(tmp_path / "c.csv", rows)).default_column == "comment"


@pytest.mark.parametrize("name, content, message", [
    ("numbers.csv", "a,b\n1,2\n3,4\n", "No column of this file holds text"),
    ("empty.csv", "", "could not be read|no rows"),
    ("picture.png", "x", "Upload a .csv, .tsv or .txt"),
    ("binary.csv", "a,b\x00\x01\x02", "looks binary"),
    ("blank.txt", "\n\n  \n", "no rows"),
])
def test_bad_files_get_clear_messages(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(sentiment_batch.BatchInputError, match=message):
        sentiment_batch.read_table(path)


def test_row_limit_is_stated(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("a fine line\n" * (sentiment_batch.MAX_ROWS * 10), encoding="utf-8")
    with pytest.raises(sentiment_batch.BatchInputError, match="100,000 rows; the limit is at most 10,000"):
        sentiment_batch.read_table(path)


def test_unknown_column_is_refused(tmp_path, hub_model):
    table = sentiment_batch.read_table(write_csv(tmp_path / "t.csv", [["text"], ["good"]]))
    with pytest.raises(sentiment_batch.BatchInputError, match="no column 'review'"):
        sentiment_batch.classify_table(table, "review", model_id=hub_model)
