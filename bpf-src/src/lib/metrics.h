/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_metrics: per-CPU packet and byte counters keyed by (reason, direction). Reason 0 counts forwarded packets.
 * The agent sums the CPUs (io.twill.maps.metrics.MetricsMap) into twill_forward_count_total / twill_drop_count_total.
 */
#ifndef TWILL_METRICS_H
#define TWILL_METRICS_H

#include "common.h"
#include "drop.h"

#define METRICS_MAP_SIZE 1024

struct metrics_key {
	__u8  reason;           /* enum twill_reason */
	__u8  dir;              /* enum twill_dir */
	__u16 pad;
};

struct metrics_value {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct metrics_key);
	__type(value, struct metrics_value);
	__uint(max_entries, METRICS_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_metrics SEC(".maps");

/* Adds one packet of `bytes` to this CPU's counter; the first packet of a kind creates the entry. */
static __always_inline void metrics_count(__u8 reason, __u8 dir, __u32 bytes)
{
	struct metrics_key key = { .reason = reason, .dir = dir };
	struct metrics_value *val = bpf_map_lookup_elem(&twill_metrics, &key);

	if (likely(val)) {
		val->packets += 1;
		val->bytes += bytes;
	} else {
		struct metrics_value init = { .packets = 1, .bytes = bytes };

		bpf_map_update_elem(&twill_metrics, &key, &init, BPF_NOEXIST);
	}
}

#endif /* TWILL_METRICS_H */
