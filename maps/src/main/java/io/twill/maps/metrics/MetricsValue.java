package io.twill.maps.metrics;

import io.twill.maps.Fields;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct metrics_value} (bpf-src/src/lib/metrics.h): one CPU's counters, or (from {@link MetricsMap}) their sum.
 *
 * @param packets {@code __u64 packets}
 * @param bytes   {@code __u64 bytes}
 */
public record MetricsValue(long packets, long bytes) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("packets"),
            JAVA_LONG.withName("bytes")
    ).withName("metrics_value");

    public static final MetricsValue ZERO = new MetricsValue(0, 0);

    public static MetricsValue read(MemorySegment s) {
        return new MetricsValue(Fields.u64(s, 0), Fields.u64(s, 8));
    }

    public void write(MemorySegment s) {
        Fields.u64(s, 0, packets);
        Fields.u64(s, 8, bytes);
    }

    public MetricsValue plus(MetricsValue o) {
        return new MetricsValue(packets + o.packets, bytes + o.bytes);
    }

    @Override
    public String toString() {
        return "packets=" + Long.toUnsignedString(packets) + " bytes=" + Long.toUnsignedString(bytes);
    }
}
