#!/usr/bin/env bash
# The README's promise to a new user, checked as one: installs tether-core from this clone into the
# local Maven repository (as the README says), makes a new Maven project in a temporary folder with
# the README's <dependency> block as its only dependency and the README's program (Hello) as its
# source, builds it, runs it, and compares what it prints with the output the README shows.
# Exits 1, naming the step, if any of that fails. Maven options are passed on to every mvn run,
# e.g. -Dmaven.repo.local=DIR.
#   scripts/readme-consumer.sh [MAVEN OPTIONS...]
# JDK: the java on the PATH, or $JAVA_HOME.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() {
  echo "readme-consumer: FAIL $*" >&2
  exit 1
}

# The block after a marker line (<!-- check: NAME --> or <!-- output: NAME -->), or the first block
# of a language: its lines between the fences.
block_after_marker() {
  awk -v marker="$1" '
    index($0, marker) { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$root/README.md"
}
first_block() {
  awk -v fence="$1" '
    !inside && $0 == fence { inside = 1; next }
    inside && /^```/ { exit }
    inside { print }' "$root/README.md"
}

dependency="$(first_block '```xml')"
[ -n "$dependency" ] || fail "the README has no xml block (the <dependency>)"
program="$(block_after_marker '<!-- check: readme-hello -->')"
[ -n "$program" ] || fail "the README has no block marked check: readme-hello"
expected="$(block_after_marker '<!-- output: readme-hello -->')"
[ -n "$expected" ] || fail "the README has no block marked output: readme-hello"

echo "readme-consumer: mvn install of tether-core (and its parent) from the clone"
(cd "$root" && mvn -q -B -ntp install -DskipTests -pl tether-core -am "$@") \
  || fail "mvn install in the clone"

mkdir -p "$work/src/main/java"
printf '%s\n' "$program" > "$work/src/main/java/Hello.java"
cat > "$work/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>readme-consumer</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
$dependency
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <!-- As a new project pins it (the JDK's Maven defaults to a compiler plugin older than
             maven.compiler.release). -->
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.13.0</version>
      </plugin>
    </plugins>
  </build>
</project>
POM

echo "readme-consumer: a new project with the README's dependency and program"
(cd "$work" && mvn -q -B -ntp package "$@") || fail "mvn package of the new project"
(cd "$work" && mvn -q -B -ntp dependency:build-classpath -Dmdep.outputFile=cp.txt "$@") \
  || fail "the new project's class path"
actual="$("$java" -cp "$work/target/classes:$(cat "$work/cp.txt")" Hello)" \
  || fail "java Hello exited with $?"
if [ "$actual" != "$expected" ]; then
  echo "expected:" >&2
  printf '%s\n' "$expected" >&2
  echo "printed:" >&2
  printf '%s\n' "$actual" >&2
  fail "Hello printed something else than the README shows"
fi
echo "readme-consumer: OK, Hello printed what the README shows:"
printf '%s\n' "$actual"
