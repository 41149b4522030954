#!/usr/bin/env bash
# Prints the path of a JDK >= 22 (FFM is final since 22): $JAVA_HOME first, then /usr/lib/jvm/*.
# Exits 1 with an explanation when there is none.
set -euo pipefail
min=22

major_of() { # $1 = JDK home; prints its feature version or nothing
  local rel="$1/release"
  [[ -x "$1/bin/java" && -x "$1/bin/javac" && -f "$rel" ]] || return 0
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel"
}

candidates=()
[[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
for d in /usr/lib/jvm/*; do [[ -d "$d" && ! -L "$d" ]] && candidates+=("$d"); done

best="" best_major=0
for c in "${candidates[@]}"; do
  m=$(major_of "$c")
  [[ -n "$m" ]] || continue
  if (( m >= min )); then
    # JAVA_HOME wins when it qualifies; otherwise take the newest.
    if [[ "$c" == "${JAVA_HOME:-}" ]]; then echo "$c"; exit 0; fi
    if (( m > best_major )); then best="$c"; best_major=$m; fi
  fi
done
if [[ -n "$best" ]]; then echo "$best"; exit 0; fi

{
  echo "twill: no JDK >= $min found (looked at JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/*)."
  echo "twill: install one, e.g. Temurin 25 (https://adoptium.net) or 'apt-get install openjdk-25-jdk' where available,"
  echo "twill: then set JAVA_HOME to it."
} >&2
exit 1
