"""LLM Lab: `python app.py [--host H] [--port P] [--share] [--no-mcp]`."""
import argparse
import importlib
import logging
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
from demos import header, i18n, mcp, sessions, validate, widgets  # noqa: E402
from demos.widgets import Session, end_session, give_way, one_status_box  # noqa: E402

FILES_KEPT_S = int(os.environ.get("LLMLAB_FILES_KEPT", 3600))  # uploads and results of API sessions
MAX_UPLOAD = "20mb"  # the largest file any tab takes (Sentiment's batch files)


def tab_modules() -> list:
    return [importlib.import_module(f"demos.{name}") for name in demos.TABS]


def build_app() -> gr.Blocks:
    mcp.fix_gradio_mcp()
    with validate.Blocks(title="LLM Lab", delete_cache=(min(600, FILES_KEPT_S), FILES_KEPT_S)) as demo:
        header.build(demo)
        session = Session.make()
        for module in tab_modules():
            with gr.Tab(module.TITLE):
                module.build(session)
        for box in [b for b in demo.blocks.values() if isinstance(b, gr.File)]:
            box.upload(sessions.FILES.track_upload, box, None, api_visibility="private", queue=False,
                       show_progress="hidden")
        demo.unload(end_session)  # a closed tab's fine-tuned models,
        demo.unload(sessions.end_session)  # and its files and documents, go at once
    validate.check_limits(demo)
    one_status_box(demo)
    i18n.plain_examples(demo)
    give_way(demo)
    return demo


def launch_kwargs() -> dict:
    css = "\n".join([header.CSS, widgets.CSS] + [getattr(m, "CSS", "") for m in tab_modules()])
    # show_error=False: the messages people see are gr.Error (UserError); nothing else leaks
    return {"css": css, "show_error": False, "max_file_size": MAX_UPLOAD, "i18n": i18n.I18N, "js": i18n.LOAD_JS}


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


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, or None. The port is tried the way the server
    binds it (SO_REUSEADDR, as uvicorn and gradio do), so the TIME_WAIT sockets a killed run leaves
    behind do not block a restart; "in use" is said only when something is listening there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            return None
        except OSError as err:
            bind_error = err
    with socket.socket(family) as probe:
        probe.settimeout(1)
        listening = probe.connect_ex(("::1" if family == socket.AF_INET6 and host == "::" else
                                      "127.0.0.1" if host == "0.0.0.0" else host, port)) == 0
    if listening:
        return (f"Port {port} on {host} is already in use (another LLM Lab?). Stop that process or "
                f"choose another port: python app.py --port {port + 1}")
    return f"Cannot listen on {host}:{port}: {bind_error.strerror or bind_error}."


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")  # what loads, what is built
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    problem = port_problem(args.host, args.port)
    if problem:
        sys.exit(problem)
    demo = build_app()
    demo.queue(default_concurrency_limit=2).launch(
        server_name=args.host, server_port=args.port, share=args.share, mcp_server=args.mcp,
        prevent_thread_lock=True, **launch_kwargs())
    if args.warm_up:  # after launch, so that the page is served while the models load
        loader.warm_up()
    demo.block_thread()


if __name__ == "__main__":
    main()
