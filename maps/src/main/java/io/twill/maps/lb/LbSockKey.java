package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct lb_sock_key} (bpf-src/src/lib/lb.h): a socket the connect/sendmsg hooks sent to a backend.
 *
 * @param cookie {@code __u64}: the socket cookie
 * @param addr   the backend it was sent to ({@code __be32})
 * @param port   the backend port, host order here ({@code __be16} in the map)
 */
public record LbSockKey(long cookie, Inet4Address addr, int port) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("cookie"),
            Fields.BE32.withName("addr"),
            Fields.BE16.withName("port"),
            JAVA_SHORT.withName("pad")
    ).withName("lb_sock_key");

    public LbSockKey {
        Objects.requireNonNull(addr, "lb_sock_key.addr");
        Protocols.checkPort("lb_sock_key.port", port);
    }

    public static LbSockKey read(MemorySegment s) {
        return new LbSockKey(Fields.u64(s, 0), Fields.ipv4(s, 8), Fields.be16(s, 12));
    }

    public void write(MemorySegment s) {
        Fields.u64(s, 0, cookie);
        Fields.ipv4(s, 8, addr);
        Fields.be16(s, 12, port);
        Fields.u16(s, 14, 0);
    }

    @Override
    public String toString() {
        return "cookie=" + Long.toUnsignedString(cookie) + " backend=" + addr.getHostAddress() + ":" + port;
    }
}
