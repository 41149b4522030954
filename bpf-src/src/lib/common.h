/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Includes, return codes and bounded packet access shared by every Twill program. */
#ifndef TWILL_COMMON_H
#define TWILL_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Data and end pointers of the linear part of the packet. */
#define PKT_DATA(skb)     ((void *)(long)(skb)->data)
#define PKT_DATA_END(skb) ((void *)(long)(skb)->data_end)

/*
 * Ethernet + IPv4 header view of a packet whose first bytes have been bounds-checked.
 * Programs work only on the linear head; clang/verifier need the check next to each use.
 */
struct l3_view {
	struct ethhdr *eth;
	struct iphdr *ip;
};

/*
 * Makes at least Ethernet + a minimal IPv4 header directly accessible. Returns 0 on success, -1 when the
 * packet is too short or its IPv4 header is malformed (ihl < 5, version != 4).
 */
static __always_inline int load_ipv4(struct __sk_buff *skb, struct l3_view *v)
{
	void *data = PKT_DATA(skb);
	void *end = PKT_DATA_END(skb);
	__u32 need = sizeof(struct ethhdr) + sizeof(struct iphdr);

	if (unlikely(data + need > end)) {
		if (skb->len < need || bpf_skb_pull_data(skb, need) < 0)
			return -1;
		data = PKT_DATA(skb);
		end = PKT_DATA_END(skb);
		if (data + need > end)
			return -1;
	}
	v->eth = data;
	v->ip = data + sizeof(struct ethhdr);
	if (unlikely(v->ip->version != 4 || v->ip->ihl < 5))
		return -1;
	return 0;
}

/* Reads the L4 ports (TCP/UDP) into sport/dport when present; zero otherwise. Off the fast path. */
static __always_inline void load_ports(struct __sk_buff *skb, const struct iphdr *ip, __be16 *sport, __be16 *dport)
{
	__u32 off = sizeof(struct ethhdr) + ((__u32)ip->ihl << 2);
	__be16 ports[2] = {0, 0};

	*sport = 0;
	*dport = 0;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return;
	if (ip->frag_off & bpf_htons(0x1fff)) /* not the first fragment */
		return;
	if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)) < 0)
		return;
	*sport = ports[0];
	*dport = ports[1];
}

/* The kernel's ip_decrease_ttl: one less hop, header checksum patched incrementally. */
static __always_inline void ipv4_dec_ttl(struct iphdr *ip)
{
	__u32 check = (__u32)ip->check;

	check += (__u32)bpf_htons(0x0100);
	ip->check = (__sum16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

static __always_inline void mac_copy(__u8 *dst, const __u8 *src)
{
	__builtin_memcpy(dst, src, ETH_ALEN);
}

#endif /* TWILL_COMMON_H */
