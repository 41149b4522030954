#!/usr/bin/env bash
# CNI benchmark: ADD and DEL latency (p50/p99/min/max over PODS pods) and pods/second with PARALLEL workers, for
#   twill      loopback + twill-cni (the static shim; the agent answers over its socket)
#   reference  loopback + bridge + host-local (containernetworking-plugins in /usr/lib/cni)
# in the same run, interleaved (alternating blocks of pods; alternating first chain per parallel round). Each plugin
# execution is timed from outside, as a runtime does it (exec with the CNI env and the config on stdin, wait for
# the exit): io.twill.bench.cni.CniBench.
#
# Where: a standalone Twill node made by ci/podman/standalone-node (the agent JVM in its own node namespace with an
# eth0 uplink, pins on the host's bpffs). The harness runs inside that node namespace, so the bridge plugin makes cni0
# there. One network namespace per pod per chain, made before any timing. The root namespace is never touched;
# everything is removed on exit, also on failure.
#
#   bench/scripts/cni.sh                      (root)
#   PODS=200 WARMUP=20 BLOCK=10 PARALLEL=4 ROUNDS=3 OUT=bench/results/tmp/cni.json SKIP_BUILD=1 bench/scripts/cni.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
pods=${PODS:-200} warmup=${WARMUP:-20} block=${BLOCK:-10} parallel=${PARALLEL:-4} rounds=${ROUNDS:-3}
out=${OUT:-bench/results/tmp/cni.json}
P=twb-cni$$                  # pod namespace prefix, unique per run
tmp=$(mktemp -d /tmp/twill-cni-bench.XXXXXX)
node_dir=$tmp/node

[[ $EUID -eq 0 ]] || { echo "cni.sh: needs root (namespaces, BPF)" >&2; exit 1; }
for t in ip nsenter /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/loopback; do
  command -v "$t" >/dev/null || { echo "cni.sh: $t missing (run 'make deps')" >&2; exit 1; }
done
(( pods >= 1 && pods <= 1000 )) || { echo "cni.sh: PODS must be 1..1000 (both pod ranges are /22)" >&2; exit 1; }

cleanup() {
  set +e
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do ip netns del "$ns"; done
  [[ -d $node_dir ]] && TWILL_PODMAN_DIR=$node_dir ci/podman/standalone-node down
  rm -rf "$tmp"
}
trap cleanup EXIT

JAVA_HOME=$(scripts/find-jdk.sh)
java="$JAVA_HOME/bin/java"
# Build first (the agent, the shim and the harness); SKIP_BUILD=1 skips it.
if [[ ${SKIP_BUILD:-0} != 1 || ! -f bench/target/classpath.txt ]]; then
  echo "cni.sh: building agent, cni-plugin and bench" >&2
  scripts/mvn -q -pl agent,cni-plugin,bench -am install -DskipTests
fi
# Snapshot the harness (a build running meanwhile may rewrite target/); standalone-node copies the agent itself.
# shellcheck source=common.sh source-path=SCRIPTDIR
. bench/scripts/common.sh
cp=$(bench_classpath "$tmp")

echo "cni.sh: starting a standalone node" >&2
TWILL_PODMAN_DIR=$node_dir TWILL_POD_CIDR=10.90.0.0/22 ci/podman/standalone-node up
info() { sed -n "s/^$1=//p" "$node_dir/node.env"; }
node_ns=$(info NODE_NS)

echo "cni.sh: making $((2 * pods)) pod namespaces" >&2
for i in $(seq 0 $((pods - 1))); do
  ip netns add "$P-t-$i"
  ip netns add "$P-r-$i"
done
mkdir -p "$tmp/host-local" "$(dirname "$out")"

echo "cni.sh: $pods pods per chain after $warmup warm-up pods; blocks of $block; $parallel workers x $rounds rounds" >&2
nsenter --net="/run/netns/$node_ns" -- "$java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  io.twill.bench.cni.CniBench --twill-cni "$node_dir/cni-bin/twill-cni" --socket "$(info SOCKET)" \
  --ns-prefix "$P" --host-local-dir "$tmp/host-local" --metrics "$(info METRICS)/metrics" \
  --pods "$pods" --warmup "$warmup" --block "$block" --parallel "$parallel" --rounds "$rounds" \
  --ref-subnet 10.91.0.0/22 --json "$out"
