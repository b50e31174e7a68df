"""Is the Hugging Face Hub reachable? Asked once per process, answered in at most ~2 s.

When it is not, HF_HUB_OFFLINE=1 is set so that huggingface_hub, transformers and
sentence-transformers read local files only instead of retrying for a minute.
Call `decide()` before importing them (app.py does so before importing gradio).
"""
import os
import socket
import sys
from functools import lru_cache

HUB_HOST = "huggingface.co"
TRUE = {"1", "true", "yes", "on"}


def _endpoint_host() -> tuple[str, int]:
    endpoint = os.environ.get("HF_ENDPOINT", f"https://{HUB_HOST}")
    host = endpoint.split("://", 1)[-1].split("/", 1)[0]
    name, _, port = host.partition(":")
    return name, int(port or (443 if endpoint.startswith("https") else 80))


@lru_cache(maxsize=1)
def decide(timeout: float = 2.0) -> bool:
    """True when the Hub may be used. Sets HF_HUB_OFFLINE=1 when it may not."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in TRUE:
        return False
    try:
        socket.create_connection(_endpoint_host(), timeout=timeout).close()
        return True
    except OSError:
        os.environ["HF_HUB_OFFLINE"] = "1"
        if "huggingface_hub" in sys.modules:  # imported already: its constant was read at import
            import huggingface_hub.constants as constants
            constants.HF_HUB_OFFLINE = True
        return False


def online() -> bool:
    return decide()
