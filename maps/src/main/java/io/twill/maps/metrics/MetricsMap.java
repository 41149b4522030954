package io.twill.maps.metrics;

import io.twill.bpf.BpfMap;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * {@code twill_metrics}: per-CPU packet/byte counters by (reason, direction). Values read through this class are the
 * sum over all possible CPUs; a write puts the value on CPU 0 and zeroes the others (only tests and resets write).
 */
public final class MetricsMap extends TypedMap<MetricsKey, MetricsValue> {
    public static final String MAP_NAME = "twill_metrics";
    static final Struct<MetricsKey> KEY = new Struct<>(MetricsKey.LAYOUT, MetricsKey::read, MetricsKey::write);
    static final Struct<MetricsValue> VALUE = new Struct<>(MetricsValue.LAYOUT, MetricsValue::read, MetricsValue::write);

    private MetricsMap(BpfMap map) {
        super(map, KEY, VALUE);
        if (!map.isPerCpu()) throw new IllegalStateException("map " + map.name() + " is " + map.typeName()
                + ", expected a per-CPU hash");
    }

    public static MetricsMap of(BpfMap map) {
        return new MetricsMap(map);
    }

    /** Opens {@code <pinRoot>/twill_metrics}. */
    public static MetricsMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new MetricsMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The summed counters of one (reason, direction); zero when the datapath never counted it. */
    public MetricsValue get(Reason reason, Direction direction) {
        return lookup(new MetricsKey(reason, direction)).orElse(MetricsValue.ZERO);
    }

    @Override
    protected MetricsValue decode(MemorySegment buffer) {
        int stride = bpfMap().perCpuStride();
        int cpus = (int) (buffer.byteSize() / stride);
        long packets = 0, bytes = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            MetricsValue v = MetricsValue.read(buffer.asSlice((long) cpu * stride, stride));
            packets += v.packets();
            bytes += v.bytes();
        }
        return new MetricsValue(packets, bytes);
    }

    @Override
    protected void validate(MetricsKey k, MetricsValue v) {
        if (k.reason() == Reason.UNKNOWN) throw refuse(k, "reason UNKNOWN has no code");
        if (v.packets() < 0 || v.bytes() < 0) throw refuse(k, "counters are unsigned; " + v + " is negative");
    }
}
