"""The app opens in a real browser with every tab and the model/device banner."""
from playwright.sync_api import expect

import demos
from core.runtime import loader


def test_every_tab_and_the_model_banner_are_shown(page):
    import app
    titles = [m.TITLE if m else name.title() for name, m in zip(demos.TABS, app.tab_modules())]
    for title in titles:
        tab = page.get_by_role("tab", name=title)
        tab.click()
        assert tab.get_attribute("aria-selected") == "true"
    banner = page.locator("#llmlab-header").inner_text()
    assert "Device" in banner and "cpu" in banner
    assert "SmolLM2-135M-Instruct" in banner and "all-MiniLM-L6-v2" in banner


def test_banner_reports_loaded_models_after_warm_up(page):
    loader.warm_up().join()
    page.get_by_text("Models and device").click()
    expect(page.locator("#llmlab-models")).to_contain_text("135M params", timeout=30_000)
    details = page.locator("#llmlab-models").inner_text()
    assert "bundled" in details and "float32" in details
