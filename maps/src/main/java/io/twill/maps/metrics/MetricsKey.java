package io.twill.maps.metrics;

import io.twill.maps.Fields;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The key of {@code twill_metrics}, a per-CPU array (bpf-src/src/lib/metrics.h): the {@code __u32} index
 * {@code metrics_index(reason, dir) = dir * 32 + reason}.
 *
 * @param reason    the counted verdict
 * @param direction where the packets were going
 */
public record MetricsKey(Reason reason, Direction direction) {
    /** {@code METRICS_REASON_SLOTS}: reasons per direction. */
    public static final int REASON_SLOTS = 32;
    /** {@code METRICS_DIR_SLOTS}. */
    public static final int DIR_SLOTS = 8;
    /** {@code METRICS_MAP_SIZE}: every index there is. */
    public static final int INDEXES = REASON_SLOTS * DIR_SLOTS;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_INT.withName("index"))
            .withName("metrics_index");

    public MetricsKey {
        Objects.requireNonNull(reason, "metrics key reason");
        Objects.requireNonNull(direction, "metrics key dir");
    }

    /** The array index of this key. */
    public int index() {
        if (reason == Reason.UNKNOWN) throw new IllegalArgumentException("metrics key: UNKNOWN has no code");
        return direction.code() * REASON_SLOTS + reason.code();
    }

    /** The key at {@code index} (0 .. {@link #INDEXES} - 1); codes without a name read as UNKNOWN. */
    public static MetricsKey ofIndex(int index) {
        if (index < 0 || index >= INDEXES) throw new IllegalArgumentException("metrics index " + index + " is not 0.." + (INDEXES - 1));
        return new MetricsKey(Reason.of(index % REASON_SLOTS), Direction.of(index / REASON_SLOTS));
    }

    public static MetricsKey read(MemorySegment s) {
        return ofIndex((int) Fields.u32(s, 0));
    }

    public void write(MemorySegment s) {
        Fields.u32(s, 0, index());
    }

    @Override
    public String toString() {
        return reason.name().toLowerCase() + " " + direction.label();
    }
}
