"""The page speaks the browser's language: Chinese for a Chinese browser (zh-CN, zh-TW, zh-HK, ...),
English otherwise; the switch on the page changes it at once (banner included) and is remembered;
no tab keeps English lines in Chinese (#14 item 5)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.boxes import fill, set_number

ENGLISH = {"tab": "Generate", "button": "Generate", "banner": "Runs on the processor (CPU)",
           "note": "How it works."}
CHINESE = {"tab": "生成", "button": "生成", "banner": "运行于处理器（CPU）", "note": "原理。"}


def open_page(browser, app_url, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(app_url, wait_until="load")
    page.wait_for_selector("#llmlab-header p")
    return context, page


def expect_language(page, words: dict) -> None:
    expect(page.get_by_role("tab", name=words["tab"], exact=True)).to_be_visible()
    current = "#llmlab-lang-zh-CN" if words is CHINESE else "#llmlab-lang-en"
    expect(page.locator(current)).to_have_css("font-weight", "700")  # the switch shows which is on
    expect(page.locator("#generate-run")).to_have_text(words["button"])
    expect(page.locator("#llmlab-header")).to_contain_text(words["banner"])
    expect(page.get_by_text(words["note"]).first).to_be_visible()


@pytest.mark.parametrize("locale, words", [("zh-CN", CHINESE), ("en-US", ENGLISH), ("fr-FR", ENGLISH),
                                           # other Chinese browsers read the simplified page, not English
                                           ("zh-TW", CHINESE), ("zh-HK", CHINESE), ("zh-Hant-TW", CHINESE)])
def test_the_page_is_in_the_browsers_language(browser, app_url, locale, words):
    context, page = open_page(browser, app_url, locale)
    try:
        expect_language(page, words)
        if words is CHINESE:  # labels, placeholders and the notes on Chinese input too
            expect(page.get_by_label("提示词")).to_have_attribute("placeholder", "让模型接着写的文本")
            page.get_by_text("模型与设备").click()
            expect(page.locator("#llmlab-languages")).to_contain_text("只支持英文")
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_no_tab_shows_an_untranslated_key(browser, app_url, locale):
    context, page = open_page(browser, app_url, locale)
    try:
        for tab in page.get_by_role("tab").all():
            tab.click()
            assert "__i18n__" not in page.locator("body").inner_text(), tab.inner_text()
    finally:
        context.close()


def test_the_switch_changes_the_language_and_is_remembered(browser, app_url):
    context, page = open_page(browser, app_url, "en-US")
    try:
        expect_language(page, ENGLISH)
        page.locator("#llmlab-lang-zh-CN").click()
        expect_language(page, CHINESE)
        page.reload(wait_until="load")  # the choice outlives the page
        expect_language(page, CHINESE)
        page.locator("#llmlab-lang-en").click()
        expect_language(page, ENGLISH)
    finally:
        context.close()


def test_an_address_with_lang_opens_in_that_language(browser, app_url):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    try:
        page.goto(app_url + "?lang=zh-CN", wait_until="load")
        expect_language(page, CHINESE)
    finally:
        context.close()


def test_the_lines_under_a_run_follow_the_page_language(browser, app_url):
    context, page = open_page(browser, app_url, "zh-CN")
    try:
        set_number(page, "generate-max-tokens", 3)
        fill(page.locator("#generate-prompt textarea"), "The capital of France is")
        page.locator("#generate-run").click()
        expect(page.locator("#generate-info")).to_contain_text("结束原因", timeout=120_000)
        expect(page.locator("#generate-step-caption")).to_contain_text("第 2 步")
        legend = page.locator("#generate-tokens-legend").inner_text()
        assert "文本结束" in legend and "未打分" in legend and "end of text" not in legend, legend
    finally:
        context.close()


def test_long_work_says_how_far_it_is_in_chinese(browser, app_url):
    from tests.browser.test_traps_browser import add_many_facts, wait_for_status
    context, page = open_page(browser, app_url, "zh-CN")
    try:
        add_many_facts(page, "你的文档")
        wait_for_status(page, r"正在计算段落的嵌入向量：第 \d+ 个（共 \d{3} 个）")
        wait_for_status(page, "已索引")
    finally:
        context.close()


# Two or more English words in a row (a single word is a name or a term: token, softmax, CPU;
# words of two letters are mostly maths: Wij xj).
ENGLISH_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}(?:[ ,;:]+[A-Za-z][A-Za-z'’-]{2,})+")
PROPER_NAMES = ["LLM Lab", "Hugging Face Hub", "Helsinki-NLP opus-mt", "logit lens",
                "sport: The match ended"]  # the format of a labelled example, as one types it


def example_texts() -> list[str]:
    """The tabs' example inputs and article titles: English text by design (README)."""
    import app
    from core import summarize

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from strings(item)
    found = [s for m in app.tab_modules() for name in ("EXAMPLES", "EXAMPLE", "TOPICS")
             for s in strings(getattr(m, name, []))]
    found += [a[key] for a in summarize.example_articles() for key in ("title", "text")]
    return [" ".join(s.split()) for s in found]  # as a page shows them, on one line


def untranslated(page_text: str, examples: list[str]) -> list[str]:
    left = []
    for line in page_text.splitlines():
        line = " ".join(line.split())
        shown = line.rstrip(".…")
        if not line or any(e.startswith(shown) or shown in e for e in examples if len(shown) > 3):
            continue
        for name in PROPER_NAMES:
            line = line.replace(name, "")
        left += ENGLISH_WORDS.findall(line)
    return left


def test_no_tab_keeps_english_lines_in_chinese(browser, app_url):
    examples = example_texts()
    context, page = open_page(browser, app_url, "zh-CN")
    try:
        for tab in page.get_by_role("tab").all():
            tab.click()
            closed = page.locator("button.label-wrap:not(.open)").locator("visible=true")
            for _ in range(20):  # the notes and settings inside accordions too
                if not closed.count():
                    break
                closed.first.click()
            page.wait_for_timeout(300)
            left = untranslated(page.locator("body").inner_text(), examples)
            assert not left, (tab.inner_text(), left)
    finally:
        context.close()
