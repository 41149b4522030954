// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bpf_sock: Service load balancing at the socket (kube-proxy replacement, like Cilium's socket LB), attached to the
 * cgroup v2 root so it sees every socket on the machine.
 *
 *   connect4     a TCP or UDP socket connecting to a Service frontend is connected to a backend instead: no packet
 *                ever carries the frontend address, and nothing is translated per packet
 *   sendmsg4     the same for each datagram of an unconnected UDP socket
 *   recvmsg4     datagrams from that backend are shown as coming from the frontend (a resolver checks this)
 *   getpeername4 a connected socket reports the frontend it asked for
 *
 * A frontend without backends fails connect/sendmsg with ECONNREFUSED, counted as DROP_NO_SERVICE_BACKEND.
 *
 * The same four hooks exist for IPv6 sockets, which reach IPv4 peers through IPv4-mapped addresses (::ffff:a.b.c.d):
 * dual-stack runtimes (the JVM, and most others) open every IPv4 connection that way. Only mapped addresses are
 * touched (Twill's Services are IPv4). Without these, such a socket would be connected to the frontend while its
 * datagrams went, translated per packet, to a backend whose replies the socket then refuses.
 *
 * Only sockets of the network namespaces listed in twill_lb_netns (this node's own and its pods') are touched, so that
 * several Twill nodes can share one kernel and one cgroup tree (the local cluster): each node's programs serve its
 * namespaces and pass the others through.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include "lib/common.h"
#include "lib/config.h"
#include "lib/drop.h"
#include "lib/metrics.h"
#include "lib/events.h"
#include "lib/ct.h"
#include "lib/lb.h"

#define SYS_REJECT  0
#define SYS_PROCEED 1
#define ECONNREFUSED 111

static __always_inline int served(void *ctx)
{
	__u64 cookie = bpf_get_netns_cookie(ctx);

	return bpf_map_lookup_elem(&twill_lb_netns, &cookie) != NULL;
}

/* Reports a refused frontend on twill_events (no packet: the addresses come from the socket call). */
static __always_inline void sock_refused(struct bpf_sock_addr *ctx, __u8 proto, __be32 daddr)
{
	struct drop_event ev = {
		.ktime_ns = bpf_ktime_get_ns(),
		.type = EVENT_DROP,
		.reason = DROP_NO_SERVICE_BACKEND,
		.dir = DIR_EGRESS,
		.protocol = proto,
		.daddr = daddr,
		.dport = (__be16)ctx->user_port,
	};

	metrics_count(DROP_NO_SERVICE_BACKEND, DIR_EGRESS, 0);
	send_drop_event(&ev);
	bpf_set_retval(-ECONNREFUSED);
}

/* A stable hash of the socket, so every datagram of one UDP socket goes to the same backend. */
static __always_inline __u32 socket_hash(__u64 cookie)
{
	return (__u32)((cookie * 0x9E3779B97F4A7C15ULL) >> 32);
}

/* The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), or 0 when it is not one. */
static __always_inline __be32 mapped_ipv4(struct bpf_sock_addr *ctx)
{
	if (ctx->user_ip6[0] != 0 || ctx->user_ip6[1] != 0 || ctx->user_ip6[2] != bpf_htonl(0xffff))
		return 0;
	return ctx->user_ip6[3];
}

static __always_inline void set_addr(struct bpf_sock_addr *ctx, int v6, __be32 addr)
{
	if (v6)
		ctx->user_ip6[3] = addr;
	else
		ctx->user_ip4 = addr;
}

/* Points the socket call at a backend when it names a Service frontend. */
static __always_inline int translate(struct bpf_sock_addr *ctx, int v6)
{
	__u8 proto = (__u8)ctx->protocol;
	__be32 daddr;
	struct lb_key key;
	struct lb_service *svc;
	struct lb_backend *be;
	struct lb_sock_key sk = {};
	struct lb_sock orig = {};
	__u64 cookie;
	__u32 id;

	if (!cfg_kube_proxy_replacement || (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return SYS_PROCEED;
	daddr = v6 ? mapped_ipv4(ctx) : ctx->user_ip4;
	if (daddr == 0 || !served(ctx))
		return SYS_PROCEED;
	svc = lb_lookup_frontend(daddr, (__be16)ctx->user_port, proto, 0, &key);
	if (!svc)
		return SYS_PROCEED;
	cookie = bpf_get_socket_cookie(ctx);
	id = lb_select(&key, svc, proto == IPPROTO_UDP ? socket_hash(cookie) : bpf_get_prandom_u32(),
		       bpf_get_netns_cookie(ctx), 1, mono_seconds());
	be = id ? lb_backend(id) : NULL;
	if (!be) {
		sock_refused(ctx, proto, daddr);
		return SYS_REJECT;
	}
	sk.cookie = cookie;
	sk.addr = be->addr;
	sk.port = be->port;
	orig.addr = daddr;
	orig.port = (__be16)ctx->user_port;
	orig.rev_nat_index = svc->rev_nat_index;
	bpf_map_update_elem(&twill_lb_sockets, &sk, &orig, BPF_ANY);
	set_addr(ctx, v6, be->addr);
	ctx->user_port = (__u32)be->port;
	return SYS_PROCEED;
}

/* Shows the frontend instead of the backend the socket was sent to. */
static __always_inline int reverse(struct bpf_sock_addr *ctx, int v6)
{
	struct lb_sock_key sk = {};
	struct lb_sock *orig;
	__be32 addr;

	if (!cfg_kube_proxy_replacement)
		return SYS_PROCEED;
	addr = v6 ? mapped_ipv4(ctx) : ctx->user_ip4;
	if (addr == 0 || !served(ctx))
		return SYS_PROCEED;
	sk.cookie = bpf_get_socket_cookie(ctx);
	sk.addr = addr;
	sk.port = (__be16)ctx->user_port;
	orig = bpf_map_lookup_elem(&twill_lb_sockets, &sk);
	if (orig) {
		set_addr(ctx, v6, orig->addr);
		ctx->user_port = (__u32)orig->port;
	}
	return SYS_PROCEED;
}

SEC("cgroup/connect4")
int sock_connect4(struct bpf_sock_addr *ctx)
{
	return translate(ctx, 0);
}

SEC("cgroup/sendmsg4")
int sock_sendmsg4(struct bpf_sock_addr *ctx)
{
	return translate(ctx, 0);
}

SEC("cgroup/recvmsg4")
int sock_recvmsg4(struct bpf_sock_addr *ctx)
{
	return reverse(ctx, 0);
}

SEC("cgroup/getpeername4")
int sock_getpeername4(struct bpf_sock_addr *ctx)
{
	return reverse(ctx, 0);
}

SEC("cgroup/connect6")
int sock_connect6(struct bpf_sock_addr *ctx)
{
	return translate(ctx, 1);
}

SEC("cgroup/sendmsg6")
int sock_sendmsg6(struct bpf_sock_addr *ctx)
{
	return translate(ctx, 1);
}

SEC("cgroup/recvmsg6")
int sock_recvmsg6(struct bpf_sock_addr *ctx)
{
	return reverse(ctx, 1);
}

SEC("cgroup/getpeername6")
int sock_getpeername6(struct bpf_sock_addr *ctx)
{
	return reverse(ctx, 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
