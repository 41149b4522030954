#!/usr/bin/env bash
# Netlink benchmark: the network work of one CNI ADD and DEL (veth with its peer straight into a pod namespace,
# pod address/routes/neighbour/up, host up + /32 route; then delete), done by twill-netlink (RtNetlink over FFM)
# and, interleaved in the same run, by ip(8): one process per step, and two `ip -batch` processes.
# Works in two namespaces it makes (twb-host-*, twb-pod-*) and deletes; never touches the root namespace.
#
#   bench/scripts/netlink.sh [ROUNDS=200] [WARMUP=20]      (root: CAP_NET_ADMIN, CAP_SYS_ADMIN)
#   OUT=path.json to choose where the JSON goes (default bench/results/tmp/netlink.json)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
rounds=${1:-200} warmup=${2:-20}
out=${OUT:-bench/results/tmp/netlink.json}

[[ $EUID -eq 0 ]] || { echo "netlink.sh: creating namespaces and veths needs root" >&2; exit 1; }
JAVA_HOME=$(scripts/find-jdk.sh)
java="$JAVA_HOME/bin/java"

if [[ ! -f bench/target/classpath.txt || ! -f bench/target/classes/io/twill/bench/netlink/NetlinkBench.class ]]; then
  echo "netlink.sh: building bench and what it depends on" >&2
  scripts/mvn -q -pl bench -am install -DskipTests
fi
mkdir -p "$(dirname "$out")"
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
echo "netlink.sh: $rounds interleaved rounds after $warmup warm-up rounds (twill, ip, ip -batch)" >&2
"$java" --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$cp" \
  io.twill.bench.netlink.NetlinkBench "$rounds" "$warmup" --json "$out"
echo "netlink.sh: wrote $out" >&2
