#!/usr/bin/env bash
# Fuzzes each of Tether's fuzz targets (the @FuzzTest methods of tether-trace, tether-opentelemetry
# and tether-agent) with Jazzer for SECONDS each (120 by default): the trace reader on any bytes
# and on any records in valid blocks, TetherPropagation's incoming traceparent/tracestate/baggage,
# the agent's options, the links files' parser. Each target starts from its kept inputs
# (src/test/resources/.../<Class>Inputs/<method>/, which mvn verify runs as regression tests) and
# from the corpus of earlier runs (MODULE/target/fuzz-corpus/), with Jazzer's sanitizer hooks on.
# A crash stops its target; its input is copied into the kept inputs (crash-<hash>), so that once
# fixed it stays a regression test. Exits 1 if any target crashed. Prints, per target, the runs
# and seconds Jazzer reports.
#   scripts/fuzz.sh [SECONDS]
# Runs Jazzer's own driver on the module's test class path (the fuzzing mode of JUnit, JAZZER_FUZZ=1,
# takes its duration from the annotation only). Maven options in $MVN_ARGS (e.g. -o).
# JDK: the java on the PATH, or $JAVA_HOME.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-120}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: SECONDS must be a whole number of seconds above 0, was '$seconds'" >&2
  exit 2
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
cd "$root"
# shellcheck disable=SC2086
mvn -q -B -ntp ${MVN_ARGS:-} install -DskipTests -pl tether-trace,tether-opentelemetry,tether-agent -am

targets=(
  "tether-trace io.tether.trace.TraceFuzzTest read_anyBytes"
  "tether-trace io.tether.trace.TraceFuzzTest read_anyRecordsInValidBlocks"
  "tether-opentelemetry io.tether.opentelemetry.TetherPropagationFuzzTest call_anyHeaders"
  "tether-agent io.tether.agent.AgentOptionsFuzzTest parse_anyString"
  "tether-agent io.tether.agent.LinksFuzzTest parse_anyText"
)
summary=()
crashed=0
for target in "${targets[@]}"; do
  read -r module class method <<<"$target"
  classpath_file="$root/$module/target/fuzz-classpath.txt"
  if [[ ! -f "$classpath_file" ]]; then
    # shellcheck disable=SC2086
    mvn -q -B -ntp ${MVN_ARGS:-} -pl "$module" dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"
  fi
  package_dir="${class%.*}"
  package_dir="${package_dir//.//}"
  simple="${class##*.}"
  inputs="$root/$module/src/test/resources/$package_dir/${simple}Inputs/$method"
  corpus="$root/$module/target/fuzz-corpus/$simple/$method"
  findings="$root/$module/target/fuzz-findings/$simple/$method"
  mkdir -p "$inputs" "$corpus" "$findings"
  log="$root/$module/target/fuzz-findings/$simple-$method.log"
  echo "fuzz.sh: $simple#$method for $seconds s (log: ${log#"$root"/})" >&2
  status=0
  (cd "$findings" && "$java" -Xmx1g \
    -cp "$root/$module/target/test-classes:$root/$module/target/classes:$(cat "$classpath_file")" \
    com.code_intelligence.jazzer.Jazzer \
    --target_class="$class" --target_method="$method" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=3072 \
    -artifact_prefix="$findings/" "$corpus" "$inputs") >"$log" 2>&1 || status=$?
  done_line="$(grep -a -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
  if [[ $status -ne 0 ]]; then
    crashed=1
    for crash in "$findings"/crash-* "$findings"/timeout-* "$findings"/oom-*; do
      [[ -f "$crash" ]] && cp "$crash" "$inputs/"
    done
    summary+=("$simple#$method: FOUND A PROBLEM (exit $status; input kept in ${inputs#"$root"/}; see ${log#"$root"/})")
  else
    summary+=("$simple#$method: ${done_line:-no run count in the log}, nothing found")
  fi
done
printf '%s\n' "${summary[@]}"
exit "$crashed"
