/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Sending a packet on toward another node or out of the node: VXLAN encapsulation (overlay), the kernel's FIB
 * (native routing, and translated replies whose source is a node address, which the stack would refuse as martians).
 */
#ifndef TWILL_FORWARD_H
#define TWILL_FORWARD_H

#include "common.h"
#include "config.h"
#include "drop.h"
#include "events.h"

#ifndef AF_INET
#define AF_INET 2
#endif

/* Set on packets bpf_lxc hands to the uplink itself, so bpf_host's egress knows no stack translated them. */
#define MARK_TWILL_MASK      0x00f00000
#define MARK_TWILL_FORWARDED 0x00a00000

/* Encapsulates toward `node_ip` (network order) through twill_vxlan. */
static __always_inline int redirect_overlay(struct __sk_buff *skb, __be32 node_ip, __u8 dir)
{
	struct bpf_tunnel_key key = {
		.tunnel_id = cfg_vni,
		.remote_ipv4 = bpf_ntohl(node_ip),
		.tunnel_ttl = 64,
	};

	if (cfg_vxlan_ifindex == 0)
		return drop_packet(skb, DROP_NO_VXLAN_DEVICE, dir);
	if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_ZERO_CSUM_TX) < 0)
		return drop_packet(skb, DROP_TUNNEL_KEY, dir);
	forwarded(skb, dir, TRACE_TO_OVERLAY, cfg_vxlan_ifindex);
	return bpf_redirect(cfg_vxlan_ifindex, 0);
}

/*
 * Routes with the kernel's FIB and redirects to the device it picks, skipping the rest of the stack. The lookup is
 * always made as for a packet forwarded from the device it arrived on (BPF_FIB_LOOKUP_OUTPUT would pin the route to
 * that device); bpf_fib_lookup does not check the source, so translated replies from a node or Service address route
 * like any other. `output`: such a reply, which starts its journey here: its TTL is left alone. When the FIB cannot
 * decide (forwarding off, fragmentation needed, unreachable), `to_stack_on_miss` hands the packet to the stack, which
 * answers with ICMP; else it is dropped.
 */
static __always_inline int redirect_fib(struct __sk_buff *skb, __u8 dir, int output, int to_stack_on_miss)
{
	struct bpf_fib_lookup fib = {};
	struct l3_view v;
	long rc;

	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, dir);
	fib.family = AF_INET;
	fib.tos = v.ip->tos;
	fib.l4_protocol = v.ip->protocol;
	fib.tot_len = bpf_ntohs(v.ip->tot_len);
	fib.ipv4_src = v.ip->saddr;
	fib.ipv4_dst = v.ip->daddr;
	fib.ifindex = skb->ifindex;
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		if (load_ipv4(skb, &v) < 0)
			return drop_packet(skb, DROP_INVALID_PACKET, dir);
		if (!output) {
			if (unlikely(v.ip->ttl <= 1))
				return drop_packet(skb, DROP_TTL_EXCEEDED, dir);
			ipv4_dec_ttl(v.ip);
		}
		skb->mark = (skb->mark & ~MARK_TWILL_MASK) | MARK_TWILL_FORWARDED;
		forwarded(skb, dir, TRACE_TO_NETDEV, fib.ifindex);
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			return bpf_redirect_neigh(fib.ifindex, NULL, 0, 0);
		mac_copy(v.eth->h_dest, fib.dmac);
		mac_copy(v.eth->h_source, fib.smac);
		return bpf_redirect(fib.ifindex, 0);
	}
	if (!to_stack_on_miss)
		return drop_packet(skb, DROP_NO_ROUTE, dir);
	forwarded(skb, dir, TRACE_TO_STACK, 0);
	return TC_ACT_OK;
}

#endif /* TWILL_FORWARD_H */
