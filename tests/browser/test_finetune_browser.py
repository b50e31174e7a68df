"""The Fine-tune tab in a real browser: train with a live curve, see before/after predictions, use the
model in the Sentiment tab, and check that a second browser session cannot see it; cancel; bad input."""
import time

from tests.browser.boxes import fill, set_number
from tests.unit.test_finetune import MANY, TYPED

STATUS = "document.querySelector('#finetune-status').innerText"


def open_tab(page):
    page.get_by_role("tab", name="Fine-tune").click()
    page.locator("#finetune-examples textarea").wait_for()


def train(page, examples: str, method: str, epochs: int = 0):
    open_tab(page)
    fill(page.locator("#finetune-examples textarea"), examples)
    page.locator("#finetune-method").get_by_text(method).click()
    if epochs:
        set_number(page, "finetune-epochs", epochs)
    page.locator("#finetune-train").click()


def test_train_watch_the_curve_then_use_it_in_the_sentiment_tab_only_here(page, browser, app_url):
    train(page, TYPED, "head only")
    page.wait_for_function(f"{STATUS}.includes('Training') || {STATUS}.includes('Done')")
    page.wait_for_function(f"{STATUS}.includes('Done')", timeout=300_000)
    assert "Held-out accuracy" in page.locator("#finetune-status").inner_text()
    page.locator("#finetune-loss").locator("canvas, svg").first.wait_for()  # the curve is drawn
    table = page.locator("#finetune-predictions").inner_text()
    assert "before" in table and "after" in table and ("✓" in table or "✗" in table)
    assert page.locator("#finetune-key input, #finetune-key textarea").first.input_value().startswith("ft-")

    page.locator("#finetune-use").click()
    page.wait_for_function(f"{STATUS}.includes('is selected in the Sentiment tab')")
    page.get_by_role("tab", name="Sentiment").click()
    assert "(head)" in page.locator("#sentiment-finetuned-model input").input_value()
    fill(page.locator("#sentiment-input textarea"), "The goalkeeper saved a penalty in the last minute.")
    page.locator("#sentiment-finetuned-run").click()
    page.wait_for_function("document.querySelector('#sentiment-info').innerText.includes('fine-tuned in this session')")
    assert "A" in page.locator("#sentiment-label").inner_text()

    other = browser.new_context().new_page()  # a second person
    other.goto(app_url, wait_until="load")
    other.get_by_role("tab", name="Sentiment").click()
    other.locator("#sentiment-finetuned-model input").click()
    assert "(head)" not in other.locator("body").inner_text()
    fill(other.locator("#sentiment-input textarea"), "The goalkeeper saved a penalty.")
    other.locator("#sentiment-finetuned-run").click()
    other.get_by_text("no fine-tuned model").first.wait_for()
    other.context.close()


def test_cancel_stops_training(page):
    train(page, MANY, "LoRA", epochs=30)  # longer than the test takes to press Cancel
    page.wait_for_function(f"{STATUS}.includes('Training') || {STATUS}.includes('Preparing')")
    page.locator("#finetune-cancel").click()
    page.wait_for_function(f"{STATUS}.includes('Cancelled')", timeout=120_000)


def test_examples_without_labels_get_a_message(page):
    train(page, "this line has no label\nneither does this one", "head only")
    page.get_by_text("have no label").first.wait_for()


def test_closing_the_page_releases_its_models(browser, app_url):
    from core.finetune import jobs
    context = browser.new_context()
    page = context.new_page()
    page.goto(app_url, wait_until="load")
    page.wait_for_selector("#llmlab-header p")
    before = set(jobs._sessions)
    train(page, TYPED, "head only")
    page.wait_for_function(f"{STATUS}.includes('Done')", timeout=300_000)
    (session_hash,) = set(jobs._sessions) - before
    store = jobs._sessions[session_hash]
    assert len(store.ready()) == 1
    context.close()  # gradio's unload event runs when the page's heartbeat stops
    deadline = time.monotonic() + 60
    while session_hash in jobs._sessions and time.monotonic() < deadline:
        time.sleep(0.5)
    assert session_hash not in jobs._sessions and store.ready() == []
