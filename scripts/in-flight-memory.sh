#!/usr/bin/env bash
# The heap Tether holds a request in flight (io.tether.benchmarks.InFlightMemory): REQUESTS
# requests started and left waiting (a dependent stage of a future not yet complete, a task queued
# behind a busy worker), the live heap counted by a class histogram, without the agent ("none") and
# under Tether's agent with AsyncLocalStorage ("als") and with all hooks enabled, no-op ("hooks"),
# each in a fresh JVM; prints each mode's live bytes a request and the classes that grew, then
# Tether's bytes a request (a mode's minus none's).
#   scripts/in-flight-memory.sh [REQUESTS (10000)]
# JDK: the java on the PATH, or $JAVA_HOME/bin/java. Builds first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
requests="${1:-10000}"
case "$requests" in
  ''|*[!0-9]*|0) echo "usage: $0 [REQUESTS] (a positive integer); was: $*" >&2; exit 2 ;;
esac
(cd "$root" && mvn -q -B -ntp -Dstyle.color=never install -DskipTests -pl tether-benchmarks -am)
jar="$root/tether-benchmarks/target/benchmarks.jar"
agent="$root/tether-benchmarks/target/agents/tether-agent.jar"
echo "# in-flight memory: $("$java" -version 2>&1 | head -1); $requests requests in flight"
declare -A perRequest
for mode in none als hooks; do
  args=()
  [ "$mode" = none ] || args=("-javaagent:$agent")
  out="$("$java" "${args[@]}" -cp "$jar" io.tether.benchmarks.InFlightMemory "$mode" "$requests")"
  echo "$out"
  perRequest[$mode]="$(echo "$out" | sed -n 's/.*: \([0-9.]*\) bytes a request$/\1/p')"
done
for mode in als hooks; do
  awk -v m="$mode" -v a="${perRequest[$mode]}" -v n="${perRequest[none]}" \
    'BEGIN { printf "Tether (%s): %.1f bytes a request in flight (%.1f with the agent, %.1f without)\n", m, a - n, a, n }'
done
