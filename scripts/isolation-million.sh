#!/usr/bin/env bash
# The million-request isolation runs: ServerIsolationTest on the JDK's HttpServer (tether-agent)
# and on Vert.x 5, a Netty-based server (tether-libraries/vertx5), each with its seeded fault mix,
# REQUESTS requests (1000000 by default; 3000 in `mvn verify`) in each agent configuration named:
# alone, otel-first, otel-last, ttl-first, ttl-last (all five by default). A run passes when no
# step saw another request's id, none was lost or answered wrongly, no resource was given two
# inits or destroyed twice or without an init, and afterwards no request's store was reachable.
# Prints, for each server and configuration, the test's line (requests, inits, destroys, faults),
# its time and its verdict; exits 1 if any failed. Builds what it needs first.
#   scripts/isolation-million.sh [REQUESTS] [--servers "jdk vertx"] [--configs "alone otel-first"]
# JDK: the java on the PATH, or $JAVA_HOME.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests="1000000"
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  requests="$1"
  shift
fi
servers="jdk vertx"
configs="alone otel-first otel-last ttl-first ttl-last"
while [ $# -gt 0 ]; do
  case "$1" in
    --servers) servers="$2"; shift 2 ;;
    --configs) configs="$2"; shift 2 ;;
    *) echo "isolation-million.sh: unknown argument '$1' (REQUESTS, --servers, --configs)" >&2; exit 2 ;;
  esac
done
for config in $configs; do
  case "$config" in
    alone|otel-first|otel-last|ttl-first|ttl-last) ;;
    *) echo "isolation-million.sh: unknown configuration '$config' (alone, otel-first, otel-last, ttl-first, ttl-last)" >&2; exit 2 ;;
  esac
done
for server in $servers; do
  case "$server" in
    jdk|vertx) ;;
    *) echo "isolation-million.sh: unknown server '$server' (jdk, vertx)" >&2; exit 2 ;;
  esac
done
cd "$root"
java -version 2>&1 | head -1
echo "requests: $requests; servers: $servers; configurations: $configs"
mvn -q -B -ntp -Dstyle.color=never install -DskipTests -Dpeer.agents.skip=false \
  -pl tether-core,tether-agent,tether-test-support,tether-libraries/vertx5 -am
failed=0
for server in $servers; do
  for config in $configs; do
    if [ "$server" = jdk ]; then
      module=tether-agent
      # The JDK server's failsafe executions are the boundary tests', one per configuration.
      execution=boundary-tests
      [ "$config" = alone ] || execution=boundary-tests-$config
    else
      module=tether-libraries/vertx5
      execution=$config
    fi
    log="$(mktemp)"
    start=$(date +%s)
    if mvn -B -ntp -Dstyle.color=never -pl "$module" -Dpeer.agents.skip=false \
        -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
        -Dit.test=ServerIsolationTest -Dtether.isolation.requests="$requests" \
        pre-integration-test "failsafe:integration-test@$execution" "failsafe:verify@$execution" \
        >"$log" 2>&1; then
      verdict=passed
    else
      verdict=FAILED
      failed=1
    fi
    seconds=$(( $(date +%s) - start ))
    echo "$server $config: $verdict in ${seconds} s"
    grep -E '^ServerIsolationTest: ' "$log" | sed 's/^/  /' || true
    if [ "$verdict" = FAILED ]; then
      grep -E '\[ERROR\]|Expecting|expected|lost|wrong' "$log" | head -40 | sed 's/^/  /'
    fi
    rm -f "$log"
  done
done
exit "$failed"
