package io.twill.maps;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A BPF map seen through its key and value records. Every write is checked first ({@link #validate}): values the
 * datapath could not use (ifindex 0, a zero MAC, an impossible prefix) are refused with an
 * {@link IllegalArgumentException} that names the map, the key and the field, before anything reaches the kernel.
 * Kernel failures are {@link io.twill.bpf.BpfException}s. Each operation uses its own scratch memory, so a typed map
 * may be shared by threads. {@link #close()} closes the underlying handle when it owns its descriptor.
 */
public abstract class TypedMap<K, V> implements AutoCloseable {
    private final BpfMap map;
    private final Struct<K> key;
    private final Struct<V> value;

    protected TypedMap(BpfMap map, Struct<K> key, Struct<V> value) {
        this.map = Objects.requireNonNull(map, "map");
        this.key = key;
        this.value = value;
        if (map.keySize() != key.size() || map.valueSize() != value.size()) {
            throw new IllegalStateException("map " + map.name() + " has key " + map.keySize() + " B / value "
                    + map.valueSize() + " B, but struct " + key.cName() + " is " + key.size() + " B and struct "
                    + value.cName() + " is " + value.size() + " B: the loaded .bpf.o and the Java records disagree");
        }
    }

    /** The map's name in the kernel, e.g. {@code twill_endpoints}. */
    public String name() {
        return map.name();
    }

    /** The untyped handle, for tools that need the descriptor. */
    public BpfMap bpfMap() {
        return map;
    }

    /** The value stored under {@code k}, if any. */
    public Optional<V> lookup(K k) {
        Objects.requireNonNull(k, "key");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ks = a.allocate(key.layout());
            key.write(k, ks);
            MemorySegment vs = a.allocate(map.valueBufferSize(), 8);
            if (!map.lookup(ks, vs)) return Optional.empty();
            return Optional.of(decode(vs));
        }
    }

    /**
     * Stores {@code v} under {@code k}. {@link UpdateFlag#NOEXIST} on a present key throws
     * {@link io.twill.bpf.KeyExistsException}; impossible contents throw {@link IllegalArgumentException}.
     */
    public void update(K k, V v, UpdateFlag flag) {
        Objects.requireNonNull(k, "key");
        Objects.requireNonNull(v, "value");
        Objects.requireNonNull(flag, "flag");
        validate(k, v);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ks = a.allocate(key.layout());
            key.write(k, ks);
            MemorySegment vs = a.allocate(map.valueBufferSize(), 8);
            encode(k, v, vs);
            map.update(ks, vs, flag);
        }
    }

    /** Removes {@code k}; false when it was not there. */
    public boolean delete(K k) {
        Objects.requireNonNull(k, "key");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ks = a.allocate(key.layout());
            key.write(k, ks);
            return map.delete(ks);
        }
    }

    /**
     * A snapshot of every element. The kernel walks a hash map bucket by bucket; an element deleted while the walk
     * stands on it restarts the walk, which is detected (a key seen twice) and ends it, so under concurrent deletes
     * the snapshot may miss elements but never repeats one.
     */
    public List<MapEntry<K, V>> entries() {
        List<MapEntry<K, V>> out = new ArrayList<>();
        Set<K> seen = new HashSet<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cur = a.allocate(key.layout());
            MemorySegment next = a.allocate(key.layout());
            MemorySegment vs = a.allocate(map.valueBufferSize(), 8);
            MemorySegment prev = MemorySegment.NULL;
            while (map.nextKey(prev, next)) {
                K k = key.read(next);
                if (!seen.add(k)) break;
                if (map.lookup(next, vs)) out.add(new MapEntry<>(k, decode(vs)));
                MemorySegment.copy(next, 0, cur, 0, key.size());
                prev = cur;
            }
        }
        return out;
    }

    /** Checks a write before it reaches the kernel; throws {@link IllegalArgumentException} naming what is wrong. */
    protected abstract void validate(K k, V v);

    /** Turns a lookup buffer ({@link BpfMap#valueBufferSize()} bytes) into a value; per-CPU maps override. */
    protected V decode(MemorySegment buffer) {
        return value.read(buffer);
    }

    /** Fills a zeroed update buffer; per-CPU maps put the value in CPU 0's slot and leave the others zero. */
    protected void encode(V v, MemorySegment buffer) {
        value.write(v, buffer);
    }

    /** {@link #encode(Object, MemorySegment)} for maps whose value also depends on its key. */
    protected void encode(K k, V v, MemorySegment buffer) {
        encode(v, buffer);
    }

    protected Struct<V> valueStruct() {
        return value;
    }

    /** A refusal naming this map and the key. */
    protected IllegalArgumentException refuse(K k, String why) {
        return new IllegalArgumentException(name() + " " + k + ": " + why);
    }

    @Override
    public void close() {
        map.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + map + "]";
    }
}
