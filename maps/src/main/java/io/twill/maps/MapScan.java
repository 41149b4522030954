package io.twill.maps;

import io.twill.bpf.BpfException;
import io.twill.bpf.BpfMap;
import io.twill.bpf.MapBatch;

import java.lang.foreign.MemorySegment;
import java.util.function.BiPredicate;

/**
 * Deleting the elements of a hash map that match a condition (expired connections, connections of a deleted pod),
 * for maps the datapath keeps writing meanwhile.
 *
 * <p>The fast way reads the map in chunks with {@code BPF_MAP_LOOKUP_BATCH} and deletes the matches of each chunk with
 * {@code BPF_MAP_DELETE_BATCH} (two syscalls per {@value #CHUNK} elements). The batch cursor is a bucket index, so
 * deleting elements already read does not disturb the walk. An element the datapath or the LRU removed between the
 * read and the delete makes the kernel stop the delete batch there; it is skipped and the rest deleted. Kernels or map
 * types without batch operations ({@code EINVAL}/{@code ENOTSUPP}) fall back to {@link TypedMap#entries()} and one
 * delete per match.
 *
 * <p>An element that the datapath replaces between the read and the delete (an expired connection opened again in
 * that instant) is deleted with the rest; the next packet of that connection creates it anew, as after an LRU
 * eviction. There is no compare-and-delete in the bpf(2) API.
 */
public final class MapScan {
    /** Elements read per batch call. A bucket larger than this would make the kernel answer ENOSPC. */
    public static final int CHUNK = 1024;
    private static final int EINVAL = 22, EOPNOTSUPP = 95, ENOTSUPP = 524;

    /** How {@link #deleteWhere} walks the map. */
    public enum Mode { AUTO, BATCH, ITERATE }

    private MapScan() {}

    /**
     * Deletes every element of {@code map} for which {@code doomed} holds; returns how many it deleted. {@code mode}
     * AUTO uses batches where the kernel has them for this map and iteration otherwise.
     */
    public static <K, V> int deleteWhere(TypedMap<K, V> map, Struct<K> key, Struct<V> value, BiPredicate<K, V> doomed,
                                         Mode mode) {
        if (mode != Mode.ITERATE) {
            try {
                return batched(map.bpfMap(), key, value, doomed);
            } catch (BpfException e) {
                boolean unsupported = e.errno() == EINVAL || e.errno() == ENOTSUPP || e.errno() == EOPNOTSUPP;
                if (mode == Mode.BATCH || !unsupported || !"bpf_map_lookup_batch".equals(e.op())) throw e;
            }
        }
        int deleted = 0;
        for (MapEntry<K, V> e : map.entries()) {
            if (doomed.test(e.key(), e.value()) && map.delete(e.key())) deleted++;
        }
        return deleted;
    }

    private static <K, V> int batched(BpfMap map, Struct<K> key, Struct<V> value, BiPredicate<K, V> doomed) {
        int deleted = 0;
        long keySize = map.keySize(), valueSize = map.valueBufferSize();
        try (MapBatch read = map.newBatch(CHUNK); MapBatch del = map.newBatch(CHUNK)) {
            MemorySegment keys = read.keys(), values = read.values(), out = del.keys();
            while (!read.done()) {
                int n = map.lookupBatch(read);
                int doomedCount = 0;
                for (int i = 0; i < n; i++) {
                    MemorySegment k = keys.asSlice(i * keySize, keySize);
                    if (doomed.test(key.read(k), value.read(values.asSlice(i * valueSize, valueSize)))) {
                        MemorySegment.copy(k, 0, out, doomedCount++ * keySize, keySize);
                    }
                }
                deleted += deleteAll(map, del, doomedCount);
            }
        }
        return deleted;
    }

    /** Deletes the first {@code n} keys of {@code del}, skipping keys that are already gone. */
    private static int deleteAll(BpfMap map, MapBatch del, int n) {
        long keySize = map.keySize();
        MemorySegment keys = del.keys();
        int deleted = 0;
        while (n > 0) {
            int done = map.deleteBatch(del, n);
            deleted += done;
            if (done >= n) break;
            int rest = n - done - 1; // key `done` was missing: skip it, move the rest to the front
            if (rest > 0) MemorySegment.copy(keys, (done + 1) * keySize, keys, 0, rest * keySize);
            n = rest;
        }
        return deleted;
    }
}
