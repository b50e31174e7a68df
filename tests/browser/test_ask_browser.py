"""The Ask and Search tabs in a real browser, on the real offline models."""
from tests.browser.boxes import fill, set_checked


def test_upload_then_ask_shows_a_highlighted_answer(page, tmp_path):
    doc = tmp_path / "lighthouse.md"
    doc.write_text("# The old lighthouse\n\nThe lighthouse on Gull Point was built in 1874. "
                   "Its lamp could be seen from 30 kilometres away.")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 8)
    page.get_by_role("tab", name="Ask").click()
    page.get_by_text("Your documents").first.click()
    page.locator("#ask-files input[type=file]").set_input_files([str(doc), str(junk)])  # added on upload
    page.wait_for_function("document.querySelector('#ask-status').innerText.includes('Indexed')")
    status = page.locator("#ask-status").inner_text()
    assert "lighthouse.md" in status and "junk.txt: the content is binary" in status

    fill(page.locator("#ask-question textarea"), "When was the lighthouse on Gull Point built?")
    page.locator("#ask-go").click()
    mark = page.locator("#ask-passages mark").first
    mark.wait_for()
    answer = page.locator("#ask-answer").inner_text()
    assert "Answered by" in answer and "grounded reader" in answer
    assert "built in 1874" in answer  # the closest sentence, shown as evidence
    assert "lighthouse.md" in page.locator("#ask-passages").inner_text()
    assert mark.inner_text().strip()


def test_search_shows_results_with_highlights_and_the_map(page):
    page.get_by_role("tab", name="Search").click()
    fill(page.locator("#search-query textarea"), "How does nucleus sampling pick tokens?")
    page.locator("#search-go").click()
    page.locator("#search-results mark").first.wait_for()
    results = page.locator("#search-results")
    assert results.locator(".llmlab-hit").count() == 5
    assert "decoding-strategies.md" in results.inner_text()
    assert "all-MiniLM-L6-v2" in page.locator("#search-info").inner_text()
    page.locator("#search-map").locator("svg.marks, canvas").first.wait_for()
    assert "query" in page.locator("#search-map").inner_text()


def test_answers_show_the_span_and_supported_and_unsupported_marks(page, tmp_path):
    doc = tmp_path / "bridge.md"
    doc.write_text("# The Vellmar bridge\n\nThe Vellmar bridge was opened in 1931. It is 412 metres long and "
                   "made of red granite. Ferries crossed the river before it was built.")
    page.get_by_role("tab", name="Ask").click()
    page.get_by_text("Your documents").first.click()
    set_checked(page.locator("#ask-use-examples input"), False)
    page.locator("#ask-files input[type=file]").set_input_files([str(doc)])
    page.wait_for_function("document.querySelector('#ask-status').innerText.includes('Indexed')")
    fill(page.locator("#ask-question textarea"), "When was the Vellmar bridge opened?")
    page.locator("#ask-go").click()
    page.locator("#ask-support .llmlab-supported").first.wait_for()
    assert page.locator("#ask-passages mark").first.inner_text() == "1931"   # the span, inside its passage
    assert "grounded reader" in page.locator("#ask-answer").inner_text()
    assert "every checked item" in page.locator("#ask-support").inner_text()

    page.get_by_role("button", name="Reader").click()
    page.locator("#ask-reader label", has_text="chat model writing").click()
    fill(page.locator("#ask-question textarea"), "What was the Vellmar bridge's architect called and what did the ferries cost?")
    page.locator("#ask-go").click()
    page.wait_for_function("document.querySelector('#ask-support .llmlab-support-head')"
                           " && document.querySelector('#ask-answer').innerText.includes('chat model writing')")
    support = page.locator("#ask-support")
    assert support.locator(".llmlab-unsupported").count() >= 1
    assert "unsupported" in support.locator(".llmlab-support-head").inner_text()
