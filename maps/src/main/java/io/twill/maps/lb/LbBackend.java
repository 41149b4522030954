package io.twill.maps.lb;

import io.twill.maps.Fields;
import io.twill.types.Ipv4;
import io.twill.maps.Protocols;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code struct lb_backend} (bpf-src/src/lib/lb.h): where a backend listens. The value of {@code twill_lb_backends}.
 *
 * @param addr  backend address ({@code __be32})
 * @param port  backend port, host order here ({@code __be16} in the map)
 * @param proto {@code IPPROTO_TCP} / {@code IPPROTO_UDP} ({@code __u8})
 * @param state {@link #STATE_ACTIVE} or {@link #STATE_TERMINATING} ({@code __u8})
 */
public record LbBackend(Inet4Address addr, int port, int proto, int state) {
    /** {@code LB_BE_ACTIVE}. */
    public static final int STATE_ACTIVE = 0;
    /** {@code LB_BE_TERMINATING}: serving but terminating; the agent uses it only when no ready backend is left. */
    public static final int STATE_TERMINATING = 1;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("addr"),
            Fields.BE16.withName("port"),
            JAVA_BYTE.withName("proto"),
            JAVA_BYTE.withName("state")
    ).withName("lb_backend");

    public LbBackend {
        Objects.requireNonNull(addr, "lb_backend.addr");
        Protocols.checkPort("lb_backend.port", port);
        Protocols.check("lb_backend.proto", proto);
        Protocols.checkUnsigned("lb_backend.state", state, 8);
    }

    public static LbBackend active(Inet4Address addr, int port, int proto) {
        return new LbBackend(addr, port, proto, STATE_ACTIVE);
    }

    /** "active", "terminating" or the number. */
    public String stateName() {
        return switch (state) {
            case STATE_ACTIVE -> "active";
            case STATE_TERMINATING -> "terminating";
            default -> "state " + state;
        };
    }

    /** Null when the datapath can send traffic here, else why not. */
    public String problem() {
        if (!Ipv4.isUnicast(addr)) return "address " + addr.getHostAddress() + " is not a unicast address";
        if (port == 0) return "port 0";
        if (proto != Protocols.TCP && proto != Protocols.UDP) return "protocol " + Protocols.name(proto) + " (only tcp and udp)";
        if (state != STATE_ACTIVE && state != STATE_TERMINATING) return "unknown state " + state;
        return null;
    }

    public static LbBackend read(MemorySegment s) {
        return new LbBackend(Fields.ipv4(s, 0), Fields.be16(s, 4), Fields.u8(s, 6), Fields.u8(s, 7));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, addr);
        Fields.be16(s, 4, port);
        Fields.u8(s, 6, proto);
        Fields.u8(s, 7, state);
    }

    @Override
    public String toString() {
        return addr.getHostAddress() + ":" + port + "/" + Protocols.name(proto) + " " + stateName();
    }
}
