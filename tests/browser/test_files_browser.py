"""A browser session's files (its uploads, its results) are deleted when the tab is closed,
and their addresses stop working."""
import csv
import time
import urllib.error
import urllib.request
from pathlib import Path

from demos import sessions


def fetch_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_closing_the_tab_deletes_its_uploads_and_results(browser, app_url, tmp_path):
    path = tmp_path / "private-reviews.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([("id", "review"), (1, "My neighbour's address is 12 Elm Street. Lovely."),
                                 (2, "Awful service.")])
    before = set(sessions.FILES._holders)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(app_url, wait_until="load")
    page.get_by_role("tab", name="Sentiment").click()
    page.get_by_text("Classify a file").click()
    page.locator("#sentiment-file input[type=file]").set_input_files(str(path))
    page.wait_for_function("document.querySelector('#sentiment-column input').value === 'review'")
    page.locator("#sentiment-run-file").click()
    page.wait_for_function("document.querySelector('#sentiment-batch-info').innerText.includes('2 rows')")
    result_url = page.locator("#sentiment-download a").first.get_attribute("href")
    files = set(sessions.FILES._holders) - before
    names = sorted(Path(f).name for f in files)
    assert "private-reviews.csv" in names and any(n.startswith("sentiment-") for n in names), names
    assert all(Path(f).exists() for f in files)
    assert fetch_status(result_url) == 200

    context.close()  # the tab goes away: gradio's unload event ends the session
    deadline = time.time() + 60
    while any(Path(f).exists() for f in files) and time.time() < deadline:
        time.sleep(0.5)
    assert not any(Path(f).exists() for f in files), "files outlived their session"
    assert fetch_status(result_url) in (403, 404)
