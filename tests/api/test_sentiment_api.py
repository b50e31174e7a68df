"""The Sentiment tab's endpoints through gradio_client, on the real offline classifier."""
import csv

import pytest
from gradio_client import handle_file


def label_of(value: dict) -> str:
    return value["label"]


def test_classify_returns_every_class_and_the_model(client):
    scores, info = client.predict("The hotel staff were wonderful.", api_name="/sentiment_classify")
    assert label_of(scores) == "positive"
    assert {c["label"] for c in scores["confidences"]} == {"positive", "neutral", "negative"}
    assert "fine-tuned here on real" in info


def test_concurrent_requests_are_all_answered_correctly(client):
    texts = {"I loved this phone.": "positive", "This phone is awful.": "negative",
             "Best meal of my life.": "positive", "The meal was cold and bland.": "negative",
             "A wonderful, moving film.": "positive", "A dull and pointless film.": "negative",
             "Great service, thank you!": "positive", "Rude staff, never again.": "negative"}
    jobs = {text: client.submit(text, api_name="/sentiment_classify") for text in texts}
    for text, job in jobs.items():
        scores, _ = job.result(timeout=300)
        assert label_of(scores) == texts[text], text


def test_bad_text_gets_a_message(client):
    scores, info = client.predict("   ", api_name="/sentiment_classify")
    assert "empty" in info
    scores, info = client.predict("🎉🎉🎉", api_name="/sentiment_classify")
    assert "no words" in info


def test_explain_marks_the_sentiment_word(client):
    spans = client.predict("The coffee was terrible.", api_name="/sentiment_explain")
    marked = {s["token"]: s["class_or_confidence"] for s in spans if s["class_or_confidence"]}
    assert marked.get("terrible") == "strongly negative"


def test_explain_refuses_empty_text_with_a_message(client):
    with pytest.raises(Exception, match="empty"):
        client.predict("", api_name="/sentiment_explain")


def test_batch_file_round_trip(client, tmp_path):
    path = tmp_path / "reviews.csv"
    rows = [("a", "Lovely staff and a great view."), ("b", "The room was filthy."),
            ("c", ""), ("d", "Terrible food, slow service."), ("e", "I would stay again!")]
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("id", "review"), *rows])
    table, result_csv, summary = client.predict(handle_file(str(path)), "review",
                                                api_name="/sentiment_batch")
    assert "5 rows" in summary and "not classified: 1" in summary
    back = list(csv.DictReader(open(result_csv, encoding="utf-8")))
    assert [r["id"] for r in back] == ["a", "b", "c", "d", "e"]
    assert [r["sentiment_label"] for r in back] == ["positive", "negative", "", "negative", "positive"]
    assert len(table["data"]) == 5


def test_batch_refuses_a_file_without_text(client, tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(Exception, match="No column of this file holds text"):
        client.predict(handle_file(str(path)), "", api_name="/sentiment_batch")
