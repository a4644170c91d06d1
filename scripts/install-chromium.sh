#!/usr/bin/env bash
# Installs headless Chromium (Debian package "chromium") for the HTML report's browser test, if
# neither chromium nor chromium-browser is on the PATH yet.
set -euo pipefail
if command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
exec "$(dirname "$0")/apt-install.sh" chromium chromium
