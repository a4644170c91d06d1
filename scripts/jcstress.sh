#!/usr/bin/env bash
# The long run of Tether's jcstress tests (tether-jcstress): every test of Tether's own classes in
# the jcstress mode MODE ("default" unless given: 5 iterations of 1 s per JVM configuration; also
# "sanity", "quick", "tough", "stress"), with every JVM configuration jcstress detects (the
# interpreter, C1, C2 and C2 with its stress options; each actor compiled apart; biased locking on
# and off where the JDK has it). mvn verify runs a short mode of the same tests and of their broken
# twins (JcstressIT).
#   scripts/jcstress.sh [MODE [JCSTRESS-OPTION...]]
# The options go to jcstress as they are: "-sc false" compiles the actors together (a third of the
# configurations, so a third of the time); "-t 'Broken$'" runs the broken twins, which must all
# fail. Output in tether-jcstress/target/jcstress-MODE/: jcstress.log, the HTML report, and
# summary.txt (the JDK, the settings and the results, with paths relative to the repository).
# Exits 1 if a test failed. JDK: the java on the PATH, or $JAVA_HOME.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-default}"
shift || true
case "$mode" in
  sanity | quick | default | tough | stress) ;;
  *)
    echo "jcstress.sh: unknown mode '$mode' (sanity, quick, default, tough or stress)" >&2
    exit 2
    ;;
esac
options=("$@")
if [[ " ${options[*]-} " != *" -t "* ]]; then
  options+=(-t '^io\.tether\.(?!.*Broken$)')
fi
work="$root/tether-jcstress/target/jcstress-$mode"
cd "$root"
mvn -q -B -ntp install -DskipTests -Dspotless.check.skip=true -pl tether-jcstress -am
rm -rf "$work"
mkdir -p "$work"
(cd tether-jcstress && mvn -q -B -ntp dependency:build-classpath \
  -Dmdep.outputFile="$work/classpath.txt" -Dmdep.includeScope=runtime)
java="java"
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
fi
classpath="$root/tether-jcstress/target/classes:$(cat "$work/classpath.txt")"
status=0
(cd "$work" && "$java" -cp "$classpath" org.openjdk.jcstress.Main -m "$mode" "${options[@]}" -r report) >"$work/jcstress.log" 2>&1 \
  || status=$?
# The results of every test with its outcome counts (jcstress re-reading its result file), then
# a summary: the JDK, the settings and those results, without this machine's paths.
blob="$(ls "$work"/jcstress-results-*.bin.gz 2>/dev/null | tail -1)"
if [ -n "$blob" ]; then
  (cd "$work" && "$java" -cp "$classpath" org.openjdk.jcstress.Main -p "$blob" -v -r report) \
    >"$work/results.txt" 2>&1 || true
fi
{
  echo "scripts/jcstress.sh $mode ${options[*]}: $(date -u '+%Y-%m-%d %H:%M UTC'), exit status $status"
  "$java" -version 2>&1
  echo
  echo "JVM configurations:"
  grep -E '^----- \[(OK|N/A)\] \[' "$work/jcstress.log" || true
  sed -n -e '/^  Test configuration:/,/^ *Test result blob:/p' "$work/jcstress.log"
  grep -E '^\(Results: ' "$work/jcstress.log" | tail -1
  echo
  sed -n -e '/^RUN RESULTS:/,/HTML report generated/p' "$work/results.txt" 2>/dev/null \
    | grep -v 'HTML report generated'
} | sed -e "s|$root|.|g" -e "s|$HOME|~|g" >"$work/summary.txt"
cat "$work/summary.txt"
exit "$status"
