package io.twill.maps.snat;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct snat_key} (bpf-src/src/lib/nat.h): a packet as it is, in one direction of a translated connection.
 * OUT keys the original packet (pod or NodePort client to destination); IN keys the reply as it arrives (destination
 * to the node address and NAT port).
 *
 * @param saddr {@code __be32}
 * @param daddr {@code __be32}
 * @param sport host order here ({@code __be16} in the map); ICMP echo: the identifier
 * @param dport host order here ({@code __be16} in the map)
 * @param proto IPv4 protocol ({@code __u8})
 * @param dir   {@link #DIR_OUT} or {@link #DIR_IN} ({@code __u8})
 */
public record SnatKey(Inet4Address saddr, Inet4Address daddr, int sport, int dport, int proto, int dir) {
    /** {@code SNAT_OUT}: keyed by the original packet, gives the node address and port. */
    public static final int DIR_OUT = 0;
    /** {@code SNAT_IN}: keyed by the reply, gives the original source (and NodePort frontend). */
    public static final int DIR_IN = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("saddr"),
            Fields.BE32.withName("daddr"),
            Fields.BE16.withName("sport"),
            Fields.BE16.withName("dport"),
            JAVA_BYTE.withName("proto"),
            JAVA_BYTE.withName("dir"),
            JAVA_SHORT.withName("pad")
    ).withName("snat_key");

    public SnatKey {
        Objects.requireNonNull(saddr, "snat_key.saddr");
        Objects.requireNonNull(daddr, "snat_key.daddr");
        Protocols.checkPort("snat_key.sport", sport);
        Protocols.checkPort("snat_key.dport", dport);
        Protocols.check("snat_key.proto", proto);
        Protocols.checkUnsigned("snat_key.dir", dir, 8);
    }

    public String dirName() {
        return switch (dir) {
            case DIR_OUT -> "out";
            case DIR_IN -> "in";
            default -> "dir " + dir;
        };
    }

    public static SnatKey read(MemorySegment s) {
        return new SnatKey(Fields.ipv4(s, 0), Fields.ipv4(s, 4), Fields.be16(s, 8), Fields.be16(s, 10), Fields.u8(s, 12),
                Fields.u8(s, 13));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, saddr);
        Fields.ipv4(s, 4, daddr);
        Fields.be16(s, 8, sport);
        Fields.be16(s, 10, dport);
        Fields.u8(s, 12, proto);
        Fields.u8(s, 13, dir);
        Fields.u16(s, 14, 0);
    }

    @Override
    public String toString() {
        return dirName() + " " + Protocols.endpoint(saddr, sport) + " -> " + Protocols.endpoint(daddr, dport) + " "
                + Protocols.name(proto);
    }
}
