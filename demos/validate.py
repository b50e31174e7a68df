"""One validation layer for every endpoint's arguments, browser, API and MCP alike.

Each argument is checked against what its component declares (a text box's `max_length`, a
slider's range, a radio's choices, a file box's count, a chat history's shape) before gradio
converts it and before any work is done. A bad argument gets a message for a person that names
the argument as API and MCP callers know it; nothing internal (handler names, pydantic or
tokenizer errors) reaches them. A few harmless forms are normalised on the way: a blank model
menu means the default, a chat message's content may be a plain string.

`Blocks` is gr.Blocks with this layer in front of gradio's own preprocessing; `check_limits`
refuses, when the app is built, a text input without a declared limit.
"""
import math
from pathlib import Path
from urllib.parse import urlparse

import gradio as gr
from gradio import processing_utils, utils

from demos import i18n
from demos.sessions import UPLOADS

MAX_FILES = 20                # files in one upload box
MAX_DATA_URL = 28 * 2**20     # a file sent inline as base64 (about 20 MB decoded)
MAX_CHOICES = 50              # values of a multi-select menu
MAX_CHOICE_CHARS = 300        # a custom menu value (a column or document name)
MAX_MESSAGES = 200            # turns in a chat history
MAX_HISTORY_CHARS = 100_000   # text in a chat history (the model reads ~16,000 of it)
ROLES = ("user", "assistant", "system")


class Blocks(gr.Blocks):
    """gr.Blocks whose events check their arguments first (see the module docstring), described to
    API and MCP clients in English (the page's labels are translation markers: demos.i18n)."""

    def get_api_info(self, *args, **kwargs):
        return i18n.english(super().get_api_info(*args, **kwargs))

    async def preprocess_data(self, block_fn, inputs, state, explicit_call=False):
        if block_fn.preprocess:  # gr.api endpoints take typed values and no components
            check_arguments(block_fn, inputs)
        try:
            return await super().preprocess_data(block_fn, inputs, state, explicit_call)
        except gr.Error:
            raise
        except Exception as err:  # what the checks above let through, said without internals
            if any(_has_url(value) for value in inputs):
                raise gr.Error("A file could not be fetched from its address: only public http(s) "
                               "addresses are fetched. Upload it, or send it as a base64 data: URL.") from None
            raise gr.Error(f"An argument could not be read ({type(err).__name__}). Check the "
                           f"endpoint's parameters in the API page.") from None


def check_limits(blocks: gr.Blocks) -> None:
    """Every text box an event reads declares its `max_length` (the documented cap)."""
    missing = {f"{fn.api_name or fn.name}: {c.label!r}" for fn in blocks.fns.values() for c in fn.inputs
               if isinstance(c, gr.Textbox) and not c.max_length}
    if missing:
        raise ValueError(f"text inputs without max_length: {sorted(missing)}")


def parameter_names(block_fn) -> list[str]:
    names = block_fn.input_parameter_names or [p[0] for p in utils.get_function_params(block_fn.fn)]
    return [name or f"argument {i + 1}" for i, name in enumerate(names)] + \
        [f"argument {i + 1}" for i in range(len(names), len(block_fn.inputs))]


def check_arguments(block_fn, inputs: list) -> None:
    """Raise gr.Error for the first argument its component cannot take; normalise in place."""
    components = block_fn.inputs
    names = parameter_names(block_fn)
    defaults = [p[1] for p in utils.get_function_params(block_fn.fn)] if block_fn.fn else []
    for i in range(len(inputs), len(components)):  # left out at the end: the defaults
        component = components[i]
        value = None if isinstance(component, gr.State) else getattr(component, "value", None)
        if value is None and not isinstance(component, gr.State) and not (i < len(defaults) and defaults[i]):
            wanted = [f"`{n}`" for n, c in zip(names, components) if not isinstance(c, gr.State)]
            raise gr.Error(f"`{names[i]}` is missing; this endpoint takes {', '.join(wanted)}.")
        inputs.append(value)
    for i, component in enumerate(components):
        check = next((check for kind, check in CHECKS.items() if isinstance(component, kind)), None)
        if check is not None:
            inputs[i] = check(component, inputs[i], f"`{names[i]}`")


# --- one check per kind of component: (component, value, name) -> the value to use -------------

def _got(value) -> str:
    shown = ascii(value)
    return f" (got {shown[:40]}{'…' if len(shown) > 40 else ''})"


def _text(component, value, name):
    if value is None:
        return value
    if not isinstance(value, str):
        raise gr.Error(f"{name} must be text{_got(value)}.")
    limit = component.max_length
    if limit and len(value) > limit:
        raise gr.Error(f"{name} has {len(value):,} characters; the limit is {limit:,}. Shorten it.")
    _unicode(value, name)
    return value


def _unicode(value: str, name: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise gr.Error(f"{name} contains characters that are not valid Unicode (unpaired "
                       f"surrogates); send UTF-8 text.") from None


def _number(component, value, name):
    if value is None and isinstance(component, gr.Number):
        return value  # a blank number box (e.g. a seed: blank = random)
    low, high = component.minimum, component.maximum
    whole = getattr(component, "precision", None) == 0 or (
        isinstance(component, gr.Slider) and float(component.step).is_integer()
        and (low is None or float(low).is_integer()))
    span = (f" from {low:g} to {high:g}" if low is not None and high is not None else
            f" of at least {low:g}" if low is not None else f" of at most {high:g}" if high is not None else "")
    wanted = f"{name} must be {'a whole number' if whole else 'a number'}{span}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise gr.Error(f"{wanted}{_got(value)}.")
    if (low is not None and value < low) or (high is not None and value > high) or \
            (whole and not float(value).is_integer()):
        raise gr.Error(f"{wanted}{_got(value)}.")
    return value


def _choice(component, value, name):
    values = [v for _, v in component.choices]
    if getattr(component, "multiselect", False):
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > MAX_CHOICES:
            raise gr.Error(f"{name} must be a list of at most {MAX_CHOICES} values{_got(value)}.")
        for item in value:
            _one_choice(component, item, name, values)
        return value
    if value in (None, "") and isinstance(component, gr.Dropdown):
        return None  # a blank menu: the handler's default
    _one_choice(component, value, name, values)
    return value


def _one_choice(component, value, name, values) -> None:
    if getattr(component, "allow_custom_value", False):
        if not isinstance(value, str) or len(value) > MAX_CHOICE_CHARS:
            raise gr.Error(f"{name} must be text of at most {MAX_CHOICE_CHARS} characters{_got(value)}.")
        _unicode(value, name)
    elif value not in values:
        raise gr.Error(f"{name} must be one of {', '.join(map(str, values))}{_got(value)}.")


def _boolean(component, value, name):
    if value is None:
        return component.value
    if not isinstance(value, bool):
        raise gr.Error(f"{name} must be true or false{_got(value)}.")
    return value


def _history(component, value, name):
    if value is None:
        return []
    shape = f'{name} must be a list of messages like {{"role": "user", "content": "Hello"}}'
    if not isinstance(value, list):
        raise gr.Error(f"{shape}{_got(value)}.")
    if len(value) > MAX_MESSAGES:
        raise gr.Error(f"{name} has {len(value):,} messages; the limit is {MAX_MESSAGES}.")
    total = 0
    for number, message in enumerate(value, start=1):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise gr.Error(f"{shape}; message {number} needs a role: user, assistant or system.")
        content = message.get("content")
        if isinstance(content, str):
            content = message["content"] = [{"type": "text", "text": content}]
        if not isinstance(content, list) or not all(_part_ok(part) for part in content):
            raise gr.Error(f'{shape}; the content of message {number} must be text (or a list of '
                           f'{{"type": "text", "text": ...}} parts).')
        for part in content:
            if part.get("type") == "text":
                total += len(part["text"])
                _unicode(part["text"], name)
    if total > MAX_HISTORY_CHARS:
        raise gr.Error(f"{name} has {total:,} characters of text; the limit is {MAX_HISTORY_CHARS:,}. "
                       f"Start a new conversation.")
    return value


def _part_ok(part) -> bool:
    if not isinstance(part, dict):
        return False
    if part.get("type") == "text":
        return isinstance(part.get("text"), str)
    return part.get("type") in ("file", "component")


def _files(component, value, name):
    if value is None:
        return value
    many = component.file_count in ("multiple", "directory")
    if many and isinstance(value, list) and len(value) > MAX_FILES:
        raise gr.Error(f"{name}: {len(value)} files; the limit is {MAX_FILES} at once.")
    files = [_file(f, name) for f in (value if many and isinstance(value, list) else [value])]
    if not all(isinstance(f, dict) and isinstance(f.get("path"), str) and _uploaded(f["path"])
               for f in files):
        what = f"a list of up to {MAX_FILES} files" if many else "a file"
        raise gr.Error(f"{name} must be {what}: uploaded to this app (with gradio_client: "
                       f"handle_file(path)), or given as an http(s) or base64 data: URL{_got(value)}.")
    return files if many and isinstance(value, list) else files[0]


def _has_url(value) -> bool:
    if isinstance(value, list):
        return any(_has_url(v) for v in value)
    return isinstance(value, dict) and str(value.get("path", "")).startswith(("http://", "https://"))


def _uploaded(path: str) -> bool:
    return path.startswith(("http://", "https://")) or utils.is_in_or_equal(path, UPLOADS)


def _file(value, name):
    """A file given by URL as gradio's FileData (MCP clients send URLs; gradio's MCP server
    converts a single file's URL itself, but not those in a list)."""
    if not isinstance(value, str) or not value.startswith(("data:", "http://", "https://")):
        return value
    if value.startswith("data:"):
        if len(value) > MAX_DATA_URL:
            raise gr.Error(f"{name}: a file given as a data: URL may be at most "
                           f"{MAX_DATA_URL * 3 // 4 // 2**20} MB.")
        try:
            path = processing_utils.save_base64_to_cache(value, str(UPLOADS))
        except ValueError:
            raise gr.Error(f"{name}: that data: URL is not valid base64.") from None
        return {"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}
    return {"path": value, "url": value, "orig_name": Path(urlparse(value).path).name or "file",
            "meta": {"_type": "gradio.FileData"}}


CHECKS = {gr.Textbox: _text, gr.Slider: _number, gr.Number: _number, gr.Radio: _choice,
          gr.Dropdown: _choice, gr.Checkbox: _boolean, gr.Chatbot: _history, gr.File: _files}
