#!/usr/bin/env bash
# The HTTP experiment's request path without the network (io.tether.benchmarks.RequestPathCost):
# a new task object to a fixed handler pool, supplyAsync to a worker pool, a dependent stage that
# reads the request id, 64 requests in flight. Runs it without the agent ("none"), and under
# Tether's agent with AsyncLocalStorage ("als") and with all hooks enabled, no-op ("hooks"), in
# fresh JVMs, alternated, REPS times; prints each process's median CPU per request, then per mode
# the median over processes, Tether's added CPU per request and the ratio none / mode.
#   scripts/request-path.sh [--vertx] [--jfr | --trace] [REPS (5)] [REQUESTS per round (1000000)] [ROUNDS per process (5)]
# --vertx: the Vert.x server's request path instead (io.tether.benchmarks.VertxRequestPathCost:
# runOnContext on an event loop, executeBlocking to the worker pool, a map stage that reads the id).
# --jfr: the modes none, als and, with a JFR recording of the default settings running in the
# process, jfr-jdk (the agent as for als), jfr (the agent's jfrContext=requestId: Tether's events
# too), jfr-nostack (the same, io.tether.Init without stack traces) and flight (the agent's
# flight=2m: the flight recorder, which keeps the last two minutes of Tether's events and the JDK's
# in JFR's repository, Init without stack traces; nothing dumped).
# --trace: the modes none, als and trace (the agent as for als, recording Tether's trace format with
# trace=FILE, a file in a temporary directory, deleted after each process).
# JDK: the java on the PATH, or $JAVA_HOME/bin/java. Builds first. With TETHER_BEFORE=JAR (another
# build of the agent, e.g. of an earlier commit: a change measured before/after in one run) the
# modes als-before and hooks-before (with --trace: trace-before) run that agent, alternated with
# the others.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
harness=RequestPathCost
if [ "${1:-}" = --vertx ]; then
  harness=VertxRequestPathCost
  shift
fi
jfr=
trace=
if [ "${1:-}" = --jfr ]; then
  jfr=1
  shift
elif [ "${1:-}" = --trace ]; then
  trace=1
  shift
fi
reps="${1:-5}"
requests="${2:-1000000}"
rounds="${3:-5}"
for n in "$reps" "$requests" "$rounds"; do
  case "$n" in
    ''|*[!0-9]*) echo "usage: $0 [REPS] [REQUESTS] [ROUNDS] (positive integers); was: $*" >&2
      exit 2 ;;
  esac
done

(cd "$root" && mvn -q -B -ntp -Dstyle.color=never install -DskipTests -Dpeer.agents.skip=false -pl tether-benchmarks -am)
jar="$root/tether-benchmarks/target/benchmarks.jar"
agent="$root/tether-benchmarks/target/agents/tether-agent.jar"
echo "# request path ($harness): $("$java" -version 2>&1 | head -1); $reps processes a mode, $rounds rounds of $requests requests each (first a warm-up)"

modes="none als hooks"
[ -z "$jfr" ] || modes="none als jfr-jdk jfr jfr-nostack flight"
[ -z "$trace" ] || modes="none als trace"
if [ -n "${TETHER_BEFORE:-}" ]; then
  [ -f "$TETHER_BEFORE" ] || { echo "TETHER_BEFORE: no such agent jar: $TETHER_BEFORE" >&2; exit 2; }
  modes="none als als-before hooks hooks-before"
  [ -z "$trace" ] || modes="none als trace trace-before"
fi
results="$(mktemp)"
traces="$(mktemp -d)"
trap 'rm -f "$results"; rm -rf "$traces"' EXIT
for rep in $(seq 1 "$reps"); do
  for mode in $modes; do
    args=()
    case "$mode" in
      none) ;;
      trace-before) args=("-javaagent:$TETHER_BEFORE=trace=$traces/run.trace") ;;
      trace) args=("-javaagent:$agent=trace=$traces/run.trace") ;;
      *-before) args=("-javaagent:$TETHER_BEFORE") ;;
      jfr|jfr-nostack) args=("-javaagent:$agent=jfrContext=requestId") ;;
      flight) args=("-javaagent:$agent=flight=2m,flightDir=$traces") ;;
      *) args=("-javaagent:$agent") ;;
    esac
    # The harness knows none, als, hooks and the JFR modes; a trace run is als under the recorder.
    harness_mode="${mode%-before}"
    [ "$harness_mode" != trace ] && [ "$harness_mode" != flight ] || harness_mode=als
    line="$("$java" -Xms512m -Xmx512m -XX:+UseG1GC "${args[@]}" -cp "$jar" \
      "io.tether.benchmarks.$harness" "$harness_mode" "$requests" "$rounds" 2>/dev/null \
      | tail -1)"
    rm -rf "${traces:?}"/*
    ns="$(echo "$line" | awk '{print $2}')"
    mismatches="$(echo "$line" | awk '{print $NF}')"
    echo "process $rep $mode: $ns ns CPU/request, mismatches $mismatches"
    [ "$mismatches" = 0 ] || { echo "a stage saw another request's id" >&2; exit 1; }
    echo "$mode $ns" >> "$results"
  done
done

median() { grep "^$1 " "$results" | awk '{print $2}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
none="$(median none)"
echo "| mode | CPU per request (median) | added by Tether | ratio |"
echo "|---|---:|---:|---:|"
for mode in $modes; do
  m="$(median "$mode")"
  awk -v m="$m" -v n="$none" -v mode="$mode" \
    'BEGIN {printf "| %s | %d ns | %+d ns | %.2f |\n", mode, m, m - n, n / m}'
done
