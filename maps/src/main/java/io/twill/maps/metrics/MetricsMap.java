package io.twill.maps.metrics;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;
import io.twill.maps.MapEntry;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code twill_metrics}: a per-CPU array of packet/byte counters, one entry per (reason, direction) (index
 * {@link MetricsKey#index()}). Values read through this class are the sum over all possible CPUs; a write puts the
 * value on CPU 0 and zeroes the others (only tests and resets write). Every entry exists from the start, so
 * {@link #entries()} lists only those that counted something.
 */
public final class MetricsMap extends TypedMap<MetricsKey, MetricsValue> {
    public static final String MAP_NAME = "twill_metrics";
    static final Struct<MetricsKey> KEY = new Struct<>(MetricsKey.LAYOUT, MetricsKey::read, MetricsKey::write);
    static final Struct<MetricsValue> VALUE = new Struct<>(MetricsValue.LAYOUT, MetricsValue::read, MetricsValue::write);

    private MetricsMap(BpfMap map) {
        super(map, KEY, VALUE);
        if (map.type() != BpfMap.TYPE_PERCPU_ARRAY) {
            throw new IllegalStateException("map " + map.name() + " is " + map.typeName() + ", expected a per-CPU array");
        }
        if (map.maxEntries() != MetricsKey.INDEXES) {
            throw new IllegalStateException("map " + map.name() + " has " + map.maxEntries() + " entries, expected "
                    + MetricsKey.INDEXES + " (a map pinned by another Twill version?)");
        }
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

    /**
     * Writes the reason/dir labels into every entry of every named (reason, direction) that lacks them, keeping the
     * counters. Returns how many entries it labelled (0 on a map that was labelled before, e.g. reused after a
     * restart). Call before the programs are attached: a packet counted between the read and the write is lost.
     */
    public int label() {
        int labelled = 0;
        BpfMap map = bpfMap();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ks = a.allocate(KEY.layout());
            MemorySegment vs = a.allocate(map.valueBufferSize(), 8);
            List<MemorySegment> cpus = perCpu(vs);
            for (Direction d : Direction.values()) {
                for (Reason r : Reason.values()) {
                    if (r == Reason.UNKNOWN) continue;
                    MetricsKey k = new MetricsKey(r, d);
                    k.write(ks);
                    if (!map.lookup(ks, vs)) throw new IllegalStateException(name() + " has no index " + k.index());
                    if (cpus.stream().allMatch(cpu -> MetricsValue.labelled(k, cpu))) continue;
                    cpus.forEach(cpu -> MetricsValue.writeLabels(k, cpu));
                    map.update(ks, vs, UpdateFlag.ANY);
                    labelled++;
                }
            }
        }
        return labelled;
    }

    /** The entries that counted something, by index (an array's every index exists; untouched ones are left out). */
    @Override
    public List<MapEntry<MetricsKey, MetricsValue>> entries() {
        List<MapEntry<MetricsKey, MetricsValue>> out = new ArrayList<>();
        BpfMap map = bpfMap();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ks = a.allocate(KEY.layout());
            MemorySegment vs = a.allocate(map.valueBufferSize(), 8);
            for (int i = 0; i < MetricsKey.INDEXES; i++) {
                ks.set(ValueLayout.JAVA_INT, 0, i);
                if (!map.lookup(ks, vs)) continue;
                MetricsValue v = decode(vs);
                if (v.packets() != 0 || v.bytes() != 0) out.add(new MapEntry<>(MetricsKey.ofIndex(i), v));
            }
        }
        return out;
    }

    @Override
    protected MetricsValue decode(MemorySegment buffer) {
        long packets = 0, bytes = 0;
        for (MemorySegment cpu : perCpu(buffer)) {
            MetricsValue v = MetricsValue.read(cpu);
            packets += v.packets();
            bytes += v.bytes();
        }
        return new MetricsValue(packets, bytes);
    }

    @Override
    protected void encode(MetricsKey k, MetricsValue v, MemorySegment buffer) {
        List<MemorySegment> cpus = perCpu(buffer);
        cpus.forEach(cpu -> MetricsValue.writeLabels(k, cpu));
        v.write(cpus.getFirst());
    }

    /** The per-CPU values of a lookup/update buffer, one slice of {@link BpfMap#perCpuStride()} bytes per CPU. */
    private List<MemorySegment> perCpu(MemorySegment buffer) {
        int stride = bpfMap().perCpuStride();
        List<MemorySegment> out = new ArrayList<>();
        for (long off = 0; off + stride <= buffer.byteSize(); off += stride) out.add(buffer.asSlice(off, stride));
        return out;
    }

    @Override
    protected void validate(MetricsKey k, MetricsValue v) {
        if (k.reason() == Reason.UNKNOWN) throw refuse(k, "reason UNKNOWN has no code");
        if (v.packets() < 0 || v.bytes() < 0) throw refuse(k, "counters are unsigned; " + v + " is negative");
    }
}
