// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpf_overlay: "from the overlay". Attached to TC ingress of twill_vxlan (external/collect_md, UDP 8472). The kernel
 * has already decapsulated the packet; this program checks the VNI and delivers the inner IPv4 packet to the local
 * pod that owns its destination, or drops it with a reason: never to another pod, never blindly to the stack.
 * Each packet is tracked in twill_ct: a reply to a connection this node translated per packet (a Service) gets its
 * source translated back, and a reply to a connection the host stack forwarded (FROM_STACK, e.g. kube-proxy's DNAT
 * to a pod on another node) is handed to the stack, which reverses its own translation and delivers it.
 */
#include "lib/common.h"
#include "lib/config.h"
#include "lib/drop.h"
#include "lib/endpoints.h"
#include "lib/tunnel.h"
#include "lib/metrics.h"
#include "lib/events.h"
#include "lib/deliver.h"
#include "lib/flow.h"
#include "lib/ct.h"
#include "lib/rewrite.h"
#include "lib/lb.h"
#include "lib/svc.h"

/* Hands the packet to the host stack, addressed to this host (the inner frame carries the sender's lxc MAC). */
static __always_inline int overlay_to_stack(struct __sk_buff *skb)
{
	if (skb->pkt_type != PACKET_HOST)
		bpf_skb_change_type(skb, PACKET_HOST);
	forwarded(skb, DIR_INGRESS, TRACE_TO_STACK, 0);
	return TC_ACT_OK;
}

/* Tracks the packet; returns 1 when it must go to the stack, 0 to deliver, < 0 when a translation failed. */
static __always_inline int track_ingress(struct __sk_buff *skb, struct flow *f)
{
	struct ct_new n = {};
	struct ct_entry *ct;
	int status;

	if (f->kind == FLOW_ICMP_ERROR) {
		struct flow quoted;

		ct = ct_lookup_related(skb, f, &quoted);
		return ct && (ct->flags & CT_F_FROM_STACK);
	}
	ct = ct_track(f, skb->len, &n, &status);
	if (!ct || status != CT_REPLY)
		return 0;
	if (ct->flags & CT_F_FROM_STACK)
		return 1;
	if (ct->rev_nat_index && svc_rev_nat(skb, f, ct->rev_nat_index) < 0)
		return -1;
	return 0;
}

SEC("tc")
int from_overlay(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	struct endpoint_info *ep;
	struct l3_view v;
	struct flow f;
	int rc;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return drop_packet(skb, DROP_UNSUPPORTED_L3, DIR_INGRESS);
	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, DIR_INGRESS);
	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0) < 0)
		return drop_packet(skb, DROP_TUNNEL_KEY, DIR_INGRESS);
	if (key.tunnel_id != cfg_vni)
		return drop_packet(skb, DROP_WRONG_VNI, DIR_INGRESS);
	/* bpf_skb_get_tunnel_key does not touch packet data, but keep the verifier's view simple: reload. */
	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, DIR_INGRESS);
	ep = lookup_endpoint(v.ip->daddr);
	if (!ep)
		return drop_packet(skb, DROP_NO_ENDPOINT, DIR_INGRESS);
	if (ep->flags & ENDPOINT_F_HOST)
		return overlay_to_stack(skb);
	if (load_flow(skb, v.ip, &f) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, DIR_INGRESS);
	rc = track_ingress(skb, &f);
	if (rc < 0)
		return drop_packet(skb, DROP_NAT_FAILED, DIR_INGRESS);
	if (rc > 0)
		return overlay_to_stack(skb);
	return deliver_to_endpoint(skb, ep, DIR_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
