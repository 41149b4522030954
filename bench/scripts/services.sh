#!/usr/bin/env bash
# Services benchmark: a pod reaching a backend pod on its node through a ClusterIP. Twill's kube-proxy replacement
# against kube-proxy-style iptables rules, with 1, 1,000 and 10,000 Services loaded on both, in the same run.
#
#   twill-svc-N     node t1: Twill with kube-proxy replacement (the socket load balancer, bpf_sock, on the client's
#                   cgroup; the node's and pods' namespaces registered, as the agent does); N Services written into
#                   its twill_lb_* maps. Client pod ta, backend pod tb.
#   iptables-svc-N  node i1: Twill with kube-proxy replacement off; the same N Services as kube-proxy's iptables mode
#                   writes them (KUBE-SERVICES with one rule per service port, KUBE-SVC-… chains choosing an endpoint
#                   by probability, KUBE-SEP-… chains with the DNAT; PREROUTING and OUTPUT; loaded with
#                   iptables-restore). Client pod ia, backend pod ib.
#
# Every Service has three endpoints (the backend pod's ports 8080-8082). The client uses the Service in the middle of
# the list: kube-proxy matches a new connection against KUBE-SERVICES rule by rule, and the middle is what an average
# Service pays (io.twill.bench.services.ServiceSet says why one Service).
#
# Metrics, with bench/c/svc/svc_rr.c (one process per side, no fork per connection; client on CPU 1, server on CPU 0,
# as datapath.sh pins them):
#   crr  connect to the ClusterIP, send 64 B, read the 64 B answer, close; again (netperf's TCP_CRR): transactions/s,
#        p50/p99 of one transaction, and how many took over 200 ms (a dropped SYN)
#   rr   64 B request/response over one connection to the ClusterIP (TCP_RR): transactions/s, round-trip p50
# Client namespaces reuse TIME_WAIT ports after 1 s (net.ipv4.tcp_tw_reuse=1) from 1024-65535, on both sides.
#
# Rounds are interleaved: the Service counts go up in odd rounds and down in even ones (each count is loaded into both
# nodes before it is measured), and for each count and metric both sides run back to back, the first alternating.
#
#   bench/scripts/services.sh                                   (root)
#   ROUNDS=3 DURATION=5 COUNTS="1 1000 10000" METRICS="crr rr" OUT=bench/results/tmp/services.json SKIP_BUILD=1 \
#     bench/scripts/services.sh
#
# Twill's Services are written straight into the maps (io.twill.bench.services.ServicesLoad), as the agent's LbTable
# writes them: this measures the datapath; services-scale.sh measures the agent's way from the API to the maps.
# Everything made here (namespaces, pins, cgroups, processes) is removed on exit, also on failure.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
duration=${DURATION:-5} rounds=${ROUNDS:-3}
out=${OUT:-bench/results/tmp/services.json}
read -r -a counts <<<"${COUNTS:-1 1000 10000}"
read -r -a metrics <<<"${METRICS:-crr rr}"
for m in "${metrics[@]}"; do
  [[ $m == crr || $m == rr ]] || { echo "services.sh: METRICS: no metric '$m' (crr rr)" >&2; exit 2; }
done
for n in "${counts[@]}"; do
  if [[ ! $n =~ ^[1-9][0-9]{0,4}$ ]] || (( n > 60000 )); then echo "services.sh: COUNTS: '$n' is not 1..60000" >&2; exit 2; fi
done
P=tws$$                      # namespace prefix, unique per run
pins=/sys/fs/bpf/$P
tmp=$(mktemp -d)
bg_pids=()
declare -A CG

[[ $EUID -eq 0 ]] || { echo "services.sh: needs root (namespaces, BPF, cgroups, iptables)" >&2; exit 1; }
for t in ip gcc taskset jq iptables-restore iptables-save bpftool findmnt; do
  command -v "$t" >/dev/null || { echo "services.sh: $t missing (run 'make deps')" >&2; exit 1; }
done
(( $(nproc) >= 2 )) || { echo "services.sh: needs 2 CPUs (client and server are pinned apart)" >&2; exit 1; }
cgroup2=$(findmnt -n -t cgroup2 -o TARGET | head -1)
[[ -n $cgroup2 ]] || { echo "services.sh: no cgroup2 filesystem mounted (the socket load balancer attaches to one)" >&2; exit 1; }

cleanup() {
  set +e
  for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns"
  done
  for cg in "${CG[@]}"; do
    [[ -d $cg ]] || continue
    while read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$cg/cgroup.procs"
    for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
  done
  rm -rf "$pins" "$tmp"
}
trap cleanup EXIT

# ---- Java helpers (classes and jars snapshotted: a build running meanwhile may rewrite target/) ----
JAVA_HOME=$(scripts/find-jdk.sh)
java="$JAVA_HOME/bin/java"
if [[ ${SKIP_BUILD:-0} != 1 || ! -f bench/target/classpath.txt ]]; then
  echo "services.sh: building bench and what it depends on" >&2
  scripts/mvn -q -pl bench -am install -DskipTests
fi
# shellcheck source=common.sh source-path=SCRIPTDIR
. bench/scripts/common.sh
cp=$(bench_classpath "$tmp")
twill_tc=${TWILL_TC:-auto}
jrun() { "$java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" "$@"; }
gcc -O2 -Wall -o "$tmp/svc_rr" bench/c/svc/svc_rr.c
svc_rr=$tmp/svc_rr

# shellcheck source=topology.sh source-path=SCRIPTDIR
. bench/scripts/topology.sh

declare -A CLIENT SERVER NODE BACKEND CLUSTER
# side node-octet: a node with one client and one backend pod; Twill's datapath on it, with kube-proxy replacement and
# the socket load balancer for "twill", without them for "iptables".
setup_side() {
  local side=$1 oct=$2 n c s
  n=${side:0:1}1 c=${side:0:1}a s=${side:0:1}b
  underlay "${side:0:1}u"
  node "${side:0:1}u" "$n" 1 "$oct"
  ip -n "$P-$n" link add twill_vxlan type vxlan external dstport 8472 nolearning
  ip -n "$P-$n" link set twill_vxlan up
  twill_pod "$n" "$c" "10.$oct.1.2" 1450; twill_pod "$n" "$s" "10.$oct.1.3" 1450
  CG[$side]=$cgroup2/$P-$side
  mkdir "${CG[$side]}"
  local -a services=(--masquerade --non-masq "192.168.$oct.0/24")
  [[ $side == twill ]] && services+=(--kube-proxy-replacement --socket-lb "${CG[$side]}")
  mkdir -p "$pins"
  jrun io.twill.bench.datapath.TwillBenchNode --tc "$twill_tc" --netns "$P-$n" --pin-root "$pins/$n" \
    --node-ip "192.168.$oct.1" --cluster "10.$oct.0.0/16" --mode overlay "${services[@]}" --uplink eth0 \
    --vxlan twill_vxlan --own "10.$oct.1.0/24" --pod "10.$oct.1.2=lxc$c@$P-$c" --pod "10.$oct.1.3=lxc$s@$P-$s"
  # The client reuses TIME_WAIT ports after 1 s (timestamps), from the whole unprivileged range.
  nsx "$c" sysctl -qw net.ipv4.tcp_tw_reuse=1 "net.ipv4.ip_local_port_range=1024 65535"
  CLIENT[$side]=$c SERVER[$side]=$s NODE[$side]=$n BACKEND[$side]=10.$oct.1.3 CLUSTER[$side]=10.$oct.0.0/16
}

# Runs "$@" inside the side's cgroup (the socket load balancer's for twill).
# shellcheck disable=SC2016 # $$ and $0 are the inner shell's
in_cgroup() { local side=$1; shift; sh -c 'echo $$ > "$0" && exec "$@"' "${CG[$side]}/cgroup.procs" "$@"; }

echo "services.sh: setting up (prefix $P)" >&2
setup_side twill 217
setup_side iptables 218
for side in twill iptables; do
  nsx "${CLIENT[$side]}" ping -c 2 -i 0.2 -W 1 -q "${BACKEND[$side]}" >/dev/null \
    || { echo "services.sh: $side: ${CLIENT[$side]} cannot reach ${BACKEND[$side]}" >&2; exit 1; }
  in_cgroup "$side" ip netns exec "$P-${SERVER[$side]}" taskset -c 0 "$svc_rr" server 8080 8081 8082 &
  bg_pids+=("$!")
done

declare -A TARGET
loaded=0
load() { # count: the same Services on both sides
  local n=$1 t1 t2
  t1=$(jrun io.twill.bench.services.ServicesLoad twill --pin-root "$pins/${NODE[twill]}" --count "$n" \
         --backend "${BACKEND[twill]}" --ports 8080,8081,8082 | sed -n 's/^target //p')
  if [[ ! -f $tmp/rules-$n ]]; then
    jrun io.twill.bench.services.ServicesLoad iptables --count "$n" --backend "${BACKEND[iptables]}" \
      --ports 8080,8081,8082 --cluster "${CLUSTER[iptables]}" --out "$tmp/rules-$n" >"$tmp/target-$n"
  fi
  t2=$(sed -n 's/^target //p' "$tmp/target-$n")
  nsx "${NODE[iptables]}" iptables-restore -w <"$tmp/rules-$n"
  local rules; rules=$(nsx "${NODE[iptables]}" iptables -w -t nat -S KUBE-SERVICES | grep -c -- '-j KUBE-SVC-')
  [[ $t1 == "$t2" && $rules == "$n" ]] \
    || { echo "services.sh: loading $n services: targets $t1 / $t2, $rules KUBE-SERVICES rules" >&2; exit 1; }
  TARGET[twill]=$t1 TARGET[iptables]=$t2 loaded=$n
}

measure() { # side metric count: "metric value" lines
  local side=$1 m=$2 n=$3
  in_cgroup "$side" ip netns exec "$P-${CLIENT[$side]}" taskset -c 1 "$svc_rr" "$m" "${TARGET[$side]}" 80 "$duration" 64 \
    || { echo "services.sh: $side-svc-$n: $m through ${TARGET[$side]} failed" >&2; return 1; }
}

# Both sides must work before anything is timed, and Twill's side through the socket load balancer: its sockets map
# holds the connections it translated (the per-packet path of bpf_lxc would also reach the backend).
load "${counts[0]}"
for side in twill iptables; do
  in_cgroup "$side" ip netns exec "$P-${CLIENT[$side]}" "$svc_rr" crr "${TARGET[$side]}" 80 0.3 64 >/dev/null \
    || { echo "services.sh: $side: no connection through ClusterIP ${TARGET[$side]}" >&2; exit 1; }
done
translated=$(bpftool -j map dump pinned "$pins/${NODE[twill]}/twill_lb_sockets" | jq length)
(( translated > 0 )) || { echo "services.sh: twill: the socket load balancer translated no connection" >&2; exit 1; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "services.sh: ${#counts[@]} service counts x ${#metrics[@]} metrics x 2 sides x $rounds rounds x ${duration}s (load average $load_before)" >&2
: >"$tmp/samples.tsv"
sides=(twill iptables)
step=0
for ((r = 1; r <= rounds; r++)); do
  order=("${counts[@]}")
  (( r % 2 )) || mapfile -t order < <(printf '%s\n' "${counts[@]}" | tac)
  for n in "${order[@]}"; do
    (( loaded == n )) || load "$n"
    for m in "${metrics[@]}"; do
      step=$((step + 1))
      for k in 0 1; do
        side=${sides[$(((k + step) % 2))]}
        measure "$side" "$m" "$n" >"$tmp/metric.out"
        while read -r metric value; do
          printf '%s\t%s\t%s\t%s\n' "$r" "$side-svc-$n" "$metric" "$value" | tee -a "$tmp/samples.tsv" >&2
        done <"$tmp/metric.out"
      done
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

jrun io.twill.bench.services.ServicesReport "$tmp/samples.tsv" "$out" \
  "date=$(date -u +%FT%TZ)" "kernel=$(uname -r)" "cpus=$(nproc)" "duration_s=$duration" "rounds=$rounds" \
  "counts=${counts[*]}" "load_before=$load_before" "load_after=$load_after" "pinning=server cpu0, client cpu1" \
  "twill_tc=$twill_tc" "message_bytes=64" "endpoints_per_service=3" "target=the middle Service of the list" \
  "iptables=$(iptables -V)" \
  "conntrack_entries_after=$(nsx "${NODE[iptables]}" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo none)" \
  "conntrack_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max 2>/dev/null || echo none)"
