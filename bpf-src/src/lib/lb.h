/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Services: the twill_lb_* maps the agent fills from Service and EndpointSlice objects (io.twill.maps.lb), and the
 * backend choice shared by the socket hooks (bpf_sock), per-packet load balancing (bpf_lxc) and NodePort (bpf_host).
 *
 *   twill_lb_services  frontend (address, port, protocol, scope) + slot -> slot 0: the service (backend count,
 *                      reverse-NAT index, flags, affinity timeout); slot i in 1..count: the i-th backend's id
 *   twill_lb_backends  backend id -> address, port, protocol, state
 *   twill_lb_revnat    reverse-NAT index -> the frontend address and port replies must come from
 *   twill_lb_affinity  (client, reverse-NAT index) -> backend and last use (sessionAffinity: ClientIP)
 *   twill_lb_sockets   (socket cookie, backend address, port) -> frontend: what recvmsg/getpeername must show
 *   twill_lb_netns     network namespace cookie -> this node serves its sockets (the node's own and its pods')
 *
 * The agent writes a service's backend slots before its slot 0 and removes slot 0 first, so a lookup never meets a
 * half-written service: it sees the old count with old or new backends (both valid), or the new one.
 */
#ifndef TWILL_LB_H
#define TWILL_LB_H

#include "common.h"
#include "config.h"

#define LB_SERVICES_MAP_SIZE 65536
#define LB_BACKENDS_MAP_SIZE 65536
#define LB_REVNAT_MAP_SIZE   65536
#define LB_AFFINITY_MAP_SIZE 65536
#define LB_SOCKETS_MAP_SIZE  262144
#define LB_NETNS_MAP_SIZE    16384

/* Frontend scopes. External traffic to a service with externalTrafficPolicy: Local looks up LB_SCOPE_EXTERNAL, whose
 * backends are the local ones; everything else uses LB_SCOPE_ANY. */
#define LB_SCOPE_ANY      0
#define LB_SCOPE_EXTERNAL 1

/* Service flags (slot 0). */
#define LB_F_CLUSTER_IP   0x01 /* a ClusterIP frontend */
#define LB_F_NODEPORT     0x02 /* a NodePort frontend on one of this node's addresses */
#define LB_F_EXTERNAL_IP  0x04 /* an externalIPs / LoadBalancer ingress frontend */
#define LB_F_AFFINITY     0x08 /* sessionAffinity: ClientIP (affinity_timeout seconds) */
#define LB_F_LOCAL        0x10 /* externalTrafficPolicy: Local: external traffic uses the LB_SCOPE_EXTERNAL twin */

/* Backend states. */
#define LB_BE_ACTIVE      0
#define LB_BE_TERMINATING 1 /* serving but terminating: used only when no ready backend is left (the agent decides) */

struct lb_key {
	__be32 addr;     /* frontend address */
	__be16 port;     /* frontend port */
	__u8   proto;    /* IPPROTO_TCP / IPPROTO_UDP */
	__u8   scope;    /* LB_SCOPE_* */
	__u16  slot;     /* 0: the service; 1..count: its backends */
	__u16  pad;
};

struct lb_service {
	__u32 backend_id;       /* slot > 0: the backend in this slot */
	__u32 affinity_timeout; /* slot 0, LB_F_AFFINITY: seconds a client keeps its backend */
	__u16 count;            /* slot 0: number of backend slots (0: no backend: refuse) */
	__u16 rev_nat_index;    /* slot 0: twill_lb_revnat key of this frontend */
	__u8  flags;            /* slot 0: LB_F_* */
	__u8  pad[3];
};

struct lb_backend {
	__be32 addr;
	__be16 port;
	__u8   proto;
	__u8   state;    /* LB_BE_* */
};

struct lb_revnat_key {
	__u16 index;
	__u16 pad;
};

struct lb_revnat {
	__be32 addr;     /* the frontend replies must come from */
	__be16 port;
	__u16  pad;
};

struct lb_affinity_key {
	__u64 client;    /* client IPv4 (per-packet, NodePort) or network namespace cookie (socket hooks) */
	__u16 rev_nat_index;
	__u8  netns;     /* 1: client is a namespace cookie */
	__u8  pad[5];
};

struct lb_affinity {
	__u32 backend_id;
	__u32 last_used; /* CLOCK_MONOTONIC seconds */
};

struct lb_sock_key {
	__u64 cookie;    /* socket cookie */
	__be32 addr;     /* the backend the socket was sent to */
	__be16 port;
	__u16  pad;
};

struct lb_sock {
	__be32 addr;     /* the frontend the application asked for */
	__be16 port;
	__u16  rev_nat_index;
};

struct lb_netns {
	__u32 endpoint_id; /* the pod's endpoint id, 0 for the node's own namespace */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb_key);
	__type(value, struct lb_service);
	__uint(max_entries, LB_SERVICES_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_lb_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct lb_backend);
	__uint(max_entries, LB_BACKENDS_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_lb_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lb_revnat_key);
	__type(value, struct lb_revnat);
	__uint(max_entries, LB_REVNAT_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_lb_revnat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb_affinity_key);
	__type(value, struct lb_affinity);
	__uint(max_entries, LB_AFFINITY_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_lb_affinity SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lb_sock_key);
	__type(value, struct lb_sock);
	__uint(max_entries, LB_SOCKETS_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_lb_sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, struct lb_netns);
	__uint(max_entries, LB_NETNS_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_lb_netns SEC(".maps");

static __always_inline struct lb_service *lb_lookup_service(__be32 addr, __be16 port, __u8 proto, __u8 scope)
{
	struct lb_key key = { .addr = addr, .port = port, .proto = proto, .scope = scope };

	return bpf_map_lookup_elem(&twill_lb_services, &key);
}

/*
 * The frontend the packet is addressed to, or NULL. External traffic (from outside the node, `external`) to a
 * service with externalTrafficPolicy: Local gets the local-backends twin. `*key` is left pointing at the entry used.
 */
static __always_inline struct lb_service *lb_lookup_frontend(__be32 addr, __be16 port, __u8 proto, int external,
							     struct lb_key *key)
{
	struct lb_service *svc;

	key->addr = addr;
	key->port = port;
	key->proto = proto;
	key->scope = LB_SCOPE_ANY;
	key->slot = 0;
	key->pad = 0;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NULL;
	svc = bpf_map_lookup_elem(&twill_lb_services, key);
	if (svc && external && (svc->flags & LB_F_LOCAL)) {
		key->scope = LB_SCOPE_EXTERNAL;
		svc = bpf_map_lookup_elem(&twill_lb_services, key);
	}
	return svc;
}

static __always_inline struct lb_backend *lb_backend(__u32 id)
{
	return bpf_map_lookup_elem(&twill_lb_backends, &id);
}

/*
 * Picks a backend of the service at `key` (slot 0 = `svc`): the client's remembered one under session affinity while
 * it still serves the service, else slot `1 + hash % count`. Returns the backend id, 0 when there is none.
 */
static __always_inline __u32 lb_select(struct lb_key *key, const struct lb_service *svc, __u32 hash,
				       __u64 client, __u8 client_is_netns, __u32 now)
{
	struct lb_affinity_key ak = { .client = client, .rev_nat_index = svc->rev_nat_index, .netns = client_is_netns };
	struct lb_affinity *aff = NULL;
	struct lb_service *slot;
	__u16 count = svc->count;
	__u32 id;

	if (count == 0)
		return 0;
	if (svc->flags & LB_F_AFFINITY) {
		aff = bpf_map_lookup_elem(&twill_lb_affinity, &ak);
		if (aff && now - aff->last_used <= svc->affinity_timeout && lb_backend(aff->backend_id)) {
			if (aff->last_used != now)
				aff->last_used = now;
			return aff->backend_id;
		}
	}
	key->slot = (__u16)(hash % count) + 1;
	slot = bpf_map_lookup_elem(&twill_lb_services, key);
	key->slot = 0;
	if (!slot)
		return 0;
	id = slot->backend_id;
	if (svc->flags & LB_F_AFFINITY) {
		struct lb_affinity a = { .backend_id = id, .last_used = now };

		bpf_map_update_elem(&twill_lb_affinity, &ak, &a, BPF_ANY);
	}
	return id;
}

static __always_inline struct lb_revnat *lb_revnat(__u16 index)
{
	struct lb_revnat_key key = { .index = index };

	return bpf_map_lookup_elem(&twill_lb_revnat, &key);
}

#endif /* TWILL_LB_H */
