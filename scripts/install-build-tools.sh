#!/usr/bin/env bash
# Installs gcc (Debian package "gcc"), which tether-examples needs to build its JNI example's
# native library, if it is not installed yet. Needs root or sudo; does nothing when gcc is present.
set -euo pipefail
if command -v gcc >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq gcc libc6-dev >/dev/null
command -v gcc >/dev/null 2>&1
