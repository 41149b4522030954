package io.twill.maps.metrics;

import io.twill.maps.Fields;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct metrics_value} (bpf-src/src/lib/metrics.h): one CPU's counters, or (from {@link MetricsMap}) their sum.
 * The struct also holds its entry's {@code reason} and {@code dir} as labels for bpftool; {@link MetricsMap} writes
 * them from the key ({@link #writeLabels}), so they are not part of this record.
 *
 * @param packets {@code __u64 packets}
 * @param bytes   {@code __u64 bytes}
 */
public record MetricsValue(long packets, long bytes) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("reason"),
            JAVA_BYTE.withName("dir"),
            JAVA_SHORT.withName("pad1"),
            JAVA_INT.withName("pad2"),
            JAVA_LONG.withName("packets"),
            JAVA_LONG.withName("bytes")
    ).withName("metrics_value");

    static final long PACKETS = 8, BYTES = 16;

    public static final MetricsValue ZERO = new MetricsValue(0, 0);

    public static MetricsValue read(MemorySegment s) {
        return new MetricsValue(Fields.u64(s, PACKETS), Fields.u64(s, BYTES));
    }

    /** The counters; labels and padding are left as they are. */
    public void write(MemorySegment s) {
        Fields.u64(s, PACKETS, packets);
        Fields.u64(s, BYTES, bytes);
    }

    /** Writes the labels of {@code key} (and zero padding) into one CPU's value. */
    static void writeLabels(MetricsKey key, MemorySegment s) {
        Fields.u8(s, 0, key.reason().code());
        Fields.u8(s, 1, key.direction().code());
        Fields.u16(s, 2, 0);
        Fields.u32(s, 4, 0);
    }

    /** True when one CPU's value carries the labels of {@code key}. */
    static boolean labelled(MetricsKey key, MemorySegment s) {
        return Fields.u8(s, 0) == key.reason().code() && Fields.u8(s, 1) == key.direction().code();
    }

    public MetricsValue plus(MetricsValue o) {
        return new MetricsValue(packets + o.packets, bytes + o.bytes);
    }

    @Override
    public String toString() {
        return "packets=" + Long.toUnsignedString(packets) + " bytes=" + Long.toUnsignedString(bytes);
    }
}
