#!/usr/bin/env bash
# The release layout: deploys every published module with the release profile into a local file
# repository, target/release-repo, and checks it against Maven Central's rules. For each published
# artifact: a pom with name, description, url, licenses, scm and developers (url, licenses, scm and
# developers may come from a parent that is itself in the layout); the jar, -sources.jar and
# -javadoc.jar (a pom-packaging module: only the pom); .md5 and .sha1 files that match; and .asc
# signatures when signing ran (any .asc in the layout). The published artifacts are tether-parent,
# tether-bom and the modules tether-bom lists; anything else in the layout is a violation too.
# tether-cli's jar must also run alone (java -jar, `version`), carry the agent, and have a pom
# that does not list what it carries.
# Prints one line per artifact; exits 1 at the first violation, with a one-line reason.
# The repository's id is release-layout, not local: Maven keeps a remote repository's metadata in
# the local repository as maven-metadata-ID.xml, and with the id local that file is the local
# repository's own maven-metadata-local.xml, which a snapshot deploy would corrupt.
#   scripts/release-layout.sh [--check-only] [MAVEN OPTIONS...]
# --check-only checks the layout already in target/release-repo. Maven options are passed on, e.g.
# -Dgpg.keyname=KEY to sign, -Dmaven.repo.local=DIR. Tests are skipped (-DskipTests): this checks
# the layout, mvn verify checks the code. Not part of mvn verify (it builds the jars again).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$root/target/release-repo"
check_only=false
if [ "${1:-}" = "--check-only" ]; then
  check_only=true
  shift
fi

fail() {
  echo "FAIL $*"
  exit 1
}

# The published modules: tether-bom lists them (besides itself and the parent).
published=(tether-parent tether-bom)
while read -r a; do
  published+=("$a")
done < <(grep -o '<artifactId>tether-[a-z0-9-]*</artifactId>' "$root/tether-bom/pom.xml" \
  | sed 's/<[^>]*>//g' | grep -vx 'tether-bom' | sort -u)

if ! $check_only; then
  rm -rf "$repo"
  mkdir -p "$root/target"
  modules="$(printf ':%s,' "${published[@]}")"
  (cd "$root" && mvn -B -ntp -Dstyle.color=never deploy -Prelease -DskipTests \
    -DaltDeploymentRepository="release-layout::file://$repo" -pl "${modules%,}" -am "$@") \
    > "$root/target/release-layout.log" 2>&1 \
    || fail "mvn deploy -Prelease failed: see target/release-layout.log"
fi
[ -d "$repo/io/tether" ] || fail "no layout in $repo"

# The pom's text on one line, without comments, and without the blocks whose children could be
# mistaken for the project's own elements (a dependency's name, a plugin's url, a profile's ...).
flat_pom() {
  tr '\n\r\t' '   ' < "$1" \
    | sed -e 's/<!--/\x01/g' -e 's/-->/\x02/g' -e 's/\x01[^\x02]*\x02//g'
}
top_level() {
  sed -e 's|<profiles>.*</profiles>||' -e 's|<build>.*</build>||' \
    -e 's|<dependencyManagement>.*</dependencyManagement>||' \
    -e 's|<dependencies>.*</dependencies>||' -e 's|<parent>.*</parent>||' \
    -e 's|<properties>.*</properties>||' -e 's|<modules>.*</modules>||' \
    -e 's|<licenses>.*</licenses>||' -e 's|<developers>.*</developers>||' \
    -e 's|<scm[ >].*</scm>||' -e 's|<organization>.*</organization>||'
}
block() { # block TAG: the first <TAG>...</TAG> of the flat pom on stdin
  grep -o "<$1[ >].*</$1>" | head -1 || true
}
has() { # has TAG: a non-empty <TAG>text</TAG> on stdin
  grep -q "<$1>[^<]*[^<[:space:]][^<]*</$1>"
}

# check_meta POM ELEMENT: ELEMENT in POM, or in the pom of its parent in the layout.
check_meta() {
  local pom="$1" what="$2" flat top ok=false
  flat="$(flat_pom "$pom")"
  top="$(top_level <<< "$flat")"
  case "$what" in
    name | description | url) has "$what" <<< "$top" && ok=true ;;
    licenses) block licenses <<< "$flat" | block license | has name \
      && block licenses <<< "$flat" | block license | has url && ok=true ;;
    scm) block scm <<< "$flat" | has connection && block scm <<< "$flat" | has url && ok=true ;;
    developers) block developers <<< "$flat" | block developer | grep -q '<\(name\|id\)>' \
      && ok=true ;;
  esac
  $ok && return 0
  case "$what" in name | description) return 1 ;; esac
  local parent pa pv ppom
  parent="$(block parent <<< "$flat")"
  [ -n "$parent" ] || return 1
  pa="$(grep -o '<artifactId>[^<]*</artifactId>' <<< "$parent" | sed 's/<[^>]*>//g')"
  pv="$(grep -o '<version>[^<]*</version>' <<< "$parent" | sed 's/<[^>]*>//g')"
  ppom="$(ls "$repo/io/tether/$pa/$pv/"*.pom 2>/dev/null | head -1 || true)"
  [ -n "$ppom" ] || return 1
  check_meta "$ppom" "$what"
}

# check_file FILE: present, non-empty, with matching .md5 and .sha1, and .asc when signing ran.
check_file() {
  local f="$1"
  [ -s "$f" ] || { reason="missing $(basename "$f")"; return 1; }
  local sum
  for sum in md5 sha1; do
    [ -s "$f.$sum" ] || { reason="missing $(basename "$f").$sum"; return 1; }
    [ "$(awk '{print $1}' "$f.$sum")" = "$(${sum}sum "$f" | awk '{print $1}')" ] \
      || { reason="$(basename "$f").$sum does not match"; return 1; }
  done
  if $signed; then
    [ -s "$f.asc" ] || { reason="missing $(basename "$f").asc"; return 1; }
  fi
  return 0
}

signed=false
if [ -n "$(find "$repo" -name '*.asc' -print -quit)" ]; then
  signed=true
fi

# Nothing in the layout that is not published.
for dir in "$repo"/io/tether/*/; do
  a="$(basename "$dir")"
  printf '%s\n' "${published[@]}" | grep -qx "$a" || fail "io.tether:$a is in the layout but is not published"
done

count=0
for a in "${published[@]}"; do
  vdir="$(ls -d "$repo/io/tether/$a"/*/ 2>/dev/null | head -1 || true)"
  [ -n "$vdir" ] || fail "io.tether:$a: not in the layout"
  version="$(basename "$vdir")"
  # The newest pom of the version folder (a snapshot's names carry a timestamp).
  pom="$(ls "$vdir"*.pom 2>/dev/null | sort | tail -1 || true)"
  [ -n "$pom" ] || fail "io.tether:$a:$version: no pom"
  base="${pom%.pom}"
  gav="io.tether:$a:$version"
  for what in name description url licenses scm developers; do
    check_meta "$pom" "$what" || fail "$gav: the pom has no $what"
  done
  files=("$pom")
  kinds="pom"
  if ! top_level <<< "$(flat_pom "$pom")" | grep -q '<packaging>pom</packaging>'; then
    files+=("$base.jar" "$base-sources.jar" "$base-javadoc.jar")
    kinds="jar, sources, javadoc, pom"
  fi
  reason=""
  for f in "${files[@]}"; do
    check_file "$f" || fail "$gav: $reason"
  done
  if [ "${#files[@]}" -gt 1 ]; then
    listing="$(unzip -Z1 "$base-javadoc.jar")" || fail "$gav: the javadoc jar is no zip file"
    grep -q -E '(^|/)index\.html$|^README' <<< "$listing" \
      || fail "$gav: the javadoc jar holds neither an index.html nor a README"
  fi
  $signed && sig="signed" || sig="unsigned"
  printf 'ok   %-46s %-27s md5+sha1, %s\n' "$gav" "$kinds" "$sig"
  count=$((count + 1))
done
# The command's jar must run alone (java -jar, nothing else on the class path) and carry the
# agent; its pom must not list what it carries (the shade's dependency-reduced pom).
cli_dir="$(ls -d "$repo/io/tether/tether-cli"/*/ | head -1)"
cli_version="$(basename "$cli_dir")"
cli_jar="$(ls "$cli_dir"tether-cli-*.jar | grep -v -e '-sources\.jar$' -e '-javadoc\.jar$' | sort | tail -1)"
cli_gav="io.tether:tether-cli:$cli_version"
unzip -Z1 "$cli_jar" | grep -qx 'io/tether/cli/tether-agent.jar' || fail "$cli_gav: the jar carries no agent"
said="$("${JAVA:-java}" -jar "$cli_jar" version 2>&1)" || fail "$cli_gav: java -jar ... version failed: $said"
[ "$said" = "tether $cli_version" ] || fail "$cli_gav: java -jar ... version says '$said'"
if grep -q '<artifactId>tether-trace</artifactId>' "$(ls "$cli_dir"*.pom | sort | tail -1)"; then
  fail "$cli_gav: the pom lists tether-trace, which the jar carries"
fi
printf 'ok   %-46s %s\n' "$cli_gav" "runs alone (java -jar ... version), carries the agent"
$signed || echo "note: no .asc in the layout (signing skipped: no -Dgpg.keyname); Central needs them"
echo "release layout: $count artifacts, all pass (target/release-repo)"
