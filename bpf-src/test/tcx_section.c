// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Test program for bpf-loader: a program in a "tcx/ingress" section, which libbpf >= 1.3 knows and 1.1 does not;
// the loader types it sched_cls so the same source works with either.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tcx/ingress")
int pass_all(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
