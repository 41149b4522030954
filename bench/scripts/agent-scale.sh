#!/usr/bin/env bash
# Agent at scale: RSS and CPU of a live twill-agent with NODES remote nodes in twill_tunnel and PODS endpoints in
# twill_endpoints (defaults 5,000 and 1,000), reached as in a cluster: the nodes join through the Kubernetes API (the
# Fabric8 mock server; twill-operator allocates their CIDRs, the agent's informer programs the tunnel) and the pods
# through the real twill-cni shim, one network namespace each. io.twill.bench.agent.AgentScaleBench reads the map
# counts from the kernel (pinned maps) and RSS/CPU from /proc. Goal: RSS <= 200 MiB at that scale.
#
# The agent runs with the DaemonSet's JAVA_OPTS (deploy/kubernetes/agent.yaml), as it would on a node. The cluster is
# ci/netns-cluster with one node (its pool 10.128.0.0/9 cut into /22s, so 1,000 pods fit one node), with a state dir
# and namespace prefix of its own (TWILL_CLUSTER_DIR, TWILL_CLUSTER_NS_PREFIX; unique ones by default), so it runs
# beside other clusters. Everything is removed on exit, also on failure.
#
#   bench/scripts/agent-scale.sh                     (root)
#   AGENT_JAVA_OPTS='-Xmx128m ...' to try other JVM flags than the DaemonSet's
#   NODES=5000 PODS=1000 PARALLEL=4 SETTLE=20 STEADY=60 OUT=bench/results/tmp/agent-scale.json SKIP_BUILD=1 \
#     bench/scripts/agent-scale.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
nodes=${NODES:-5000} pods=${PODS:-1000} parallel=${PARALLEL:-4} settle=${SETTLE:-20} steady=${STEADY:-60}
out=${OUT:-bench/results/tmp/agent-scale.json}
P=twb-scale$$                 # pod namespace prefix, unique per run
cluster_dir=${TWILL_CLUSTER_DIR:-/run/twill-bench-scale$$}
ns_prefix=${TWILL_CLUSTER_NS_PREFIX:-as$(($$ % 10000))}
started=0
tmp=$(mktemp -d /tmp/twill-scale-bench.XXXXXX)

[[ $EUID -eq 0 ]] || { echo "agent-scale.sh: needs root (namespaces, BPF)" >&2; exit 1; }
(( pods >= 1 && pods <= 1000 )) || { echo "agent-scale.sh: PODS must be 1..1000 (one node's /22)" >&2; exit 1; }
if [[ -e $cluster_dir/cluster.env ]] || ip netns list | grep -q "^$ns_prefix-underlay\b"; then
  echo "agent-scale.sh: a netns-cluster already uses $cluster_dir or prefix $ns_prefix; pick other" \
       "TWILL_CLUSTER_DIR / TWILL_CLUSTER_NS_PREFIX" >&2
  exit 1
fi
# AGENT_JAVA_OPTS overrides them, to try other JVM flags.
java_opts=${AGENT_JAVA_OPTS:-$(sed -n '/name: JAVA_OPTS/{n;s/^ *value: *"\(.*\)"$/\1/p;}' deploy/kubernetes/agent.yaml)}
[[ -n $java_opts ]] || { echo "agent-scale.sh: no JAVA_OPTS in deploy/kubernetes/agent.yaml" >&2; exit 1; }

cluster() { TWILL_CLUSTER_DIR=$cluster_dir TWILL_CLUSTER_NS_PREFIX=$ns_prefix TWILL_CLUSTER_POOL=10.128.0.0/9 TWILL_CLUSTER_MASK=22 \
              TWILL_AGENT_JAVA_OPTS=$java_opts ci/netns-cluster "$@"; }
cleanup() {
  set +e
  ip netns list | awk '{print $1}' | grep "^$P-" | sed 's/^/netns del /' | ip -batch - 2>/dev/null
  (( started )) && cluster down >/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

JAVA_HOME=$(scripts/find-jdk.sh)
if [[ ${SKIP_BUILD:-0} != 1 || ! -f bench/target/classpath.txt ]]; then
  echo "agent-scale.sh: building agent, operator, cni-plugin and bench" >&2
  scripts/mvn -q -pl agent,operator,cni-plugin,bench -am install -DskipTests
fi
# Snapshot the harness (a build running meanwhile may rewrite target/).
# shellcheck source=common.sh source-path=SCRIPTDIR
. bench/scripts/common.sh
cp=$(bench_classpath "$tmp")

echo "agent-scale.sh: a one-node cluster, agent JVM flags: $java_opts" >&2
started=1
cluster up --nodes 1 >&2
node_dir=$cluster_dir/nodes/node1
agent_pid=$(cat "$node_dir/agent.pid")
[[ $(cat "/proc/$agent_pid/comm") == java ]] || { echo "agent-scale.sh: pid $agent_pid is not the agent JVM" >&2; exit 1; }

echo "agent-scale.sh: making $pods pod namespaces" >&2
for i in $(seq 0 $((pods - 1))); do echo "netns add $P-$i"; done | ip -batch -

echo "agent-scale.sh: $nodes nodes, $pods pods ($parallel workers), settle ${settle}s, quiet window ${steady}s" >&2
nsenter --net="/run/netns/$ns_prefix-node1" -- "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" io.twill.bench.agent.AgentScaleBench \
  --agent-pid "$agent_pid" --pin-root "$node_dir/bpf/twill" --kubeconfig "$cluster_dir/kubeconfig" \
  --twill-cni "$top/cni-plugin/target/bin/twill-cni" --socket "$node_dir/run/twill.sock" --ns-prefix "$P" \
  --nodes "$nodes" --pods "$pods" --parallel "$parallel" --settle "$settle" --steady "$steady" --json "$out"
