/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Delivery of an IPv4 packet into a local pod, shared by bpf_lxc, bpf_overlay and bpf_host. */
#ifndef TWILL_DELIVER_H
#define TWILL_DELIVER_H

#include "common.h"
#include "endpoints.h"
#include "events.h"

/*
 * Routes one hop into the pod behind `ep`: TTL down, MACs rewritten (lxc MAC -> pod MAC), then straight into the
 * pod's namespace with bpf_redirect_peer (no backlog queue, no second pass through the host stack). Called only from
 * TC ingress programs, where redirect_peer is allowed. The headers are found again here, so callers may have
 * changed the packet (translations) since they last looked.
 */
static __always_inline int deliver_to_endpoint(struct __sk_buff *skb, const struct endpoint_info *ep, __u8 dir)
{
	struct l3_view v;

	if (load_ipv4(skb, &v) < 0)
		return drop_packet(skb, DROP_INVALID_PACKET, dir);
	if (unlikely(v.ip->ttl <= 1))
		return drop_packet(skb, DROP_TTL_EXCEEDED, dir);
	ipv4_dec_ttl(v.ip);
	mac_copy(v.eth->h_dest, ep->mac);
	mac_copy(v.eth->h_source, ep->node_mac);
	/* Decapsulated or uplink frames may carry another host's MAC: the pod must see them as addressed to it. */
	if (skb->pkt_type != PACKET_HOST)
		bpf_skb_change_type(skb, PACKET_HOST);
	forwarded(skb, dir, TRACE_TO_ENDPOINT, ep->ifindex);
	return bpf_redirect_peer(ep->ifindex, 0);
}

#endif /* TWILL_DELIVER_H */
