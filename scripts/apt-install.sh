#!/usr/bin/env bash
# apt-install.sh COMMAND PACKAGE...: installs the Debian PACKAGEs unless COMMAND is already on the
# PATH. Needs root or sudo.
set -euo pipefail
command="$1"
shift
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "$@" >/dev/null
command -v "$command" >/dev/null 2>&1
