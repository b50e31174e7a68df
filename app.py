"""LLM Lab: `python app.py [--host H] [--port P] [--share] [--no-mcp]`."""
import argparse
import importlib
import os
import socket
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from core.runtime import hub  # noqa: E402  (decides offline mode before gradio imports huggingface_hub)

hub.decide()

import gradio as gr  # noqa: E402

import demos  # noqa: E402
from core.runtime import loader  # noqa: E402
from demos import header  # noqa: E402
from demos.widgets import Session, end_session, finetuned_state  # noqa: E402


def tab_modules() -> list:
    return [importlib.import_module(f"demos.{name}") for name in demos.TABS]


def build_app() -> gr.Blocks:
    with gr.Blocks(title="LLM Lab") as demo:
        header.build(demo)
        session = Session(corpus=gr.State(None), finetuned=finetuned_state())
        for module in tab_modules():
            with gr.Tab(module.TITLE):
                module.build(session)
        demo.unload(end_session)
    return demo


def launch_kwargs() -> dict:
    css = "\n".join(getattr(m, "CSS", "") for m in tab_modules())
    return {"css": css, "show_error": True}


def parse_args(argv=None) -> argparse.Namespace:
    env = os.environ.get
    truthy = {"1", "true", "yes", "on"}
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=env("LLMLAB_HOST") or env("GRADIO_SERVER_NAME") or "127.0.0.1",
                        help="address to serve on (0.0.0.0 for the network); env LLMLAB_HOST")
    parser.add_argument("--port", type=int,
                        default=int(env("LLMLAB_PORT") or env("GRADIO_SERVER_PORT") or 7860),
                        help="port; env LLMLAB_PORT")
    parser.add_argument("--share", action="store_true", default=env("LLMLAB_SHARE", "").lower() in truthy,
                        help="also serve on a public gradio.live link; env LLMLAB_SHARE=1")
    parser.add_argument("--no-mcp", dest="mcp", action="store_false",
                        default=env("LLMLAB_MCP", "1").lower() in truthy,
                        help="do not serve the tabs as MCP tools; env LLMLAB_MCP=0")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="load models on first use instead of in the background at start")
    return parser.parse_args(argv)


def port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
            return True
        except OSError:
            return False


def main(argv=None) -> None:
    args = parse_args(argv)
    if not port_free(args.host, args.port):
        sys.exit(f"Port {args.port} on {args.host} is already in use (another LLM Lab?). "
                 f"Stop that process or choose another port: python app.py --port {args.port + 1}")
    demo = build_app()
    demo.queue(default_concurrency_limit=2).launch(
        server_name=args.host, server_port=args.port, share=args.share, mcp_server=args.mcp,
        prevent_thread_lock=True, **launch_kwargs())
    if args.warm_up:  # after launch, so that the page is served while the models load
        loader.warm_up()
    demo.block_thread()


if __name__ == "__main__":
    main()
