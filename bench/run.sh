#!/usr/bin/env bash
# make bench: every benchmark of the project, one after the other on this machine, then one results file and a report.
#
#   datapath     raw veth / bridge plugin / flannel-style VXLAN / host-gw vs Twill same-node, overlay, native; Twill
#                same-node vs the same datapath before connection tracking and NAT
#   services     ClusterIP connect+request/response and request/response with 1, 1,000, 10,000 Services: Twill's
#                kube-proxy replacement vs kube-proxy-style iptables rules
#   cni          CNI ADD/DEL latency and pods/s: loopback+twill-cni vs loopback+bridge+host-local
#   maps         hash-map update/lookup, single and batch: bpf-loader (Java, FFM) vs the same loops in C over libbpf
#   netlink      one pod's veth/address/route work: twill-netlink vs ip(8)
#   operator     5,000 TwillNodes joining at once: operator vs an oracle writer
#   agent-scale  agent RSS and CPU with 1,000 endpoints and 5,000 remote nodes in its maps
#   services-scale  10,000 Services x 3 backends from the API into the agent's maps: time vs a plain informer, RSS
#
# Each benchmark interleaves its own repetitions across the systems it compares. Raw outputs go to
# bench/results/tmp/<stamp>/; at the end of a full run the combined bench/results/<date>.json (with the machine's
# facts), the report bench/results/<date>.md and its charts bench/results/<date>-*.png are written, and README.md's
# figures are refreshed from them.
#
#   make bench                        (root)
#   BENCHES="datapath cni" make bench  only some (report in bench/results/tmp/<stamp>/, README untouched)
#   QUICK=1 make bench                short runs, a smoke test of the harness (report in bench/results/tmp/<stamp>/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
all="datapath services cni maps netlink operator agent-scale services-scale"
read -r -a benches <<<"${BENCHES:-$all}"
date=$(date -u +%Y-%m-%d)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw=bench/results/tmp/$stamp
# Only a full run (every benchmark, not QUICK) replaces bench/results/<date>.* and README's figures; a partial or
# QUICK run keeps its report next to its raw outputs.
if [[ ${QUICK:-0} != 1 && ${#benches[@]} -eq $(wc -w <<<"$all") ]]; then full=1 results=bench/results; else full=0 results=$raw; fi
mkdir -p "$raw"

[[ $EUID -eq 0 ]] || { echo "make bench: needs root (namespaces, BPF)" >&2; exit 1; }
for b in "${benches[@]}"; do
  [[ " $all " == *" $b "* ]] || { echo "make bench: unknown benchmark '$b' (have: $all)" >&2; exit 2; }
done
if [[ ${QUICK:-0} == 1 ]]; then
  export DURATION=2 PODS=20 WARMUP=2 BLOCK=5 NODES=200 SETTLE=2 STEADY=5
  datapath_rounds=1 services_rounds=1 cni_rounds=1 maps_args=(1 1) netlink_args=(20 5) operator_args=(500 1)
  scale_services=1000 scale_warmup=100
else
  # Five datapath rounds: on this class of machine TCP throughput moves by ~30 % between runs.
  datapath_rounds=${DATAPATH_ROUNDS:-5} services_rounds=${SERVICES_ROUNDS:-5} cni_rounds=${CNI_ROUNDS:-3}
  maps_args=() netlink_args=() operator_args=() scale_services=10000 scale_warmup=500
fi

echo "make bench: building once" >&2
scripts/mvn -q install -DskipTests
export SKIP_BUILD=1
JAVA_HOME=$(scripts/find-jdk.sh)

started=$(date -u +%FT%TZ)
for b in "${benches[@]}"; do
  echo "== $b" >&2
  t0=$SECONDS
  case $b in
    datapath)    OUT=$raw/datapath.json ROUNDS=$datapath_rounds bench/scripts/datapath.sh ;;
    services)    OUT=$raw/services.json ROUNDS=$services_rounds bench/scripts/services.sh ;;
    cni)         OUT=$raw/cni.json ROUNDS=$cni_rounds bench/scripts/cni.sh ;;
    maps)        OUT=$raw/maps.json bench/scripts/maps.sh "${maps_args[@]}" ;;
    netlink)     OUT=$raw/netlink.json bench/scripts/netlink.sh "${netlink_args[@]}" ;;
    operator)    OUT=$raw/operator.json bench/scripts/operator.sh "${operator_args[@]}" ;;
    agent-scale) OUT=$raw/agent-scale.json bench/scripts/agent-scale.sh ;;
    services-scale) OUT=$raw/services-scale.json SERVICES=$scale_services SVC_WARMUP=$scale_warmup \
                      bench/scripts/services-scale.sh ;;
  esac 2>&1 | tee "$raw/$b.log"
  echo "$b $((SECONDS - t0))" >>"$raw/durations"
done

# The machine the figures come from.
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
jq -n --arg date "$date" --arg started "$started" --arg finished "$(date -u +%FT%TZ)" \
  --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo '+dirty')" \
  --arg cpu "$cpu" --argjson cores "$(nproc)" --arg kernel "$(uname -r)" \
  --arg memory "$(free -g | awk '/^Mem:/{print $2" GiB"}')" \
  --arg os "$(. /etc/os-release && echo "$PRETTY_NAME")" \
  --arg jdk "$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)" \
  --arg libbpf "$(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || echo unknown)" \
  --arg clang "$(clang-19 --version | head -1)" --arg quick "${QUICK:-0}" \
  '{date:$date, started:$started, finished:$finished, commit:$commit, quick:($quick=="1"),
    machine:{cpu:$cpu, cores:$cores, kernel:$kernel, memory:$memory, os:$os, jdk:$jdk, libbpf:$libbpf, clang:$clang}}' \
  >"$raw/meta.json"

# One file: meta plus each benchmark's own JSON under its name, and how long each took.
args=(--slurpfile meta "$raw/meta.json")
# shellcheck disable=SC2016 # a jq program: $meta and $durations are jq variables
filter='$meta[0] + {durations_s: $durations, results: {}}'
for b in "${benches[@]}"; do
  key=${b//-/_}
  args+=(--slurpfile "$key" "$raw/$b.json")
  filter+=" | .results.$key = \$${key}[0]"
done
durations=$(awk '{printf "%s\"%s\":%s", (NR>1?",":""), $1, $2} BEGIN{printf "{"} END{printf "}"}' "$raw/durations")
jq -n "${args[@]}" --argjson durations "$durations" "$filter" >"$results/$date.json"
echo "make bench: wrote $results/$date.json" >&2

readme=(); (( full )) && readme=(--readme README.md)
/usr/bin/python3 bench/report.py "$results/$date.json" "${readme[@]}"  # Debian's python3-matplotlib
