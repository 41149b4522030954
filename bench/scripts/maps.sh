#!/usr/bin/env bash
# Map benchmark: bpf-loader (Java, FFM) against the same loops in C over libbpf, interleaved in one invocation.
# Hash map with 4-byte keys and 32-byte values, 65,536 entries: single-element update and lookup, batch update
# and batch lookup. Prints a table (median, min-max over the repetitions, Java/C ratio) and writes a JSON file.
#
#   bench/scripts/maps.sh [REPS] [PASSES] [BATCH]      (root: loads BPF objects)
#   OUT=path.json to choose where the JSON goes (default bench/results/tmp/maps.json)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
reps=${1:-5} passes=${2:-5} batch=${3:-4096} entries=65536
out=${OUT:-bench/results/tmp/maps.json}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[[ $EUID -eq 0 ]] || { echo "maps.sh: loading BPF maps needs root (CAP_BPF)" >&2; exit 1; }
JAVA_HOME=$(scripts/find-jdk.sh)
java="$JAVA_HOME/bin/java"

if [[ ! -f bench/target/classpath.txt || ! -f bench/target/classes/io/twill/bench/maps/MapBench.class ]]; then
  echo "maps.sh: building bench and what it depends on" >&2
  scripts/mvn -q -pl bench -am install -DskipTests
fi
object=bpf-src/target/test-classes/io/twill/bpf/test/bench_hash.bpf.o
[[ -f $object ]] || { echo "maps.sh: $object missing; build bpf-src first (scripts/mvn -pl bpf-src install)" >&2; exit 1; }

gcc -O2 -Wall -o "$tmp/map_bench" bench/c/maps/map_bench.c -lbpf
# Snapshot classes and jars: a build running meanwhile may rewrite bench/target or a module's target/*.jar.
# shellcheck source=common.sh source-path=SCRIPTDIR
. bench/scripts/common.sh
cp=$(bench_classpath "$tmp")
run_java() { "$java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
               io.twill.bench.maps.MapBench "$object" "$entries" "$batch" "$passes" "$1"; }
run_c() { "$tmp/map_bench" "$object" "$entries" "$batch" "$passes" "$1"; }

echo "maps.sh: $reps interleaved repetitions x $passes passes over $entries entries (batch $batch)" >&2
for ((r = 1; r <= reps; r++)); do
  # Alternate who goes first so neither side always runs on a warmer or cooler machine.
  if (( r % 2 )); then run_c "$r"; run_java "$r"; else run_java "$r"; run_c "$r"; fi
done | tee "$tmp/runs.jsonl" >&2

"$java" -cp "$cp" io.twill.bench.maps.MapBenchReport "$tmp/runs.jsonl" "$out"
