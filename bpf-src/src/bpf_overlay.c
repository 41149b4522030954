// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpf_overlay: "from the overlay". Attached to TC ingress of twill_vxlan (external/collect_md, UDP 8472). The kernel
 * has already decapsulated the packet; this program checks the VNI and delivers the inner IPv4 packet to the local
 * pod that owns its destination, or drops it with a reason: never to another pod, never blindly to the stack.
 */
#include "lib/common.h"
#include "lib/config.h"
#include "lib/drop.h"
#include "lib/endpoints.h"
#include "lib/tunnel.h"
#include "lib/metrics.h"
#include "lib/events.h"
#include "lib/deliver.h"

SEC("tc")
int from_overlay(struct __sk_buff *skb)
{
	struct bpf_tunnel_key key = {};
	struct endpoint_info *ep;
	struct l3_view v;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return drop_packet(skb, NULL, DROP_UNSUPPORTED_L3, DIR_INGRESS);
	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, NULL, DROP_INVALID_PACKET, DIR_INGRESS);
	if (bpf_skb_get_tunnel_key(skb, &key, sizeof(key), 0) < 0)
		return drop_packet(skb, v.ip, DROP_TUNNEL_KEY, DIR_INGRESS);
	if (key.tunnel_id != cfg_vni)
		return drop_packet(skb, v.ip, DROP_WRONG_VNI, DIR_INGRESS);
	/* bpf_skb_get_tunnel_key does not touch packet data, but keep the verifier's view simple: reload. */
	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, NULL, DROP_INVALID_PACKET, DIR_INGRESS);
	ep = lookup_endpoint(v.ip->daddr);
	if (!ep)
		return drop_packet(skb, v.ip, DROP_NO_ENDPOINT, DIR_INGRESS);
	if (ep->flags & ENDPOINT_F_HOST) {
		forwarded(skb, v.ip, DIR_INGRESS, TRACE_TO_STACK, 0);
		return TC_ACT_OK;
	}
	return deliver_to_endpoint(skb, &v, ep, DIR_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
