// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpf_lxc: "from the container". Attached to TC ingress of every pod's host-side veth (lxc*), so it sees each packet
 * a pod sends. One object serves all pods: the endpoint is found by the packet's source address and must sit behind
 * the device the packet came in on (anti-spoofing).
 *
 *   ARP request        -> answered here with the lxc MAC (gateway responder, lib/arp.h)
 *   to a local pod     -> MACs rewritten, TTL - 1, bpf_redirect_peer into its namespace
 *   to a remote pod    -> overlay: tunnel key (remote = owner node) + redirect to twill_vxlan
 *                         native:  FIB lookup + redirect to the uplink, or the host stack routes it
 *   cluster CIDR miss  -> dropped (DROP_UNROUTABLE / DROP_NO_ENDPOINT), counted and reported
 *   anything else      -> host stack (node addresses, the outside world)
 */
#include "lib/common.h"
#include "lib/config.h"
#include "lib/drop.h"
#include "lib/endpoints.h"
#include "lib/tunnel.h"
#include "lib/metrics.h"
#include "lib/events.h"
#include "lib/arp.h"
#include "lib/deliver.h"

static __always_inline int handle_arp(struct __sk_buff *skb)
{
	struct arp_view v;
	struct endpoint_info *ep;
	__be32 sip, tip;

	if (load_arp(skb, &v) < 0)
		return drop_packet(skb, NULL, DROP_INVALID_PACKET, DIR_EGRESS);
	if (v.arp->ar_op == bpf_htons(ARPOP_REPLY)) {
		/* The pod answering the host's neighbour request (host -> pod traffic). */
		forwarded(skb, NULL, DIR_EGRESS, TRACE_TO_STACK, 0);
		return TC_ACT_OK;
	}
	sip = arp_ip(v.body->sip);
	tip = arp_ip(v.body->tip);
	/* Only requests; probes (sip 0.0.0.0) and announcements (tip == sip) need no answer. */
	if (v.arp->ar_op != bpf_htons(ARPOP_REQUEST) || sip == 0 || sip == tip)
		return drop_packet(skb, NULL, DROP_ARP_UNSUPPORTED, DIR_EGRESS);
	ep = lookup_endpoint(sip);
	if (!ep || ep->ifindex != skb->ifindex)
		return drop_packet(skb, NULL, DROP_SPOOFED_SOURCE, DIR_EGRESS);
	arp_make_reply(&v, ep->node_mac);
	forwarded(skb, NULL, DIR_EGRESS, TRACE_TO_ENDPOINT, skb->ifindex);
	return bpf_redirect(skb->ifindex, 0);
}

/* Native routing: let the kernel's FIB pick the uplink and next hop, then skip the rest of the stack. */
static __always_inline int redirect_native(struct __sk_buff *skb, struct l3_view *v)
{
	struct bpf_fib_lookup fib = {
		.family = AF_INET,
		.tos = v->ip->tos,
		.l4_protocol = v->ip->protocol,
		.tot_len = bpf_ntohs(v->ip->tot_len),
		.ipv4_src = v->ip->saddr,
		.ipv4_dst = v->ip->daddr,
		.ifindex = skb->ifindex,
	};
	long rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);

	if (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		if (unlikely(v->ip->ttl <= 1))
			return drop_packet(skb, v->ip, DROP_TTL_EXCEEDED, DIR_EGRESS);
		ipv4_dec_ttl(v->ip);
		forwarded(skb, v->ip, DIR_EGRESS, TRACE_TO_NETDEV, fib.ifindex);
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			return bpf_redirect_neigh(fib.ifindex, NULL, 0, 0);
		mac_copy(v->eth->h_dest, fib.dmac);
		mac_copy(v->eth->h_source, fib.smac);
		return bpf_redirect(fib.ifindex, 0);
	}
	/* Forwarding off, fragmentation needed, unreachable ...: the stack decides and reports (ICMP). */
	forwarded(skb, v->ip, DIR_EGRESS, TRACE_TO_STACK, 0);
	return TC_ACT_OK;
}

static __always_inline int redirect_overlay(struct __sk_buff *skb, struct l3_view *v, __be32 node_ip)
{
	struct bpf_tunnel_key key = {
		.tunnel_id = cfg_vni,
		.remote_ipv4 = bpf_ntohl(node_ip),
		.tunnel_ttl = 64,
	};

	if (cfg_vxlan_ifindex == 0)
		return drop_packet(skb, v->ip, DROP_NO_VXLAN_DEVICE, DIR_EGRESS);
	if (bpf_skb_set_tunnel_key(skb, &key, sizeof(key), BPF_F_ZERO_CSUM_TX) < 0)
		return drop_packet(skb, v->ip, DROP_TUNNEL_KEY, DIR_EGRESS);
	forwarded(skb, v->ip, DIR_EGRESS, TRACE_TO_OVERLAY, cfg_vxlan_ifindex);
	return bpf_redirect(cfg_vxlan_ifindex, 0);
}

static __always_inline int handle_ipv4(struct __sk_buff *skb)
{
	struct l3_view v;
	struct endpoint_info *ep;
	struct tunnel_info *tun;
	__be32 daddr;

	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, NULL, DROP_INVALID_PACKET, DIR_EGRESS);
	if (cfg_source_check) {
		ep = lookup_endpoint(v.ip->saddr);
		if (unlikely(!ep || ep->ifindex != skb->ifindex))
			return drop_packet(skb, v.ip, DROP_SPOOFED_SOURCE, DIR_EGRESS);
	}
	daddr = v.ip->daddr;
	ep = lookup_endpoint(daddr);
	if (ep) {
		if (ep->flags & ENDPOINT_F_HOST)
			goto to_stack;
		return deliver_to_endpoint(skb, &v, ep, DIR_EGRESS);
	}
	if (!in_cluster(daddr))
		goto to_stack;
	tun = lookup_tunnel(daddr);
	if (!tun)
		return drop_packet(skb, v.ip, DROP_UNROUTABLE, DIR_EGRESS);
	if (tun->node_ip == cfg_node_ip)
		return drop_packet(skb, v.ip, DROP_NO_ENDPOINT, DIR_EGRESS);
	if (cfg_routing_mode == ROUTING_NATIVE)
		return redirect_native(skb, &v);
	return redirect_overlay(skb, &v, tun->node_ip);

to_stack:
	forwarded(skb, v.ip, DIR_EGRESS, TRACE_TO_STACK, 0);
	return TC_ACT_OK;
}

SEC("tc")
int from_container(struct __sk_buff *skb)
{
	switch (skb->protocol) {
	case bpf_htons(ETH_P_IP):
		return handle_ipv4(skb);
	case bpf_htons(ETH_P_ARP):
		return handle_arp(skb);
	default:
		return drop_packet(skb, NULL, DROP_UNSUPPORTED_L3, DIR_EGRESS);
	}
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
