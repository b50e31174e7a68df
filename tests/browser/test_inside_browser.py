"""The Attention, Layer by layer and Compression tabs in a real browser: run, click a token,
pick a head from the overview, follow a position, compare variants, and a refused input."""
from tests.browser.boxes import fill, set_checked, set_number


def open_tab(page, name, selector):
    page.get_by_role("tab", name=name).click()
    page.locator(selector).wait_for()


def run_attention(page, sentence, model_label):
    fill(page.locator("#attention-text textarea"), sentence)
    set_checked(page.get_by_label(model_label), True)
    page.locator("#attention-run").click()


def test_attention_heat_map_head_view_token_focus_and_head_overview(page):
    open_tab(page, "Attention", "#attention-text textarea")
    run_attention(page, "The animal didn't cross the street because it was too tired.", "Chat model")
    page.wait_for_selector("#attention-view .attn-map td.attn-masked")   # the causal mask is drawn
    page.wait_for_selector("#attention-grid img.attn-tile")
    assert page.locator("#attention-grid img.attn-tile").count() == 30 * 9
    assert "sharing its weights" in page.locator("#attention-summary").inner_text()
    # the token "it" on the left of the head view: where it attends
    page.locator('#attention-view text.attn-row[data-from="8"]').click()
    focus = page.locator("#attention-view .attn-focus")
    page.wait_for_function("document.querySelector('#attention-view .attn-focus').innerText.includes('attends most to')")
    assert focus.inner_text().startswith("“it” (9)")
    assert page.locator("#attention-view line.on").count() >= 1
    # a column label: what attends to the first token
    page.locator('#attention-view th.attn-col[data-to="0"]').click()
    page.wait_for_function("document.querySelector('#attention-view .attn-focus').innerText.includes('attended to most by')")
    # pick layer 6, head 4 in the overview
    page.locator('#attention-grid img[data-layer="6"][data-head="4"]').click()
    page.wait_for_function("document.querySelector('#attention-view .attn-caption').innerText.startsWith('Layer 6, head 4')")
    assert page.locator("#attention-layer input[type=number]").input_value() == "6"
    outline = 'getComputedStyle(document.querySelector(\'#attention-grid img[data-layer="6"][data-head="4"]\')).outlineStyle'
    assert page.evaluate(outline) == "solid"


def test_the_encoder_has_no_mask_and_empty_text_gets_a_message(page):
    open_tab(page, "Attention", "#attention-text textarea")
    run_attention(page, "A short sentence.", "Embedding model")
    page.wait_for_function("document.querySelector('#attention-summary').innerText.includes('all-MiniLM')")
    assert page.locator("#attention-view td.attn-masked").count() == 0
    assert "bidirectional" in page.locator("#attention-view .attn-caption").inner_text()
    page.wait_for_function("document.querySelectorAll('#attention-grid img.attn-tile').length === 6 * 12")
    fill(page.locator("#attention-text textarea"), "")
    page.locator("#attention-run").click()
    page.get_by_text("The text is empty").first.wait_for()


def test_layer_by_layer_shows_where_the_answer_forms(page):
    open_tab(page, "Layer by layer", "#lens-prompt textarea")
    fill(page.locator("#lens-prompt textarea"), "The capital of France is")
    page.locator("#lens-run").click()
    page.wait_for_function("document.querySelector('#lens-summary').innerText.includes('Paris')")
    rows = page.locator("#lens-table tr")
    assert rows.count() == 1 + 31 + 1  # input tokens, embeddings + 30 layers, actual next tokens
    assert "Paris" in rows.nth(31).inner_text() and "layer 30 (output)" in rows.nth(31).inner_text()
    page.locator('#lens-table th[data-position="2"]').click()
    page.wait_for_function("document.querySelector('#lens-summary').innerText.includes('position 3')")
    assert page.locator('#lens-table th.chosen[data-position="2"]').count() == 1


def test_compression_fills_the_table_row_by_row(page):
    open_tab(page, "Compression", "#compression-text textarea")
    for label in ("int8 dynamic (torch)", "int8 weights only", "4-bit GGUF (llama.cpp)"):
        set_checked(page.get_by_label(label), False)
    set_number(page, "compression-tokens", 6)
    page.locator("#compression-run").click()
    page.wait_for_function("document.querySelector('#compression-status').innerText.includes('Done.')",
                           timeout=300_000)
    table = page.locator("#compression-table").inner_text()
    assert "fp32" in table and "bf16" in table and "Paris" in table
    assert "load average" in page.locator("#compression-status").inner_text()
