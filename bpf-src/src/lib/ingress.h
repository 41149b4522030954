/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A packet arriving for a local pod from elsewhere (another node through the overlay or the uplink, a NodePort
 * client, the host stack): its connection tracked, its reply translated back, and the pod's ingress policy applied
 * to a new connection (or to an established one once, after the policy changed).
 */
#ifndef TWILL_INGRESS_H
#define TWILL_INGRESS_H

#include "common.h"
#include "config.h"
#include "drop.h"
#include "events.h"
#include "endpoints.h"
#include "flow.h"
#include "ct.h"
#include "lb.h"
#include "svc.h"
#include "ipcache.h"
#include "policy.h"

enum ingress_verdict {
	INGRESS_DELIVER  = 0, /* into the pod */
	INGRESS_TO_STACK = 1, /* a reply the host stack must see (FROM_STACK) */
	INGRESS_DROPPED  = 2, /* dropped (counted and reported) */
};

/*
 * Tracks `f` (for endpoint `ep`) with `n` as the template of a new entry and enforces ep's ingress policy. `dir` is
 * the metrics direction of a drop.
 */
static __always_inline int ingress_track(struct __sk_buff *skb, struct flow *f, const struct endpoint_info *ep,
					 struct ct_new *n, __u8 dir)
{
	struct ct_entry *ct;
	struct ct_key key;
	__u32 now, src_id;
	__u16 rev = 0;
	int status, src_is_a;

	if (f->kind == FLOW_ICMP_ERROR) {
		struct flow quoted;

		ct = ct_lookup_related(skb, f, &quoted);
		return ct && (ct->flags & CT_F_FROM_STACK) ? INGRESS_TO_STACK : INGRESS_DELIVER;
	}
	now = mono_seconds();
	ct = ct_lookup(f, 0, &key, &src_is_a, now, &status);
	if (ct && status == CT_REPLY) {
		ct_account(ct, f, status, skb->len, now);
		if (ct->flags & CT_F_FROM_STACK)
			return INGRESS_TO_STACK;
		if (ct->rev_nat_index && svc_rev_nat(skb, f, ct->rev_nat_index) < 0) {
			drop_packet(skb, DROP_NAT_FAILED, dir);
			return INGRESS_DROPPED;
		}
		return INGRESS_DELIVER;
	}
	if (policy_enforced(ep, POLICY_INGRESS)) {
		rev = policy_revision();
		if (!ct || ct->policy_rev != rev) {
			src_id = identity_of(f->saddr);
			if (!policy_allows_flow(ep, POLICY_INGRESS, src_id, f)) {
				if (ct)
					bpf_map_delete_elem(&twill_ct, &key);
				else
					policy_count(POLICY_INGRESS, 0);
				drop_identities(skb, DROP_POLICY_DENIED, dir, src_id, identity_of(f->daddr));
				return INGRESS_DROPPED;
			}
			if (ct) {
				ct->policy_rev = rev;
			} else {
				policy_count(POLICY_INGRESS, 1);
				n->src_identity = src_id;
			}
		}
	}
	if (ct) {
		ct_account(ct, f, status, skb->len, now);
	} else {
		n->policy_rev = rev;
		ct_create(&key, src_is_a, f, skb->len, now, n);
	}
	return INGRESS_DELIVER;
}

#endif /* TWILL_INGRESS_H */
