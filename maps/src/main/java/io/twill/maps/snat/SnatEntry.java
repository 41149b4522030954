package io.twill.maps.snat;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct snat_entry} (bpf-src/src/lib/nat.h): what a packet of a translated connection becomes.
 *
 * @param toAddr  {@code __be32}: OUT, the node address the source becomes; IN, the original source
 * @param toPort  host order here ({@code __be16} in the map): the NAT port (OUT) or the original port (IN)
 * @param flags   {@code __u16} {@code SNAT_F_*}
 * @param revAddr {@code __be32}: IN with {@link #F_NODEPORT}, the frontend the reply must come from
 * @param revPort host order here ({@code __be16} in the map)
 * @param expires {@code __u32}: CLOCK_MONOTONIC seconds; the port is free again afterwards
 * @param created {@code __u32}: CLOCK_MONOTONIC seconds
 */
public record SnatEntry(Inet4Address toAddr, int toPort, int flags, Inet4Address revAddr, int revPort, long expires,
                        long created) {
    /** {@code SNAT_F_NODEPORT}: IN entry of a NodePort connection; the reply's source becomes rev_addr:rev_port. */
    public static final int F_NODEPORT = 0x1;
    public static final int KNOWN_FLAGS = F_NODEPORT;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("to_addr"),
            Fields.BE16.withName("to_port"),
            JAVA_SHORT.withName("flags"),
            Fields.BE32.withName("rev_addr"),
            Fields.BE16.withName("rev_port"),
            JAVA_SHORT.withName("pad"),
            JAVA_INT.withName("expires"),
            JAVA_INT.withName("created")
    ).withName("snat_entry");

    public SnatEntry {
        Objects.requireNonNull(toAddr, "snat_entry.to_addr");
        Objects.requireNonNull(revAddr, "snat_entry.rev_addr");
        Protocols.checkPort("snat_entry.to_port", toPort);
        Protocols.checkUnsigned("snat_entry.flags", flags, 16);
        Protocols.checkPort("snat_entry.rev_port", revPort);
        Protocols.checkUnsigned("snat_entry.expires", expires, 32);
        Protocols.checkUnsigned("snat_entry.created", created, 32);
    }

    public boolean isNodePort() {
        return (flags & F_NODEPORT) != 0;
    }

    public boolean expired(long now) {
        return expires < now;
    }

    public static SnatEntry read(MemorySegment s) {
        return new SnatEntry(Fields.ipv4(s, 0), Fields.be16(s, 4), Fields.u16(s, 6), Fields.ipv4(s, 8), Fields.be16(s, 12),
                Fields.u32(s, 16), Fields.u32(s, 20));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, toAddr);
        Fields.be16(s, 4, toPort);
        Fields.u16(s, 6, flags);
        Fields.ipv4(s, 8, revAddr);
        Fields.be16(s, 12, revPort);
        Fields.u16(s, 14, 0);
        Fields.u32(s, 16, expires);
        Fields.u32(s, 20, created);
    }

    @Override
    public String toString() {
        return "to=" + Protocols.endpoint(toAddr, toPort)
                + (isNodePort() ? " nodeport rev=" + Protocols.endpoint(revAddr, revPort) : "")
                + ((flags & ~KNOWN_FLAGS) != 0 ? " flags=0x" + Integer.toHexString(flags) : "")
                + " created=" + created + " expires=" + expires;
    }
}
