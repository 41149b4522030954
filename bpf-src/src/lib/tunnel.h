/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_tunnel: which node owns which pod CIDR (LPM trie: CIDR -> node underlay IPv4). The agent keeps it equal to
 * the cluster's TwillNode pod CIDRs (io.twill.maps.tunnel.TunnelMap), this node's own CIDR included (pointing at
 * cfg_node_ip). Used in both routing modes: overlay encapsulates to node_ip, native hands the packet to the kernel,
 * which routes it via node_ip; a miss inside the cluster CIDR is a drop (DROP_UNROUTABLE).
 */
#ifndef TWILL_TUNNEL_H
#define TWILL_TUNNEL_H

#include "common.h"

#define TUNNEL_MAP_SIZE 16384

struct tunnel_key {
	__u32  prefixlen;       /* LPM header: significant bits of addr, 0..32 */
	__be32 addr;            /* pod CIDR base address, network byte order */
};

struct tunnel_info {
	__be32 node_ip;         /* underlay IPv4 of the node owning the CIDR, network byte order */
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct tunnel_key);
	__type(value, struct tunnel_info);
	__uint(max_entries, TUNNEL_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_tunnel SEC(".maps");

static __always_inline struct tunnel_info *lookup_tunnel(__be32 addr)
{
	struct tunnel_key key = { .prefixlen = 32, .addr = addr };

	return bpf_map_lookup_elem(&twill_tunnel, &key);
}

#endif /* TWILL_TUNNEL_H */
