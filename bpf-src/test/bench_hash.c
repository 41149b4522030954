// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Map used by the map benchmark (bench/scripts/maps.sh), loaded by both the Java harness and its C peer:
// a hash map with 4-byte keys and 32-byte values, 65,536 entries.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bench_value {
	__u64 a, b, c, d;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct bench_value);
} bench_hash SEC(".maps");

char LICENSE[] SEC("license") = "Dual BSD/GPL";
