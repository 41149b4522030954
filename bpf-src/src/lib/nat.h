/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_snat: source NAT to a node address, for masquerading (pods -> the outside world) and for NodePort traffic
 * sent on to a backend on another node. Each translated connection has two entries:
 *
 *   OUT  (source, destination, sport, dport, proto)        -> the node address and port the source becomes
 *   IN   (destination, node address, dport, nat port, proto) -> the original source (and, for NodePort, the
 *                                                             frontend the reply must appear to come from)
 *
 * Ports are claimed by inserting the IN entry with BPF_NOEXIST, so two CPUs never hand out the same one; a port is
 * free again when its entry has expired (entries carry an expiry like twill_ct's; the agent sweeps them).
 * twill_nonmasq lists the destinations pods reach with their own address (ip-masq-agent's nonMasqueradeCIDRs).
 */
#ifndef TWILL_NAT_H
#define TWILL_NAT_H

#include "common.h"
#include "config.h"
#include "flow.h"
#include "ct.h"

#define SNAT_MAP_SIZE    262144
#define NONMASQ_MAP_SIZE 1024
#define SNAT_TRIES       32

#define SNAT_OUT 0
#define SNAT_IN  1

#define SNAT_F_NODEPORT 0x1 /* IN entry of a NodePort connection: the reply's source becomes rev_addr:rev_port */

struct snat_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8   proto;
	__u8   dir;      /* SNAT_OUT / SNAT_IN */
	__u16  pad;
};

struct snat_entry {
	__be32 to_addr;  /* OUT: the node address; IN: the original source */
	__be16 to_port;
	__u16  flags;    /* SNAT_F_* */
	__be32 rev_addr; /* IN, SNAT_F_NODEPORT: the frontend */
	__be16 rev_port;
	__u16  pad;
	__u32  expires;  /* CLOCK_MONOTONIC seconds */
	__u32  created;
};

struct nonmasq_key {
	__u32  prefixlen;
	__be32 addr;
};

struct nonmasq_info {
	__u32 flags;     /* reserved */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct snat_key);
	__type(value, struct snat_entry);
	__uint(max_entries, SNAT_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_snat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct nonmasq_key);
	__type(value, struct nonmasq_info);
	__uint(max_entries, NONMASQ_MAP_SIZE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_nonmasq SEC(".maps");

static __always_inline int nonmasq(__be32 addr)
{
	struct nonmasq_key key = { .prefixlen = 32, .addr = addr };

	return bpf_map_lookup_elem(&twill_nonmasq, &key) != NULL;
}

static __always_inline __u32 snat_lifetime(const struct flow *f)
{
	if (f->proto == IPPROTO_TCP && (f->tcp_flags & (TCP_FLAG_FIN | TCP_FLAG_RST)))
		return cfg_ct_lifetime_close;
	return f->proto == IPPROTO_TCP ? cfg_ct_lifetime_tcp : cfg_ct_lifetime_other;
}

static __always_inline void snat_touch(struct snat_entry *e, const struct flow *f, __u32 now)
{
	__u32 expires = now + snat_lifetime(f);

	if (e->expires != expires)
		e->expires = expires;
}

/* The live entry of `f` in direction `dir` (keyed by the packet as it is), or NULL. */
static __always_inline struct snat_entry *snat_lookup(const struct flow *f, __u8 dir, __u32 now)
{
	struct snat_key key = {
		.saddr = f->saddr, .daddr = f->daddr, .sport = f->sport, .dport = f->dport,
		.proto = f->proto, .dir = dir,
	};
	struct snat_entry *e = bpf_map_lookup_elem(&twill_snat, &key);

	if (!e || e->expires < now)
		return NULL;
	snat_touch(e, f, now);
	return e;
}

/*
 * Translates the source of the new connection `f` to `nat_addr` and a free port of [cfg_nat_port_min,
 * cfg_nat_port_max]: claims the port (IN entry), then records the OUT entry. `in_tmpl` carries the IN entry's flags
 * and reverse frontend. On success fills `*out` (the OUT entry) and returns 0; -1 when every try was taken.
 */
static __always_inline int snat_create(const struct flow *f, __be32 nat_addr, const struct snat_entry *in_tmpl,
				       struct snat_entry *out, __u32 now)
{
	__u32 range = cfg_nat_port_max - cfg_nat_port_min + 1;
	__u32 hash = bpf_get_prandom_u32();
	struct snat_key in_key = {
		.saddr = f->daddr, .daddr = nat_addr, .sport = f->dport, .proto = f->proto, .dir = SNAT_IN,
	};
	struct snat_key out_key = {
		.saddr = f->saddr, .daddr = f->daddr, .sport = f->sport, .dport = f->dport,
		.proto = f->proto, .dir = SNAT_OUT,
	};
	struct snat_entry in = *in_tmpl;
	int i;

	in.to_addr = f->saddr;
	in.to_port = f->sport;
	in.created = now;
	in.expires = now + snat_lifetime(f);
	if (range == 0 || range > 65536)
		return -1;
	for (i = 0; i < SNAT_TRIES; i++) {
		struct snat_entry *old;
		__u16 port = (__u16)(cfg_nat_port_min + (hash + i) % range);

		in_key.dport = bpf_htons(port);
		if (bpf_map_update_elem(&twill_snat, &in_key, &in, BPF_NOEXIST) == 0)
			goto claimed;
		old = bpf_map_lookup_elem(&twill_snat, &in_key);
		if (old && old->expires < now && bpf_map_update_elem(&twill_snat, &in_key, &in, BPF_EXIST) == 0)
			goto claimed;
	}
	return -1;

claimed:
	out->to_addr = nat_addr;
	out->to_port = in_key.dport;
	out->flags = in_tmpl->flags;
	out->rev_addr = 0;
	out->rev_port = 0;
	out->pad = 0;
	out->created = now;
	out->expires = in.expires;
	if (bpf_map_update_elem(&twill_snat, &out_key, out, BPF_ANY) < 0) {
		bpf_map_delete_elem(&twill_snat, &in_key);
		return -1;
	}
	return 0;
}

#endif /* TWILL_NAT_H */
