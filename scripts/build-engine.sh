#!/usr/bin/env bash
# Build and install the fast generation engine (llama-cpp-python, from PyPI's sdist) into the venv.
#   scripts/build-engine.sh [VENV]               build now (make engine / make test)
#   scripts/build-engine.sh [VENV] --background  build in the background at low priority, once
#                                                (make run: transformers serves until it is done)
# Progress: $VENV/llama-build.log; state for the app's banner: $VENV/llama-build.status
# ("building <epoch>" | "done <epoch>" | "failed <epoch>").
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${1:-.venv}"; MODE="${2:-}"
STATUS="$VENV/llama-build.status"; LOG="$VENV/llama-build.log"
if "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null; then
    echo "done $(date +%s)" > "$STATUS"; exit 0
fi
if [ "$MODE" = "--background" ]; then
    if [ -f "$STATUS" ] && grep -q '^building' "$STATUS" && [ -f "$VENV/llama-build.pid" ] \
            && kill -0 "$(cat "$VENV/llama-build.pid")" 2>/dev/null; then
        exit 0  # already building
    fi
    echo "building $(date +%s)" > "$STATUS"
    nohup nice -n 10 bash "$0" "$VENV" > /dev/null 2>&1 &
    echo $! > "$VENV/llama-build.pid"
    echo "Building llama.cpp in the background (log: $LOG); transformers serves until it is ready."
    exit 0
fi
PIDFILE="$VENV/llama-build.pid"
if [ -f "$PIDFILE" ] && [ "$(cat "$PIDFILE")" != "$$" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "Waiting for the background build of llama.cpp to finish (log: $LOG)"
    while kill -0 "$(cat "$PIDFILE")" 2>/dev/null; do sleep 5; done
    "$VENV/bin/python" -c "import llama_cpp" 2>/dev/null && exit 0
fi
echo "building $(date +%s)" > "$STATUS"
if ! command -v c++ >/dev/null || ! command -v cc >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "Installing a C/C++ compiler (Debian's g++) to build llama.cpp" | tee -a "$LOG"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq g++ >/dev/null; } \
        >> "$LOG" 2>&1 || { echo "failed $(date +%s)" > "$STATUS"; exit 1; }
fi
start=$(date +%s)
echo "Building llama-cpp-python from source (log: $LOG)"
if CMAKE_ARGS="-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DCMAKE_PROJECT_INCLUDE=$PWD/scripts/llama-cpp.cmake" \
   CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
   "$VENV/bin/python" -m pip install --no-binary llama-cpp-python -r requirements-engine.txt >> "$LOG" 2>&1; then
    echo "done $(date +%s)" > "$STATUS"
    echo "llama.cpp built in $(( $(date +%s) - start )) s" | tee -a "$LOG"
else
    echo "failed $(date +%s)" > "$STATUS"
    echo "llama.cpp failed to build after $(( $(date +%s) - start )) s; see $LOG" >&2
    exit 1
fi
