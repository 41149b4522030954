/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_ct: connection tracking, one LRU hash per node shared by every program (bpf_lxc, bpf_overlay, bpf_host).
 * It is the base of Services (the backend a connection was given, the reverse translation of its replies), of the
 * coexistence with kube-proxy (FROM_STACK) and of stateful NetworkPolicy (replies skip policy).
 *
 * One entry per connection, found with one lookup from either direction: the key holds the two ends in a fixed
 * order (the smaller address, then the smaller port, first: "a"), and the value says which end opened it. Counters
 * and TCP flags are kept per direction: "fwd" is what the initiator sent, "rev" what the responder sent.
 *
 * Entries carry an absolute expiry time (CLOCK_MONOTONIC seconds). The datapath treats an expired entry as absent
 * and the agent sweeps them (io.twill.maps.ct); the LRU evicts the oldest when the map is full.
 *
 * Written by the datapath only; the agent reads, sweeps and flushes (twillctl bpf ct list|flush).
 */
#ifndef TWILL_CT_H
#define TWILL_CT_H

#include "common.h"
#include "config.h"
#include "flow.h"

#define CT_MAP_SIZE 524288 /* default; the agent sets conntrack.maxEntries before loading */

/* The key is the frontend leg of a load-balanced connection (client <-> Service frontend): it remembers the backend. */
#define CT_KEY_SERVICE 0x01

struct ct_key {
	__be32 addr_a;   /* the end whose (address, port) compares smaller as stored (u32, then u16, memory order) */
	__be32 addr_b;
	__be16 port_a;   /* TCP/UDP port; ICMP echo: the identifier at the requester's end, 0 at the responder's */
	__be16 port_b;
	__u8   proto;
	__u8   flags;    /* CT_KEY_* */
	__u16  pad;
};

#define CT_F_INITIATOR_B 0x0001 /* b opened the connection (else a) */
#define CT_F_SEEN_REPLY  0x0002 /* the responder has answered */
#define CT_F_FROM_STACK  0x0004 /* the host stack delivered the opening packet (its netfilter may have translated it):
				 * replies must go back through the stack, never straight into a pod */
#define CT_F_NODEPORT    0x0008 /* opened through a NodePort / external frontend of this node: translated replies
				 * leave through the FIB, not the stack (their source is a node address) */
#define CT_F_CLOSING     0x0010 /* TCP: RST seen, or FIN from both ends */
#define CT_F_FIN_FWD     0x0020
#define CT_F_FIN_REV     0x0040

struct ct_entry {
	__u64 packets_fwd;   /* initiator -> responder */
	__u64 bytes_fwd;
	__u64 packets_rev;   /* responder -> initiator */
	__u64 bytes_rev;
	__u32 expires;       /* CLOCK_MONOTONIC seconds; dead afterwards */
	__u32 created;       /* CLOCK_MONOTONIC seconds */
	__u32 src_identity;  /* the initiator's security identity, for NetworkPolicy (0: unknown) */
	__u32 backend_id;    /* CT_KEY_SERVICE entries: the twill_lb_backends id this connection was given */
	__u16 rev_nat_index; /* non-zero: the responder's packets get their source rewritten to twill_lb_revnat[index] */
	__u16 flags;         /* CT_F_* */
	__u8  tcp_flags_fwd; /* TCP flags seen from the initiator */
	__u8  tcp_flags_rev; /* ... and from the responder */
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct ct_key);
	__type(value, struct ct_entry);
	__uint(max_entries, CT_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_ct SEC(".maps");

enum ct_status {
	CT_NEW         = 0, /* no live entry */
	CT_ESTABLISHED = 1, /* the packet comes from the initiator */
	CT_REPLY       = 2, /* the packet comes from the responder */
	CT_RELATED     = 3, /* an ICMP error about a tracked connection */
};

/* CLOCK_MONOTONIC in seconds: the coarse clock is enough and costs no clock read. */
static __always_inline __u32 mono_seconds(void)
{
	return (__u32)(bpf_ktime_get_coarse_ns() / 1000000000ULL);
}

/*
 * Builds the key of the connection `f` belongs to and tells whether the packet's source is end a. Flows without
 * ports (FLOW_NONE) are tracked by address and protocol alone.
 */
static __always_inline int ct_key_of(const struct flow *f, __u8 key_flags, struct ct_key *k)
{
	int src_is_a = f->saddr < f->daddr || (f->saddr == f->daddr && f->sport <= f->dport);

	k->addr_a = src_is_a ? f->saddr : f->daddr;
	k->addr_b = src_is_a ? f->daddr : f->saddr;
	k->port_a = src_is_a ? f->sport : f->dport;
	k->port_b = src_is_a ? f->dport : f->sport;
	k->proto = f->proto;
	k->flags = key_flags;
	k->pad = 0;
	return src_is_a;
}

/* True when the packet's source (end a if src_is_a) is the end that opened the connection. */
static __always_inline int ct_from_initiator(const struct ct_entry *e, int src_is_a)
{
	return ((e->flags & CT_F_INITIATOR_B) != 0) != (src_is_a != 0);
}

static __always_inline __u32 ct_lifetime(__u8 proto, __u16 flags)
{
	if (proto != IPPROTO_TCP)
		return cfg_ct_lifetime_other;
	if (flags & CT_F_CLOSING)
		return cfg_ct_lifetime_close;
	return (flags & CT_F_SEEN_REPLY) ? cfg_ct_lifetime_tcp : cfg_ct_lifetime_syn;
}

/*
 * Finds the live entry of `f`'s connection (key flags `key_flags`), or NULL. `*status` says how the packet relates
 * to it; `k` and `*src_is_a` are filled for a later ct_create. A TCP SYN on a closing connection starts a new one.
 */
static __always_inline struct ct_entry *ct_lookup(const struct flow *f, __u8 key_flags, struct ct_key *k,
						  int *src_is_a, __u32 now, int *status)
{
	struct ct_entry *e;

	*src_is_a = ct_key_of(f, key_flags, k);
	*status = CT_NEW;
	e = bpf_map_lookup_elem(&twill_ct, k);
	if (!e || e->expires < now)
		return NULL;
	if ((e->flags & CT_F_CLOSING) && (f->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)
		return NULL;
	*status = ct_from_initiator(e, *src_is_a) ? CT_ESTABLISHED : CT_REPLY;
	return e;
}

/* Counts the packet on its direction, follows TCP's opening and closing, and pushes the expiry out. */
static __always_inline void ct_account(struct ct_entry *e, const struct flow *f, int status, __u32 len, __u32 now)
{
	__u16 flags = e->flags;
	__u32 expires;

	if (status == CT_REPLY) {
		__sync_fetch_and_add(&e->packets_rev, 1);
		__sync_fetch_and_add(&e->bytes_rev, len);
		flags |= CT_F_SEEN_REPLY;
		if (f->tcp_flags & ~e->tcp_flags_rev)
			e->tcp_flags_rev |= f->tcp_flags;
		if (f->tcp_flags & TCP_FLAG_FIN)
			flags |= CT_F_FIN_REV;
	} else {
		__sync_fetch_and_add(&e->packets_fwd, 1);
		__sync_fetch_and_add(&e->bytes_fwd, len);
		if (f->tcp_flags & ~e->tcp_flags_fwd)
			e->tcp_flags_fwd |= f->tcp_flags;
		if (f->tcp_flags & TCP_FLAG_FIN)
			flags |= CT_F_FIN_FWD;
	}
	if ((f->tcp_flags & TCP_FLAG_RST) || ((flags & CT_F_FIN_FWD) && (flags & CT_F_FIN_REV)))
		flags |= CT_F_CLOSING;
	if (flags != e->flags)
		e->flags = flags;
	expires = now + ct_lifetime(f->proto, flags);
	if (expires != e->expires) /* at most one write a second per connection */
		e->expires = expires;
}

/* Optional parts of a new entry. */
struct ct_new {
	__u32 src_identity;
	__u32 backend_id;
	__u16 rev_nat_index;
	__u16 flags;
};

/*
 * Records the connection the packet `f` opens (its source is the initiator). Returns 0, or the map error: the LRU
 * never runs out of room, so a failure is exceptional and the caller forwards the packet untracked.
 */
static __always_inline int ct_create(const struct ct_key *k, int src_is_a, const struct flow *f, __u32 len, __u32 now,
				     const struct ct_new *n)
{
	struct ct_entry e = {
		.packets_fwd = 1,
		.bytes_fwd = len,
		.created = now,
		.src_identity = n->src_identity,
		.backend_id = n->backend_id,
		.rev_nat_index = n->rev_nat_index,
		.flags = n->flags | (src_is_a ? 0 : CT_F_INITIATOR_B),
		.tcp_flags_fwd = f->tcp_flags,
	};

	if (f->tcp_flags & TCP_FLAG_RST)
		e.flags |= CT_F_CLOSING;
	e.expires = now + ct_lifetime(f->proto, e.flags);
	return bpf_map_update_elem(&twill_ct, k, &e, BPF_ANY);
}

/*
 * The usual step for a packet on its way: look its connection up, account it, or record it as new with `n`.
 * Returns the status and the entry (NULL when new, or when recording failed).
 */
static __always_inline struct ct_entry *ct_track(const struct flow *f, __u32 len, const struct ct_new *n, int *status)
{
	struct ct_key k;
	struct ct_entry *e;
	__u32 now = mono_seconds();
	int src_is_a;

	if (f->kind == FLOW_ICMP_ERROR) {
		*status = CT_NEW;
		return NULL;
	}
	e = ct_lookup(f, 0, &k, &src_is_a, now, status);
	if (e) {
		ct_account(e, f, *status, len, now);
		return e;
	}
	ct_create(&k, src_is_a, f, len, now, n);
	return NULL;
}

/* The connection an ICMP error is about (RELATED), or NULL. */
static __always_inline struct ct_entry *ct_lookup_related(struct __sk_buff *skb, const struct flow *f,
							  struct flow *quoted)
{
	struct ct_key k;
	int src_is_a, status;

	if (load_quoted_flow(skb, f, quoted) < 0)
		return NULL;
	return ct_lookup(quoted, 0, &k, &src_is_a, mono_seconds(), &status);
}

#endif /* TWILL_CT_H */
