/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Load-time tunables. They live in .rodata: the agent writes them through libbpf before loading (io.twill.maps
 * .datapath.DatapathConfig), the verifier then sees constants and prunes the branches they turn off, and nodes never
 * run clang. Every object includes this header, so every object has every variable and one config fits all.
 * Addresses and masks are in network byte order, exactly as they appear in packets.
 */
#ifndef TWILL_CONFIG_H
#define TWILL_CONFIG_H

#include "common.h"

#define ROUTING_OVERLAY 0 /* VXLAN between nodes (default) */
#define ROUTING_NATIVE  1 /* the kernel routes each remote pod CIDR via that node's IP */

/* This node's underlay IPv4 address (eth0). A twill_tunnel entry pointing here marks this node's own pod CIDR. */
const volatile __be32 cfg_node_ip = 0;
/* The cluster-wide pod range: cfg_cluster_net / cfg_cluster_mask. Nothing inside it is passed to the stack blindly. */
const volatile __be32 cfg_cluster_net = 0;
const volatile __be32 cfg_cluster_mask = 0;
/* ROUTING_OVERLAY or ROUTING_NATIVE. */
const volatile __u32 cfg_routing_mode = ROUTING_OVERLAY;
/* ifindex of twill_vxlan (overlay mode) and the VNI put on every encapsulated packet. */
const volatile __u32 cfg_vxlan_ifindex = 0;
const volatile __u32 cfg_vni = 0;
/* 1: a pod may only send from its own address (checked against twill_endpoints and the lxc ifindex). */
const volatile __u32 cfg_source_check = 1;
/* 1: emit a trace event for every forwarded packet (debugging only: costs a ring-buffer write per packet). */
const volatile __u32 cfg_trace = 0;

/*
 * Services without kube-proxy (kubeProxyReplacement): 1 = bpf_lxc translates packets to Service frontends that the
 * socket hooks did not (per-packet load balancing), bpf_host serves NodePort and external IPs. 0 = the twill_lb_*
 * maps are not consulted at all, and Services are kube-proxy's (its translations still work: see lib/ct.h, FROM_STACK).
 */
const volatile __u32 cfg_kube_proxy_replacement = 0;
/* 1 = pod traffic leaving the node toward addresses outside the cluster CIDR and twill_nonmasq is SNATed to
 * cfg_node_ip (bpf_host to_netdev); replies are translated back on from_netdev. */
const volatile __u32 cfg_masquerade = 0;
/* Source ports (host order, inclusive) that masquerading and NodePort SNAT may use on cfg_node_ip. Keep them out of
 * the node's own ephemeral range (net.ipv4.ip_local_port_range) so the host's connections never collide. */
const volatile __u32 cfg_nat_port_min = 61000;
const volatile __u32 cfg_nat_port_max = 65535;
/* Connection tracking lifetimes in seconds (lib/ct.h). */
const volatile __u32 cfg_ct_lifetime_tcp = 21600;   /* established TCP */
const volatile __u32 cfg_ct_lifetime_syn = 60;      /* TCP before the responder answered */
const volatile __u32 cfg_ct_lifetime_close = 10;    /* TCP after RST, or FIN from both sides */
const volatile __u32 cfg_ct_lifetime_other = 60;    /* UDP, ICMP */

static __always_inline int in_cluster(__be32 addr)
{
	return cfg_cluster_mask != 0 && (addr & cfg_cluster_mask) == cfg_cluster_net;
}

#endif /* TWILL_CONFIG_H */
