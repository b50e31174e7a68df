"""The validation layer's rules on their own, the private corpora's expiry, and the repair of
gradio's MCP schemas."""
import time

import gradio as gr
import jsonschema
import pytest

from core.errors import SearchError
from core.retrieval.corpus import PrivateCorpora
from demos import validate
from demos.mcp import resolvable


def handler(prompt: str, temperature: float = 0.7, history: list | None = None, seed: int | None = None):
    return prompt


def event(*components):
    with validate.Blocks() as demo:
        gr.Button().click(handler, list(components), None)
    return demo, next(iter(demo.fns.values()))


def test_a_text_input_without_a_cap_is_refused_when_the_app_is_built():
    demo, _ = event(gr.Textbox(), gr.Slider(0, 2))
    with pytest.raises(ValueError, match="without max_length"):
        validate.check_limits(demo)
    demo, _ = event(gr.Textbox(max_length=10), gr.Slider(0, 2))
    validate.check_limits(demo)


def test_arguments_are_checked_against_their_components_and_normalised():
    _, fn = event(gr.Textbox(max_length=10), gr.Slider(0, 2, step=0.1), gr.Chatbot(), gr.Number(precision=0))
    inputs = ["hi", 0.5, [{"role": "user", "content": "hello"}]]  # the seed left out: its default
    validate.check_arguments(fn, inputs)
    assert inputs == ["hi", 0.5, [{"role": "user", "content": [{"type": "text", "text": "hello"}]}], None]
    for bad, message in [(["x" * 11, 0.5, []], "`prompt` has 11 characters; the limit is 10"),
                         (["hi", float("nan"), []], "`temperature` must be a number from 0 to 2"),
                         (["hi", 1, [{"role": "user", "content": None}]], "message 1 must be text"),
                         (["hi", 1, [], 2.5], "`seed` must be a whole number"),
                         ([], "`prompt` is missing")]:
        with pytest.raises(gr.Error, match=message):
            validate.check_arguments(fn, bad)


def test_private_corpora_expire_and_the_least_recently_used_goes_first():
    store = PrivateCorpora(ttl_s=0.2, most=2)
    first, _ = store.create(use_examples=False)
    second, _ = store.create(use_examples=False)
    store.get(first, use_examples=False)       # used: the second is now the oldest
    third, _ = store.create(use_examples=False)
    with pytest.raises(SearchError, match="Unknown or expired corpus key"):
        store.get(second)
    time.sleep(0.3)
    for key in (first, third):
        with pytest.raises(SearchError, match="Unknown or expired corpus key"):
            store.get(key)


def test_mcp_schemas_are_made_resolvable():
    schema = {"type": "object", "properties": {"files": {
        "$defs": {"Meta": {"type": "object"}},
        "type": "array", "items": {"$ref": "#/$defs/FileData", "type": "string"},
        "properties": {"meta": {"$ref": "#/$defs/Meta"}}}}}
    with pytest.raises(Exception, match="FileData"):  # what the MCP server's own validation hit
        jsonschema.validate({"files": ["http://x/y.txt"]}, schema)
    fixed = resolvable(schema)
    jsonschema.validate({"files": ["http://x/y.txt"]}, fixed)
    assert fixed["$defs"] == {"Meta": {"type": "object"}}
