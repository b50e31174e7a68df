"""The app opens in a real browser with every tab and the model/device banner."""
from playwright.sync_api import expect

from core.runtime import loader
from demos import i18n


def test_every_tab_and_the_model_banner_are_shown(page):
    import app
    titles = [i18n.english(m.TITLE) for m in app.tab_modules()]
    for title in titles:
        tab = page.get_by_role("tab", name=title)
        tab.click()
        assert tab.get_attribute("aria-selected") == "true"
    banner = page.locator("#llmlab-header").inner_text()
    assert "Runs on the processor (CPU)" in banner
    assert "float32" not in banner and "method" not in banner  # plain words, no jargon
    assert "SmolLM2-135M-Instruct" in banner and "all-MiniLM-L6-v2" in banner


def test_banner_reports_loaded_models_after_warm_up(page):
    loader.warm_up().join()
    page.get_by_text("Models and device").click()
    expect(page.locator("#llmlab-models")).to_contain_text("135M params", timeout=30_000)
    details = page.locator("#llmlab-models").inner_text()
    assert "bundled" in details and "float32" in details


def test_at_phone_width_the_banner_is_one_line_the_main_actions_are_in_view_and_no_empty_charts(browser, app_url):
    context = browser.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    try:
        page.goto(app_url)
        expect(page.locator("#llmlab-header")).to_contain_text("Runs on", timeout=30_000)
        line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#llmlab-header p')).lineHeight)")
        assert page.locator("#llmlab-header p").bounding_box()["height"] < 1.6 * line
        for tab, action in (("Generate", "#generate-run"), ("Chat", "#chat-send"), ("Ask", "#ask-go")):
            page.get_by_role("tab", name=tab).click()
            box = page.locator(action).bounding_box()
            assert box and box["y"] + box["height"] <= 800, (tab, box)
            prefix = action[1:].split("-")[0]
            assert page.locator(f"#{prefix}-chart-model").count() == 0 or \
                not page.locator(f"#{prefix}-chart-model").is_visible(), f"{tab}: empty charts before a run"
    finally:
        context.close()
