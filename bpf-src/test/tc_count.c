// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Test program for bpf-loader: counts IPv4 ICMP echo requests (or every packet) seen on a TC hook.
// count_a adds to slot `slot_base`, count_b to slot `slot_base + 1`, so a test can swap one for the other while
// traffic flows and check that every packet was counted by exactly one of them. Always returns TC_ACT_OK.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ICMP_ECHO 8

/* The first bytes of an ICMP header (linux/icmp.h drags in libc headers). */
struct icmp_head {
	__u8 type;
	__u8 code;
	__u16 checksum;
};

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counter);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} percpu_packets SEC(".maps");

/* Settable before load, without clang. */
const volatile __u32 slot_base = 0;
const volatile __u8 only_icmp_echo = 1;

static __always_inline int is_icmp_echo_request(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct icmp_head *icmp;

	if ((void *)(ip + 1) > data_end)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_ICMP)
		return 0;
	icmp = (void *)ip + ip->ihl * 4;
	if ((void *)(icmp + 1) > data_end)
		return 0;
	return icmp->type == ICMP_ECHO;
}

static __always_inline int count(struct __sk_buff *skb, __u32 slot)
{
	__u32 zero = 0;
	struct counter *c;
	__u64 *pc;

	if (only_icmp_echo && !is_icmp_echo_request(skb))
		return TC_ACT_OK;
	c = bpf_map_lookup_elem(&counts, &slot);
	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, skb->len);
	}
	pc = bpf_map_lookup_elem(&percpu_packets, &zero);
	if (pc)
		*pc += 1;
	return TC_ACT_OK;
}

SEC("tc")
int count_a(struct __sk_buff *skb)
{
	return count(skb, slot_base);
}

SEC("tc")
int count_b(struct __sk_buff *skb)
{
	return count(skb, slot_base + 1);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
