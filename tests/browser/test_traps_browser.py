"""Traps a new user met (#14 item 4), each shown gone in a real browser on the real offline models:
a stopped answer is marked as stopped, the step views show no raw control tokens and explain their
marks, an error marks one box (not every output), search passages do not repeat the sentence
they share, long work says how far it is (answers, summaries, indexing)."""
import re

from tests.browser.boxes import fill, set_checked, set_number
from tests.browser.diagnose import wait_or_report
from tests.browser.test_generate_browser import ENDLESS, FINISHED

LONG = "Write a very long essay about the history of Rome."  # greedy in Chat: 400 tokens and more


def test_a_stopped_generation_is_marked_as_stopped(page):
    page.get_by_role("tab", name="Generate").click()
    set_number(page, "generate-max-tokens", 1000)
    set_number(page, "generate-temperature", 0)
    fill(page.locator("#generate-prompt textarea"), ENDLESS)
    page.locator("#generate-run").click()
    wait_or_report(page, "document.querySelectorAll('#generate-tokens .textfield .token').length >= 3")
    page.locator("#generate-stop").click()
    wait_or_report(page, "document.querySelector('#generate-info').innerText.includes('stopped by you')", 30_000)
    page.wait_for_timeout(2000)  # and it stays so
    info = page.locator("#generate-info").inner_text()
    assert "stopped by you" in info and "Writing" not in info


def test_chat_shows_progress_while_writing_and_a_stopped_answer_is_marked(page):
    page.get_by_role("tab", name="Chat").click()
    set_number(page, "chat-max-tokens", 1000)
    set_number(page, "chat-temperature", 0)
    fill(page.locator("#chat-message textarea"), LONG)
    page.locator("#chat-send").click()
    page.wait_for_function("/Writing… \\d+ of at most 1000 tokens so far/"
                           ".test(document.querySelector('#chat-info').innerText)", timeout=120_000)
    page.locator("#chat-stop").click()
    page.wait_for_function("document.querySelector('#chat-info').innerText.includes('stopped by you')",
                           timeout=30_000)


def test_step_views_show_no_raw_control_tokens(page):
    page.get_by_role("tab", name="Chat").click()
    set_number(page, "chat-temperature", 0)
    set_number(page, "chat-max-tokens", 48)
    fill(page.locator("#chat-message textarea"), "What is the capital of France? One short sentence.")
    page.locator("#chat-send").click()
    page.wait_for_function(FINISHED.format("chat"), timeout=180_000)
    assert "the model ended its answer" in page.locator("#chat-info").inner_text()
    chart = page.locator("#chat-chart-model")
    chart.locator("svg.marks, canvas").first.wait_for()
    shown = " ".join(page.locator(sel).inner_text() for sel in
                     ("#chat-tokens", "#chat-step-caption", "#chat-chart-model", "#chat-chart-filtered"))
    assert "[end of answer]" in shown  # the last step drew the end of the turn, named in words
    assert not re.search(r"<\|[^|]*\|>", shown), shown
    assert "␣ = a space" in page.locator("#chat-step-caption").inner_text()  # the marks are explained


def test_an_error_marks_one_box_not_every_output(page):
    page.get_by_role("tab", name="Generate").click()
    fill(page.locator("#generate-prompt textarea"), "")
    page.locator("#generate-run").click()
    page.get_by_text("The prompt is empty").first.wait_for()  # the message, in the toast
    badges = page.evaluate("""() => [...document.querySelectorAll('.error')]
        .filter(e => !e.closest('.toast-wrap, [class*=toast]')).map(e => e.closest('[id]')?.id)""")
    assert badges == ["generate-tokens"], badges


SENTENCES = [f"Fact number {n} about the harbour town is that its {thing} was rebuilt in {1800 + 7 * n}."
             for n, thing in enumerate(["pier", "church", "market", "school", "bridge", "mill", "library",
                                        "lighthouse", "station", "museum", "theatre", "hospital", "bakery",
                                        "harbour wall", "town hall", "fish market", "post office", "chapel"])]


def test_search_passages_do_not_repeat_the_sentence_neighbours_share(page):
    page.get_by_role("tab", name="Search").click()
    set_checked(page.locator("#search-use-examples input"), False)  # only this document
    page.get_by_text("Your documents", exact=True).locator("visible=true").click()
    fill(page.locator("#search-paste textarea"), " ".join(SENTENCES))
    page.locator("#search-add").click()
    assert "passages" in wait_for_status(page, "Indexed")
    fill(page.locator("#search-query textarea"), "when was the harbour town rebuilt")
    set_number(page, "search-k", 10)
    page.locator("#search-go").click()
    page.locator("#search-results .llmlab-hit").nth(2).wait_for()
    results = page.locator("#search-results").inner_text()
    counts = {s: results.count(s) for s in SENTENCES}
    assert max(counts.values()) == 1, counts
    assert sum(counts.values()) == len(SENTENCES)  # every sentence shown once


def test_a_long_abstractive_summary_says_which_chunk_it_is_writing(page):
    page.get_by_role("tab", name="Summarize").click()
    page.get_by_text("All three articles together").click()  # long: summarised in chunks
    page.wait_for_function("document.querySelector('#summarize-text textarea').value.length > 3000")
    page.locator("#summarize-write").click()
    page.wait_for_function("/chunk 1 of \\d+/.test(document.querySelector('#summarize-abstractive-info').innerText)",
                           timeout=180_000)
    page.locator("#summarize-stop").click()



# ~120 passages: embedded in two steps of 64, a few seconds on 2 cores
MANY_FACTS = " ".join(f"Fact number {n} about the harbour town is that its pier number {n} was rebuilt in {1800 + n}."
                      for n in range(600))


def wait_for_status(page, pattern: str, timeout_s: float = 120) -> str:
    """Wait until #search-status's text matches `pattern`, reading it from here every 0.2 s.
    (page.wait_for_function, which polls inside the page, sometimes never saw the indexing
    report while reads from here did: the page's own polling stalled during the upload.)"""
    import time
    deadline, shown = time.monotonic() + timeout_s, ""
    while time.monotonic() < deadline:
        shown = page.locator("#search-status").inner_text()
        if re.search(pattern, shown):
            return shown
        page.wait_for_timeout(200)
    raise AssertionError(f"#search-status never matched {pattern!r}; last: {shown!r}")


def add_many_facts(page, documents: str) -> None:
    """MANY_FACTS (57 kB, a few hundred passages) uploaded as a text file, which is added on upload.
    (Pasted with a plain Playwright fill, Add received an empty text: the paste box, mounted a moment
    before, reset itself and dropped the fill, see tests/browser/boxes.py. Pastes are covered by the
    other tests.)"""
    page.get_by_role("tab", name="Search" if documents == "Your documents" else "检索").click()
    page.locator("button.label-wrap").filter(has_text=documents).locator("visible=true").first.click()
    page.locator("#search-files input[type=file]").set_input_files(
        {"name": "harbour-facts.txt", "mimeType": "text/plain", "buffer": MANY_FACTS.encode()})


def test_indexing_says_which_passage_it_is_embedding_not_only_a_timer(page):
    add_many_facts(page, "Your documents")
    wait_for_status(page, r"Embedding passages: \d+ of \d{3}")
    wait_for_status(page, "Indexed")
