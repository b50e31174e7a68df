"""The string table: both languages for every key, gradio's message format respected, the page's
markers resolved to English for API and MCP clients."""
import re

import gradio as gr

from demos import i18n
from demos.strings import STRINGS

NO_WORDS = {"banner_item"}  # "{task}：**{model}**": only a Chinese colon


def test_every_string_has_english_and_chinese():
    for key, (en, zh) in STRINGS.items():
        assert en.strip() and zh.strip(), key
        assert key in NO_WORDS or re.search(r"[\u4e00-\u9fff]", zh), f"{key}: the Chinese has no Chinese in it"
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), key


def test_gradio_receives_icu_messages_with_literal_quotes_and_braces():
    table = i18n.I18N.translations_dict
    assert set(table) == {"en", "zh-CN"}
    assert table["en"]["llmlab-run_line"].count("'{'") == 6  # {model} ... {seed}: literal, not placeholders
    assert i18n._icu("it's {n}") == "it''s '{'n'}'"


def test_no_string_has_an_ascii_apostrophe():
    """gradio's Markdown shows an ICU-escaped apostrophe doubled ("step''s"): the table uses ’."""
    assert not [key for key, pair in STRINGS.items() if any("'" in s for s in pair)]


def test_markers_and_api_descriptions_resolve_to_english():
    assert i18n.english(i18n.t("send")) == "Send"
    assert i18n.english("Out " + i18n.t("send")) == "Out Send"
    info = {"label": {"key": "llmlab-query", "_type": "translation_metadata"},
            "choices": [(i18n.t("detect"), "auto")]}
    assert i18n.english(info) == {"label": "Query", "choices": [("Detect", "auto")]}


def test_the_server_side_text_fills_in_values_in_either_language():
    assert i18n.text("runs_on", "zh-CN", device="CPU", threads=2) == "运行于CPU，2 个线程"
    assert i18n.text("runs_on", "en-US", device="the CPU", threads=2) == "Runs on the CPU, 2 threads"
    assert i18n.lang("zh-TW") == "zh-CN" and i18n.lang("fr") == "en" and i18n.lang(None) == "en"
    assert {i18n.lang(code) for code in ("zh", "zh-HK", "zh-Hant-TW", "zh-SG", "ZH-tw")} == {"zh-CN"}


def test_a_chinese_browser_other_than_zh_cn_is_switched_to_the_chinese_page():
    assert "llmlabSetLocale(\"zh-CN\", false)" in i18n.LOAD_JS  # not remembered as a choice
    assert i18n.LOAD_JS.count("/^zh(-|$)/i") == 1 and "/^zh(-|$)/i" in i18n.LOCALE_JS


def test_an_unknown_key_fails_when_the_page_is_built():
    try:
        i18n.t("no such key")
    except KeyError:
        return
    raise AssertionError("t() accepted an unknown key")


def test_the_app_page_has_only_known_keys_and_english_api_labels():
    import app
    demo = app.build_app()
    config = str(demo.get_config_file())
    keys = set(re.findall(r'"key": "llmlab-([^"]+)"', config))
    assert keys and keys <= set(STRINGS)
    assert "__i18n__" not in str(demo.get_api_info())
    assert isinstance(demo, gr.Blocks)


def test_the_llama_cpp_engines_details_read_in_chinese():
    from demos.header import detail_words
    row = {"task": "generation", "model": "SmolLM2-135M-Instruct · bundled · cpu · Q8_0 weights, float32 cache · "
                                          "llama.cpp · 2 threads · prompts of 128+ tokens read by transformers · 135M params"}
    assert detail_words(row, "zh-CN") == ("SmolLM2-135M-Instruct · 随应用附带 · cpu · Q8_0 权重，float32 缓存 · llama.cpp · "
                                          "2 个线程 · 128 个 token 以上的提示词由 transformers 读取 · 135M 参数")
