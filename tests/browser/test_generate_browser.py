"""The Generate and Chat tabs in a real browser, on the real offline model."""
import time

from tests.browser.boxes import fill, set_number
from tests.browser.diagnose import wait_or_report

FINISHED = "document.querySelector('#{}-info').innerText.includes('ended:')"


# Runs that Stop must interrupt are greedy on a prompt the model continues for 400 tokens and more.
# Sampled with a random seed, "Write a very long essay about the history of Rome." ended after one
# token in 5 of 40 seeds (so no third token ever came: the "Generate stall" CI showed for weeks)
# and before 30 tokens in 16 of 40, before Stop arrived.
ENDLESS = "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,"


def test_generate_streams_coloured_tokens_and_shows_the_step_chart(page):
    page.get_by_role("tab", name="Generate").click()
    set_number(page, "generate-max-tokens", 48)  # the page gets the text at most every 0.1 s
    set_number(page, "generate-seed", 7)
    fill(page.locator("#generate-prompt textarea"), "Once upon a time, in a small village,")
    assert all(not page.locator(f"#generate-chart-{stage}").is_visible() for stage in ("model", "adjusted", "filtered")), \
        "the step charts show before there is a run"
    page.locator("#generate-run").click()

    tokens = page.locator("#generate-tokens .textfield .token")
    counts = []
    deadline = time.monotonic() + 180
    while not page.evaluate(FINISHED.format("generate")) and time.monotonic() < deadline:
        counts.append(tokens.count())
        time.sleep(0.1)
    assert page.evaluate(FINISHED.format("generate")), "generation did not finish"
    growing = sorted({c for c in counts if c > 0})
    assert len(growing) >= 3, f"text did not stream: token counts seen {counts[-20:]}"
    assert tokens.count() >= growing[-1]

    info = page.locator("#generate-info").inner_text()
    assert "SmolLM2-135M-Instruct" in info and "tokens/s" in info and "seed 7" in info
    assert "Step" in page.locator("#generate-step-caption").inner_text()
    for stage in ("model", "adjusted", "filtered"):
        chart = page.locator(f"#generate-chart-{stage}")
        chart.locator("svg.marks, canvas").first.wait_for()
        assert "drawn" in chart.inner_text()

    tokens.first.click()  # pick the first step by clicking its token
    page.wait_for_function(
        "document.querySelector('#generate-step-caption').innerText.startsWith('Step 0:')")


def test_score_mode_colours_tokens_and_reports_perplexity(page):
    page.get_by_role("tab", name="Generate").click()
    page.get_by_text("Score a text: how expected is each token?").click()
    fill(page.locator("#score-text textarea"), "The cat sat on the mat.")
    page.locator("#score-run").click()
    page.wait_for_function("document.querySelector('#score-info').innerText.includes('Perplexity')")
    assert page.locator("#score-tokens .textfield .token").count() >= 6
    assert "least expected" in page.locator("#score-info").inner_text()


def test_chat_answers_and_undo_and_clear_work(page):
    page.get_by_role("tab", name="Chat").click()
    set_number(page, "chat-temperature", 0)
    set_number(page, "chat-max-tokens", 24)
    box = page.locator("#chat-message textarea")
    fill(box, "What is the capital of France?")
    box.press("Enter")
    page.wait_for_function(FINISHED.format("chat"), timeout=180_000)
    bot = page.locator("#chat-bot")
    assert "What is the capital of France?" in bot.inner_text()
    assert "Paris" in bot.inner_text()
    assert page.locator("#chat-tokens .textfield .token").count() >= 3

    page.locator("#chat-undo").click()
    page.wait_for_function("!document.querySelector('#chat-bot').innerText.includes('Paris')")
    assert box.input_value() == "What is the capital of France?"

    box.press("Enter")
    page.wait_for_function("document.querySelector('#chat-bot').innerText.includes('Paris')",
                           timeout=180_000)
    # Clear once the answer is done: Clear during a stream can lose the race on a loaded
    # machine (the stream's last update restores the history) -- a known gap, see the README.
    page.wait_for_function(FINISHED.format("chat"), timeout=180_000)
    page.locator("#chat-clear").click()
    page.wait_for_function("!document.querySelector('#chat-bot').innerText.includes('capital')")
    # the last answer's tokens and summary go with it
    page.wait_for_function("!document.querySelector('#chat-info').innerText.includes('ended:')")
    assert page.locator("#chat-tokens .textfield .token").count() == 0


def test_stop_ends_generation_and_the_next_run_starts(page):
    page.get_by_role("tab", name="Generate").click()
    set_number(page, "generate-max-tokens", 1000)
    set_number(page, "generate-temperature", 0)
    fill(page.locator("#generate-prompt textarea"), ENDLESS)
    page.locator("#generate-run").click()
    tokens = page.locator("#generate-tokens .textfield .token")
    wait_or_report(page, "document.querySelectorAll('#generate-tokens .textfield .token').length >= 3")
    page.locator("#generate-stop").click()
    time.sleep(1)  # let updates already on the wire arrive
    stopped = tokens.count()
    time.sleep(3)
    assert tokens.count() == stopped < 1000  # nothing more arrives after Stop

    set_number(page, "generate-max-tokens", 4)  # greedy: " Paris" and on, never ended early by chance
    fill(page.locator("#generate-prompt textarea"), "The capital of France is")
    page.locator("#generate-run").click()
    page.wait_for_function(FINISHED.format("generate") + " && !document.querySelector('#generate-info')"
                           ".innerText.includes('stopped by you')", timeout=120_000)  # the new run's end
    import re
    count = re.search(r"· (\d+) tokens? ·", page.locator("#generate-info").inner_text())
    assert count and 1 <= int(count.group(1)) <= 4  # a new run, bounded by the new setting


def test_the_seed_box_starts_random_and_each_run_draws_a_new_seed(page):
    import re
    page.get_by_role("tab", name="Generate").click()
    assert page.locator("#generate-seed input[type=number]").input_value() == "0"  # 0 = random, as labelled
    set_number(page, "generate-max-tokens", 3)
    fill(page.locator("#generate-prompt textarea"), "The weather today is")
    seeds = []
    for _ in range(2):
        page.locator("#generate-run").click()
        page.wait_for_function(FINISHED.format("generate") + " && !document.querySelector('#generate-info')"
                               f".innerText.includes('seed {seeds[-1] if seeds else -1} ')", timeout=120_000)
        seeds.append(int(re.search(r"seed (\d+)", page.locator("#generate-info").inner_text()).group(1)))
    assert seeds[0] != seeds[1]
    assert page.locator("#generate-seed input[type=number]").input_value() == "0"  # still random next time
