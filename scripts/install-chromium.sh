#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright drives it; `playwright install` cannot
# download a browser on an offline machine).
set -euo pipefail
if [ -x "${LLMLAB_CHROMIUM:-/usr/bin/chromium}" ]; then exit 0; fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
