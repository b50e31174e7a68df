"""The real offline sentiment classifier (MiniLM + the shipped LoRA adapter) on real sentences."""
import csv
import re
from pathlib import Path

import pytest

from core import sentiment
from core.runtime import loader
from core.sentiment import batch as sentiment_batch
from core.sentiment.model import read_sentences
from core.sentiment.train import DATA

README = Path(__file__).parents[2] / "README.md"


def test_offline_default_is_the_trained_adapter():
    assert loader.load("sentiment").is_method
    assert "adapter trained here" in sentiment.describe()


def test_negation_flips_the_label():
    good = sentiment.classify("This movie was good")
    not_good = sentiment.classify("This movie was not good at all")
    assert (good.label, not_good.label) == ("positive", "negative")
    assert good.scores["positive"] > 0.8 and not_good.scores["negative"] > 0.8


def published_accuracy() -> float:
    section = README.read_text().split("<!-- section:sentiment -->")[1].split("<!-- /section:sentiment -->")[0]
    found = re.search(r"Held-out accuracy of the offline default: \*\*([0-9.]+)\*\*", section)
    assert found, "the README's sentiment section does not publish the held-out accuracy"
    return float(found.group(1))


def test_held_out_accuracy_is_at_least_what_the_readme_publishes():
    texts, labels = read_sentences(DATA / "eval.tsv")
    train_texts = set(read_sentences(DATA / "train.tsv")[0])
    assert len(texts) >= 300 and not train_texts & set(texts)
    predicted = [r.label for r in sentiment.classify(texts)]
    accuracy = sum(p == y for p, y in zip(predicted, labels)) / len(texts)
    assert round(accuracy, 3) >= published_accuracy() > 0.8  # the README rounds to 3 places


@pytest.mark.parametrize("text, word, direction", [
    ("The food was terrible.", "terrible", "negative"),
    ("What a wonderful film.", "wonderful", "positive"),
    ("The hotel room was filthy.", "filthy", "negative"),
])
def test_attribution_highlights_the_sentiment_word(text, word, direction):
    result, attribution = sentiment.explain(text)
    assert result.label == direction
    assert attribution.strongest(1) == [word]
    assert (word, f"strongly {direction}") in attribution.categories()


def test_batch_csv_round_trip_keeps_order_and_count(tmp_path):
    texts, labels = read_sentences(DATA / "eval.tsv")
    path = tmp_path / "reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "review"])
        writer.writerows(enumerate(texts[:120]))
    result = sentiment_batch.classify_table(sentiment_batch.read_table(path), "review")
    back = list(csv.DictReader(open(result.csv_path, encoding="utf-8")))
    assert [r["row"] for r in back] == [str(i) for i in range(120)]
    assert [r["review"] for r in back] == texts[:120]
    right = sum(r["sentiment_label"] == y for r, y in zip(back, labels[:120]))
    assert right / 120 > 0.75  # the labels are real, not placeholders


def test_bad_inputs_get_messages_not_crashes():
    huge = sentiment.classify("The service was excellent. " * 40_000)  # ~1 MB
    assert huge.label == "positive" and any("characters" in n for n in huge.notes)
    assert any("English" in n for n in sentiment.classify("这家餐厅的服务很好").notes)
    for bad in ("", "🙂🙂🙂"):
        with pytest.raises(sentiment.SentimentInputError):
            sentiment.classify(bad)
