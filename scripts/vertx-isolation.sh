#!/usr/bin/env bash
# The large run of the Vert.x 5 isolation-under-load test (tether-libraries/vertx5,
# ServerIsolationTest): REQUESTS requests (200000 by default; 3000 in CI) through a real Vert.x
# HTTP server on 127.0.0.1, each through a timer, a blocking task, a future chain completed from a
# plain pool, an inner HTTP call and an event-bus request, every step checking its own request
# id; then no request's store may be reachable. Runs the failsafe execution "alone" (Tether's
# agent without a peer) only. Builds the agent first.
#   scripts/vertx-isolation.sh [REQUESTS]
# JDK: the java on the PATH, or $JAVA_HOME.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests="${1:-200000}"
cd "$root"
mvn -q -B -ntp install -DskipTests -pl tether-core,tether-agent,tether-test-support -am
mvn -B -ntp -pl tether-libraries/vertx5 \
  -Dit.test=ServerIsolationTest -Dtether.isolation.requests="$requests" \
  pre-integration-test failsafe:integration-test@alone failsafe:verify@alone
