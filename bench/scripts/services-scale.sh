#!/usr/bin/env bash
# Services at scale: a live twill-agent with kube-proxy replacement on, SERVICES ClusterIP Services (default 10,000)
# with BACKENDS ready endpoints each (default 3) created through the Kubernetes API (the Fabric8 mock server) by
# WRITERS threads; the time from the first write until the node's pinned twill_lb_services holds every frontend with
# all its backend slots, against the time a plain informer (in the harness) needed to see every object; REPS such
# creations, everything deleted again in between. io.twill.bench.agent.ServicesScaleBench reads the maps from the
# kernel and the agent's RSS and CPU from /proc. Goal: every Service in the maps < 5 s after the first write; RSS
# growth reported.
#
# The agent runs with the DaemonSet's JAVA_OPTS (deploy/kubernetes/agent.yaml), on a one-node ci/netns-cluster of its
# own (state dir TWILL_CLUSTER_DIR, namespace prefix TWILL_CLUSTER_NS_PREFIX; unique ones by default). Everything is
# removed on exit, also on failure.
#
#   bench/scripts/services-scale.sh                  (root)
#   SERVICES=10000 BACKENDS=3 WRITERS=16 REPS=1 SVC_WARMUP=500 SETTLE=10 OUT=bench/results/tmp/services-scale.json SKIP_BUILD=1 \
#     bench/scripts/services-scale.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
services=${SERVICES:-10000} backends=${BACKENDS:-3} writers=${WRITERS:-16} reps=${REPS:-1} settle=${SETTLE:-10}
warmup=${SVC_WARMUP:-500}    # Services created and deleted first, so API server, client and agent are warm
out=${OUT:-bench/results/tmp/services-scale.json}
cluster_dir=${TWILL_CLUSTER_DIR:-/run/twill-bench-svc$$}
ns_prefix=${TWILL_CLUSTER_NS_PREFIX:-bs$(($$ % 10000))}
tmp=$(mktemp -d /tmp/twill-svc-scale.XXXXXX)
started=0

[[ $EUID -eq 0 ]] || { echo "services-scale.sh: needs root (namespaces, BPF)" >&2; exit 1; }
if [[ -e $cluster_dir/cluster.env ]] || ip netns list | grep -q "^$ns_prefix-underlay\b"; then
  echo "services-scale.sh: a netns-cluster already uses $cluster_dir or prefix $ns_prefix; pick other" \
       "TWILL_CLUSTER_DIR / TWILL_CLUSTER_NS_PREFIX" >&2
  exit 1
fi
java_opts=${AGENT_JAVA_OPTS:-$(sed -n '/name: JAVA_OPTS/{n;s/^ *value: *"\(.*\)"$/\1/p;}' deploy/kubernetes/agent.yaml)}
[[ -n $java_opts ]] || { echo "services-scale.sh: no JAVA_OPTS in deploy/kubernetes/agent.yaml" >&2; exit 1; }

cluster() { TWILL_CLUSTER_DIR=$cluster_dir TWILL_CLUSTER_NS_PREFIX=$ns_prefix TWILL_CLUSTER_KPR=true \
              TWILL_AGENT_JAVA_OPTS=$java_opts ci/netns-cluster "$@"; }
cleanup() {
  set +e
  (( started )) && cluster down >/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

JAVA_HOME=$(scripts/find-jdk.sh)
if [[ ${SKIP_BUILD:-0} != 1 || ! -f bench/target/classpath.txt ]]; then
  echo "services-scale.sh: building agent, operator, cni-plugin, mock-apiserver and bench" >&2
  scripts/mvn -q -pl agent,operator,cni-plugin,mock-apiserver,bench -am install -DskipTests
fi
# shellcheck source=common.sh source-path=SCRIPTDIR
. bench/scripts/common.sh
cp=$(bench_classpath "$tmp")

echo "services-scale.sh: a one-node cluster (kube-proxy replacement on), agent JVM flags: $java_opts" >&2
started=1
cluster up --nodes 1 --kube-proxy-replacement true >&2
node_dir=$cluster_dir/nodes/node1
agent_pid=$(cat "$node_dir/agent.pid")
[[ $(cat "/proc/$agent_pid/comm") == java ]] || { echo "services-scale.sh: pid $agent_pid is not the agent JVM" >&2; exit 1; }

echo "services-scale.sh: $services Services x $backends backends, $writers writers, $reps reps, settle ${settle}s" >&2
nsenter --net="/run/netns/$ns_prefix-node1" -- "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" io.twill.bench.agent.ServicesScaleBench \
  --agent-pid "$agent_pid" --pin-root "$node_dir/bpf/twill" --kubeconfig "$cluster_dir/kubeconfig" \
  --services "$services" --backends "$backends" --writers "$writers" --reps "$reps" --warmup "$warmup" --settle "$settle" \
  --json "$out"
