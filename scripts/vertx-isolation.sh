#!/usr/bin/env bash
# The Vert.x 5 isolation-under-load test (tether-libraries/vertx5, ServerIsolationTest) at REQUESTS
# requests (200000 by default; 3000 in CI), Tether's agent alone: scripts/isolation-million.sh
# with that server and configuration (it builds what it needs; see it for the other servers and
# agent configurations).
#   scripts/vertx-isolation.sh [REQUESTS]
# JDK: the java on the PATH, or $JAVA_HOME.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/isolation-million.sh" "${1:-200000}" --servers vertx --configs alone
