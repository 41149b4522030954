// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpf_host: the node's uplink (eth0).
 *
 * from_netdev (TC ingress): packets for local pods that arrive natively (native-routing mode, or any peer routing pod
 * traffic straight to this node) are delivered into the pod with bpf_redirect_peer, skipping IP forwarding. A
 * destination inside this node's own pod CIDR without an endpoint is dropped with a reason. Everything else (VXLAN
 * underlay traffic, the node's own traffic, transit) is counted and passed to the stack.
 *
 * to_netdev (TC egress): counts what leaves the node.
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
int from_netdev(struct __sk_buff *skb)
{
	struct endpoint_info *ep;
	struct tunnel_info *tun;
	struct l3_view v;

	if (skb->protocol != bpf_htons(ETH_P_IP) || load_ipv4(skb, &v) < 0) {
		/* ARP, IPv6, runts: the host stack's business. */
		forwarded(skb, NULL, DIR_HOST_IN, TRACE_TO_STACK, 0);
		return TC_ACT_OK;
	}
	if (!in_cluster(v.ip->daddr))
		goto to_stack;
	ep = lookup_endpoint(v.ip->daddr);
	if (ep) {
		if (ep->flags & ENDPOINT_F_HOST)
			goto to_stack;
		return deliver_to_endpoint(skb, &v, ep, DIR_INGRESS);
	}
	tun = lookup_tunnel(v.ip->daddr);
	if (tun && tun->node_ip == cfg_node_ip)
		return drop_packet(skb, v.ip, DROP_NO_ENDPOINT, DIR_INGRESS);

to_stack:
	forwarded(skb, v.ip, DIR_HOST_IN, TRACE_TO_STACK, 0);
	return TC_ACT_OK;
}

SEC("tc")
int to_netdev(struct __sk_buff *skb)
{
	metrics_count(REASON_FORWARDED, DIR_HOST_OUT, skb->len);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
