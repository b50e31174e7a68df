"""Setting gradio boxes from Playwright, checked.

A gradio box mounted a moment ago (its tab or accordion just opened) sets itself back to its
first value a few frames after mounting, dropping what was typed in between: measured here the
text filled was gone 15-20 ms after the fill, about 50 ms after the box appeared, in 15 of 30 tries
(later under load). The test then clicked and sent an empty text ("Nothing to add"). So each
setter waits for the page to settle, sets, and sets again until the value stays."""
from playwright.sync_api import Locator, Page

TRIES = 5


def settle(page: Page) -> None:
    """Return once the page has drawn two more frames and 100 ms have passed."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))")
    page.wait_for_timeout(100)


def until_it_stays(box: Locator, set_value, holds) -> None:
    for _ in range(TRIES):
        settle(box.page)
        set_value()
        settle(box.page)
        if holds():
            return
    raise AssertionError(f"{box} went back to its first value {TRIES} times")


def fill(box: Locator, text: str, then_press: str = "") -> None:
    """box.fill(text) (and a key pressed after it), until the text stays."""
    def set_value():
        box.fill(text)
        if then_press:
            box.press(then_press)
    until_it_stays(box, set_value, lambda: box.input_value() == text)


def set_number(page: Page, elem_id: str, value) -> None:
    """Type `value` into the number box of component `elem_id` (a slider's or a Number's) and commit it."""
    fill(page.locator(f"#{elem_id} input[type=number]"), str(value), then_press="Enter")


def set_checked(box: Locator, checked: bool) -> None:
    until_it_stays(box, lambda: box.set_checked(checked), lambda: box.is_checked() == checked)
