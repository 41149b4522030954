#!/usr/bin/env bash
# Operator benchmark: N TwillNodes join at once against the Fabric8 mock API server (in-process, CRUD mode);
# time until every node carries a pod CIDR and the PodCIDRAllocated condition, and the API calls the operator
# spent. Compared in the same run with an "oracle" writer that does the same writes with no watch and no table.
# No root needed. Goal: 5,000 nodes under 10 s.
#
#   bench/scripts/operator.sh [NODES=5000] [REPS=3] [AGENTS=32]
#   OUT=path.json to choose where the JSON goes (default bench/results/tmp/operator.json)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
nodes=${1:-5000} reps=${2:-3} agents=${3:-32}
out=${OUT:-bench/results/tmp/operator.json}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

JAVA_HOME=$(scripts/find-jdk.sh)
if [[ ! -f bench/target/classpath.txt || ! -f bench/target/classes/io/twill/bench/operator/OperatorJoinBench.class ]]; then
  echo "operator.sh: building bench and what it depends on" >&2
  scripts/mvn -q -pl bench -am install -DskipTests
fi
# Snapshot classes and jars: a build running meanwhile may rewrite bench/target or a module's target/*.jar.
# shellcheck source=common.sh source-path=SCRIPTDIR
. bench/scripts/common.sh
cp=$(bench_classpath "$tmp")
"$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -Xmx2g \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  io.twill.bench.operator.OperatorJoinBench "$nodes" "$reps" "$agents" "$out"
