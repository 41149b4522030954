// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Test program for bpf-loader: emits one ring buffer event per packet (length, ifindex, sequence number).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 len;
	__u32 ifindex;
	__u64 seq;
	__u32 magic;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seq SEC(".maps");

const volatile __u32 magic = 0x7477696c; /* "twil" */

SEC("tc")
int emit(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *s = bpf_map_lookup_elem(&seq, &zero);
	struct event *e;

	if (!s)
		return TC_ACT_OK;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return TC_ACT_OK;
	e->len = skb->len;
	e->ifindex = skb->ifindex;
	e->seq = __sync_fetch_and_add(s, 1);
	e->magic = magic;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
