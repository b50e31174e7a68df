"""The tabs as MCP tools: gradio's own MCP server (`launch(mcp_server=True)`), with one fix.

Two fixes to gradio 6.31's server, applied by `fix_gradio_mcp`:
- Outputs. With a progress token the server returns one content item per output; without one
  (what most clients send) it wraps the whole result in a one-element list, so a tool with several
  outputs answers with the Python repr of a tuple, and a tool that also updates a gr.State fails
  with "pop index out of range" (or returns nothing) when the server drops the State's slot from
  that list. The second way now collects the outputs as the first does, without notifications.
- Schemas. A tool's input schema keeps the `$defs` of a component's schema nested under its
  property, and drops some of them, while its `$ref`s point at the root: the server's own
  argument validation then fails ("PointerToNowhere") for a list of files. The `$defs` are moved
  to the root, and a `$ref` to a definition that no longer exists is dropped.

Which session an MCP call runs in, and what that means for its documents, is in demos/sessions.
"""
from gradio.mcp import GradioMCPServer


async def _outputs_without_progress(self, job) -> list:
    output = None
    async for update in job:
        if update.type == "output" and update.final:
            output = update.outputs
            if not update.success:
                title, message = output.get("title"), output.get("error")
                raise RuntimeError(": ".join(p for p in (title, message) if p) or "Error!")
    if job.exception():
        raise job.exception()
    return output["data"]


def resolvable(schema: dict) -> dict:
    """`schema` with every nested `$defs` moved to its root and dangling `$ref`s dropped."""
    defs: dict = {}

    def hoist(node):
        if isinstance(node, dict):
            defs.update(node.pop("$defs", None) or {})
            for value in node.values():
                hoist(value)
        elif isinstance(node, list):
            for value in node:
                hoist(value)

    def prune(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/") and ref[8:] not in defs:
                del node["$ref"]
            for value in node.values():
                prune(value)
        elif isinstance(node, list):
            for value in node:
                prune(value)

    hoist(schema)
    for value in list(defs.values()):
        hoist(value)
    prune(schema)
    prune(defs)
    return {**schema, "$defs": defs} if defs else schema


_input_schema = GradioMCPServer.get_input_schema


def _resolvable_input_schema(self, tool_name: str, parameters: dict | None = None):
    schema, filedata_positions = _input_schema(self, tool_name, parameters)
    return resolvable(schema), filedata_positions


def fix_gradio_mcp() -> None:
    GradioMCPServer._execute_tool_without_progress = _outputs_without_progress
    GradioMCPServer.get_input_schema = _resolvable_input_schema
