// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpf_host: the node's uplink (eth0).
 *
 * from_netdev (TC ingress):
 *   - replies to masqueraded / NodePort-SNATed connections (to the node IP, on a port of the NAT range): translated
 *     back (twill_snat) and delivered to the pod, or sent back to the NodePort client;
 *   - NodePort and external IPs (kube-proxy replacement): DNAT to a backend; a local backend is delivered with
 *     bpf_redirect_peer, a backend on another node gets the node address as source (SNAT) and is sent on through
 *     the overlay or the FIB, so its replies return here;
 *   - packets for local pods that arrive natively (native routing): tracked (FROM_STACK replies go to the stack) and
 *     delivered with bpf_redirect_peer; an address of this node's pod CIDR without an endpoint is dropped with a reason;
 *   - everything else (VXLAN underlay traffic, the node's own traffic, transit) is counted and passed to the stack.
 *
 * to_netdev (TC egress):
 *   - masquerading: pod packets the stack sends out toward addresses outside the cluster CIDR and twill_nonmasq get
 *     the node address and a port of the NAT range as source;
 *   - native routing: pod packets the stack forwards to other nodes (not handed over by bpf_lxc, which marks its own)
 *     are recorded FROM_STACK, so that their replies go back through the stack (kube-proxy's DNAT);
 *   - counts what leaves the node.
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
#include "lib/nat.h"
#include "lib/reject.h"
#include "lib/forward.h"

static __always_inline int in_nat_range(__be16 port)
{
	__u16 p = bpf_ntohs(port);

	return p >= cfg_nat_port_min && p <= cfg_nat_port_max;
}

/*
 * Sends a packet this program translated on by its (new) destination: a local pod, another node (overlay or
 * native), or out through the FIB (`output`: its source is a node or frontend address).
 */
static __always_inline int forward_translated(struct __sk_buff *skb, __be32 daddr, __u8 dir)
{
	struct endpoint_info *ep = lookup_endpoint(daddr);
	struct tunnel_info *tun;

	if (ep && !(ep->flags & ENDPOINT_F_HOST))
		return deliver_to_endpoint(skb, ep, dir);
	if (in_cluster(daddr)) {
		tun = lookup_tunnel(daddr);
		if (!tun || tun->node_ip == cfg_node_ip)
			return drop_packet(skb, tun ? DROP_NO_ENDPOINT : DROP_UNROUTABLE, dir);
		if (cfg_routing_mode != ROUTING_NATIVE)
			return redirect_overlay(skb, tun->node_ip, dir);
	}
	return redirect_fib(skb, dir, 1, 0);
}

/*
 * A reply to a masqueraded or NodePort-SNATed connection. Returns -1 when the packet is none (go on), else a verdict.
 * Masquerade replies are translated back to the pod and continue as a packet for it (*to_pod = 1).
 */
static __always_inline int reverse_snat(struct __sk_buff *skb, struct flow *f, int *to_pod)
{
	struct snat_entry *e;

	*to_pod = 0;
	if (f->daddr != cfg_node_ip || (f->kind != FLOW_PORTS && f->kind != FLOW_ECHO) || !in_nat_range(f->dport))
		return -1;
	e = snat_lookup(f, SNAT_IN, mono_seconds());
	if (!e)
		return -1;
	if (e->flags & SNAT_F_NODEPORT) {
		if (rewrite_flow(skb, f, e->rev_addr, e->rev_port, e->to_addr, e->to_port) < 0)
			return drop_packet(skb, DROP_NAT_FAILED, DIR_HOST_IN);
		return forward_translated(skb, f->daddr, DIR_HOST_IN);
	}
	if (rewrite_flow(skb, f, f->saddr, f->sport, e->to_addr, e->to_port) < 0)
		return drop_packet(skb, DROP_NAT_FAILED, DIR_INGRESS);
	*to_pod = 1;
	return -1;
}

/* NodePort / external IP frontends. Returns -1 when the packet is addressed to none, else a verdict. */
static __always_inline int nodeport(struct __sk_buff *skb, struct flow *f)
{
	struct svc_choice c;
	struct endpoint_info *ep;
	int rc = svc_choose(f, 1, LB_F_NODEPORT | LB_F_EXTERNAL_IP, skb->len, &c);

	if (rc == SVC_NONE)
		return -1;
	if (rc == SVC_NO_BACKEND) {
		drop_packet(skb, DROP_NO_SERVICE_BACKEND, DIR_HOST_IN);
		return reject_back(skb, f->proto);
	}
	if (rewrite_flow(skb, f, f->saddr, f->sport, c.be.addr, c.be.port) < 0)
		return drop_packet(skb, DROP_NAT_FAILED, DIR_HOST_IN);
	ep = lookup_endpoint(c.be.addr);
	if (ep && !(ep->flags & ENDPOINT_F_HOST)) {
		/* Local backend: the client's address is kept; the pod's replies are translated back in bpf_lxc. */
		struct ct_new n = { .rev_nat_index = c.rev_nat_index, .flags = CT_F_NODEPORT };
		int status;

		ct_track(f, skb->len, &n, &status);
		return deliver_to_endpoint(skb, ep, DIR_INGRESS);
	} else {
		/* Backend elsewhere: this node's address becomes the source, so the replies come back through here. */
		struct snat_entry tmpl = { .flags = SNAT_F_NODEPORT, .rev_addr = c.frontend_addr,
					   .rev_port = c.frontend_port };
		struct snat_entry created, *out;
		__u32 now = mono_seconds();

		out = snat_lookup(f, SNAT_OUT, now);
		if (!out) {
			if (snat_create(f, cfg_node_ip, &tmpl, &created, now) < 0)
				return drop_packet(skb, DROP_NAT_NO_PORT, DIR_HOST_IN);
			out = &created;
		}
		if (rewrite_flow(skb, f, out->to_addr, out->to_port, f->daddr, f->dport) < 0)
			return drop_packet(skb, DROP_NAT_FAILED, DIR_HOST_IN);
		return forward_translated(skb, f->daddr, DIR_HOST_IN);
	}
}

/* A natively arriving packet for a local pod: tracked, handed to the stack if it answers a connection the stack made. */
static __always_inline int to_local_pod(struct __sk_buff *skb, struct flow *f, struct endpoint_info *ep)
{
	struct ct_new n = {};
	struct ct_entry *ct;
	int status;

	if (f->kind == FLOW_ICMP_ERROR) {
		struct flow quoted;

		ct = ct_lookup_related(skb, f, &quoted);
		if (ct && (ct->flags & CT_F_FROM_STACK))
			goto to_stack;
		return deliver_to_endpoint(skb, ep, DIR_INGRESS);
	}
	ct = ct_track(f, skb->len, &n, &status);
	if (ct && status == CT_REPLY) {
		if (ct->flags & CT_F_FROM_STACK)
			goto to_stack;
		if (ct->rev_nat_index && svc_rev_nat(skb, f, ct->rev_nat_index) < 0)
			return drop_packet(skb, DROP_NAT_FAILED, DIR_INGRESS);
	}
	return deliver_to_endpoint(skb, ep, DIR_INGRESS);

to_stack:
	forwarded(skb, DIR_INGRESS, TRACE_TO_STACK, 0);
	return TC_ACT_OK;
}

SEC("tc")
int from_netdev(struct __sk_buff *skb)
{
	struct endpoint_info *ep;
	struct tunnel_info *tun;
	struct l3_view v;
	struct flow f;
	int rc, to_pod = 0;

	if (skb->protocol != bpf_htons(ETH_P_IP) || load_ipv4(skb, &v) < 0) {
		/* ARP, IPv6, runts: the host stack's business. */
		forwarded(skb, DIR_HOST_IN, TRACE_TO_STACK, 0);
		return TC_ACT_OK;
	}
	if ((cfg_masquerade || cfg_kube_proxy_replacement) && load_flow(skb, v.ip, &f) == 0) {
		rc = reverse_snat(skb, &f, &to_pod);
		if (rc >= 0)
			return rc;
		if (!to_pod && cfg_kube_proxy_replacement) {
			rc = nodeport(skb, &f);
			if (rc >= 0)
				return rc;
		}
	} else if (!in_cluster(v.ip->daddr)) {
		goto to_stack;
	} else if (load_flow(skb, v.ip, &f) < 0) {
		return drop_packet(skb, DROP_INVALID_PACKET, DIR_INGRESS);
	}
	if (!in_cluster(f.daddr))
		goto to_stack;
	ep = lookup_endpoint(f.daddr);
	if (ep) {
		if (ep->flags & ENDPOINT_F_HOST)
			goto to_stack;
		return to_local_pod(skb, &f, ep);
	}
	tun = lookup_tunnel(f.daddr);
	if (tun && tun->node_ip == cfg_node_ip)
		return drop_packet(skb, DROP_NO_ENDPOINT, DIR_INGRESS);

to_stack:
	forwarded(skb, DIR_HOST_IN, TRACE_TO_STACK, 0);
	return TC_ACT_OK;
}

/* Pod traffic to the outside world leaves with the node's address. Returns a verdict. */
static __always_inline int masquerade(struct __sk_buff *skb, struct flow *f)
{
	struct snat_entry tmpl = {}, created, *out;
	__u32 now;

	if (f->kind != FLOW_PORTS && f->kind != FLOW_ECHO)
		return TC_ACT_OK; /* nothing to tell connections apart by: leaves untranslated */
	now = mono_seconds();
	out = snat_lookup(f, SNAT_OUT, now);
	if (!out) {
		if (snat_create(f, cfg_node_ip, &tmpl, &created, now) < 0)
			return drop_packet(skb, DROP_NAT_NO_PORT, DIR_HOST_OUT);
		out = &created;
	}
	if (rewrite_flow(skb, f, out->to_addr, out->to_port, f->daddr, f->dport) < 0)
		return drop_packet(skb, DROP_NAT_FAILED, DIR_HOST_OUT);
	return TC_ACT_OK;
}

SEC("tc")
int to_netdev(struct __sk_buff *skb)
{
	struct l3_view v;
	struct flow f;

	metrics_count(REASON_FORWARDED, DIR_HOST_OUT, skb->len);
	if ((skb->mark & MARK_TWILL_MASK) == MARK_TWILL_FORWARDED || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (!cfg_masquerade && cfg_routing_mode != ROUTING_NATIVE)
		return TC_ACT_OK;
	if (load_ipv4(skb, &v) < 0 || !in_cluster(v.ip->saddr))
		return TC_ACT_OK;
	if (load_flow(skb, v.ip, &f) < 0)
		return TC_ACT_OK;
	if (!in_cluster(f.daddr)) {
		if (!cfg_masquerade || nonmasq(f.daddr) || f.kind == FLOW_ICMP_ERROR)
			return TC_ACT_OK;
		return masquerade(skb, &f);
	}
	if (cfg_routing_mode == ROUTING_NATIVE && f.kind != FLOW_ICMP_ERROR) {
		struct ct_new n = { .flags = CT_F_FROM_STACK };
		int status;

		ct_track(&f, skb->len, &n, &status);
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
