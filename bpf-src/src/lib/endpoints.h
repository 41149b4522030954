/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_endpoints: every pod on this node (and any address of the node itself that lives in the pod range),
 * keyed by IPv4 address. Written by the agent (io.twill.maps.endpoints.EndpointsMap), read on every packet.
 */
#ifndef TWILL_ENDPOINTS_H
#define TWILL_ENDPOINTS_H

#include "common.h"

#define ENDPOINTS_MAP_SIZE 65536

/* The entry is an address of the node itself: deliver to the host stack, not into a pod. */
#define ENDPOINT_F_HOST 0x1

struct endpoint_key {
	__be32 addr;            /* pod IPv4, network byte order */
};

struct endpoint_info {
	__u32 ifindex;          /* host-side (lxc) veth; its peer is the pod's eth0 */
	__u16 endpoint_id;      /* agent-assigned, non-zero */
	__u16 flags;            /* ENDPOINT_F_* */
	__u8  mac[6];           /* pod eth0 MAC: destination MAC of delivered packets */
	__u8  pad1[2];
	__u8  node_mac[6];      /* lxc MAC: source MAC of delivered packets, answer of the gateway ARP responder */
	__u8  pad2[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct endpoint_key);
	__type(value, struct endpoint_info);
	__uint(max_entries, ENDPOINTS_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_endpoints SEC(".maps");

static __always_inline struct endpoint_info *lookup_endpoint(__be32 addr)
{
	struct endpoint_key key = { .addr = addr };

	return bpf_map_lookup_elem(&twill_endpoints, &key);
}

#endif /* TWILL_ENDPOINTS_H */
