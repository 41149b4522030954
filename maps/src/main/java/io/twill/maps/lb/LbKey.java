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
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct lb_key} (bpf-src/src/lib/lb.h): a Service frontend and one slot of it. Slot 0 holds the service
 * ({@link LbService#count()}, reverse-NAT index, flags); slots 1..count hold its backends' ids.
 *
 * @param addr  frontend address ({@code __be32})
 * @param port  frontend port, host order here ({@code __be16} in the map)
 * @param proto {@code IPPROTO_TCP} or {@code IPPROTO_UDP} ({@code __u8})
 * @param scope {@link LbService#SCOPE_ANY} or {@link LbService#SCOPE_EXTERNAL} ({@code __u8})
 * @param slot  0 for the service, 1..count for backends ({@code __u16})
 */
public record LbKey(Inet4Address addr, int port, int proto, int scope, int slot) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            Fields.BE32.withName("addr"),
            Fields.BE16.withName("port"),
            JAVA_BYTE.withName("proto"),
            JAVA_BYTE.withName("scope"),
            JAVA_SHORT.withName("slot"),
            JAVA_SHORT.withName("pad")
    ).withName("lb_key");

    public LbKey {
        Objects.requireNonNull(addr, "lb_key.addr");
        Protocols.checkPort("lb_key.port", port);
        Protocols.check("lb_key.proto", proto);
        Protocols.checkUnsigned("lb_key.scope", scope, 8);
        Protocols.checkUnsigned("lb_key.slot", slot, 16);
    }

    /** Slot 0 of a frontend with scope {@link LbService#SCOPE_ANY}. */
    public static LbKey frontend(Inet4Address addr, int port, int proto) {
        return new LbKey(addr, port, proto, LbService.SCOPE_ANY, 0);
    }

    /** The same frontend and scope, slot {@code s}. */
    public LbKey withSlot(int s) {
        return new LbKey(addr, port, proto, scope, s);
    }

    /** The same frontend, scope {@code sc}, slot 0. */
    public LbKey withScope(int sc) {
        return new LbKey(addr, port, proto, sc, 0);
    }

    /** Slot 0 of this key's frontend and scope. */
    public LbKey service() {
        return slot == 0 ? this : withSlot(0);
    }

    public boolean isService() {
        return slot == 0;
    }

    /** "10.96.0.10:80/tcp", with " external" for the {@link LbService#SCOPE_EXTERNAL} twin. */
    public String frontendString() {
        return addr.getHostAddress() + ":" + port + "/" + Protocols.name(proto)
                + (scope == LbService.SCOPE_EXTERNAL ? " external" : scope != 0 ? " scope=" + scope : "");
    }

    public static LbKey read(MemorySegment s) {
        return new LbKey(Fields.ipv4(s, 0), Fields.be16(s, 4), Fields.u8(s, 6), Fields.u8(s, 7), Fields.u16(s, 8));
    }

    public void write(MemorySegment s) {
        Fields.ipv4(s, 0, addr);
        Fields.be16(s, 4, port);
        Fields.u8(s, 6, proto);
        Fields.u8(s, 7, scope);
        Fields.u16(s, 8, slot);
        Fields.u16(s, 10, 0);
    }

    @Override
    public String toString() {
        return frontendString() + " slot=" + slot;
    }
}
