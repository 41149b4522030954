/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Refusing a connection as a host would: a TCP segment is answered with a reset, anything else with an ICMP
 * "port unreachable" quoting it, both sent from the address the client asked for, back out of the device the packet
 * came in on. Used when a Service frontend has no backend. The packet is turned into the answer in place.
 */
#ifndef TWILL_REJECT_H
#define TWILL_REJECT_H

#include "common.h"
#include "flow.h"

struct tcp_base {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8   doff_res;  /* data offset (words) << 4 */
	__u8   flags;     /* TCP_FLAG_* */
	__be16 window;
	__sum16 check;
	__be16 urg_ptr;
};

struct pseudo_tcp {
	__be32 saddr;
	__be32 daddr;
	__u8   zero;
	__u8   proto;
	__be16 len;
	struct tcp_base tcp;
};

static __always_inline __sum16 csum_fold32(__s64 csum)
{
	__u32 c = (__u32)csum;

	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	return (__sum16)~c;
}

/* A fresh IPv4 header from `saddr` to `daddr`, checksummed. */
static __always_inline void reject_ip_header(struct iphdr *ip, __be32 saddr, __be32 daddr, __u8 proto, __u16 len)
{
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = 0;
	ip->tot_len = bpf_htons(len);
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->check = 0;
	ip->saddr = saddr;
	ip->daddr = daddr;
	ip->check = csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *)ip, sizeof(*ip), 0));
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	mac_copy(tmp, eth->h_source);
	mac_copy(eth->h_source, eth->h_dest);
	mac_copy(eth->h_dest, tmp);
}

/* Answers a TCP segment with a reset. 0 when the packet became the reset, -1 when it cannot be answered. */
static __always_inline int reject_tcp(struct __sk_buff *skb)
{
	struct pseudo_tcp p = {};
	struct tcp_base in;
	struct l3_view v;
	__u32 payload, hdr_len;
	__be32 saddr, daddr;

	if (load_ipv4(skb, &v) < 0 || v.ip->ihl != 5)
		return -1;
	saddr = v.ip->saddr;
	daddr = v.ip->daddr;
	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr) + sizeof(struct iphdr), &in, sizeof(in)) < 0)
		return -1;
	if (in.flags & TCP_FLAG_RST)
		return -1;
	hdr_len = sizeof(struct iphdr) + ((__u32)(in.doff_res >> 4) << 2);
	payload = bpf_ntohs(v.ip->tot_len);
	payload = payload > hdr_len ? payload - hdr_len : 0;

	p.saddr = daddr;
	p.daddr = saddr;
	p.proto = IPPROTO_TCP;
	p.len = bpf_htons(sizeof(struct tcp_base));
	p.tcp.source = in.dest;
	p.tcp.dest = in.source;
	p.tcp.doff_res = 5 << 4;
	if (in.flags & TCP_FLAG_ACK) {
		p.tcp.seq = in.ack_seq;
		p.tcp.flags = TCP_FLAG_RST;
	} else {
		__u32 len = payload + ((in.flags & TCP_FLAG_SYN) ? 1 : 0) + ((in.flags & TCP_FLAG_FIN) ? 1 : 0);

		p.tcp.ack_seq = bpf_htonl(bpf_ntohl(in.seq) + len);
		p.tcp.flags = TCP_FLAG_RST | TCP_FLAG_ACK;
	}
	p.tcp.check = csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *)&p, sizeof(p), 0));

	if (bpf_skb_change_tail(skb, sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct tcp_base), 0) < 0)
		return -1;
	if (load_ipv4(skb, &v) < 0)
		return -1;
	reject_ip_header(v.ip, daddr, saddr, IPPROTO_TCP, sizeof(struct iphdr) + sizeof(struct tcp_base));
	swap_macs(v.eth);
	if (bpf_skb_store_bytes(skb, sizeof(struct ethhdr) + sizeof(struct iphdr), &p.tcp, sizeof(p.tcp), 0) < 0)
		return -1;
	return 0;
}

#define ICMP_QUOTE_LEN (sizeof(struct iphdr) + 8)

struct icmp_unreach {
	__u8    type;
	__u8    code;
	__sum16 checksum;
	__u32   unused;
	__u8    quote[ICMP_QUOTE_LEN];
};

/* Answers a datagram with ICMP port unreachable. 0 when the packet became the answer, -1 when it cannot be. */
static __always_inline int reject_icmp(struct __sk_buff *skb)
{
	struct icmp_unreach msg = { .type = ICMP_DEST_UNREACH, .code = ICMP_PORT_UNREACH };
	struct iphdr ip = {};
	struct l3_view v;
	__be32 saddr, daddr;

	if (load_ipv4(skb, &v) < 0 || v.ip->ihl != 5 || v.ip->protocol == IPPROTO_ICMP)
		return -1;
	saddr = v.ip->saddr;
	daddr = v.ip->daddr;
	if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), msg.quote, ICMP_QUOTE_LEN) < 0)
		return -1;
	msg.checksum = csum_fold32(bpf_csum_diff(NULL, 0, (__be32 *)&msg, sizeof(msg), 0));
	/* Room for the new IPv4 + ICMP headers in front of the quoted header, then cut after the quote. */
	if (bpf_skb_adjust_room(skb, sizeof(struct iphdr) + 8, BPF_ADJ_ROOM_MAC, 0) < 0)
		return -1;
	if (bpf_skb_change_tail(skb, sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(msg), 0) < 0)
		return -1;
	if (bpf_skb_store_bytes(skb, sizeof(struct ethhdr) + sizeof(struct iphdr), &msg, sizeof(msg), 0) < 0)
		return -1;
	/* The new header goes in through a copy: the room is zeroed, so the packet holds no IPv4 header to point at yet. */
	reject_ip_header(&ip, daddr, saddr, IPPROTO_ICMP, sizeof(struct iphdr) + sizeof(msg));
	if (bpf_skb_store_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip), 0) < 0)
		return -1;
	if (load_ipv4(skb, &v) < 0)
		return -1;
	swap_macs(v.eth);
	return 0;
}

/* Turns the packet into its refusal and sends it back out of the device it came from; TC_ACT_SHOT if it cannot. */
static __always_inline int reject_back(struct __sk_buff *skb, __u8 proto)
{
	int rc = proto == IPPROTO_TCP ? reject_tcp(skb) : reject_icmp(skb);

	if (rc < 0)
		return TC_ACT_SHOT;
	return bpf_redirect(skb->ifindex, 0);
}

#endif /* TWILL_REJECT_H */
