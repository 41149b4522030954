/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_events: a ring buffer of drop notifications (always) and trace notifications (cfg_trace = 1), read by the
 * agent (io.twill.maps.events.EventReader). Every record starts with the same 32 bytes; `type` says which it is.
 */
#ifndef TWILL_EVENTS_H
#define TWILL_EVENTS_H

#include "common.h"
#include "config.h"
#include "drop.h"
#include "metrics.h"

#define EVENTS_RING_SIZE (256 * 1024)

enum twill_event_type {
	EVENT_DROP  = 1,
	EVENT_TRACE = 2,
};

/* Where a trace was taken: what the program did with the packet. */
enum twill_trace_point {
	TRACE_TO_ENDPOINT = 1, /* redirected into a local pod */
	TRACE_TO_OVERLAY  = 2, /* encapsulated toward another node */
	TRACE_TO_STACK    = 3, /* passed to the host stack */
	TRACE_TO_NETDEV   = 4, /* redirected to an uplink after a FIB lookup (native routing) */
};

struct drop_event {
	__u64  ktime_ns;        /* bpf_ktime_get_ns() */
	__u8   type;            /* EVENT_DROP */
	__u8   reason;          /* enum twill_reason */
	__u8   dir;             /* enum twill_dir */
	__u8   protocol;        /* IPv4 protocol, 0 when not IPv4 */
	__u32  ifindex;         /* device whose program saw the packet */
	__u32  len;             /* packet length */
	__be32 saddr;
	__be32 daddr;
	__be16 sport;           /* TCP/UDP ports, 0 otherwise */
	__be16 dport;
};

struct trace_event {
	__u64  ktime_ns;
	__u8   type;            /* EVENT_TRACE */
	__u8   point;           /* enum twill_trace_point */
	__u8   dir;
	__u8   protocol;
	__u32  ifindex;
	__u32  len;
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u32  target_ifindex;  /* where the packet went (pod's lxc, twill_vxlan, uplink); 0 for the stack */
	__u32  pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVENTS_RING_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_events SEC(".maps");

/*
 * The two senders are separate subprograms (never inlined) so that their parameter types, and with them the
 * event layouts, are recorded in the object's BTF, where LayoutMatchesBtfTest compares them with the Java records.
 */
static __attribute__((noinline)) void send_drop_event(const struct drop_event *ev)
{
	bpf_ringbuf_output(&twill_events, (void *)ev, sizeof(*ev), 0);
}

static __attribute__((noinline)) void send_trace_event(const struct trace_event *ev)
{
	bpf_ringbuf_output(&twill_events, (void *)ev, sizeof(*ev), 0);
}

/*
 * Fills the IPv4 fields of an event from the packet itself (bpf_skb_load_bytes: no packet pointer crosses a helper
 * call that may have moved the data). Leaves them zero for non-IPv4 and malformed packets.
 */
static __always_inline void event_ipv4(struct __sk_buff *skb, __u8 *protocol, __be32 *saddr, __be32 *daddr,
				       __be16 *sport, __be16 *dport)
{
	struct iphdr ip;

	if (skb->protocol != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip)) < 0 || ip.version != 4 || ip.ihl < 5)
		return;
	*protocol = ip.protocol;
	*saddr = ip.saddr;
	*daddr = ip.daddr;
	load_ports(skb, &ip, sport, dport);
}

/*
 * Counts a drop and reports it with what the packet holds now. Returns TC_ACT_SHOT so callers can
 * `return drop_packet(...)`. A full ring buffer loses the event; the counter is always kept.
 */
static __attribute__((noinline, unused)) int drop_packet(struct __sk_buff *skb, __u8 reason, __u8 dir)
{
	struct drop_event ev = {
		.ktime_ns = bpf_ktime_get_ns(),
		.type = EVENT_DROP,
		.reason = reason,
		.dir = dir,
		.ifindex = skb->ifindex,
		.len = skb->len,
	};

	metrics_count(reason, dir, skb->len);
	event_ipv4(skb, &ev.protocol, &ev.saddr, &ev.daddr, &ev.sport, &ev.dport);
	send_drop_event(&ev);
	return TC_ACT_SHOT;
}

/* Counts a forwarded packet and, with cfg_trace, reports where it went. */
static __always_inline void forwarded(struct __sk_buff *skb, __u8 dir, __u8 point, __u32 target_ifindex)
{
	metrics_count(REASON_FORWARDED, dir, skb->len);
	if (cfg_trace) {
		struct trace_event ev = {
			.ktime_ns = bpf_ktime_get_ns(),
			.type = EVENT_TRACE,
			.point = point,
			.dir = dir,
			.ifindex = skb->ifindex,
			.len = skb->len,
			.target_ifindex = target_ifindex,
		};

		event_ipv4(skb, &ev.protocol, &ev.saddr, &ev.daddr, &ev.sport, &ev.dport);
		send_trace_event(&ev);
	}
}

#endif /* TWILL_EVENTS_H */
