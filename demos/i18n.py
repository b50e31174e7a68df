"""The page in English and Chinese (简体中文), with gradio's i18n.

Every string a person reads on the page is a key of the one table, demos.strings.STRINGS, which
holds both languages side by side; the tab modules use `t(key)` where gradio takes a label, an
info, a placeholder, a button's text or a Markdown value. `t(key)` is a gradio translation marker:
the browser shows the string in its own language (Chinese for any zh-*, English otherwise), and the
switch on the page (SWITCH_JS) changes the language without a reload.

Text made on the server after the page is built (the banner, the lines under a run) is written
in the page's language: the page keeps it in a cookie (the switch and the page load set it), which
`request_lang` reads, falling back to the browser's Accept-Language. API and MCP clients send
neither, so they get English; `english()` also resolves the markers in what gradio describes to them.
"""
import re
from http.cookies import CookieError, SimpleCookie

import gradio as gr
from gradio.i18n import I18nData

from demos.strings import STRINGS

LANGUAGES = {"en": 0, "zh-CN": 1}
COOKIE = "llmlab-locale"
PREFIX = "llmlab-"  # keeps the table's keys apart from gradio's own ("status", "common", ...)
_MARK = re.compile(r'__i18n__\{"__type__": "translation_metadata", "key": "([^"]+)"\}')


def _icu(text: str) -> str:
    """A table string as an ICU message (the format gradio's frontend reads): apostrophes and
    braces literal."""
    return text.replace("'", "''").replace("{", "'{'").replace("}", "'}'")


I18N = gr.I18n(**{code: {PREFIX + key: _icu(pair[i]) for key, pair in STRINGS.items()}
                  for code, i in LANGUAGES.items()})


def t(key: str) -> I18nData:
    """The string `key` of the table, shown in the browser's language."""
    if key not in STRINGS:
        raise KeyError(f"no string {key!r} in demos.strings")
    return I18N(PREFIX + key)


def lang(code: str | None) -> str:
    """The table's language for a browser locale: zh-CN for any Chinese (zh, zh-TW, zh-HK,
    zh-Hant, ...: simplified reads better to them than English), else en."""
    return "zh-CN" if (code or "").lower().startswith("zh") else "en"


def request_lang(request) -> str:
    """The page's language for a gr.Request: its cookie, else the browser's first language, else en."""
    headers = getattr(request, "headers", None) or {}
    cookie = SimpleCookie()
    try:
        cookie.load(headers.get("cookie", ""))
    except CookieError:
        pass
    if COOKIE in cookie:
        return lang(cookie[COOKIE].value)
    return lang(headers.get("accept-language", "en").split(",")[0])


def text(key: str, code: str | None = "en", **values) -> str:
    """The string `key` in the language of locale `code`, with `values` filled in (str.format)."""
    pair = STRINGS[key]
    out = pair[LANGUAGES[lang(code)]]
    return out.format(**values) if values else out


def english(value):
    """`value` (gradio's description of the endpoints, or any label) with every translation
    marker replaced by its English string."""
    return in_language(value, "en")


def in_language(value, code: str | None = "en"):
    """`value` with every translation marker replaced by its string in the language of locale `code`."""
    if isinstance(value, I18nData):
        return _string(value.key, code)
    if isinstance(value, dict):
        if "translation_metadata" in (value.get("_type"), value.get("__type__")):
            return _string(value.get("key", ""), code)
        return {k: in_language(v, code) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(in_language(v, code) for v in value)
    if isinstance(value, str) and "__i18n__" in value:
        return _MARK.sub(lambda m: _string(m.group(1), code), value)
    return value


# Where gradio does not translate (the headers and labels of example tables, HTML written when the
# page is built), the page holds both languages, and the one not shown is hidden (see CSS).
SHOWN_IN = {"en": "llmlab-en", "zh-CN": "llmlab-zh"}
CSS = """
html[lang^="zh"] .llmlab-en, html:not([lang^="zh"]) .llmlab-zh { display: none !important; }
"""


def both(key: str, **values) -> str:
    """HTML of the string `key` in both languages, the page's shown (values filled in as text())."""
    return "".join(f'<span class="{SHOWN_IN[code]}">{text(key, code, **values)}</span>' for code in LANGUAGES)


def plain_examples(blocks: gr.Blocks) -> None:
    """gradio's example tables do not translate: their headers, labels and shown values are
    given in the language of the table (the class SHOWN_IN names; English without one)."""
    for block in blocks.blocks.values():
        if isinstance(block, gr.Dataset):
            code = next((c for c, cls in SHOWN_IN.items() if cls in (block.elem_classes or [])), "en")
            block.headers = in_language(block.headers, code)
            block.sample_labels = in_language(block.sample_labels, code)
            block.samples = in_language(block.samples, code)
            block.component_props = in_language(block.component_props, code)


def _string(key: str, code: str | None = "en") -> str:
    pair = STRINGS.get(key.removeprefix(PREFIX))
    return pair[LANGUAGES[lang(code)]] if pair else key


# The switch: gradio's own locale store, found through the module that exports it (the page has
# already loaded it, so this is the same instance), set live; the choice is kept for the next visit.
_SET_LOCALE = """
window.llmlabSetLocale = async (code, remember = true) => {
  const url = performance.getEntriesByType("resource").map((e) => e.name)
    .find((n) => /\\/assets\\/core-[^/]*\\.js$/.test(n));
  if (!url) return false;
  const core = await import(url);
  core.changeLocale(code);
  if (remember) try { localStorage.setItem("llmlab-locale", code); } catch (e) {}
  document.cookie = "llmlab-locale=" + code + "; path=/; SameSite=Lax";
  return true;
};
"""
# Any Chinese browser (zh-TW, zh-HK, zh-Hant, zh, ...) gets the Chinese page: gradio itself
# would pick English for most of them (it knows only zh-CN and zh-TW, and the table is zh-CN),
# and simplified Chinese reads better to them than English.
_CHINESE = "/^zh(-|$)/i.test(navigator.language || '')"
# On load: a locale chosen with the switch earlier, or in the address (?lang=zh-CN), wins over
# the browser's language.
LOAD_JS = "() => {" + _SET_LOCALE + """
  const asked = new URLSearchParams(location.search).get("lang");
  let kept = null;
  try { kept = localStorage.getItem("llmlab-locale"); } catch (e) {}
  const code = asked || kept;
  document.cookie = "llmlab-locale=" + (code || navigator.language || "en") + "; path=/; SameSite=Lax";
  if (code) setTimeout(() => window.llmlabSetLocale(code), 0);
  else if (""" + _CHINESE + """ && navigator.language !== "zh-CN")
    setTimeout(() => window.llmlabSetLocale("zh-CN", false), 0);  // not remembered: the browser's own
}"""


def switch_js(code: str) -> str:
    """The click handler of a language button: switch, then hand the new locale to the server."""
    return f"async () => {{ await window.llmlabSetLocale({code!r}); return [{code!r}]; }}"


# The locale the page shows (or is about to: a remembered choice is applied just after load).
LOCALE_JS = """() => {
  let kept = null;
  try { kept = localStorage.getItem("llmlab-locale"); } catch (e) {}
  return [new URLSearchParams(location.search).get("lang") || kept
          || (""" + _CHINESE + """ ? "zh-CN" : document.documentElement.lang || navigator.language || "en")];
}"""
