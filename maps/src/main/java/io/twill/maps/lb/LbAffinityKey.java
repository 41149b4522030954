package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct lb_affinity_key} (bpf-src/src/lib/lb.h): a client of a service with sessionAffinity: ClientIP.
 *
 * @param client      {@code __u64}: the client's IPv4 address (per-packet and NodePort paths: the {@code __be32} in
 *                    the low four bytes of memory), or a network namespace cookie (socket hooks, {@code netns})
 * @param revNatIndex {@code __u16}: the service (its reverse-NAT index)
 * @param netns       {@code __u8}: true when {@code client} is a namespace cookie
 */
public record LbAffinityKey(long client, int revNatIndex, boolean netns) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("client"),
            JAVA_SHORT.withName("rev_nat_index"),
            JAVA_BYTE.withName("netns"),
            MemoryLayout.sequenceLayout(5, JAVA_BYTE).withName("pad")
    ).withName("lb_affinity_key");

    public LbAffinityKey {
        Protocols.checkUnsigned("lb_affinity_key.rev_nat_index", revNatIndex, 16);
    }

    /** The key of a client address, as the per-packet path writes it ({@code (__u64)f->saddr}). */
    public static LbAffinityKey ofAddress(Inet4Address client, int revNatIndex) {
        byte[] b = client.getAddress();
        // The datapath widens the __be32 as loaded (native order): in memory the address bytes come first on x86.
        long native32 = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.nativeOrder()).getInt() & 0xFFFF_FFFFL;
        return new LbAffinityKey(native32, revNatIndex, false);
    }

    /** The key of a client namespace, as the socket hooks write it. */
    public static LbAffinityKey ofNetns(long cookie, int revNatIndex) {
        return new LbAffinityKey(cookie, revNatIndex, true);
    }

    /** The client address of a non-netns key. */
    public Inet4Address address() {
        if (netns) throw new IllegalStateException("affinity key " + this + " names a namespace, not an address");
        byte[] b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.nativeOrder()).putInt((int) client).array();
        return Ipv4.fromInt(java.nio.ByteBuffer.wrap(b).getInt());
    }

    public static LbAffinityKey read(MemorySegment s) {
        return new LbAffinityKey(Fields.u64(s, 0), Fields.u16(s, 8), Fields.u8(s, 10) != 0);
    }

    public void write(MemorySegment s) {
        s.asSlice(0, LAYOUT.byteSize()).fill((byte) 0);
        Fields.u64(s, 0, client);
        Fields.u16(s, 8, revNatIndex);
        Fields.u8(s, 10, netns ? 1 : 0);
    }

    @Override
    public String toString() {
        return (netns ? "netns=" + Long.toUnsignedString(client) : "client=" + address().getHostAddress())
                + " revnat=" + revNatIndex;
    }
}
