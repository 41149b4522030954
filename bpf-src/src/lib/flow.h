/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The flow a packet belongs to: addresses, protocol and ports (or the ICMP echo identifier), read once per packet for
 * connection tracking, Services and NAT. ICMP echo requests carry their identifier as the source "port" and replies
 * as the destination "port", so that a reply is the exact reverse of its request, as TCP and UDP replies are.
 */
#ifndef TWILL_FLOW_H
#define TWILL_FLOW_H

#include "common.h"

#define ICMP_ECHOREPLY     0
#define ICMP_DEST_UNREACH  3
#define ICMP_ECHO          8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PORT_UNREACH  3 /* code of ICMP_DEST_UNREACH */
#define ICMP_FRAG_NEEDED   4 /* code of ICMP_DEST_UNREACH */

/* <linux/icmp.h> includes libc headers that do not exist for the BPF target. */
struct icmp_echo_hdr {
	__u8   type;
	__u8   code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

enum flow_kind {
	FLOW_NONE  = 0, /* no ports: another protocol, or a non-first fragment */
	FLOW_PORTS = 1, /* TCP or UDP */
	FLOW_ECHO  = 2, /* ICMP echo request or reply */
	FLOW_ICMP_ERROR = 3, /* ICMP destination unreachable / time exceeded: belongs to the flow quoted inside */
};

struct flow {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;     /* ICMP echo request: identifier */
	__be16 dport;     /* ICMP echo reply: identifier */
	__u8   proto;
	__u8   tcp_flags; /* TCP_FLAG_*, 0 for other protocols */
	__u8   kind;      /* enum flow_kind */
	__u8   icmp_type;
	__u32  l4_off;    /* offset of the L4 header from the start of the frame */
};

/* Byte offsets of the L4 checksum and of the identifier field inside their headers. */
#define TCP_CSUM_OFF  16
#define UDP_CSUM_OFF  6
#define ICMP_CSUM_OFF 2
#define ICMP_ID_OFF   4

static __always_inline int is_fragment_tail(const struct iphdr *ip)
{
	return (ip->frag_off & bpf_htons(0x1fff)) != 0;
}

/*
 * Fills `f` from the IPv4 header `ip` (already bounds-checked by load_ipv4) and the L4 header read with
 * bpf_skb_load_bytes. Returns 0, or -1 when the L4 header is cut short (a malformed packet).
 */
static __always_inline int load_flow(struct __sk_buff *skb, const struct iphdr *ip, struct flow *f)
{
	__u8 head[16];

	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->sport = 0;
	f->dport = 0;
	f->proto = ip->protocol;
	f->tcp_flags = 0;
	f->kind = FLOW_NONE;
	f->icmp_type = 0;
	f->l4_off = sizeof(struct ethhdr) + ((__u32)ip->ihl << 2);
	if (is_fragment_tail(ip))
		return 0;
	switch (f->proto) {
	case IPPROTO_TCP:
		if (bpf_skb_load_bytes(skb, f->l4_off, head, 14) < 0)
			return -1;
		f->tcp_flags = head[13];
		__builtin_memcpy(&f->sport, head, 2);
		__builtin_memcpy(&f->dport, head + 2, 2);
		f->kind = FLOW_PORTS;
		return 0;
	case IPPROTO_UDP:
		if (bpf_skb_load_bytes(skb, f->l4_off, head, 4) < 0)
			return -1;
		__builtin_memcpy(&f->sport, head, 2);
		__builtin_memcpy(&f->dport, head + 2, 2);
		f->kind = FLOW_PORTS;
		return 0;
	case IPPROTO_ICMP:
		if (bpf_skb_load_bytes(skb, f->l4_off, head, 8) < 0)
			return -1;
		f->icmp_type = head[0];
		if (head[0] == ICMP_ECHO) {
			__builtin_memcpy(&f->sport, head + 4, 2);
			f->kind = FLOW_ECHO;
		} else if (head[0] == ICMP_ECHOREPLY) {
			__builtin_memcpy(&f->dport, head + 4, 2);
			f->kind = FLOW_ECHO;
		} else if (head[0] == ICMP_DEST_UNREACH || head[0] == ICMP_TIME_EXCEEDED) {
			f->kind = FLOW_ICMP_ERROR;
		}
		return 0;
	default:
		return 0;
	}
}

/*
 * For an ICMP error: the flow of the packet it quotes (inner IPv4 header + the first 8 bytes of its L4 header),
 * turned around so that it reads in the direction the error travels (the quoted packet went the other way).
 * Returns 0, or -1 when the quote is too short or not something we track.
 */
static __always_inline int load_quoted_flow(struct __sk_buff *skb, const struct flow *outer, struct flow *in)
{
	struct iphdr qip;
	__u8 ports[8];
	__u32 off = outer->l4_off + 8;

	if (bpf_skb_load_bytes(skb, off, &qip, sizeof(qip)) < 0 || qip.version != 4 || qip.ihl < 5)
		return -1;
	if (is_fragment_tail(&qip))
		return -1;
	if (bpf_skb_load_bytes(skb, off + ((__u32)qip.ihl << 2), ports, 8) < 0)
		return -1;
	in->saddr = qip.daddr;
	in->daddr = qip.saddr;
	in->proto = qip.protocol;
	in->tcp_flags = 0;
	in->icmp_type = 0;
	in->l4_off = 0;
	in->kind = FLOW_PORTS;
	switch (qip.protocol) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		__builtin_memcpy(&in->sport, ports + 2, 2);
		__builtin_memcpy(&in->dport, ports, 2);
		return 0;
	case IPPROTO_ICMP:
		/* The quoted packet was an echo request from us (id in its "sport"): seen turned around, a reply. */
		if (ports[0] != ICMP_ECHO)
			return -1;
		in->sport = 0;
		__builtin_memcpy(&in->dport, ports + 4, 2);
		in->kind = FLOW_ECHO;
		return 0;
	default:
		return -1;
	}
}

#endif /* TWILL_FLOW_H */
