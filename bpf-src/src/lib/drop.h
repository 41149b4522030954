/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Verdict codes and directions, shared by twill_metrics keys and twill_events records.
 * Mirrored in Java by io.twill.maps.metrics.Reason / Direction: add at the end, never renumber.
 */
#ifndef TWILL_DROP_H
#define TWILL_DROP_H

/* Why a packet was dropped; 0 means it was forwarded. */
enum twill_reason {
	REASON_FORWARDED        = 0,  /* not a drop: passed, redirected or delivered */
	DROP_INVALID_PACKET     = 1,  /* too short, or a malformed Ethernet/IPv4/ARP header */
	DROP_UNSUPPORTED_L3     = 2,  /* neither IPv4 nor ARP (e.g. IPv6 from a pod: Twill is IPv4-only) */
	DROP_SPOOFED_SOURCE     = 3,  /* a pod sent from an address that is not its own */
	DROP_UNROUTABLE         = 4,  /* destination in the cluster CIDR, but no node owns its pod CIDR */
	DROP_NO_ENDPOINT        = 5,  /* destination in this node's pod CIDR (or sent here), but no such endpoint */
	DROP_TTL_EXCEEDED       = 6,  /* TTL would reach zero on this hop */
	DROP_TUNNEL_KEY         = 7,  /* bpf_skb_set_tunnel_key / get_tunnel_key failed */
	DROP_WRONG_VNI          = 8,  /* VXLAN packet carrying a VNI that is not this cluster's */
	DROP_ARP_UNSUPPORTED    = 9,  /* an ARP packet the gateway responder does not answer (gratuitous, bad op) */
	DROP_NO_VXLAN_DEVICE    = 10, /* overlay mode without a VXLAN ifindex configured */
	DROP_NO_SERVICE_BACKEND = 11, /* a Service frontend with no usable backend (answered with a reset / unreachable) */
	DROP_NAT_NO_PORT        = 12, /* masquerade / NodePort SNAT found no free port toward that destination */
	DROP_NAT_FAILED         = 13, /* rewriting an address, port or checksum failed */
	DROP_POLICY_DENIED      = 14, /* NetworkPolicy denies the connection */
	DROP_NO_ROUTE           = 15, /* a translated reply could not be routed (FIB lookup failed) */
	DROP_FRAGMENT           = 16, /* a non-first IPv4 fragment of a flow that needs translation (no ports to match) */
	REASON_MAX              = 17,
};

/* Where, relative to the pods, a counted packet was going. */
enum twill_dir {
	DIR_UNKNOWN  = 0,
	DIR_INGRESS  = 1, /* toward a local pod (bpf_overlay, bpf_host delivering to a pod) */
	DIR_EGRESS   = 2, /* leaving a local pod (bpf_lxc) */
	DIR_HOST_IN  = 3, /* arriving on the uplink for the node itself (bpf_host ingress) */
	DIR_HOST_OUT = 4, /* leaving through the uplink (bpf_host egress) */
	DIR_MAX      = 5,
};

#endif /* TWILL_DROP_H */
