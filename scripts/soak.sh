#!/usr/bin/env bash
# The soak: the HTTP overhead server under Tether's agent (an AsyncLocalStorage per request and a
# hook counting resources) driven by wrk on 127.0.0.1 for MINUTES (10 by default), reporting the
# heap after GC, the resources alive and the requests served every minute. Exits 1 if the heap
# after GC grew (more than 10% or 8 MB) or a request saw another's id. Installs wrk, builds the
# project; stops every process it started.
# --flight adds the agent's flight recording (flight=2m, flightSlow=requestId:1s) and checks that
# the server's resident memory and the recording on disk stay bounded.
#   scripts/soak.sh [MINUTES] [--interval-seconds 60] [--connections 32] [--flight]
# JDK: the java on the PATH, or $JAVA_HOME/bin/java.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
minutes="10"
if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then
  minutes="$1"
  shift
fi
bash "$root/scripts/apt-install.sh" wrk wrk
(cd "$root" && mvn -q -B -ntp -Dstyle.color=never install -DskipTests -Dpeer.agents.skip=false -pl tether-benchmarks -am)
exec "$java" -cp "$root/tether-benchmarks/target/benchmarks.jar" \
  io.tether.benchmarks.HttpSoakRunner --minutes "$minutes" "$@"
