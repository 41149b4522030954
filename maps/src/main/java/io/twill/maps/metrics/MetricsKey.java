package io.twill.maps.metrics;

import io.twill.maps.Fields;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct metrics_key} (bpf-src/src/lib/metrics.h).
 *
 * @param reason    {@code __u8 reason}
 * @param direction {@code __u8 dir}
 */
public record MetricsKey(Reason reason, Direction direction) {
    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("reason"),
            JAVA_BYTE.withName("dir"),
            JAVA_SHORT.withName("pad")
    ).withName("metrics_key");

    public MetricsKey {
        Objects.requireNonNull(reason, "metrics_key.reason");
        Objects.requireNonNull(direction, "metrics_key.dir");
    }

    public static MetricsKey read(MemorySegment s) {
        return new MetricsKey(Reason.of(Fields.u8(s, 0)), Direction.of(Fields.u8(s, 1)));
    }

    public void write(MemorySegment s) {
        if (reason == Reason.UNKNOWN) throw new IllegalArgumentException("metrics_key: UNKNOWN has no code to write");
        Fields.u8(s, 0, reason.code());
        Fields.u8(s, 1, direction.code());
        Fields.u16(s, 2, 0);
    }

    @Override
    public String toString() {
        return reason.name().toLowerCase() + " " + direction.label();
    }
}
