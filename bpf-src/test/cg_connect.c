// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Test program for bpf-loader's cgroup links: two connect4 programs a test swaps atomically. `deny` refuses every
// IPv4 connect (EPERM), `allow` lets it through and counts it in `connects`, slot 0.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} connects SEC(".maps");

SEC("cgroup/connect4")
int deny(struct bpf_sock_addr *ctx)
{
	return 0;
}

SEC("cgroup/connect4")
int allow(struct bpf_sock_addr *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&connects, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 1;
}

SEC("cgroup/getpeername4")
int peer(struct bpf_sock_addr *ctx)
{
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
