"""The launched app's API as a whole: every named endpoint has a gradio_client test, and the
same endpoints are offered as MCP tools."""
import json
import re
import urllib.request
from pathlib import Path

API_TESTS = Path(__file__).parent


def named_endpoints(client) -> list[str]:
    return list(client.view_api(print_info=False, return_format="dict")["named_endpoints"])


def test_every_tab_offers_endpoints(client):
    assert len(named_endpoints(client)) >= 6


def test_every_named_endpoint_has_a_client_test(client):
    called = set()
    for path in API_TESTS.glob("test_*_api.py"):
        called |= set(re.findall(r"""api_name\s*=\s*["'](/[\w]+)["']""", path.read_text()))
    missing = [name for name in named_endpoints(client) if name not in called]
    assert not missing, f"endpoints without a gradio_client test: {missing}"


def test_endpoints_are_mcp_tools(app_url, client):
    with urllib.request.urlopen(f"{app_url}gradio_api/mcp/schema", timeout=30) as response:
        tools = {tool["meta"]["endpoint_name"]: tool for tool in json.load(response)}
    for name in named_endpoints(client):
        assert name.strip("/") in tools, f"{name} is not an MCP tool"
        assert tools[name.strip("/")]["description"], f"{name} has no docstring to describe it"
