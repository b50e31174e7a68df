"""Real MCP clients for the tests: the `mcp` SDK's streamable-HTTP client, one session each."""
import asyncio
import base64
import concurrent.futures
import contextlib
import threading
from dataclasses import dataclass

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


@dataclass
class Reply:
    error: bool
    texts: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


class Agent:
    """One MCP client session, called synchronously from a test; it runs on its own event loop."""

    def __init__(self, session: ClientSession, loop: asyncio.AbstractEventLoop):
        self.session, self.loop = session, loop

    def _run(self, coroutine, timeout: float = 900):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def call(self, tool: str, **arguments) -> Reply:
        result = self._run(self.session.call_tool(tool, arguments))
        return Reply(bool(result.isError), [getattr(c, "text", "") for c in result.content])

    def tools(self) -> dict:
        return {tool.name: tool for tool in self._run(self.session.list_tools()).tools}


@contextlib.contextmanager
def agents(app_url: str, count: int = 1):
    """`count` separate MCP client sessions to the app's MCP server. They are opened and closed
    in one task of a loop in its own thread (anyio's rule for the SDK's task groups)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    ready: concurrent.futures.Future = concurrent.futures.Future()

    async def hold():
        done = asyncio.Event()
        async with contextlib.AsyncExitStack() as stack:
            sessions = []
            for _ in range(count):
                read, write, _ = await stack.enter_async_context(
                    streamable_http_client(f"{app_url}gradio_api/mcp/"))
                session = await stack.enter_async_context(ClientSession(read, write))
                await session.initialize()
                sessions.append(session)
            ready.set_result((sessions, done))
            await done.wait()

    held = asyncio.run_coroutine_threadsafe(hold(), loop)
    try:
        sessions, done = ready.result(timeout=120)
    except concurrent.futures.TimeoutError:
        held.result(timeout=1)  # its error, if connecting failed
        raise
    try:
        yield [Agent(s, loop) for s in sessions]
    finally:
        loop.call_soon_threadsafe(done.set)
        held.result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def data_url(content: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"
