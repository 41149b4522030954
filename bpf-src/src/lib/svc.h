/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Per-packet Service translation (kube-proxy replacement at TC): bpf_lxc for Service traffic the socket hooks did not
 * translate, bpf_host for NodePort and external IPs. A connection keeps the backend it was given in a CT_KEY_SERVICE
 * entry of twill_ct (client <-> frontend), so every packet of it goes to the same backend; a backend that has since
 * left the service is replaced by a fresh choice.
 */
#ifndef TWILL_SVC_H
#define TWILL_SVC_H

#include "common.h"
#include "config.h"
#include "flow.h"
#include "ct.h"
#include "lb.h"
#include "rewrite.h"

enum svc_result {
	SVC_NONE       = 0, /* not addressed to a Service frontend */
	SVC_BACKEND    = 1, /* *be is the backend to translate to */
	SVC_NO_BACKEND = 2, /* a frontend with no backend: refuse */
};

struct svc_choice {
	struct lb_backend be;
	__be32 frontend_addr;
	__be16 frontend_port;
	__u16  rev_nat_index;
	__u8   flags;          /* the service's LB_F_* */
};

/*
 * Looks `f` up among the frontends (`external`: traffic from outside the node, which sees the local-backends twin of
 * externalTrafficPolicy: Local services) and, for a hit, picks or recalls the backend. `want` limits the frontend
 * kinds (LB_F_*; 0 = any).
 */
static __always_inline int svc_choose(const struct flow *f, int external, __u8 want, __u32 len, struct svc_choice *c)
{
	struct lb_key key;
	struct lb_service *svc;
	struct lb_backend *be = NULL;
	struct ct_entry *e;
	struct ct_key k;
	__u32 now, id = 0;
	int src_is_a, status;

	if (f->kind != FLOW_PORTS)
		return SVC_NONE;
	svc = lb_lookup_frontend(f->daddr, f->dport, f->proto, external, &key);
	if (!svc || (want && !(svc->flags & want)))
		return SVC_NONE;
	c->frontend_addr = f->daddr;
	c->frontend_port = f->dport;
	c->rev_nat_index = svc->rev_nat_index;
	c->flags = svc->flags;
	if (svc->count == 0)
		return SVC_NO_BACKEND;
	now = mono_seconds();
	e = ct_lookup(f, CT_KEY_SERVICE, &k, &src_is_a, now, &status);
	if (e) {
		id = e->backend_id;
		be = lb_backend(id);
		if (be)
			ct_account(e, f, status, len, now);
	}
	if (!be) {
		id = lb_select(&key, svc, bpf_get_prandom_u32(), (__u64)f->saddr, 0, now);
		be = id ? lb_backend(id) : NULL;
		if (!be)
			return SVC_NO_BACKEND;
		if (e) {
			e->backend_id = id;
		} else {
			struct ct_new n = { .backend_id = id, .rev_nat_index = svc->rev_nat_index };

			ct_create(&k, src_is_a, f, len, now, &n);
		}
	}
	c->be = *be;
	return SVC_BACKEND;
}

/* Rewrites the source of a reply to the frontend its connection was opened to (twill_lb_revnat[index]). */
static __always_inline int svc_rev_nat(struct __sk_buff *skb, struct flow *f, __u16 index)
{
	struct lb_revnat *rn = lb_revnat(index);

	if (!rn)
		return 0; /* the service is gone: the reply goes out untranslated, as the client will reset it */
	return rewrite_flow(skb, f, rn->addr, rn->port, f->daddr, f->dport);
}

#endif /* TWILL_SVC_H */
