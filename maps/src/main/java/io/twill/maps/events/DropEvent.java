package io.twill.maps.events;

import io.twill.maps.Fields;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.Reason;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.net.Inet4Address;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct drop_event} (bpf-src/src/lib/events.h): a packet the datapath dropped, and why.
 *
 * @param ktimeNs   {@code bpf_ktime_get_ns()} at the drop (CLOCK_MONOTONIC)
 * @param reason    why
 * @param direction where it was going
 * @param protocol  IPv4 protocol number, 0 when the packet was not IPv4
 * @param ifindex   the device whose program dropped it
 * @param length    packet length in bytes
 * @param saddr     IPv4 source (0.0.0.0 when not IPv4)
 * @param daddr     IPv4 destination
 * @param sport     TCP/UDP source port, 0 otherwise
 * @param dport     TCP/UDP destination port, 0 otherwise
 */
public record DropEvent(long ktimeNs, Reason reason, Direction direction, int protocol, int ifindex, long length,
                        Inet4Address saddr, Inet4Address daddr, int sport, int dport) implements DatapathEvent {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("ktime_ns"),
            JAVA_BYTE.withName("type"),
            JAVA_BYTE.withName("reason"),
            JAVA_BYTE.withName("dir"),
            JAVA_BYTE.withName("protocol"),
            JAVA_INT.withName("ifindex"),
            JAVA_INT.withName("len"),
            Fields.BE32.withName("saddr"),
            Fields.BE32.withName("daddr"),
            Fields.BE16.withName("sport"),
            Fields.BE16.withName("dport")
    ).withName("drop_event");

    public DropEvent {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(saddr, "saddr");
        Objects.requireNonNull(daddr, "daddr");
    }

    public static DropEvent read(MemorySegment s) {
        return new DropEvent(Fields.u64(s, 0), Reason.of(Fields.u8(s, 9)), Direction.of(Fields.u8(s, 10)),
                Fields.u8(s, 11), (int) Fields.u32(s, 12), Fields.u32(s, 16), Fields.ipv4(s, 20), Fields.ipv4(s, 24),
                Fields.be16(s, 28), Fields.be16(s, 30));
    }

    /** Writes the record as the datapath would (tests). */
    public void write(MemorySegment s) {
        Fields.u64(s, 0, ktimeNs);
        Fields.u8(s, 8, TYPE_DROP);
        Fields.u8(s, 9, reason.code());
        Fields.u8(s, 10, direction.code());
        Fields.u8(s, 11, protocol);
        Fields.u32(s, 12, ifindex);
        Fields.u32(s, 16, length);
        Fields.ipv4(s, 20, saddr);
        Fields.ipv4(s, 24, daddr);
        Fields.be16(s, 28, sport);
        Fields.be16(s, 30, dport);
    }

    @Override
    public String toString() {
        return "drop " + reason.name().toLowerCase() + " (" + reason.description() + ") " + direction.label()
                + " ifindex=" + Integer.toUnsignedString(ifindex) + " " + DatapathEvent.protocolName(protocol) + " "
                + DatapathEvent.endpoint(saddr, sport) + " -> " + DatapathEvent.endpoint(daddr, dport)
                + " len=" + length;
    }
}
