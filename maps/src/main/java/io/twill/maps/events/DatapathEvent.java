package io.twill.maps.events;

import io.twill.maps.Fields;
import io.twill.maps.metrics.Direction;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;

/**
 * A record from {@code twill_events}. Both kinds start with the same 32 bytes (time, type, code, direction, protocol,
 * ifindex, length, addresses, ports); {@link #decode} dispatches on the type byte at offset 8.
 */
public sealed interface DatapathEvent permits DropEvent, TraceEvent {
    /** {@code EVENT_DROP}, {@code EVENT_TRACE}. */
    int TYPE_DROP = 1, TYPE_TRACE = 2;
    /** Offset of the type byte in every record. */
    long TYPE_OFFSET = 8;

    long ktimeNs();

    Direction direction();

    int ifindex();

    Inet4Address saddr();

    Inet4Address daddr();

    /**
     * Decodes one ring-buffer record.
     *
     * @throws IllegalArgumentException for an unknown type or a record shorter than its type needs
     */
    static DatapathEvent decode(MemorySegment record) {
        if (record.byteSize() <= TYPE_OFFSET) {
            throw new IllegalArgumentException("twill_events: record of " + record.byteSize() + " bytes is too short");
        }
        int type = Fields.u8(record, TYPE_OFFSET);
        return switch (type) {
            case TYPE_DROP -> {
                need(record, DropEvent.LAYOUT.byteSize(), "drop_event");
                yield DropEvent.read(record);
            }
            case TYPE_TRACE -> {
                need(record, TraceEvent.LAYOUT.byteSize(), "trace_event");
                yield TraceEvent.read(record);
            }
            default -> throw new IllegalArgumentException("twill_events: unknown event type " + type);
        };
    }

    private static void need(MemorySegment record, long size, String what) {
        if (record.byteSize() < size) {
            throw new IllegalArgumentException("twill_events: " + what + " needs " + size + " bytes, record has "
                    + record.byteSize());
        }
    }

    /** "tcp", "udp", "icmp" or the number. */
    static String protocolName(int protocol) {
        return switch (protocol) {
            case 0 -> "-";
            case 1 -> "icmp";
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> "proto " + protocol;
        };
    }

    static String endpoint(Inet4Address a, int port) {
        return a.getHostAddress() + (port != 0 ? ":" + port : "");
    }
}
