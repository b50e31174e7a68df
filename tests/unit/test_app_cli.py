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


def time_wait_port() -> int:
    """A port whose only trace is a TIME_WAIT socket, as a killed server leaves behind: the
    server side closes an accepted connection first, then stops listening."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # active close: this side goes to TIME_WAIT
        client.recv(1)
        client.close()
    return port


def test_a_port_held_only_by_time_wait_sockets_is_free_for_a_restart():
    port = time_wait_port()
    with socket.socket() as naive:  # the old check: bind without SO_REUSEADDR fails here
        try:
            naive.bind(("127.0.0.1", port))
            naive_ok = True
        except OSError:
            naive_ok = False
    assert not naive_ok, "no TIME_WAIT socket was left to test against"
    assert app.port_problem("127.0.0.1", port) is None


def test_only_a_listening_socket_is_reported_as_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert "already in use" in app.port_problem("127.0.0.1", port)
    assert app.port_problem("127.0.0.1", port) is None
    problem = app.port_problem("192.0.2.1", port)  # an address this machine does not have
    assert problem.startswith("Cannot listen on 192.0.2.1") and "in use" not in problem
