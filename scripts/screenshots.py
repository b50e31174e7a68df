"""Take the README's screenshots: the Generate tab after one greedy run, in English and Chinese.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/screenshots.py   # writes docs/screenshot.png, docs/screenshot-zh.png

Needs the test tools (Playwright and Debian chromium: `make setup-test`) and a CJK font for the
Chinese one (Debian: fonts-wqy-microhei or fonts-noto-cjk)."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

SHOTS = {"en-US": ROOT / "docs" / "screenshot.png", "zh-CN": ROOT / "docs" / "screenshot-zh.png"}


def main() -> None:
    import app
    from core.runtime import loader
    from playwright.sync_api import sync_playwright
    demo, port = app.build_app(), free_port()
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                        **app.launch_kwargs())
    loader.warm_up().join()  # the banner names the loaded models
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for locale, path in SHOTS.items():
                context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1100})
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
                page.wait_for_selector("#llmlab-header p")
                for elem_id, value in (("generate-max-tokens", 24), ("generate-temperature", 0)):
                    box = page.locator(f"#{elem_id} input[type=number]")
                    box.fill(str(value))
                    box.press("Enter")
                page.locator("#generate-prompt textarea").fill("The capital of France is")
                page.locator("#generate-run").click()
                page.wait_for_function("/ended:|结束原因/.test(document.querySelector('#generate-info').innerText)",
                                       timeout=180_000)
                page.wait_for_timeout(1500)  # the charts draw
                page.screenshot(path=str(path))
                print("wrote", path)
                context.close()
            browser.close()
    finally:
        demo.close()


if __name__ == "__main__":
    main()
