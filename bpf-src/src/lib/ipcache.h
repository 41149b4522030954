/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_ipcache: who an address is, for NetworkPolicy. An LPM trie filled by the agent (io.twill.maps.ipcache) from
 * the policy compiler: a /32 for every pod of the cluster with its security identity (node-local numbering: the same
 * labels give the same verdict on every node, the numbers need not agree), a /32 for every node address (this node:
 * host, the others: remote-node). A miss is the world.
 */
#ifndef TWILL_IPCACHE_H
#define TWILL_IPCACHE_H

#include "common.h"

#define IPCACHE_MAP_SIZE (512 * 1024)

/* Reserved identities (io.twill.policy). 0 means "any peer" in policy keys and "unknown" elsewhere. */
#define ID_UNKNOWN     0
#define ID_HOST        1
#define ID_WORLD       2
#define ID_REMOTE_NODE 6

#define IPCACHE_F_LOCAL 0x1 /* a pod of this node */

struct ipcache_key {
	__u32  prefixlen;
	__be32 addr;
};

struct ipcache_info {
	__u32  identity;  /* security identity, host byte order */
	__be32 node_ip;   /* the node the pod runs on (0 for node addresses) */
	__u8   flags;     /* IPCACHE_F_* */
	__u8   pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct ipcache_key);
	__type(value, struct ipcache_info);
	__uint(max_entries, IPCACHE_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_ipcache SEC(".maps");

/* The security identity of `addr`: its ipcache entry's, or the world's. */
static __always_inline __u32 identity_of(__be32 addr)
{
	struct ipcache_key key = { .prefixlen = 32, .addr = addr };
	struct ipcache_info *info = bpf_map_lookup_elem(&twill_ipcache, &key);

	return info ? info->identity : ID_WORLD;
}

#endif /* TWILL_IPCACHE_H */
