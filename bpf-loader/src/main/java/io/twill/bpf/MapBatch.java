package io.twill.bpf;

import io.twill.bpf.internal.LibbpfStructs;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Native buffers for batch operations on one map: {@link #capacity()} keys and values laid end to end, the count and
 * options structs, and the cursor of a batch lookup. Reused across calls, so batch operations allocate nothing. Use
 * it from one thread at a time; {@link #close()} frees it.
 */
public final class MapBatch implements AutoCloseable {
    private final BpfMap map;
    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final MemorySegment keys;
    private final MemorySegment values;
    private final MemorySegment count;
    private final MemorySegment opts;
    private final MemorySegment inToken;
    private final MemorySegment outToken;
    private final long elemFlagsOffset;
    private boolean started;
    private boolean done;

    MapBatch(BpfMap map, int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("batch capacity must be positive, got " + capacity);
        this.map = map;
        this.capacity = capacity;
        this.keys = arena.allocate((long) map.keySize() * capacity, 8);
        this.values = arena.allocate((long) map.valueBufferSize() * capacity, 8);
        this.count = arena.allocate(JAVA_INT);
        this.opts = arena.allocate(LibbpfStructs.bpf_map_batch_opts);
        this.opts.set(JAVA_LONG, 0, LibbpfStructs.bpf_map_batch_opts.byteSize());
        this.elemFlagsOffset = LibbpfStructs.offset(LibbpfStructs.bpf_map_batch_opts, "elem_flags");
        long token = Math.max(8, map.keySize());
        this.inToken = arena.allocate(token, 8);
        this.outToken = arena.allocate(token, 8);
    }

    public int capacity() { return capacity; }

    /** {@code capacity * keySize} bytes: key i at {@code i * keySize}. */
    public MemorySegment keys() { return keys; }

    /** {@code capacity * valueBufferSize} bytes: value i at {@code i * valueBufferSize}. */
    public MemorySegment values() { return values; }

    /** Key i (a slice; allocates, so keep it out of hot loops). */
    public MemorySegment key(int i) {
        return keys.asSlice((long) i * map.keySize(), map.keySize());
    }

    /** Value i (a slice; allocates). */
    public MemorySegment value(int i) {
        return values.asSlice((long) i * map.valueBufferSize(), map.valueBufferSize());
    }

    /** Restarts batch lookups from the first element. */
    public void reset() {
        started = false;
        done = false;
    }

    /** True once {@link BpfMap#lookupBatch} has reached the end of the map. */
    public boolean done() { return done; }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    void checkFor(BpfMap m, int n) {
        if (m != map) throw new IllegalArgumentException("this batch was made for map " + map.name() + ", not " + m.name());
        if (n < 0 || n > capacity) throw new IllegalArgumentException("count " + n + " outside 0.." + capacity);
    }

    MemorySegment count(int n) {
        count.set(JAVA_INT, 0, n);
        return count;
    }

    int countOut() {
        return count.get(JAVA_INT, 0);
    }

    MemorySegment opts(long elemFlags) {
        opts.set(JAVA_LONG, elemFlagsOffset, elemFlags);
        return opts;
    }

    MemorySegment inToken() {
        return started ? inToken : MemorySegment.NULL;
    }

    MemorySegment outToken() {
        return outToken;
    }

    int advance(boolean end) {
        int n = countOut();
        if (end) {
            done = true;
        } else {
            MemorySegment.copy(outToken, 0, inToken, 0, inToken.byteSize());
            started = true;
        }
        return n;
    }
}
