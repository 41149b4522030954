// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Test program for bpf-loader: a hash map pinned by name under the loader's pin root, and a program using it.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} tw_pinned SEC(".maps");

SEC("tc")
int bump(struct __sk_buff *skb)
{
	__u32 key = skb->len;
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&tw_pinned, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&tw_pinned, &key, &one, BPF_NOEXIST);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
