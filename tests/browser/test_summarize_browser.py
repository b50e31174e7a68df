"""The Summarize tab in a real browser: an example, extractive highlights, a streamed abstract."""
import time

from core.summarize import example_articles
from tests.browser.boxes import fill, set_number

ARTICLE = example_articles()[0]
DONE = "document.querySelector('#summarize-abstractive-info').innerText.includes('done')"


def open_tab(page):
    page.get_by_role("tab", name="Summarize").click()
    page.get_by_text(ARTICLE["title"]).locator("visible=true").click()  # the example (this language's table) fills the box
    page.wait_for_function("document.querySelector('#summarize-text textarea').value.startsWith('Harlow')")


def test_extractive_highlights_the_chosen_sentences_in_the_text(page):
    open_tab(page)
    page.locator("#summarize-extract").click()
    page.wait_for_function("document.querySelector('#summarize-extractive-info').innerText.includes('TextRank')")
    summary = page.locator("#summarize-extractive textarea").input_value()
    assert ARTICLE["key_sentence"] in summary
    highlighted = page.locator("#summarize-highlighted")
    assert ARTICLE["key_sentence"] in highlighted.inner_text()
    assert "all-MiniLM-L6-v2" in page.locator("#summarize-extractive-info").inner_text()
    coloured = highlighted.locator(".textfield .token.highlighted")
    assert coloured.count() == 3 and "Harlow will replace all 240" in coloured.first.inner_text()


def test_abstractive_streams_and_names_the_model(page):
    open_tab(page)
    set_number(page, "summarize-length", 32)
    page.locator("#summarize-write").click()
    box = page.locator("#summarize-abstractive textarea")
    lengths = []
    deadline = time.monotonic() + 240
    while not page.evaluate(DONE) and time.monotonic() < deadline:
        lengths.append(len(box.input_value()))
        time.sleep(0.1)
    assert page.evaluate(DONE), "the summary did not finish"
    assert len({n for n in lengths if n > 0}) >= 3, f"the summary did not stream: {lengths[-20:]}"
    assert box.input_value().strip()
    info = page.locator("#summarize-abstractive-info").inner_text()
    assert "SmolLM2-135M-Instruct" in info and "chat model with a summarization prompt" in info


def test_an_empty_text_shows_a_message_not_a_crash(page):
    page.get_by_role("tab", name="Summarize").click()
    fill(page.locator("#summarize-text textarea"), "")
    page.locator("#summarize-extract").click()
    page.get_by_text("There is no text to summarise").first.wait_for()


def test_uploading_a_document_fills_the_text_and_a_bad_file_says_why(page, tmp_path):
    page.get_by_role("tab", name="Summarize").click()
    good = tmp_path / "seeds.md"
    good.write_text(example_articles()[1]["text"], encoding="utf-8")
    page.locator("#summarize-file input[type=file]").set_input_files(str(good))
    page.wait_for_function(
        "document.querySelector('#summarize-text textarea').value.startsWith('A Village Library')")
    bad = tmp_path / "photo.txt"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    page.locator("#summarize-file input[type=file]").set_input_files(str(bad))
    page.get_by_text("not text").first.wait_for()
    assert page.locator("#summarize-text textarea").input_value().startswith("A Village Library")
