#!/usr/bin/env bash
# Runs the HTTP example under load with Tether's agent recording a trace, then writes the HTML
# report, the Chrome-format export (open it in https://ui.perfetto.dev or chrome://tracing) and the
# tree view; then again with a JFR recording that has the request id on Tether's runs
# (jfrContext=requestId), and writes the per-request view (report --by requestId): the slowest
# requests' waterfalls and critical paths. Build first: mvn -q install -DskipTests
#   tether-examples/trace-http-example.sh [requests] [in-flight]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/tether-examples/target/trace"
mkdir -p "$out"
"$root/bin/tether" run --trace "$out/http.trace" -- "${JAVA:-java}" \
  -cp "$root/tether-examples/target/classes" io.tether.examples.LoadedServer "${1:-2000}" "${2:-16}"
"$root/bin/tether" report "$out/http.trace" -o "$out/http-report.html"
"$root/bin/tether" export "$out/http.trace" --format chrome -o "$out/http-trace.json"
"$root/bin/tether" export "$out/http.trace" --format tree -o "$out/http-tree.txt"
"$root/bin/tether" run --agent-options jfrContext=requestId -- "${JAVA:-java}" \
  "-XX:StartFlightRecording=filename=$out/http.jfr,settings=default" \
  -cp "$root/tether-examples/target/classes" io.tether.examples.LoadedServer "${1:-2000}" "${2:-16}"
"$root/bin/tether" report "$out/http.jfr" --by requestId -o "$out/http-requests.html"
echo "open $out/http-trace.json in https://ui.perfetto.dev or chrome://tracing"
