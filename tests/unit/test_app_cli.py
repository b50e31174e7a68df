import socket
import subprocess
import sys
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[2]


def test_flags_and_environment(monkeypatch):
    monkeypatch.setenv("LLMLAB_PORT", "9001")
    monkeypatch.setenv("LLMLAB_SHARE", "1")
    args = app.parse_args([])
    assert (args.port, args.share, args.mcp) == (9001, True, True)
    args = app.parse_args(["--port", "9002", "--host", "0.0.0.0", "--no-mcp"])
    assert (args.port, args.host, args.mcp) == (9002, "0.0.0.0", False)


def test_port_in_use_is_a_clear_message_not_a_traceback():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        run = subprocess.run([sys.executable, "app.py", "--port", str(port), "--no-warm-up"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    assert f"Port {port}" in run.stderr and "already in use" in run.stderr
    assert "Traceback" not in run.stderr
