#!/usr/bin/env bash
# The project's own virtual environment, made with the system Python (pip on a stock Debian/Ubuntu
# Python refuses to install into the system: PEP 668). Debian splits venv support into the
# python3-venv package; it is installed when missing.
set -euo pipefail
PYTHON="${1:-python3}"; VENV="${2:-.venv}"
if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    if command -v apt-get >/dev/null; then
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
        echo "Installing Debian's python3-venv (needed to make $VENV)"
        $SUDO apt-get update -qq
        version="$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "python$version-venv" >/dev/null \
            || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
        "$PYTHON" -m venv "$VENV"
    else
        echo "$PYTHON cannot make a virtual environment; install your system's venv package" >&2
        exit 1
    fi
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
