#!/usr/bin/env bash
# Installs, on Debian 12, only the packages that are missing. Needs root (or sudo).
set -euo pipefail
pkgs=(
  clang-19 llvm-19 libbpf-dev bpftool      # BPF toolchain, libbpf headers + libbpf.so.1
  gcc g++ libc6-dev make musl-tools         # layout and signature probes (g++), the static CNI shim (musl-gcc -static)
  iproute2 iputils-ping ethtool             # test and demo namespaces (never on the runtime path)
  socat iptables                            # the pods' TCP/UDP servers in the local cluster; kube-proxy-style rules in tests
  iperf3 sockperf hyperfine jq              # benchmarks
  containernetworking-plugins               # the reference bridge/host-local/loopback plugins (peers)
  podman runc busybox-static                # a real container runtime for the CNI test
  shellcheck                                # ci/kind scripts are syntax-checked
  python3 python3-matplotlib                # bench report charts
  curl unzip ca-certificates                # Maven wrapper download
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} == 0 )); then echo "deps: all ${#pkgs[@]} packages present"; exit 0; fi
echo "deps: installing ${missing[*]}"
SUDO=""; [[ $(id -u) -eq 0 ]] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
