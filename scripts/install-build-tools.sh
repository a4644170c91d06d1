#!/usr/bin/env bash
# Installs gcc, which tether-examples needs to build its JNI example's native library, if it is
# not on the PATH yet.
set -euo pipefail
exec "$(dirname "$0")/apt-install.sh" gcc gcc libc6-dev
