package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct lb_revnat} (bpf-src/src/lib/lb.h): the frontend that replies of a translated connection must appear to
 * come from.
 *
 * @param addr frontend address ({@code __be32})
 * @param port frontend port, host order here ({@code __be16} in the map)
 */
public record LbRevNat(Inet4Address addr, int port) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("addr"),
            Fields.BE16.withName("port"),
            JAVA_SHORT.withName("pad")
    ).withName("lb_revnat");

    public LbRevNat {
        Objects.requireNonNull(addr, "lb_revnat.addr");
        Protocols.checkPort("lb_revnat.port", port);
    }

    public static LbRevNat read(MemorySegment s) {
        return new LbRevNat(Fields.ipv4(s, 0), Fields.be16(s, 4));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, addr);
        Fields.be16(s, 4, port);
        Fields.u16(s, 6, 0);
    }

    @Override
    public String toString() {
        return addr.getHostAddress() + ":" + port;
    }
}
