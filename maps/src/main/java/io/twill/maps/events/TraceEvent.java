package io.twill.maps.events;

import io.twill.maps.Fields;
import io.twill.maps.metrics.Direction;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct trace_event} (bpf-src/src/lib/events.h): a forwarded packet, reported only when the datapath was
 * loaded with tracing on ({@code DatapathConfig.trace}).
 *
 * @param point         what was done with it
 * @param targetIfindex where it went (the pod's lxc, twill_vxlan, the uplink), 0 for the host stack
 */
public record TraceEvent(long ktimeNs, TracePoint point, Direction direction, int protocol, int ifindex, long length,
                         Inet4Address saddr, Inet4Address daddr, int sport, int dport, int targetIfindex)
        implements DatapathEvent {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ktime_ns"),
            JAVA_BYTE.withName("type"),
            JAVA_BYTE.withName("point"),
            JAVA_BYTE.withName("dir"),
            JAVA_BYTE.withName("protocol"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("len"),
            Fields.BE32.withName("saddr"),
            Fields.BE32.withName("daddr"),
            Fields.BE16.withName("sport"),
            Fields.BE16.withName("dport"),
            JAVA_INT.withName("target_ifindex"),
            JAVA_INT.withName("pad")
    ).withName("trace_event");

    public TraceEvent {
        Objects.requireNonNull(point, "point");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(saddr, "saddr");
        Objects.requireNonNull(daddr, "daddr");
    }

    public static TraceEvent read(MemorySegment s) {
        return new TraceEvent(Fields.u64(s, 0), TracePoint.of(Fields.u8(s, 9)), Direction.of(Fields.u8(s, 10)),
                Fields.u8(s, 11), (int) Fields.u32(s, 12), Fields.u32(s, 16), Fields.ipv4(s, 20), Fields.ipv4(s, 24),
                Fields.be16(s, 28), Fields.be16(s, 30), (int) Fields.u32(s, 32));
    }

    /** Writes the record as the datapath would (tests). */
    public void write(MemorySegment s) {
        Fields.u64(s, 0, ktimeNs);
        Fields.u8(s, 8, TYPE_TRACE);
        Fields.u8(s, 9, point.code());
        Fields.u8(s, 10, direction.code());
        Fields.u8(s, 11, protocol);
        Fields.u32(s, 12, ifindex);
        Fields.u32(s, 16, length);
        Fields.ipv4(s, 20, saddr);
        Fields.ipv4(s, 24, daddr);
        Fields.be16(s, 28, sport);
        Fields.be16(s, 30, dport);
        Fields.u32(s, 32, targetIfindex);
        Fields.u32(s, 36, 0);
    }

    @Override
    public String toString() {
        return "trace " + point.label() + " " + direction.label() + " ifindex=" + Integer.toUnsignedString(ifindex)
                + " -> " + (targetIfindex == 0 ? "stack" : "ifindex=" + Integer.toUnsignedString(targetIfindex)) + " "
                + DatapathEvent.protocolName(protocol) + " " + DatapathEvent.endpoint(saddr, sport) + " -> "
                + DatapathEvent.endpoint(daddr, dport) + " len=" + length;
    }
}
