/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The pod gateway's ARP responder. A pod's only route is "default via 169.254.1.1" (or any on-link address): it ARPs
 * for the gateway, and bpf_lxc answers from the lxc's MAC without a neighbour entry, a proxy_arp sysctl or an address
 * on the lxc. Replies go straight back out of the lxc (to the pod). ARP replies from the pod (to the host's own
 * requests for the pod's address, for host -> pod traffic) are passed to the stack.
 */
#ifndef TWILL_ARP_H
#define TWILL_ARP_H

#include <linux/if_arp.h>
#include "common.h"

struct arp_eth_body {
	__u8 sha[ETH_ALEN];
	__u8 sip[4];
	__u8 tha[ETH_ALEN];
	__u8 tip[4];
} __attribute__((packed));

struct arp_view {
	struct ethhdr *eth;
	struct arphdr *arp;
	struct arp_eth_body *body;
};

#define ARP_LEN (sizeof(struct ethhdr) + sizeof(struct arphdr) + sizeof(struct arp_eth_body))

/* Bounds-checks an Ethernet/IPv4 ARP packet. 0 on success, -1 when short or not Ethernet/IPv4. */
static __always_inline int load_arp(struct __sk_buff *skb, struct arp_view *v)
{
	void *data = PKT_DATA(skb);
	void *end = PKT_DATA_END(skb);

	if (data + ARP_LEN > end) {
		if (skb->len < ARP_LEN || bpf_skb_pull_data(skb, ARP_LEN) < 0)
			return -1;
		data = PKT_DATA(skb);
		end = PKT_DATA_END(skb);
		if (data + ARP_LEN > end)
			return -1;
	}
	v->eth = data;
	v->arp = data + sizeof(struct ethhdr);
	v->body = data + sizeof(struct ethhdr) + sizeof(struct arphdr);
	if (v->arp->ar_hrd != bpf_htons(ARPHRD_ETHER) || v->arp->ar_pro != bpf_htons(ETH_P_IP) ||
	    v->arp->ar_hln != ETH_ALEN || v->arp->ar_pln != 4)
		return -1;
	return 0;
}

static __always_inline __be32 arp_ip(const __u8 *p)
{
	__be32 a;

	__builtin_memcpy(&a, p, 4);
	return a;
}

/* Turns the request in place into the reply "tip is at `mac`", addressed to the requester. */
static __always_inline void arp_make_reply(struct arp_view *v, const __u8 *mac)
{
	__u8 sip[4], sha[ETH_ALEN];

	__builtin_memcpy(sip, v->body->sip, 4);
	__builtin_memcpy(sha, v->body->sha, ETH_ALEN);
	v->arp->ar_op = bpf_htons(ARPOP_REPLY);
	__builtin_memcpy(v->body->sip, v->body->tip, 4);
	__builtin_memcpy(v->body->sha, mac, ETH_ALEN);
	__builtin_memcpy(v->body->tip, sip, 4);
	__builtin_memcpy(v->body->tha, sha, ETH_ALEN);
	__builtin_memcpy(v->eth->h_dest, sha, ETH_ALEN);
	__builtin_memcpy(v->eth->h_source, mac, ETH_ALEN);
}

#endif /* TWILL_ARP_H */
