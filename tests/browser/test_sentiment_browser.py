"""The Sentiment tab in a real browser: classify, see which words pushed it, classify a file."""
import csv

from tests.browser.boxes import fill


def open_tab(page):
    page.get_by_role("tab", name="Sentiment").click()
    page.locator("#sentiment-input textarea").wait_for()


def test_classify_shows_label_model_and_highlighted_words(page):
    open_tab(page)
    fill(page.locator("#sentiment-input textarea"), "The pasta was terrible and the waiter was rude.")
    page.locator("#sentiment-classify").click()
    page.wait_for_function("document.querySelector('#sentiment-info').innerText.includes('Model:')")
    assert "negative" in page.locator("#sentiment-label").inner_text()
    assert "fine-tuned here on real" in page.locator("#sentiment-info").inner_text()
    page.wait_for_function(
        "document.querySelector('#sentiment-words').innerText.includes('terrible')")
    words = page.locator("#sentiment-words")
    assert "strongly negative" in words.inner_text()  # the legend of what the colours mean


def test_empty_text_gets_a_message(page):
    open_tab(page)
    page.locator("#sentiment-classify").click()
    page.wait_for_function("document.querySelector('#sentiment-info').innerText.includes('empty')")


def test_csv_upload_picks_the_text_column_and_offers_the_result(page, tmp_path):
    path = tmp_path / "reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("id", "stars", "review"), (1, 5, "Absolutely loved it."),
                                 (2, 1, "Broke after a day, awful."), (3, 4, "Great value.")])
    open_tab(page)
    page.get_by_text("Classify a file").click()
    page.locator("#sentiment-file input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "document.querySelector('#sentiment-column input').value === 'review'")
    page.locator("#sentiment-run-file").click()
    page.wait_for_function(
        "document.querySelector('#sentiment-batch-info').innerText.includes('3 rows')")
    table = page.locator("#sentiment-table").inner_text()
    assert "sentiment_label" in table and "Broke after a day" in table
    assert page.locator("#sentiment-download a").count() >= 1
