#!/usr/bin/env bash
# End-to-end test of Twill on a kind cluster (1 control plane + 2 workers, no default CNI): builds the images (unless
# SKIP_BUILD=1), creates the cluster, loads the images, applies deploy/ (CRD, RBAC, ConfigMap, operator, agent),
# waits for everything to be ready, checks that every node got its own pod CIDR from the pool, starts busybox pods
# on both workers and checks ping and TCP between them both ways, across nodes and on one node, and that the
# agents' pinned maps show them. On failure it collects diagnostics into $ARTIFACTS. The cluster is deleted at the
# end unless KEEP_CLUSTER=1.
#
# Needs docker, kind and kubectl on PATH. Environment (defaults in brackets):
#   CLUSTER [twill-e2e]  KEEP_CLUSTER [0]  SKIP_BUILD [0]  ARTIFACTS [ci/kind/artifacts]
#   AGENT_IMAGE [twill/agent:dev]  OPERATOR_IMAGE [twill/operator:dev]  TEST_IMAGE [busybox:1.36]
#   KIND_NODE_IMAGE [kind's default]  WAIT [300] (seconds allowed for each wait)
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/ci/kind
CLUSTER=${CLUSTER:-twill-e2e}
KEEP_CLUSTER=${KEEP_CLUSTER:-0}
SKIP_BUILD=${SKIP_BUILD:-0}
ARTIFACTS=${ARTIFACTS:-$here/artifacts}
AGENT_IMAGE=${AGENT_IMAGE:-twill/agent:dev}
OPERATOR_IMAGE=${OPERATOR_IMAGE:-twill/operator:dev}
TEST_IMAGE=${TEST_IMAGE:-busybox:1.36}
KIND_NODE_IMAGE=${KIND_NODE_IMAGE:-}
WAIT=${WAIT:-300}
SYSTEM_NS=kube-system
TEST_NS=twill-e2e
cluster_created=0

kc=(kubectl --context "kind-$CLUSTER")

log() { printf '%s e2e: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
k() { "${kc[@]}" "$@"; }
need() { command -v "$1" >/dev/null || fail "$1 is not installed; $2"; }

# wait_for DESCRIPTION COMMAND...: runs COMMAND every 2 s until it succeeds, at most $WAIT seconds.
wait_for() {
    local what=$1 deadline=$((SECONDS + WAIT))
    shift
    until "$@" >/dev/null 2>&1; do
        (( SECONDS < deadline )) || fail "timed out after ${WAIT}s waiting for $what"
        sleep 2
    done
}

# save FILE COMMAND...: COMMAND's output (and errors) into $ARTIFACTS/FILE, never failing, at most 60 s.
save() {
    local file=$ARTIFACTS/$1
    shift
    mkdir -p "$(dirname "$file")"
    { echo "\$ $*"; timeout 60 "$@"; } >"$file" 2>&1 || echo "(exit $?)" >>"$file"
}

collect_diagnostics() {
    log "collecting diagnostics into $ARTIFACTS"
    mkdir -p "$ARTIFACTS"
    save nodes.txt "${kc[@]}" get nodes -o wide
    save pods.txt "${kc[@]}" get pods -A -o wide
    save twillnodes.yaml "${kc[@]}" get twillnodes -o yaml
    save lease.yaml "${kc[@]}" -n "$SYSTEM_NS" get lease twill-operator -o yaml
    save events.txt "${kc[@]}" get events -A --sort-by=.lastTimestamp
    save describe-nodes.txt "${kc[@]}" describe nodes
    save describe-daemonset.txt "${kc[@]}" -n "$SYSTEM_NS" describe daemonset/twill-agent
    save describe-deployment.txt "${kc[@]}" -n "$SYSTEM_NS" describe deployment/twill-operator
    save describe-twill-pods.txt "${kc[@]}" -n "$SYSTEM_NS" describe pods -l app.kubernetes.io/part-of=twill
    save describe-test-pods.txt "${kc[@]}" -n "$TEST_NS" describe pods
    local pod node
    for pod in $(k -n "$SYSTEM_NS" get pods -l app.kubernetes.io/name=twill-operator -o name 2>/dev/null); do
        save "operator/${pod#pod/}.log" "${kc[@]}" -n "$SYSTEM_NS" logs "$pod" --timestamps
        save "operator/${pod#pod/}.previous.log" "${kc[@]}" -n "$SYSTEM_NS" logs "$pod" --timestamps --previous
    done
    for pod in $(k -n "$SYSTEM_NS" get pods -l app.kubernetes.io/name=twill-agent -o name 2>/dev/null); do
        node=$(k -n "$SYSTEM_NS" get "$pod" -o jsonpath='{.spec.nodeName}' 2>/dev/null || echo "${pod#pod/}")
        local in_agent=("${kc[@]}" -n "$SYSTEM_NS" exec "$pod" -c twill-agent --)
        save "agent/$node/install-cni.log" "${kc[@]}" -n "$SYSTEM_NS" logs "$pod" -c install-cni
        save "agent/$node/agent.log" "${kc[@]}" -n "$SYSTEM_NS" logs "$pod" -c twill-agent --timestamps
        save "agent/$node/agent.previous.log" "${kc[@]}" -n "$SYSTEM_NS" logs "$pod" -c twill-agent --timestamps --previous
        save "agent/$node/twillctl-status.txt" "${in_agent[@]}" twillctl status
        save "agent/$node/twillctl-bpf-endpoint.txt" "${in_agent[@]}" twillctl bpf endpoint list
        save "agent/$node/twillctl-bpf-tunnel.txt" "${in_agent[@]}" twillctl bpf tunnel list
        save "agent/$node/bpftool-net.txt" "${in_agent[@]}" bpftool net show
        save "agent/$node/bpftool-map.txt" "${in_agent[@]}" bpftool map show
        save "agent/$node/ip-link.txt" "${in_agent[@]}" ip -d link show
        save "agent/$node/ip-route.txt" "${in_agent[@]}" ip route show table all
    done
    save kind-export.txt kind export logs "$ARTIFACTS/kind" --name "$CLUSTER"
}

finish() {
    local rc=$?
    set +e
    if (( rc != 0 && cluster_created )); then
        collect_diagnostics
    fi
    if (( cluster_created )); then
        if [[ $KEEP_CLUSTER == 1 ]]; then
            log "keeping cluster $CLUSTER (kubectl --context kind-$CLUSTER ...; kind delete cluster --name $CLUSTER)"
        else
            log "deleting cluster $CLUSTER"
            kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || log "could not delete cluster $CLUSTER"
        fi
    fi
    if (( rc == 0 )); then log "PASSED"; else log "FAILED (exit $rc); diagnostics in $ARTIFACTS"; fi
    exit "$rc"
}
trap finish EXIT

ip_to_int() {
    local a b c d
    IFS=. read -r a b c d <<<"$1"
    echo $(( (a << 24) | (b << 16) | (c << 8) | d ))
}

# in_cidr IP CIDR: whether the address lies in the prefix.
in_cidr() {
    local net=${2%/*} len=${2#*/} mask
    mask=$(( len == 0 ? 0 : (0xffffffff << (32 - len)) & 0xffffffff ))
    (( ($(ip_to_int "$1") & mask) == ($(ip_to_int "$net") & mask) ))
}

# ---- prerequisites and images ---------------------------------------------------------------------------------
need docker "see https://docs.docker.com/engine/install/"
need kind "see https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "see https://kubernetes.io/docs/tasks/tools/"
pool=$(sed -n 's/^ *podSubnet: *//p' "$here/kind-config.yaml")
[[ -n $pool ]] || fail "no podSubnet in $here/kind-config.yaml"

if [[ $SKIP_BUILD != 1 ]]; then
    AGENT_IMAGE=$AGENT_IMAGE OPERATOR_IMAGE=$OPERATOR_IMAGE "$here/build-images.sh"
fi
for image in "$AGENT_IMAGE" "$OPERATOR_IMAGE"; do
    docker image inspect "$image" >/dev/null 2>&1 || fail "image $image not found; run ci/kind/build-images.sh"
done
docker image inspect "$TEST_IMAGE" >/dev/null 2>&1 || docker pull "$TEST_IMAGE" >/dev/null

# ---- cluster ---------------------------------------------------------------------------------------------------
if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
    fail "a kind cluster named $CLUSTER exists already; delete it (kind delete cluster --name $CLUSTER) or set CLUSTER"
fi
rm -rf "$ARTIFACTS"
cluster_created=1
log "creating kind cluster $CLUSTER"
kind create cluster --name "$CLUSTER" --config "$here/kind-config.yaml" ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
log "loading images"
kind load docker-image --name "$CLUSTER" "$AGENT_IMAGE" "$OPERATOR_IMAGE" "$TEST_IMAGE"

# ---- Twill -----------------------------------------------------------------------------------------------------
log "applying deploy/ (CRD, RBAC, ConfigMap, operator, agent)"
k apply -f "$top/deploy/crds/"
k wait --for=condition=Established crd/twillnodes.twill.io --timeout="${WAIT}s"
for f in rbac config operator agent; do
    # the manifests name twill/agent:dev and twill/operator:dev; other tags are substituted on the way
    sed -e "s|image: twill/agent:dev\$|image: $AGENT_IMAGE|" -e "s|image: twill/operator:dev\$|image: $OPERATOR_IMAGE|" \
        "$top/deploy/kubernetes/$f.yaml" | k apply -f -
done
log "waiting for twill-operator and twill-agent"
k -n "$SYSTEM_NS" rollout status deployment/twill-operator --timeout="${WAIT}s"
k -n "$SYSTEM_NS" rollout status daemonset/twill-agent --timeout="${WAIT}s"
k wait --for=condition=Ready nodes --all --timeout="${WAIT}s"
k get nodes -o wide
k get twillnodes -o wide

# The lease names its holder by pod name (TWILL_OPERATOR_LEADER_ELECTION_IDENTITY from metadata.name).
leader_is_a_pod() {
    local holder
    holder=$(k -n "$SYSTEM_NS" get lease twill-operator -o jsonpath='{.spec.holderIdentity}')
    [[ -n $holder ]] && k -n "$SYSTEM_NS" get pod "$holder" -l app.kubernetes.io/name=twill-operator
}
wait_for "the lease twill-operator to be held by an operator pod" leader_is_a_pod
log "operator leader: $(k -n "$SYSTEM_NS" get lease twill-operator -o jsonpath='{.spec.holderIdentity}')"

log "checking that every node has its own pod CIDR from $pool"
pod_cidr_of() { k get twillnode "$1" -o jsonpath='{.spec.ipam.podCIDRs[0]}'; }
has_pod_cidr() { [[ -n $(pod_cidr_of "$1") ]]; }
declare -A cidr_of owner_of
for node in $(k get nodes -o jsonpath='{.items[*].metadata.name}'); do
    wait_for "a pod CIDR on TwillNode $node" has_pod_cidr "$node"
    cidr=$(pod_cidr_of "$node")
    in_cidr "${cidr%/*}" "$pool" || fail "TwillNode $node has pod CIDR $cidr, outside the pool $pool"
    [[ -z ${owner_of[$cidr]:-} ]] || fail "nodes $node and ${owner_of[$cidr]} both have pod CIDR $cidr"
    owner_of[$cidr]=$node
    cidr_of[$node]=$cidr
    log "  $node: $cidr"
done

# ---- pods and traffic ------------------------------------------------------------------------------------------
read -r -a workers <<<"$(k get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{.items[*].metadata.name}')"
(( ${#workers[@]} >= 2 )) || fail "need two worker nodes, found: ${workers[*]:-none}"
w1=${workers[0]} w2=${workers[1]}

# start_pod NAME NODE: a busybox pod pinned to NODE that answers HTTP on 8080 with "pong-from-NAME".
start_pod() {
    k apply -f - <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: $TEST_NS
  labels: {app.kubernetes.io/name: twill-e2e}
spec:
  nodeName: $2
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: $TEST_IMAGE
      imagePullPolicy: IfNotPresent
      command: ["sh", "-c", "mkdir -p /www && echo pong-from-$1 >/www/index.html && exec httpd -f -p 8080 -h /www"]
EOF
}
k create namespace "$TEST_NS"
start_pod a1 "$w1"
start_pod a2 "$w1"
start_pod b1 "$w2"
k -n "$TEST_NS" wait --for=condition=Ready pod --all --timeout="${WAIT}s"
k -n "$TEST_NS" get pods -o wide

declare -A ip_of
for pod in a1 a2 b1; do
    ip_of[$pod]=$(k -n "$TEST_NS" get pod "$pod" -o jsonpath='{.status.podIP}')
    node=$(k -n "$TEST_NS" get pod "$pod" -o jsonpath='{.spec.nodeName}')
    [[ -n ${ip_of[$pod]} ]] || fail "pod $pod has no IP"
    in_cidr "${ip_of[$pod]}" "${cidr_of[$node]}" \
        || fail "pod $pod on $node has IP ${ip_of[$pod]}, outside its node's pod CIDR ${cidr_of[$node]}"
done

# check_pair FROM TO: ping, then a TCP request (nc) whose answer names the pod that sent it.
check_pair() {
    local from=$1 to=$2 ip=${ip_of[$2]} answer
    log "  $from -> $to ($ip)"
    timeout 60 "${kc[@]}" -n "$TEST_NS" exec "$from" -- ping -c 3 -W 2 "$ip" \
        || fail "ping from $from to $to ($ip)"
    answer=$(timeout 60 "${kc[@]}" -n "$TEST_NS" exec "$from" -- \
        sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 $ip 8080") || fail "TCP from $from to $to ($ip:8080)"
    [[ $answer == *"pong-from-$to"* ]] || fail "TCP from $from to $to ($ip:8080) answered: $answer"
}
log "traffic between nodes ($w1 <-> $w2) and on one node ($w1)"
check_pair a1 b1
check_pair b1 a1
check_pair a1 a2
check_pair a2 a1

# ---- what the agents show --------------------------------------------------------------------------------------
agent_on() { k -n "$SYSTEM_NS" get pods -l app.kubernetes.io/name=twill-agent --field-selector "spec.nodeName=$1" -o name; }
twillctl_on() {
    local pod
    pod=$(agent_on "$1")
    shift
    timeout 60 "${kc[@]}" -n "$SYSTEM_NS" exec "$pod" -c twill-agent -- twillctl "$@"
}
log "checking the agents' pinned maps with twillctl"
twillctl_on "$w1" status || fail "twillctl status on $w1"
endpoints=$(twillctl_on "$w1" bpf endpoint list) || fail "twillctl bpf endpoint list on $w1"
for pod in a1 a2; do
    grep -qw "${ip_of[$pod]}" <<<"$endpoints" || fail "twill_endpoints on $w1 has no entry for $pod (${ip_of[$pod]}): $endpoints"
done
tunnel=$(twillctl_on "$w1" bpf tunnel list) || fail "twillctl bpf tunnel list on $w1"
grep -qF "${cidr_of[$w2]}" <<<"$tunnel" || fail "twill_tunnel on $w1 has no entry for $w2's ${cidr_of[$w2]}: $tunnel"
