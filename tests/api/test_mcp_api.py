"""Every tab as MCP tools, through real MCP clients (the `mcp` SDK, streamable HTTP): each tool is
described well enough for an agent, callable with only its essential arguments, and two MCP
clients never see each other's documents."""
import csv
import io
import json
import re
import urllib.request

import pytest
from gradio_client import Client

from tests.api.mcp_client import agents, data_url

ESSENTIAL = {  # tool -> its required arguments: nothing more is needed to call it
    "generate_stream": ["prompt"], "generate_score": ["text"], "chat_send": ["message"],
    "chat_undo": [], "chat_clear": [], "add_documents": [], "ask": ["question"],
    "run_search": ["query"], "save_index": [], "load_index": ["key"],
    "summarize_extractive": ["text"], "summarize_abstractive": ["text"],
    "sentiment_classify": ["texts"], "sentiment_explain": ["text"], "sentiment_batch_file": ["path"],
    "sentiment_finetuned": ["text", "model"], "finetune_train": [], "finetune_cancel": ["key"],
    "translate": ["text"], "attention": ["text"], "logit_lens": ["prompt"], "compression_compare": []}
SECRET = "Project Nightingale's launch code is kept in the red binder on Maria's desk."
QUESTION = "Where is the launch code of Project Nightingale kept?"


def text_caps(app_url: str) -> dict[tuple[str, str], int]:
    """(endpoint, parameter) -> the max_length its text box declares, read from the live app."""
    with urllib.request.urlopen(f"{app_url}config", timeout=30) as response:
        config = json.load(response)
    components = {c["id"]: c for c in config["components"]}
    info = Client(app_url, verbose=False).view_api(print_info=False, return_format="dict")
    caps = {}
    for dep in config["dependencies"]:
        name = f"/{dep.get('api_name')}"
        if name not in info["named_endpoints"]:
            continue
        inputs = [components[i] for i in dep["inputs"] if components[i]["type"] != "state"]
        for component, parameter in zip(inputs, info["named_endpoints"][name]["parameters"]):
            if component["type"] == "textbox" and component["props"].get("visible") is not False:
                caps[(name, parameter["parameter_name"])] = component["props"]["max_length"]
    return caps


def test_every_tool_is_described_for_an_agent_with_only_essential_arguments_required(app_url):
    with agents(app_url) as (agent,):
        tools = agent.tools()
    assert set(tools) == set(ESSENTIAL), "a tool was added or lost: give it its essential arguments here"
    descriptions = [tool.description for tool in tools.values()]
    assert len(set(descriptions)) == len(descriptions), "two tools share one description"
    for name, tool in tools.items():
        assert len(tool.description) > 40, f"{name}: no description an agent can act on"
        assert sorted(tool.inputSchema.get("required", [])) == sorted(ESSENTIAL[name]), name
        for argument, schema in tool.inputSchema["properties"].items():
            assert len(schema.get("description", "")) > 10, f"{name}({argument}) has no description"
            assert schema.get("enum", True), f"{name}({argument}) is an enum with no values"
    schema = json.load(urllib.request.urlopen(f"{app_url}gradio_api/mcp/schema", timeout=30))
    tool_of = {f"/{t['meta']['endpoint_name']}": t["name"] for t in schema}
    for (endpoint, argument), cap in text_caps(app_url).items():
        description = tools[tool_of[endpoint]].inputSchema["properties"][argument]["description"]
        assert f"{cap:,}" in description, f"{endpoint}({argument}): its cap {cap:,} is not documented"


def test_every_tool_works_with_only_its_essential_arguments(app_url):
    article = ("Electric buses are spreading through European cities. Oslo replaced its whole fleet "
               "in 2023. Batteries now last a full day of service. Charging happens at night in "
               "depots. Operators report lower maintenance costs. Riders notice quieter streets.")
    review_file = data_url(b"id,review\r\n1,I loved this hotel.\r\n2,\"=HYPERLINK(\"\"x\"\")\"\r\n", "text/csv")
    with agents(app_url) as (agent,):
        generated = agent.call("generate_stream", prompt="The capital of France is")
        assert not generated.error and "tokens/s" in generated.texts[1], generated.text[:300]
        scored = agent.call("generate_score", text="The cat sat on the mat.")
        assert not scored.error and "erplexity" in scored.texts[1]
        chat = agent.call("chat_send", message="Say hello in one word.")
        assert not chat.error and "'role': 'assistant'" in chat.texts[0]
        undone = agent.call("chat_undo", history=[{"role": "user", "content": "Hi"},
                                                   {"role": "assistant", "content": "Hello!"}])
        assert not undone.error and undone.texts == ["[]", "Hi"]
        assert not agent.call("chat_clear").error
        added = agent.call("add_documents", text=SECRET)
        assert not added.error and "Indexed **1** document" in added.text
        key = re.search(r'corpus_key="([\w-]+)"', added.text).group(1)
        answer = agent.call("ask", question="How many tokens are in the GPT-2 vocabulary?")
        assert not answer.error and "tokenization.md" in answer.texts[1]
        found = agent.call("run_search", query="What is a KV cache?")
        assert not found.error and "kv-cache.md" in found.texts[0]
        saved = agent.call("save_index", corpus_key=key)
        assert not saved.error and saved.texts[0] in saved.texts[1]
        loaded = agent.call("load_index", key=saved.texts[0])
        assert not loaded.error and "1 of yours" in loaded.text and "corpus_key=" in loaded.text
        summary = agent.call("summarize_extractive", text=article)
        assert not summary.error and summary.texts[0].startswith("Electric buses")
        written = agent.call("summarize_abstractive", text=article)
        assert not written.error and len(written.texts[0]) > 20
        label = agent.call("sentiment_classify", texts="I loved this film.")
        assert not label.error and "positive" in label.texts[0]
        words = agent.call("sentiment_explain", text="The coffee was terrible.")
        assert not words.error and "negative" in words.text
        batch = agent.call("sentiment_batch_file", path=review_file)
        assert not batch.error and "2 rows" in batch.texts[2]
        trained = agent.call("finetune_train")  # the tab's own example reviews
        assert not trained.error and "Done" in trained.texts[0]
        model = re.search(r"ft-[\w-]{16,}", trained.text).group()
        tuned = agent.call("sentiment_finetuned", text="The room was dirty and the staff rude.", model=model)
        assert not tuned.error and "fine-tuned in this session" in tuned.texts[1]
        cancelled = agent.call("finetune_cancel", key=model)
        assert not cancelled.error and "already" in cancelled.text
        translated = agent.call("translate", text="Good morning.")
        assert not translated.error and translated.texts[0].strip()
        attention = agent.call("attention", text="The cat sat on the mat.")
        assert not attention.error and "30 layers × 9 heads" in attention.text, attention.text[:300]
        lens = agent.call("logit_lens", prompt="The capital of France is")
        assert not lens.error and "Paris" in lens.text, lens.text[:300]
        compressed = agent.call("compression_compare", text=article, variants=["fp32"])  # fp32 alone: quick
        assert not compressed.error and "fp32" in compressed.text, compressed.text[:300]
    with urllib.request.urlopen(batch.texts[1], timeout=30) as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8"))))
    assert [r["sentiment_label"] for r in rows][0] == "positive"
    assert rows[1]["review"] == "'=HYPERLINK(\"x\")"  # a formula comes back as text


def test_mcp_refusals_are_messages_for_a_person(app_url):
    with agents(app_url) as (agent,):
        no_key = agent.call("save_index")
        assert no_key.error and "corpus_key" in no_key.text
        wrong = agent.call("run_search", query="anything", corpus_key="x" * 24)
        assert wrong.error and "Unknown or expired corpus key" in wrong.text
        empty = agent.call("ask", question="   ")
        assert empty.error and "Type a question" in empty.text
        too_long = agent.call("generate_score", text="word " * 5000)
        assert too_long.error and "the limit is 20,000" in too_long.text
        bad_history = agent.call("chat_send", message="Hi", history=[{"role": "robot", "content": "x"}])
        assert bad_history.error and "'robot' is not one of" in bad_history.text
        private = agent.call("sentiment_batch_file", path="http://127.0.0.1:9/reviews.csv")
        assert private.error and "only public http(s) addresses are fetched" in private.text
    for reply in (no_key, wrong, empty, too_long, bad_history, private):
        assert "Traceback" not in reply.text and "pydantic" not in reply.text.lower()


def test_two_mcp_clients_never_see_each_others_documents(app_url):
    with agents(app_url, 2) as (alice, bob):
        added = alice.call("add_documents", text=SECRET)
        alice_key = re.search(r'corpus_key="([\w-]+)"', added.text).group(1)
        assert "red binder" in alice.call("run_search", query=QUESTION, k=1, corpus_key=alice_key).text
        # nothing is kept in the one gradio session all MCP calls share: without her key, not even
        # Alice sees it, and Bob never does
        for agent in (alice, bob):
            assert "red binder" not in agent.call("run_search", query=QUESTION, k=20).text
            assert "red binder" not in agent.call("ask", question=QUESTION).text
        bob_added = bob.call("add_documents", text="Bob's notes: the tomatoes need water on Fridays.")
        bob_key = re.search(r'corpus_key="([\w-]+)"', bob_added.text).group(1)
        assert bob_key != alice_key and "1 of yours" in bob_added.text
        bob_search = bob.call("run_search", query=QUESTION, k=20, corpus_key=bob_key).text
        assert "red binder" not in bob_search and "tomatoes" in bob_search
        vegetables = alice.call("run_search", query="which vegetables need watering", k=20, corpus_key=alice_key)
        assert "Fridays" not in vegetables.text
    browser_like = Client(app_url, verbose=False)
    html, _, _ = browser_like.predict(QUESTION, 20, [], True, "", api_name="/search_query")
    assert "red binder" not in html and "Fridays" not in html


@pytest.mark.parametrize("tool,arguments", [("run_search", {"query": QUESTION, "k": 20}),
                                            ("ask", {"question": QUESTION})])
def test_a_gradio_session_s_documents_are_not_visible_over_mcp(app_url, tool, arguments, tmp_path):
    session = Client(app_url, verbose=False)
    session.predict(None, SECRET, True, "", api_name="/search_add_documents")
    html, _, _ = session.predict(QUESTION, 1, [], True, "", api_name="/search_query")
    assert "red binder" in html
    with agents(app_url) as (agent,):
        assert "red binder" not in agent.call(tool, **arguments).text
