"""The Translate tab in a real browser: a streamed translation labelled with its model, method and
caveat; Chinese detected; empty text gets a message."""
import time

from tests.browser.boxes import fill

INFO = "document.querySelector('#translate-info').innerText"


def open_tab(page):
    page.get_by_role("tab", name="Translate").click()
    page.locator("#translate-text textarea").wait_for()


def test_a_translation_streams_and_says_how_it_was_made(page):
    open_tab(page)
    fill(page.locator("#translate-text textarea"), "The library opens at eight every morning.")
    page.locator("#translate-run").click()
    box = page.locator("#translate-output textarea")
    lengths = []
    deadline = time.monotonic() + 300
    while not page.evaluate(f"{INFO}.includes('English → Chinese') && {INFO}.includes('· done')"):
        lengths.append(len(box.input_value()))
        assert time.monotonic() < deadline, "the translation did not finish"
        time.sleep(0.1)
    assert len({n for n in lengths if n > 0}) >= 2, f"the translation did not stream: {lengths[-20:]}"
    info = page.locator("#translate-info").inner_text()
    assert "chat model with a translation prompt" in info and "Translated by a small chat model" in info
    assert box.input_value().strip()


def test_chinese_is_detected(page):
    open_tab(page)
    page.get_by_text("今天天气很好，我们下午三点去公园散步。").click()  # an example
    page.locator("#translate-run").click()
    page.wait_for_function(f"{INFO}.includes('Chinese → English')", timeout=300_000)


def test_empty_text_gets_a_message(page):
    open_tab(page)
    page.locator("#translate-run").click()
    page.get_by_text("There is no text to translate").first.wait_for()
