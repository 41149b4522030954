/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * twill_metrics: per-CPU packet and byte counters by (reason, direction). Reason 0 counts forwarded packets.
 * The agent sums the CPUs (io.twill.maps.metrics.MetricsMap) into twill_forward_count_total / twill_drop_count_total.
 *
 * A per-CPU array, not a hash: every packet counts once, and an array lookup is inlined by the verifier (one
 * address computation) where a hash lookup hashes the key and walks a bucket. Measured on the same-node path: +2.9 %
 * and -0.4 % small packets per second, the two orders of a paired A/B: at most a few percent, near the noise
 * (bench/README.md). The index is metrics_index(reason, dir). An array's key can only
 * be a bare u32, so each value also carries its own reason and dir, written once by the agent
 * (MetricsMap.label()), so that `bpftool map dump` still names what every counter counts.
 */
#ifndef TWILL_METRICS_H
#define TWILL_METRICS_H

#include "common.h"
#include "drop.h"

#define METRICS_REASON_SLOTS 32
#define METRICS_DIR_SLOTS    8
#define METRICS_MAP_SIZE     (METRICS_REASON_SLOTS * METRICS_DIR_SLOTS)

_Static_assert(REASON_MAX <= METRICS_REASON_SLOTS, "twill_metrics has no slot for every reason");
_Static_assert(DIR_MAX <= METRICS_DIR_SLOTS, "twill_metrics has no slot for every direction");

struct metrics_value {
	__u8  reason;           /* enum twill_reason of this entry (label, written by the agent) */
	__u8  dir;              /* enum twill_dir of this entry (label, written by the agent) */
	__u16 pad1;
	__u32 pad2;
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);     /* metrics_index(reason, dir) */
	__type(value, struct metrics_value);
	__uint(max_entries, METRICS_MAP_SIZE);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twill_metrics SEC(".maps");

static __always_inline __u32 metrics_index(__u8 reason, __u8 dir)
{
	return (__u32)dir * METRICS_REASON_SLOTS + reason;
}

/* Adds one packet of `bytes` to this CPU's counter of (reason, dir). */
static __always_inline void metrics_count(__u8 reason, __u8 dir, __u32 bytes)
{
	__u32 key = metrics_index(reason, dir);
	struct metrics_value *val = bpf_map_lookup_elem(&twill_metrics, &key);

	if (likely(val)) {
		val->packets += 1;
		val->bytes += bytes;
	}
}

#endif /* TWILL_METRICS_H */
