#!/usr/bin/env bash
# Datapath benchmark: Twill against its peers, all in the same run, in network namespaces this script makes.
#
#   same node:   raw-veth (a veth pair)  | bridge (the CNI reference bridge + host-local plugins) | twill-same-node
#                twill-same-node-noct (Twill's objects as they were before connection tracking and NAT: bpf-src of
#                commit NOCT_COMMIT, default a400d23, built at run time into a temporary directory)
#   two nodes:   flannel-vxlan (kernel VXLAN + cni0 bridge) | twill-overlay
#                host-gw (cni0 bridge + a route per node)    | twill-native
#
# Metrics per case (client pinned to CPU 1, server to CPU 0, so the client CPU also runs the whole datapath in
# softirq): TCP stream (iperf3), TCP request/response with 64-byte messages (sockperf ping-pong), and UDP 64-byte
# packets/s (iperf3 -u -b 0) counted where they reach the receiver's UDP layer (Udp InDatagrams + RcvbufErrors),
# plus what the iperf3 receiver read. ROUNDS interleaved repetitions (the case order rotates each round); the report
# gives median, min, max, the ratio of medians Twill/peer and the per-round paired ratios. For one metric the cases run
# back to back, so each Twill/peer pair is measured seconds apart.
#
#   bench/scripts/datapath.sh                      (root)
#   DURATION=5 ROUNDS=3 OUT=bench/results/tmp/datapath.json CASES="raw-veth bridge ..." METRICS="rr udp64" \
#     SKIP_BUILD=1 bench/scripts/datapath.sh
#
# Twill nodes are set up by io.twill.bench.datapath.TwillBenchNode through the same Datapath/maps API as the agent,
# with kube-proxy replacement and masquerading on, as the local cluster runs (TWILL_SERVICES=0: both off);
# twill-same-node-noct is the same harness loading the older objects. Only addresses inside the namespaces made here
# are used; everything is deleted on exit.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
duration=${DURATION:-5} rounds=${ROUNDS:-3}
out=${OUT:-bench/results/tmp/datapath.json}
all_cases="raw-veth bridge twill-same-node twill-same-node-noct flannel-vxlan twill-overlay host-gw twill-native"
read -r -a cases <<<"${CASES:-$all_cases}"
read -r -a metrics <<<"${METRICS:-stream rr udp64}"
for m in "${metrics[@]}"; do
  [[ $m == stream || $m == rr || $m == udp64 ]] || { echo "datapath.sh: METRICS: no metric '$m' (stream rr udp64)" >&2; exit 2; }
done
P=twb$$                      # namespace prefix, unique per run
pins=/sys/fs/bpf/$P
tmp=$(mktemp -d)
bg_pids=()

[[ $EUID -eq 0 ]] || { echo "datapath.sh: needs root (namespaces, BPF)" >&2; exit 1; }
for t in ip iperf3 sockperf taskset jq git make clang-19 /usr/lib/cni/bridge /usr/lib/cni/host-local; do
  command -v "$t" >/dev/null || { echo "datapath.sh: $t missing (run 'make deps')" >&2; exit 1; }
done
(( $(nproc) >= 2 )) || { echo "datapath.sh: needs 2 CPUs (client and server are pinned apart)" >&2; exit 1; }

cleanup() {
  set +e
  for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^$P-"); do
    for pid in $(ip netns pids "$ns"); do kill -9 "$pid" 2>/dev/null; done
    ip netns del "$ns"
  done
  rm -rf "$pins" "$tmp"
}
trap cleanup EXIT

# ---- Java helper (classes and jars snapshotted: a build running meanwhile may rewrite target/) ----
JAVA_HOME=$(scripts/find-jdk.sh)
java="$JAVA_HOME/bin/java"
# Build first (a stale bench build against newer module jars fails with NoSuchMethodError); SKIP_BUILD=1 skips it.
if [[ ${SKIP_BUILD:-0} != 1 || ! -f bench/target/classpath.txt ]]; then
  echo "datapath.sh: building bench and what it depends on" >&2
  scripts/mvn -q -pl bench -am install -DskipTests
fi
# shellcheck source=common.sh source-path=SCRIPTDIR
. bench/scripts/common.sh
cp=$(bench_classpath "$tmp")
twill_tc=${TWILL_TC:-auto} # as the agent by default: TCX where the kernel has it; TWILL_TC=cls_bpf for filters
twill_services=${TWILL_SERVICES:-1}
twill_node() { "$java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
                 io.twill.bench.datapath.TwillBenchNode --tc "$twill_tc" "$@"; }
# The current objects as the local cluster runs them: Services in BPF and masquerading (the node subnet unmasqueraded,
# as the agent writes it). Argument: the node's subnet.
services_on() { if (( twill_services )); then echo --kube-proxy-replacement --masquerade --non-masq "$1"; fi; }
noct_commit=${NOCT_COMMIT:-a400d23}

# ---- building blocks (mkns, node, twill_pod, ...: topology.sh) ----
# shellcheck source=topology.sh source-path=SCRIPTDIR
. bench/scripts/topology.sh

declare -A CLIENT SERVER IP

setup_raw() {
  mkns ra; mkns rb
  ip link add eth0 netns "$P-ra" type veth peer name eth0 netns "$P-rb"
  ip -n "$P-ra" addr add 10.210.0.1/24 dev eth0; ip -n "$P-rb" addr add 10.210.0.2/24 dev eth0
  ip -n "$P-ra" link set eth0 up; ip -n "$P-rb" link set eth0 up
  CLIENT[raw-veth]=ra SERVER[raw-veth]=rb IP[raw-veth]=10.210.0.2
}

setup_bridge() {
  mkns bn; mkns b1; mkns b2
  local conf res
  conf=$(jq -nc --arg name "$P-bridge" --arg dir "$tmp/host-local" '{cniVersion:"1.0.0", name:$name, type:"bridge",
         bridge:"cni0", isGateway:true, ipMasq:false, ipam:{type:"host-local", subnet:"10.211.0.0/24", dataDir:$dir}}')
  for p in b1 b2; do
    res=$(nsx bn env CNI_COMMAND=ADD CNI_CONTAINERID="$P-$p" CNI_NETNS="/run/netns/$P-$p" CNI_IFNAME=eth0 \
          CNI_PATH=/usr/lib/cni /usr/lib/cni/bridge <<<"$conf")
    IP[bridge-$p]=$(jq -r '.ips[0].address' <<<"$res" | cut -d/ -f1)
  done
  CLIENT[bridge]=b1 SERVER[bridge]=b2 IP[bridge]=${IP[bridge-b2]}
}

setup_twill_overlay() { # also hosts twill-same-node (ta -> tb)
  underlay tu
  for i in 1 2; do
    node tu "t$i" "$i" 212
    ip -n "$P-t$i" link add twill_vxlan type vxlan external dstport 8472 nolearning
    ip -n "$P-t$i" link set twill_vxlan up
  done
  twill_pod t1 ta 10.212.1.2 1450; twill_pod t1 tb 10.212.1.3 1450; twill_pod t2 tc 10.212.2.2 1450
  mkdir -p "$pins"
  # shellcheck disable=SC2046 # services_on: several words
  twill_node --netns "$P-t1" --pin-root "$pins/t1" --node-ip 192.168.212.1 --cluster 10.212.0.0/16 --mode overlay \
    $(services_on 192.168.212.0/24) --uplink eth0 --vxlan twill_vxlan --own 10.212.1.0/24 --peer 10.212.2.0/24=192.168.212.2 \
    --pod "10.212.1.2=lxcta@$P-ta" --pod "10.212.1.3=lxctb@$P-tb"
  # shellcheck disable=SC2046
  twill_node --netns "$P-t2" --pin-root "$pins/t2" --node-ip 192.168.212.2 --cluster 10.212.0.0/16 --mode overlay \
    $(services_on 192.168.212.0/24) --uplink eth0 --vxlan twill_vxlan --own 10.212.2.0/24 --peer 10.212.1.0/24=192.168.212.1 \
    --pod "10.212.2.2=lxctc@$P-tc"
  CLIENT[twill-same-node]=ta SERVER[twill-same-node]=tb IP[twill-same-node]=10.212.1.3
  CLIENT[twill-overlay]=ta SERVER[twill-overlay]=tc IP[twill-overlay]=10.212.2.2
}

# The same node as twill-same-node's, with the objects of $noct_commit: bpf-src as it was before connection tracking,
# Services and masquerading, built here (nothing of it is kept) and loaded by the same harness with the settings that
# build knows.
setup_twill_noct() {
  git cat-file -e "$noct_commit^{commit}" 2>/dev/null \
    || { echo "datapath.sh: commit $noct_commit (bpf-src before connection tracking) is not in this clone" >&2; exit 1; }
  mkdir -p "$tmp/noct"
  git archive "$noct_commit" bpf-src | tar -x -C "$tmp/noct"
  local objs=$tmp/noct/objects/io/twill/bpf constants
  make -s -C "$tmp/noct/bpf-src" OUT="$tmp/noct/objects" \
    "$objs/bpf_lxc.bpf.o" "$objs/bpf_overlay.bpf.o" "$objs/bpf_host.bpf.o" >&2
  constants=$(sed -n 's/^const volatile [a-z0-9_]* \(cfg_[a-z0-9_]*\) .*/\1/p' "$tmp/noct/bpf-src/src/lib/config.h" | paste -sd, -)
  underlay ou
  node ou o1 1 216
  ip -n "$P-o1" link add twill_vxlan type vxlan external dstport 8472 nolearning
  ip -n "$P-o1" link set twill_vxlan up
  twill_pod o1 oa 10.216.1.2 1450; twill_pod o1 ob 10.216.1.3 1450
  mkdir -p "$pins"
  twill_node --netns "$P-o1" --pin-root "$pins/o1" --node-ip 192.168.216.1 --cluster 10.216.0.0/16 --mode overlay \
    --objects "$objs" --constants "$constants" --uplink eth0 --vxlan twill_vxlan --own 10.216.1.0/24 \
    --pod "10.216.1.2=lxcoa@$P-oa" --pod "10.216.1.3=lxcob@$P-ob"
  CLIENT[twill-same-node-noct]=oa SERVER[twill-same-node-noct]=ob IP[twill-same-node-noct]=10.216.1.3
}

setup_flannel() {
  underlay fu
  for i in 1 2; do
    node fu "f$i" "$i" 213
    cni0 "f$i" "10.213.$i.1/24"
    ip -n "$P-f$i" link add flannel.1 type vxlan id 1 local "192.168.213.$i" dev eth0 dstport 8472 nolearning
    ip -n "$P-f$i" link set flannel.1 mtu 1450
    ip -n "$P-f$i" addr add "10.213.$i.0/32" dev flannel.1
    ip -n "$P-f$i" link set flannel.1 up
  done
  for i in 1 2; do
    local j=$((3 - i)) mac
    mac=$(macof "f$j" flannel.1)
    ip -n "$P-f$i" route add "10.213.$j.0/24" via "10.213.$j.0" dev flannel.1 onlink
    ip -n "$P-f$i" neigh add "10.213.$j.0" lladdr "$mac" dev flannel.1 nud permanent
    nsx "f$i" bridge fdb append "$mac" dev flannel.1 dst "192.168.213.$j"
  done
  bridge_pod f1 fa 10.213.1.2/24 10.213.1.1 1450; bridge_pod f2 fc 10.213.2.2/24 10.213.2.1 1450
  CLIENT[flannel-vxlan]=fa SERVER[flannel-vxlan]=fc IP[flannel-vxlan]=10.213.2.2
}

setup_hostgw() {
  underlay hu
  for i in 1 2; do node hu "h$i" "$i" 214; cni0 "h$i" "10.214.$i.1/24"; done
  ip -n "$P-h1" route add 10.214.2.0/24 via 192.168.214.2 dev eth0
  ip -n "$P-h2" route add 10.214.1.0/24 via 192.168.214.1 dev eth0
  bridge_pod h1 ha 10.214.1.2/24 10.214.1.1 1500; bridge_pod h2 hc 10.214.2.2/24 10.214.2.1 1500
  CLIENT[host-gw]=ha SERVER[host-gw]=hc IP[host-gw]=10.214.2.2
}

setup_twill_native() {
  underlay nu
  for i in 1 2; do node nu "n$i" "$i" 215; done
  ip -n "$P-n1" route add 10.215.2.0/24 via 192.168.215.2 dev eth0
  ip -n "$P-n2" route add 10.215.1.0/24 via 192.168.215.1 dev eth0
  twill_pod n1 na 10.215.1.2 1500; twill_pod n2 nc 10.215.2.2 1500
  mkdir -p "$pins"
  # shellcheck disable=SC2046
  twill_node --netns "$P-n1" --pin-root "$pins/n1" --node-ip 192.168.215.1 --cluster 10.215.0.0/16 --mode native \
    $(services_on 192.168.215.0/24) --uplink eth0 --own 10.215.1.0/24 --peer 10.215.2.0/24=192.168.215.2 --pod "10.215.1.2=lxcna@$P-na"
  # shellcheck disable=SC2046
  twill_node --netns "$P-n2" --pin-root "$pins/n2" --node-ip 192.168.215.2 --cluster 10.215.0.0/16 --mode native \
    $(services_on 192.168.215.0/24) --uplink eth0 --own 10.215.2.0/24 --peer 10.215.1.0/24=192.168.215.1 --pod "10.215.2.2=lxcnc@$P-nc"
  CLIENT[twill-native]=na SERVER[twill-native]=nc IP[twill-native]=10.215.2.2
}

wanted() { [[ " ${cases[*]} " == *" $1 "* ]]; }
echo "datapath.sh: setting up (prefix $P)" >&2
wanted raw-veth && setup_raw
wanted bridge && setup_bridge
{ wanted twill-same-node || wanted twill-overlay; } && setup_twill_overlay
wanted twill-same-node-noct && setup_twill_noct
wanted flannel-vxlan && setup_flannel
wanted host-gw && setup_hostgw
wanted twill-native && setup_twill_native

# Every case must pass a ping first: a broken topology is an error, not a slow result.
for c in "${cases[@]}"; do
  nsx "${CLIENT[$c]}" ping -c 2 -i 0.2 -W 1 -q "${IP[$c]}" >/dev/null \
    || { echo "datapath.sh: $c: ${CLIENT[$c]} cannot reach ${IP[$c]}" >&2; exit 1; }
done

# ---- measurements: server on CPU 0, client on CPU 1 ----
wait_listen() { # ns proto port
  for _ in $(seq 50); do
    nsx "$1" ss -Hln"$2" "sport = :$3" | grep -q . && return 0
    sleep 0.05
  done
  echo "datapath.sh: nothing listens on $2 port $3 in $1" >&2; return 1
}
udp_counter() { # ns: InDatagrams + RcvbufErrors of the namespace's UDP layer
  # shellcheck disable=SC2016 # awk program
  nsx "$1" awk '/^Udp:/ { if (!h) { for (i = 2; i <= NF; i++) k[i] = $i; h = 1 } else for (i = 2; i <= NF; i++) v[k[i]] = $i }
                END { print v["InDatagrams"] + v["RcvbufErrors"] }' /proc/net/snmp
}
stream() { # case
  local c=$1 s=${SERVER[$1]} spid
  nsx "$s" taskset -c 0 iperf3 -s -1 -p 5201 >/dev/null 2>&1 & spid=$!; bg_pids+=("$spid")
  wait_listen "$s" t 5201
  nsx "${CLIENT[$c]}" taskset -c 1 iperf3 -c "${IP[$c]}" -p 5201 -t "$duration" -J > "$tmp/stream.json"
  wait "$spid" || true
  echo "stream_gbps $(jq '.end.sum_received.bits_per_second / 1e9' "$tmp/stream.json")"
}
rr() {
  local c=$1 s=${SERVER[$1]} spid o tps p50
  nsx "$s" taskset -c 0 sockperf sr --tcp -i "${IP[$c]}" -p 11111 >/dev/null 2>&1 & spid=$!; bg_pids+=("$spid")
  wait_listen "$s" t 11111
  o=$(nsx "${CLIENT[$c]}" taskset -c 1 sockperf pp --tcp -i "${IP[$c]}" -p 11111 -t "$duration" -m 64 2>&1) || true
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  tps=$(sed -n 's/.*RunTime=\([0-9.]*\) sec; SentMessages=[0-9]*; ReceivedMessages=\([0-9]*\).*/\2 \1/p' <<<"$o" \
        | awk '{ printf "%.1f", $1 / $2 }')
  p50=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' <<<"$o")
  [[ -n $tps && -n $p50 ]] || { echo "datapath.sh: $c: sockperf ping-pong gave no result:" >&2; echo "$o" >&2; return 1; }
  echo "rr_tps $tps"
  echo "rr_p50_us $p50"
}
udp64() {
  local c=$1 s=${SERVER[$1]} spid before after
  nsx "$s" taskset -c 0 iperf3 -s -1 -p 5202 >/dev/null 2>&1 & spid=$!; bg_pids+=("$spid")
  wait_listen "$s" t 5202
  before=$(udp_counter "$s")
  nsx "${CLIENT[$c]}" taskset -c 1 iperf3 -c "${IP[$c]}" -p 5202 -u -l 64 -b 0 -t "$duration" -J > "$tmp/udp.json"
  wait "$spid" || true
  after=$(udp_counter "$s")
  jq -r --argjson d "$((after - before))" '.end.sum as $s |
     "udp64_pps \($d / $s.seconds)\nudp64_app_pps \(($s.packets - $s.lost_packets) / $s.seconds)"' "$tmp/udp.json"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "datapath.sh: ${#cases[@]} cases x ${#metrics[@]} metrics x $rounds rounds x ${duration}s (load average $load_before)" >&2
: > "$tmp/samples.tsv"
# Metric-major: the cases measured back to back for one metric, so a Twill case and its peer are seconds apart.
for ((r = 1; r <= rounds; r++)); do
  n=${#cases[@]}
  for m in "${metrics[@]}"; do
    for ((k = 0; k < n; k++)); do
      c=${cases[$(((k + r - 1) % n))]}
      "$m" "$c" > "$tmp/metric.out"
      while read -r metric value; do
        printf '%s\t%s\t%s\t%s\n' "$r" "$c" "$metric" "$value" | tee -a "$tmp/samples.tsv" >&2
      done < "$tmp/metric.out"
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$java" -cp "$cp" io.twill.bench.datapath.DatapathReport "$tmp/samples.tsv" "$out" \
  "date=$(date -u +%FT%TZ)" "kernel=$(uname -r)" "cpus=$(nproc)" "duration_s=$duration" "rounds=$rounds" \
  "load_before=$load_before" "load_after=$load_after" "pinning=server cpu0, client cpu1" "twill_tc=$twill_tc" \
  "twill_services=$( ((twill_services)) && echo on || echo off)" "noct_commit=$noct_commit" \
  "bridge_nf_call_iptables=$(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null || echo absent)"
