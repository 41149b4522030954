#!/usr/bin/env bash
# `make demo`: a 2-node Twill cluster of network namespaces with 4 pods, what a user would look at, then teardown.
# KEEP=1 leaves the cluster up (take it down with `make demo-down`).
set -euo pipefail
cd "$(dirname "$0")/.."
cluster=ci/netns-cluster
# The cluster's state dir, as ci/netns-cluster reads it (TWILL_CLUSTER_DIR lets two checkouts run their own).
dir=${TWILL_CLUSTER_DIR:-/run/twill-cluster}

[[ $(id -u) -eq 0 ]] || { echo "demo: needs root (network namespaces, BPF): sudo make demo" >&2; exit 1; }
if [[ -e $dir/cluster.env ]]; then
  echo "demo: a cluster is already up; 'make demo-down' first" >&2
  exit 1
fi
if [[ ${KEEP:-0} != 1 ]]; then trap '$cluster down' EXIT; fi

section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

section "Starting a 2-node cluster (mock Kubernetes API, twill-operator, one twill-agent per node)"
$cluster up --nodes 2 --routing "${ROUTING:-overlay}"

section "Creating 4 pods through twill-cni (2 per node)"
for spec in a:node1 b:node1 c:node2 d:node2; do
  pod=${spec%%:*} node=${spec#*:}
  printf 'pod %s on %s: %s\n' "$pod" "$node" "$($cluster pod-add "$node" "$pod")"
done

section "Cluster"
$cluster status

section "Connectivity: every pod to every pod (ICMP + TCP), every node to every pod"
$cluster matrix --tcp

section "A Service (kube-proxy replacement): ClusterIP 10.96.0.100:80 and NodePort 30080 -> pods b (node1) and d (node2)"
# The Service as a user writes it, the EndpointSlice as the endpoint-slice controller would (no controller here).
b_ip=$($cluster pod-ip b) d_ip=$($cluster pod-ip d)
$cluster api POST /api/v1/namespaces/default/services >/dev/null <<JSON
{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},
 "spec":{"type":"NodePort","clusterIP":"10.96.0.100","clusterIPs":["10.96.0.100"],
         "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":80,"nodePort":30080}]}}
JSON
$cluster api POST /apis/discovery.k8s.io/v1/namespaces/default/endpointslices >/dev/null <<JSON
{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","addressType":"IPv4",
 "metadata":{"name":"web-1","namespace":"default","labels":{"kubernetes.io/service-name":"web"}},
 "ports":[{"name":"http","protocol":"TCP","port":80}],
 "endpoints":[{"addresses":["$b_ip"],"nodeName":"node1","conditions":{"ready":true}},
              {"addresses":["$d_ip"],"nodeName":"node2","conditions":{"ready":true}}]}
JSON
sleep 1
node1_ip=$(cat "$dir/nodes/node1/ip")
ask() { "$@" socat -T2 - "${ADDR:?}" </dev/null 2>&1 || echo "(no answer)"; }
for _ in 1 2 3 4; do printf 'pod a -> 10.96.0.100:80 (ClusterIP)  answered: %s\n' "$(ADDR=TCP4:10.96.0.100:80 ask $cluster pod-exec a)"; done
printf 'node1 -> 10.96.0.100:80 (ClusterIP)  answered: %s\n' "$(ADDR=TCP4:10.96.0.100:80 ask $cluster node-exec node1)"
printf 'world -> %s:30080 (NodePort)   answered: %s\n' "$node1_ip" "$(ADDR=TCP4:$node1_ip:30080 ask $cluster world-exec)"
printf 'pod a -> 198.51.100.10:80 (outside)  answered: %s  (masqueraded to the node address)\n' \
  "$(ADDR=TCP4:198.51.100.10:80 ask $cluster pod-exec a)"

section "twillctl service list (node1)"
$cluster twillctl node1 service list

section "twillctl status (node1)"
$cluster twillctl node1 status
section "twillctl endpoint list (node1)"
$cluster twillctl node1 endpoint list
section "twillctl bpf endpoint list (node1)"
$cluster twillctl node1 bpf endpoint list
section "twillctl bpf tunnel list (node1)"
$cluster twillctl node1 bpf tunnel list

section "bpftool net show (node1)"
$cluster node-exec node1 bpftool net show

section "Metrics excerpt (node1, :9962/metrics)"
$cluster node-exec node1 curl -sf "http://$node1_ip:9962/metrics" \
  | grep -E '^twill_(forward_count_total|drop_count_total|endpoint_count|ipam_ips|node_count)' | head -20

if [[ ${KEEP:-0} == 1 ]]; then
  section "The cluster stays up (KEEP=1): try 'ci/netns-cluster --help'; 'make demo-down' removes it"
else
  section "Tearing down"
fi
