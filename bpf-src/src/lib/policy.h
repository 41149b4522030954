/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * NetworkPolicy as data (io.twill.policy compiles it; io.twill.maps.policy writes it):
 *
 *   twill_policy       one LPM trie for every local endpoint: {endpoint id, peer identity, direction, protocol,
 *                      destination port} -> allow. The endpoint id and the identity always match whole; a shorter
 *                      prefix leaves out the port (or some of its bits: port ranges), or protocol and port. Identity 0
 *                      is any peer. Kubernetes policies only allow, so an entry is an allow.
 *   twill_policy_cidr  every ipBlock prefix (and except) of every policy -> a CIDR identity; an endpoint with ipBlock
 *                      rules (ENDPOINT_F_HAS_CIDR_RULES) also tries the identity of the most specific one
 *   twill_policy_rev   a counter the agent bumps after each batch of policy writes: a tracked connection remembers the
 *                      value its verdict was taken at, and is judged again once when it changed, so a new policy cuts
 *                      what it denies and leaves what it still allows
 *   twill_policy_verdicts  per-CPU counts of verdicts on new connections, by direction
 *
 * A direction is enforced only for endpoints some policy selects for it (ENDPOINT_F_*_ENFORCED in twill_endpoints);
 * the node always reaches its own pods and they it (host identity). Replies and related ICMP of an allowed connection
 * pass by connection tracking, before any policy.
 *
 * One trie for all endpoints rather than a map per endpoint: the compiler's changes land as in-place key updates,
 * with no inner map to create, pin and swap per pod, and bpftool dumps one map with named fields.
 */
#ifndef TWILL_POLICY_H
#define TWILL_POLICY_H

#include "common.h"
#include "endpoints.h"
#include "ipcache.h"
#include "flow.h"

#define POLICY_MAP_SIZE      (1024 * 1024)
#define POLICY_CIDR_MAP_SIZE 16384

#define POLICY_INGRESS 0
#define POLICY_EGRESS  1

#define POLICY_F_ALLOW 0x1

/* Bits of policy_key after prefixlen: endpoint id, identity, dir, proto, dport. */
#define POLICY_FULL_PREFIX (32 + 32 + 8 + 8 + 16)

struct policy_key {
	__u32  prefixlen;
	__u32  endpoint_id;  /* the local endpoint whose policy this is (twill_endpoints endpoint_id) */
	__u32  identity;     /* the peer's security identity, host order; 0 = any peer */
	__u8   dir;          /* POLICY_INGRESS / POLICY_EGRESS */
	__u8   proto;        /* IPPROTO_*; left out of shorter prefixes */
	__be16 dport;        /* destination port, network order; ranges are prefixes of it */
};

struct policy_entry {
	__u8  flags;         /* POLICY_F_ALLOW */
	__u8  pad;
	__u16 pad2;
	__u32 rule_cookie;   /* which policy rule allowed it (the agent maps it back for twillctl) */
};

struct policy_cidr_key {
	__u32  prefixlen;
	__be32 addr;
};

struct policy_cidr_info {
	__u32 identity;      /* the CIDR identity of this prefix */
};

struct policy_verdict {
	__u64 allowed;
	__u64 denied;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct policy_key);
	__type(value, struct policy_entry);
	__uint(max_entries, POLICY_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct policy_cidr_key);
	__type(value, struct policy_cidr_info);
	__uint(max_entries, POLICY_CIDR_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_policy_cidr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_policy_rev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);  /* POLICY_INGRESS / POLICY_EGRESS */
	__type(value, struct policy_verdict);
	__uint(max_entries, 2);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_policy_verdicts SEC(".maps");

static __always_inline int policy_enforced(const struct endpoint_info *ep, __u8 dir)
{
	return ep && (ep->flags & (dir == POLICY_EGRESS ? ENDPOINT_F_EGRESS_ENFORCED : ENDPOINT_F_INGRESS_ENFORCED));
}

/* The counter the agent bumps after each policy change (16 bits kept in twill_ct entries). */
static __always_inline __u16 policy_revision(void)
{
	__u32 zero = 0;
	__u32 *rev = bpf_map_lookup_elem(&twill_policy_rev, &zero);

	return rev ? (__u16)*rev : 0;
}

static __always_inline int policy_lookup(__u32 endpoint_id, __u32 identity, __u8 dir, __u8 proto, __be16 dport)
{
	struct policy_key key = {
		.prefixlen = POLICY_FULL_PREFIX, .endpoint_id = endpoint_id, .identity = identity,
		.dir = dir, .proto = proto, .dport = dport,
	};
	struct policy_entry *e = bpf_map_lookup_elem(&twill_policy, &key);

	return e && (e->flags & POLICY_F_ALLOW);
}

/* One question to the policy: the peer (identity and address) and what it is reached on. */
struct policy_query {
	__u32  peer_id;
	__be32 peer_addr;
	__be16 dport;
	__u8   proto;
	__u8   dir;
};

/*
 * May `ep` talk to (egress) or hear from (ingress) the peer of `q`? The verdict of
 * io.twill.policy.DatapathEvaluator: unenforced direction, the host, the peer's identity, any peer, the peer's CIDR
 * identity (endpoints with ipBlock rules); anything else is denied. Not inlined: one copy serves every caller.
 */
static __attribute__((noinline)) int policy_allows(const struct endpoint_info *ep, const struct policy_query *q)
{
	struct policy_cidr_key ck = { .prefixlen = 32, .addr = q->peer_addr };
	struct policy_cidr_info *cidr;
	__u32 id;

	if (!policy_enforced(ep, q->dir) || q->peer_id == ID_HOST)
		return 1;
	id = ep->endpoint_id;
	if (policy_lookup(id, q->peer_id, q->dir, q->proto, q->dport) || policy_lookup(id, 0, q->dir, q->proto, q->dport))
		return 1;
	if (!(ep->flags & ENDPOINT_F_HAS_CIDR_RULES))
		return 0;
	cidr = bpf_map_lookup_elem(&twill_policy_cidr, &ck);
	return cidr && policy_lookup(id, cidr->identity, q->dir, q->proto, q->dport);
}

static __always_inline int policy_allows_flow(const struct endpoint_info *ep, __u8 dir, __u32 peer_id,
					      const struct flow *f)
{
	struct policy_query q = {
		.peer_id = peer_id, .peer_addr = dir == POLICY_EGRESS ? f->daddr : f->saddr,
		.dport = f->dport, .proto = f->proto, .dir = dir,
	};

	return policy_allows(ep, &q);
}

static __always_inline void policy_count(__u8 dir, int allowed)
{
	__u32 key = dir;
	struct policy_verdict *v = bpf_map_lookup_elem(&twill_policy_verdicts, &key);

	if (v) {
		if (allowed)
			v->allowed++;
		else
			v->denied++;
	}
}

#endif /* TWILL_POLICY_H */
