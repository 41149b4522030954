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

static __always_inline int in_cluster(__be32 addr)
{
	return cfg_cluster_mask != 0 && (addr & cfg_cluster_mask) == cfg_cluster_net;
}

#endif /* TWILL_CONFIG_H */
