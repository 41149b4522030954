package io.twill.maps.ct;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.nio.ByteOrder;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct ct_key} (bpf-src/src/lib/ct.h): one connection, found from either direction. The two ends are stored
 * in a fixed order, "a" being the one whose (address, port) compares smaller as the datapath compares them (the
 * {@code __be32} and {@code __be16} loaded as native integers); {@link CtEntry#flags()} says which end opened it.
 * Ports are host order here and network order in the map; an ICMP echo keeps its identifier at the requester's end.
 *
 * @param addrA {@code __be32 addr_a}
 * @param addrB {@code __be32 addr_b}
 * @param portA {@code __be16 port_a}, 0..65535
 * @param portB {@code __be16 port_b}, 0..65535
 * @param proto IPv4 protocol ({@code __u8})
 * @param flags {@code CT_KEY_*} ({@code __u8}); {@link #F_SERVICE} marks the client-to-frontend leg of a Service
 */
public record CtKey(Inet4Address addrA, Inet4Address addrB, int portA, int portB, int proto, int flags) {
    /** {@code CT_KEY_SERVICE}: the frontend leg of a load-balanced connection; its entry remembers the backend. */
    public static final int F_SERVICE = 0x01;
    public static final int KNOWN_FLAGS = F_SERVICE;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("addr_a"),
            Fields.BE32.withName("addr_b"),
            Fields.BE16.withName("port_a"),
            Fields.BE16.withName("port_b"),
            JAVA_BYTE.withName("proto"),
            JAVA_BYTE.withName("flags"),
            JAVA_SHORT.withName("pad")
    ).withName("ct_key");

    public CtKey {
        Objects.requireNonNull(addrA, "ct_key.addr_a");
        Objects.requireNonNull(addrB, "ct_key.addr_b");
        Protocols.checkPort("ct_key.port_a", portA);
        Protocols.checkPort("ct_key.port_b", portB);
        Protocols.check("ct_key.proto", proto);
        Protocols.checkUnsigned("ct_key.flags", flags, 8);
    }

    /**
     * The key of the connection a packet {@code src:sport -> dst:dport} belongs to, ordered as the datapath orders it
     * ({@code ct_key_of}), so that a lookup from Java finds what the programs wrote.
     */
    public static CtKey ofPacket(Inet4Address src, int sport, Inet4Address dst, int dport, int proto, int flags) {
        return sourceIsA(src, sport, dst, dport)
                ? new CtKey(src, dst, sport, dport, proto, flags)
                : new CtKey(dst, src, dport, sport, proto, flags);
    }

    /** Whether the datapath stores a packet's source as end "a": the smaller address, then the smaller port. */
    public static boolean sourceIsA(Inet4Address src, int sport, Inet4Address dst, int dport) {
        int s = Integer.compareUnsigned(native32(src), native32(dst));
        return s < 0 || (s == 0 && native16(sport) <= native16(dport));
    }

    /** True when either end is {@code addr}. */
    public boolean involves(Inet4Address addr) {
        return addrA.equals(addr) || addrB.equals(addr);
    }

    public boolean isService() {
        return (flags & F_SERVICE) != 0;
    }

    /** "addr:port" of end a. */
    public String endA() {
        return Protocols.endpoint(addrA, portA);
    }

    /** "addr:port" of end b. */
    public String endB() {
        return Protocols.endpoint(addrB, portB);
    }

    public static CtKey read(MemorySegment s) {
        return new CtKey(Fields.ipv4(s, 0), Fields.ipv4(s, 4), Fields.be16(s, 8), Fields.be16(s, 10), Fields.u8(s, 12),
                Fields.u8(s, 13));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, addrA);
        Fields.ipv4(s, 4, addrB);
        Fields.be16(s, 8, portA);
        Fields.be16(s, 10, portB);
        Fields.u8(s, 12, proto);
        Fields.u8(s, 13, flags);
        Fields.u16(s, 14, 0);
    }

    private static int native32(Inet4Address a) {
        int v = Ipv4.toInt(a);
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
    }

    private static int native16(int port) {
        return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Short.reverseBytes((short) port) & 0xFFFF : port;
    }

    @Override
    public String toString() {
        return endA() + " <-> " + endB() + " " + Protocols.name(proto) + (isService() ? " service" : "")
                + ((flags & ~KNOWN_FLAGS) != 0 ? " flags=0x" + Integer.toHexString(flags & ~KNOWN_FLAGS) : "");
    }
}
