#!/usr/bin/env bash
# Sourced by the datapath and Services benchmarks: the pieces their topologies are made of. Every namespace is named
# "$P-<name>", with P the calling script's unique prefix (its cleanup removes them all).

nsx() { local ns=$1; shift; ip netns exec "$P-$ns" "$@"; }
mkns() { ip netns add "$P-$1"; ip -n "$P-$1" link set lo up; }
macof() { ip -n "$P-$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }

underlay() { mkns "$1"; ip -n "$P-$1" link add br0 type bridge; ip -n "$P-$1" link set br0 up; }
node() { # underlay node index subnet-octet: eth0 on the underlay bridge, address 192.168.<oct>.<i>/24
  local ul=$1 n=$2 i=$3 oct=$4
  mkns "$n"
  ip link add eth0 netns "$P-$n" type veth peer name "ul$i" netns "$P-$ul"
  ip -n "$P-$ul" link set "ul$i" master br0 up
  ip -n "$P-$n" addr add "192.168.$oct.$i/24" dev eth0
  ip -n "$P-$n" link set eth0 up
  nsx "$n" sysctl -qw net.ipv4.ip_forward=1
}
twill_pod() { # node pod ip mtu: /32 address, default route via the link-local gateway, /32 route on the lxc
  local n=$1 p=$2 ip=$3 mtu=$4
  mkns "$p"
  ip link add eth0 netns "$P-$p" type veth peer name "lxc$p" netns "$P-$n"
  ip -n "$P-$p" addr add "$ip/32" dev eth0
  ip -n "$P-$p" link set eth0 mtu "$mtu" up
  ip -n "$P-$p" route add 169.254.1.1 dev eth0 scope link
  ip -n "$P-$p" route add default via 169.254.1.1 dev eth0
  ip -n "$P-$n" link set "lxc$p" up
  ip -n "$P-$n" route add "$ip/32" dev "lxc$p"
}
bridge_pod() { # node pod ip/len gateway mtu: a veth whose host side is a port of cni0 (flannel / host-gw style)
  local n=$1 p=$2 cidr=$3 gw=$4 mtu=$5
  mkns "$p"
  ip link add eth0 netns "$P-$p" type veth peer name "veth$p" netns "$P-$n"
  ip -n "$P-$p" addr add "$cidr" dev eth0
  ip -n "$P-$p" link set eth0 mtu "$mtu" up
  ip -n "$P-$p" route add default via "$gw" dev eth0
  ip -n "$P-$n" link set "veth$p" mtu "$mtu" master cni0 up
}
cni0() { ip -n "$P-$1" link add cni0 type bridge; ip -n "$P-$1" addr add "$2" dev cni0; ip -n "$P-$1" link set cni0 up; }
