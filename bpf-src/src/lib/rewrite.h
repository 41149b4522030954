/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Rewriting an IPv4 packet's addresses and ports (or ICMP echo identifier) with incremental checksum updates: the
 * one place every translation (Service DNAT, reverse NAT, masquerading, NodePort SNAT) goes through. The helpers
 * change packet data: every packet pointer taken before a call is invalid afterwards (reload with load_ipv4).
 */
#ifndef TWILL_REWRITE_H
#define TWILL_REWRITE_H

#include "common.h"
#include "flow.h"

#define IP_OFF        sizeof(struct ethhdr)
#define IP_CSUM_OFF   (IP_OFF + offsetof(struct iphdr, check))
#define IP_SADDR_OFF  (IP_OFF + offsetof(struct iphdr, saddr))
#define IP_DADDR_OFF  (IP_OFF + offsetof(struct iphdr, daddr))

/* Where the L4 checksum lives, and whether it covers the pseudo header; -1 when the flow has none we maintain. */
static __always_inline int l4_csum_off(const struct flow *f, __u64 *csum_flags)
{
	switch (f->proto) {
	case IPPROTO_TCP:
		*csum_flags = BPF_F_PSEUDO_HDR;
		return TCP_CSUM_OFF;
	case IPPROTO_UDP:
		/* A zero UDP checksum means "none" and must stay zero. */
		*csum_flags = BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0;
		return UDP_CSUM_OFF;
	case IPPROTO_ICMP:
		*csum_flags = 0;
		return ICMP_CSUM_OFF;
	default:
		return -1;
	}
}

/* Replaces the source (dir 0) or destination (dir 1) address. 0, or < 0 when a helper failed. */
static __always_inline int rewrite_addr(struct __sk_buff *skb, const struct flow *f, int dst, __be32 old, __be32 new)
{
	__u64 flags = 0;
	int off = l4_csum_off(f, &flags);

	if (old == new)
		return 0;
	if (bpf_skb_store_bytes(skb, dst ? IP_DADDR_OFF : IP_SADDR_OFF, &new, 4, 0) < 0)
		return -1;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old, new, 4) < 0)
		return -1;
	/* TCP and UDP checksums cover the addresses through the pseudo header; ICMP's does not. */
	if (off >= 0 && (flags & BPF_F_PSEUDO_HDR) && f->kind != FLOW_NONE &&
	    bpf_l4_csum_replace(skb, f->l4_off + off, old, new, flags | 4) < 0)
		return -1;
	return 0;
}

/*
 * Replaces the source (dst 0) or destination (dst 1) port; for ICMP echo the identifier, wherever the flow keeps
 * it (request: source side, reply: destination side). 0, or < 0 when a helper failed.
 */
static __always_inline int rewrite_port(struct __sk_buff *skb, const struct flow *f, int dst, __be16 old, __be16 new)
{
	__u64 flags = 0;
	int off = l4_csum_off(f, &flags);
	__u32 where;

	if (old == new || f->kind == FLOW_NONE || off < 0)
		return 0;
	if (f->kind == FLOW_ECHO)
		where = f->l4_off + ICMP_ID_OFF;
	else
		where = f->l4_off + (dst ? 2 : 0);
	if (bpf_skb_store_bytes(skb, where, &new, 2, 0) < 0)
		return -1;
	if (bpf_l4_csum_replace(skb, f->l4_off + off, old, new, (flags & BPF_F_MARK_MANGLED_0) | 2) < 0)
		return -1;
	return 0;
}

/* Source and destination of the packet `f` become (saddr:sport -> daddr:dport); `f` is updated to match. */
static __always_inline int rewrite_flow(struct __sk_buff *skb, struct flow *f, __be32 saddr, __be16 sport,
					__be32 daddr, __be16 dport)
{
	if (rewrite_addr(skb, f, 0, f->saddr, saddr) < 0 || rewrite_addr(skb, f, 1, f->daddr, daddr) < 0)
		return -1;
	if (rewrite_port(skb, f, 0, f->sport, sport) < 0 || rewrite_port(skb, f, 1, f->dport, dport) < 0)
		return -1;
	f->saddr = saddr;
	f->daddr = daddr;
	f->sport = sport;
	f->dport = dport;
	return 0;
}

#endif /* TWILL_REWRITE_H */
