// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpf_lxc: the pod's side of the datapath, on every pod's host-side veth (lxc*).
 *
 * from_container (TC ingress: each packet a pod sends). One object serves all pods: the endpoint is found by the
 * packet's source address and must sit behind the device the packet came in on (anti-spoofing).
 *
 *   ARP request        -> answered here with the lxc MAC (gateway responder, lib/arp.h)
 *   to a Service       -> (kube-proxy replacement) DNAT to a backend, remembered per connection in twill_ct
 *   every IPv4 packet  -> tracked in twill_ct; a reply gets its source translated back to the Service frontend, and a
 *                         reply to a connection the host stack delivered (FROM_STACK: kube-proxy's DNAT, hostPort)
 *                         goes back through the stack so netfilter can reverse its translation
 *   to a local pod     -> MACs rewritten, TTL - 1, bpf_redirect_peer into its namespace
 *   to a remote pod    -> overlay: tunnel key (remote = owner node) + redirect to twill_vxlan
 *                         native:  FIB lookup + redirect to the uplink, or the host stack routes it
 *   cluster CIDR miss  -> dropped (DROP_UNROUTABLE / DROP_NO_ENDPOINT), counted and reported
 *   anything else      -> host stack (node addresses, the outside world; masquerading happens on the uplink)
 *
 * The same program also sits on twill_net, the node's way into the overlay (agent HostPath): there the sources are
 * the node itself and pod packets the stack forwarded (after its own translations), and they are tracked FROM_STACK.
 *
 * to_container (TC egress: what the host stack delivers to the pod; bpf_redirect_peer deliveries skip it): records
 * the connections the stack opens toward the pod as FROM_STACK, so that the pod's replies return through the stack.
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
#include "lib/flow.h"
#include "lib/ct.h"
#include "lib/rewrite.h"
#include "lib/lb.h"
#include "lib/svc.h"
#include "lib/reject.h"
#include "lib/forward.h"

static __always_inline int handle_arp(struct __sk_buff *skb)
{
	struct arp_view v;
	struct endpoint_info *ep;
	__be32 sip, tip;

	if (load_arp(skb, &v) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, DIR_EGRESS);
	if (v.arp->ar_op == bpf_htons(ARPOP_REPLY)) {
		/* The pod answering the host's neighbour request (host -> pod traffic). */
		forwarded(skb, DIR_EGRESS, TRACE_TO_STACK, 0);
		return TC_ACT_OK;
	}
	sip = arp_ip(v.body->sip);
	tip = arp_ip(v.body->tip);
	/* Only requests; probes (sip 0.0.0.0) and announcements (tip == sip) need no answer. */
	if (v.arp->ar_op != bpf_htons(ARPOP_REQUEST) || sip == 0 || sip == tip)
		return drop_packet(skb, DROP_ARP_UNSUPPORTED, DIR_EGRESS);
	ep = lookup_endpoint(sip);
	if (!ep || ep->ifindex != skb->ifindex)
		return drop_packet(skb, DROP_SPOOFED_SOURCE, DIR_EGRESS);
	arp_make_reply(&v, ep->node_mac);
	forwarded(skb, DIR_EGRESS, TRACE_TO_ENDPOINT, skb->ifindex);
	return bpf_redirect(skb->ifindex, 0);
}

/* True when `ifindex` is twill_net, the node's path into the overlay (the node IP's HOST endpoint sits behind it). */
static __always_inline int on_host_path(__u32 ifindex)
{
	struct endpoint_info *host = lookup_endpoint(cfg_node_ip);

	return host && (host->flags & ENDPOINT_F_HOST) && host->ifindex == ifindex;
}

/*
 * Where the packet came from. Returns 0 for a pod sending from its own address, 1 for the host stack (on twill_net:
 * the node's own packets or pod packets it forwarded), -1 for a spoofed source.
 */
static __always_inline int classify_source(struct __sk_buff *skb, __be32 saddr)
{
	struct endpoint_info *ep = lookup_endpoint(saddr);

	if (likely(ep && ep->ifindex == skb->ifindex))
		return (ep->flags & ENDPOINT_F_HOST) ? 1 : 0;
	if (on_host_path(skb->ifindex))
		return 1;
	return cfg_source_check ? -1 : 0;
}

/*
 * Tracks the packet's connection; translates replies back to the Service frontend. Returns TC_ACT_OK to hand the
 * packet to the stack (a reply the stack must see), a drop verdict, or -1 to go on routing by destination.
 */
static __always_inline int track_egress(struct __sk_buff *skb, struct flow *f, int from_stack, __u16 rev_nat_index)
{
	struct ct_new n = { .rev_nat_index = rev_nat_index, .flags = from_stack ? CT_F_FROM_STACK : 0 };
	struct ct_entry *ct;
	struct ct_key key;
	__u32 now = mono_seconds();
	int status, src_is_a;

	if (f->kind == FLOW_ICMP_ERROR) {
		struct flow quoted;

		ct = ct_lookup_related(skb, f, &quoted);
		if (ct && (ct->flags & CT_F_FROM_STACK))
			return TC_ACT_OK;
		return -1;
	}
	ct = ct_lookup(f, 0, &key, &src_is_a, now, &status);
	if (!ct) {
		ct_create(&key, src_is_a, f, skb->len, now, &n);
		return -1;
	}
	ct_account(ct, f, status, skb->len, now);
	if (status != CT_REPLY)
		return -1;
	if (ct->flags & CT_F_FROM_STACK)
		return TC_ACT_OK;
	if (ct->rev_nat_index) {
		__u16 flags = ct->flags;

		if (svc_rev_nat(skb, f, ct->rev_nat_index) < 0)
			return drop_packet(skb, DROP_NAT_FAILED, DIR_EGRESS);
		/* A NodePort reply to a client outside the cluster now comes from a node address: the stack would drop it
		 * as a martian, so route it out directly. */
		if ((flags & CT_F_NODEPORT) && !in_cluster(f->daddr))
			return redirect_fib(skb, DIR_EGRESS, 1, 0);
	}
	return -1;
}

static __always_inline int handle_ipv4(struct __sk_buff *skb)
{
	struct l3_view v;
	struct flow f;
	struct endpoint_info *ep;
	struct tunnel_info *tun;
	__u16 rev_nat_index = 0;
	int from_stack, rc;

	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, DIR_EGRESS);
	from_stack = classify_source(skb, v.ip->saddr);
	if (unlikely(from_stack < 0))
		return drop_packet(skb, DROP_SPOOFED_SOURCE, DIR_EGRESS);
	if (load_flow(skb, v.ip, &f) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, DIR_EGRESS);

	if (cfg_kube_proxy_replacement && !from_stack) {
		struct svc_choice c;

		rc = svc_choose(&f, 0, 0, skb->len, &c);
		if (rc == SVC_NO_BACKEND) {
			drop_packet(skb, DROP_NO_SERVICE_BACKEND, DIR_EGRESS);
			return reject_back(skb, f.proto);
		}
		if (rc == SVC_BACKEND) {
			if (rewrite_flow(skb, &f, f.saddr, f.sport, c.be.addr, c.be.port) < 0)
				return drop_packet(skb, DROP_NAT_FAILED, DIR_EGRESS);
			rev_nat_index = c.rev_nat_index;
		}
	}

	rc = track_egress(skb, &f, from_stack, rev_nat_index);
	if (rc == TC_ACT_OK)
		goto to_stack;
	if (rc >= 0)
		return rc;

	ep = lookup_endpoint(f.daddr);
	if (ep) {
		if (ep->flags & ENDPOINT_F_HOST)
			goto to_stack;
		return deliver_to_endpoint(skb, ep, DIR_EGRESS);
	}
	if (!in_cluster(f.daddr))
		goto to_stack;
	tun = lookup_tunnel(f.daddr);
	if (!tun)
		return drop_packet(skb, DROP_UNROUTABLE, DIR_EGRESS);
	if (tun->node_ip == cfg_node_ip)
		return drop_packet(skb, DROP_NO_ENDPOINT, DIR_EGRESS);
	if (cfg_routing_mode == ROUTING_NATIVE)
		return redirect_fib(skb, DIR_EGRESS, 0, 1);
	return redirect_overlay(skb, tun->node_ip, DIR_EGRESS);

to_stack:
	forwarded(skb, DIR_EGRESS, TRACE_TO_STACK, 0);
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
		return drop_packet(skb, DROP_UNSUPPORTED_L3, DIR_EGRESS);
	}
}

SEC("tc")
int to_container(struct __sk_buff *skb)
{
	struct ct_new n = { .flags = CT_F_FROM_STACK };
	struct l3_view v;
	struct flow f;

	if (skb->protocol != bpf_htons(ETH_P_IP) || load_ipv4(skb, &v) < 0 || load_flow(skb, v.ip, &f) < 0)
		return TC_ACT_OK;
	if (f.kind != FLOW_ICMP_ERROR) {
		int status;

		ct_track(&f, skb->len, &n, &status);
	}
	forwarded(skb, DIR_INGRESS, TRACE_TO_ENDPOINT, skb->ifindex);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
