// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Test program for bpf-loader: compiles, but the verifier rejects it (packet read without a data_end check), so
// tests can check that the verifier's log reaches the exception.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int unchecked_read(struct __sk_buff *skb)
{
	struct ethhdr *eth = (void *)(long)skb->data;

	return eth->h_proto == 0 ? TC_ACT_OK : TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
