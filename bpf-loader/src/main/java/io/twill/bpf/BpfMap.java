package io.twill.bpf;

import io.twill.bpf.internal.ErrorText;
import io.twill.types.Errno;
import io.twill.bpf.internal.Leaks;
import io.twill.bpf.internal.Libbpf;
import io.twill.bpf.internal.LibbpfStructs;
import io.twill.bpf.internal.Libc;
import io.twill.bpf.internal.Native;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A BPF map, addressed by its file descriptor. Either it belongs to a {@link BpfObject} (from {@link BpfObject#map};
 * valid while the object is open, and {@link #close()} does nothing), or it owns its descriptor (from
 * {@link #openPinned}, {@link BpfObject#takeMap}) and {@link #close()} closes it. Closing does not delete a pinned map.
 *
 * <p>Element operations take native {@link MemorySegment}s at least {@link #keySize()} / {@link #valueBufferSize()}
 * bytes long, allocate nothing, and are safe from several threads; closing while another thread uses the map is not.
 * A missing key is {@code false}, never an exception.
 */
public final class BpfMap implements AutoCloseable {
    /** BPF_MAP_TYPE_* values this class treats specially. */
    public static final int TYPE_HASH = 1, TYPE_ARRAY = 2, TYPE_PERCPU_HASH = 5, TYPE_PERCPU_ARRAY = 6,
            TYPE_LRU_PERCPU_HASH = 10, TYPE_LPM_TRIE = 11, TYPE_PERCPU_CGROUP_STORAGE = 21, TYPE_RINGBUF = 27;

    private final String name;
    private final int fd;
    private final int type;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final int id;
    private final int valueBufferSize;
    private final BpfObject parent; // null when this handle owns fd
    private final Leaks.Token leaks; // null when borrowed
    private volatile boolean closed;
    private volatile Path pinnedAt;

    private BpfMap(String name, int fd, BpfObject parent) {
        this.fd = fd;
        this.parent = parent;
        try (Arena a = Arena.ofConfined()) {
            var l = LibbpfStructs.bpf_map_info;
            MemorySegment info = InfoReader.read(a, fd, l, name == null ? "map fd " + fd : name);
            this.type = InfoReader.i32(info, l, "type");
            this.id = InfoReader.i32(info, l, "id");
            this.keySize = InfoReader.i32(info, l, "key_size");
            this.valueSize = InfoReader.i32(info, l, "value_size");
            this.maxEntries = InfoReader.i32(info, l, "max_entries");
            this.flags = InfoReader.i32(info, l, "map_flags");
            this.name = name != null ? name : InfoReader.name(info, l, "name");
        }
        this.valueBufferSize = isPerCpu() ? perCpuStride() * possibleCpus() : valueSize;
        this.leaks = parent == null ? Leaks.watch(this, "map " + this.name + " (fd " + fd + ")") : null;
    }

    /** A view of a map owned by {@code parent}. */
    static BpfMap borrowed(BpfObject parent, String name, int fd) {
        return new BpfMap(name, fd, parent);
    }

    /** Takes ownership of {@code fd}; closes it if reading the map's info fails. */
    static BpfMap owning(int fd, String name) {
        try {
            return new BpfMap(name, fd, null);
        } catch (RuntimeException e) {
            Libc.closeFd(fd);
            throw e;
        }
    }

    /** Opens the map pinned at {@code path} (on a bpffs); the handle owns the new descriptor. */
    public static BpfMap openPinned(Path path) {
        Libbpf.ensureAvailable();
        int fd = Pins.open(path, "map");
        BpfMap map = owning(fd, null);
        map.pinnedAt = path;
        return map;
    }

    /** {@code libbpf_num_possible_cpus()}: how many values a per-CPU map holds per key. */
    public static int possibleCpus() {
        Libbpf.ensureAvailable();
        try {
            int n = (int) Libbpf.libbpf_num_possible_cpus.invokeExact();
            if (n <= 0) throw Failures.fail("libbpf_num_possible_cpus", "/sys/devices/system/cpu/possible", n);
            return n;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public String name() { return name; }

    /** The descriptor (valid while this handle, or its object, is open). */
    public int fd() { return fd; }

    /** BPF_MAP_TYPE_* value. */
    public int type() { return type; }

    /** libbpf's name for the type: "hash", "array", "percpu_array", "lpm_trie", "ringbuf", … */
    public String typeName() { return TypeNames.map(type); }

    public int keySize() { return keySize; }

    /** The value size of one element as declared (per CPU for per-CPU maps). */
    public int valueSize() { return valueSize; }

    public int maxEntries() { return maxEntries; }

    /** BPF_F_* map flags. */
    public int flags() { return flags; }

    /** The kernel's id of the map (as bpftool shows it). */
    public int id() { return id; }

    /** True for per-CPU maps, whose lookups return one value per possible CPU. */
    public boolean isPerCpu() {
        return type == TYPE_PERCPU_HASH || type == TYPE_PERCPU_ARRAY || type == TYPE_LRU_PERCPU_HASH
                || type == TYPE_PERCPU_CGROUP_STORAGE;
    }

    /** Bytes a value buffer needs: {@link #valueSize()}, or round_up(valueSize, 8) * possible CPUs for per-CPU maps. */
    public int valueBufferSize() {
        return valueBufferSize;
    }

    /** Distance between two CPUs' values in a per-CPU value buffer: round_up(valueSize, 8). */
    public int perCpuStride() {
        return (valueSize + 7) & ~7;
    }

    /** True when this handle owns its descriptor (false for maps viewed through their object). */
    public boolean ownsDescriptor() { return parent == null; }

    /** Where this handle pinned or opened the map, if anywhere. */
    public Optional<Path> pinnedPath() { return Optional.ofNullable(pinnedAt); }

    /** Copies the value of {@code key} into {@code value}; false when the key is absent. */
    public boolean lookup(MemorySegment key, MemorySegment value) {
        check(key, keySize, "key");
        check(value, valueBufferSize, "value");
        int rc;
        try {
            rc = (int) Libbpf.bpf_map_lookup_elem.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == 0) return true;
        if (rc == -Errno.ENOENT) return false;
        throw Failures.failQuiet("bpf_map_lookup_elem", name, rc);
    }

    /** Creates or updates {@code key}; NOEXIST on a present key throws {@link KeyExistsException}. */
    public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
        check(key, keySize, "key");
        check(value, valueBufferSize, "value");
        int rc;
        try {
            rc = (int) Libbpf.bpf_map_update_elem.invokeExact(fd, key, value, flag.value());
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0) throw updateFailure("bpf_map_update_elem", rc, flag);
    }

    /** Deletes {@code key}; false when it was absent. */
    public boolean delete(MemorySegment key) {
        check(key, keySize, "key");
        int rc;
        try {
            rc = (int) Libbpf.bpf_map_delete_elem.invokeExact(fd, key);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == 0) return true;
        if (rc == -Errno.ENOENT) return false;
        throw Failures.failQuiet("bpf_map_delete_elem", name, rc);
    }

    /**
     * Writes the key after {@code key} (or the first key when {@code key} is null or {@link MemorySegment#NULL})
     * into {@code next}; false at the end.
     */
    public boolean nextKey(MemorySegment key, MemorySegment next) {
        if (key == null) key = MemorySegment.NULL;
        else if (key.address() != 0) check(key, keySize, "key");
        check(next, keySize, "next key");
        int rc;
        try {
            rc = (int) Libbpf.bpf_map_get_next_key.invokeExact(fd, key, next);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc == 0) return true;
        if (rc == -Errno.ENOENT) return false;
        throw Failures.failQuiet("bpf_map_get_next_key", name, rc);
    }

    /** A reusable buffer for batch operations on this map, holding {@code capacity} keys and values. */
    public MapBatch newBatch(int capacity) {
        ensureOpen();
        return new MapBatch(this, capacity);
    }

    /**
     * Creates or updates the first {@code count} keys/values of {@code batch}; returns how many the kernel processed.
     * The kernel takes no per-element NOEXIST/EXIST in batches, so {@code flag} must be {@link UpdateFlag#ANY}.
     */
    public int updateBatch(MapBatch batch, int count, UpdateFlag flag) {
        batch.checkFor(this, count);
        if (flag != UpdateFlag.ANY) {
            throw new IllegalArgumentException("batch updates of map " + name + " take only UpdateFlag.ANY (the kernel "
                    + "rejects NOEXIST/EXIST per element in batches); use update() for " + flag);
        }
        int rc;
        try {
            rc = (int) Libbpf.bpf_map_update_batch.invokeExact(fd, batch.keys(), batch.values(),
                    batch.count(count), batch.opts(flag.value()));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0) throw partial(updateFailure("bpf_map_update_batch", rc, flag), batch.countOut(), count);
        return batch.countOut();
    }

    /** Deletes the first {@code count} keys of {@code batch}; returns how many were deleted (stops at a missing key). */
    public int deleteBatch(MapBatch batch, int count) {
        batch.checkFor(this, count);
        int rc;
        try {
            rc = (int) Libbpf.bpf_map_delete_batch.invokeExact(fd, batch.keys(), batch.count(count), batch.opts(0));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0 && rc != -Errno.ENOENT) {
            throw partial(Failures.failQuiet("bpf_map_delete_batch", name, rc), batch.countOut(), count);
        }
        return batch.countOut();
    }

    /**
     * Reads the next chunk of elements into {@code batch} (from the start after {@link MapBatch#reset()}); returns
     * how many it read, and sets {@link MapBatch#done()} once the map is exhausted.
     */
    public int lookupBatch(MapBatch batch) {
        batch.checkFor(this, batch.capacity());
        if (batch.done()) return 0;
        int rc;
        try {
            rc = (int) Libbpf.bpf_map_lookup_batch.invokeExact(fd, batch.inToken(), batch.outToken(), batch.keys(),
                    batch.values(), batch.count(batch.capacity()), batch.opts(0));
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
        if (rc != 0 && rc != -Errno.ENOENT) throw Failures.failQuiet("bpf_map_lookup_batch", name, rc);
        return batch.advance(rc == -Errno.ENOENT);
    }

    /** Pins the map at {@code path} (the parent directory must be on a bpffs). */
    public void pin(Path path) {
        ensureOpen();
        Pins.pin(fd, path, "map " + name);
        pinnedAt = path;
    }

    /** Removes the pin at {@code path}; the map lives on while descriptors or programs hold it. False if absent. */
    public boolean unpin(Path path) {
        boolean removed = Pins.unpin(path, "map " + name);
        if (path.equals(pinnedAt)) pinnedAt = null;
        return removed;
    }

    /** Removes the pin this handle made or was opened from. */
    public boolean unpin() {
        Path p = pinnedAt;
        if (p == null) throw new IllegalStateException("map " + name + " has no pin known to this handle");
        return unpin(p);
    }

    /** Closes an owned descriptor (idempotent); for a map that belongs to a {@link BpfObject} it does nothing. */
    @Override
    public void close() {
        if (parent != null || closed) return;
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        leaks.closed();
        Libc.closeFd(fd);
    }

    boolean isOpen() {
        return !closed && (parent == null || parent.isOpen());
    }

    private void ensureOpen() {
        if (!isOpen()) throw new IllegalStateException("map " + name + " is closed"
                + (parent != null ? " (its BpfObject " + parent.name() + " was closed)" : ""));
    }

    private void check(MemorySegment seg, long need, String what) {
        if (closed || (parent != null && !parent.isOpen())) ensureOpen();
        if (seg.byteSize() < need) {
            throw new IllegalArgumentException(what + " buffer of " + seg.byteSize() + " bytes for map " + name
                    + ", which needs " + need);
        }
    }

    private BpfException updateFailure(String op, int rc, UpdateFlag flag) {
        if (rc == -Errno.EEXIST && flag == UpdateFlag.NOEXIST) return new KeyExistsException(op, name);
        if (rc == -Errno.ENOENT && flag == UpdateFlag.EXIST) {
            return new BpfException(op, name, Errno.ENOENT, "the key is absent and EXIST was asked", "");
        }
        if (rc == -Errno.E2BIG) {
            return new BpfException(op, name, Errno.E2BIG, "the map is full (max_entries " + maxEntries + ")"
                    + (type == TYPE_ARRAY || type == TYPE_PERCPU_ARRAY ? " or the index is out of range" : ""), "");
        }
        return Failures.failQuiet(op, name, rc);
    }

    /** The same failure, saying how far the batch got (the kernel reports the elements it processed). */
    private static BpfException partial(BpfException e, int done, int asked) {
        if (done >= asked) return e; // the kernel failed before the first element and left count alone
        String message = e.getMessage() + " (" + done + " of " + asked + " elements were processed before the failure)";
        return e instanceof KeyExistsException ? new KeyExistsException(message, e.op(), e.object())
                : new BpfException(message, e.op(), e.object(), e.errno(), "");
    }

    @Override
    public String toString() {
        return "map " + name + " (id " + id + ", " + typeName() + ", key " + keySize + " B, value " + valueSize
                + " B, max " + maxEntries + ")";
    }
}
