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
 * {@code struct lb_sock} (bpf-src/src/lib/lb.h): the frontend a socket asked for, which recvmsg4 and getpeername4
 * show instead of the backend.
 *
 * @param addr        frontend address ({@code __be32})
 * @param port        frontend port, host order here ({@code __be16} in the map)
 * @param revNatIndex {@code __u16}: the service's reverse-NAT index
 */
public record LbSock(Inet4Address addr, int port, int revNatIndex) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("addr"),
            Fields.BE16.withName("port"),
            JAVA_SHORT.withName("rev_nat_index")
    ).withName("lb_sock");

    public LbSock {
        Objects.requireNonNull(addr, "lb_sock.addr");
        Protocols.checkPort("lb_sock.port", port);
        Protocols.checkUnsigned("lb_sock.rev_nat_index", revNatIndex, 16);
    }

    public static LbSock read(MemorySegment s) {
        return new LbSock(Fields.ipv4(s, 0), Fields.be16(s, 4), Fields.u16(s, 6));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, addr);
        Fields.be16(s, 4, port);
        Fields.u16(s, 6, revNatIndex);
    }

    @Override
    public String toString() {
        return "frontend=" + addr.getHostAddress() + ":" + port + " revnat=" + revNatIndex;
    }
}
