package io.twill.bench.maps;

import io.twill.bpf.BpfMap;
import io.twill.bpf.BpfObject;
import io.twill.bpf.MapBatch;
import io.twill.bpf.ObjectSpec;
import io.twill.bpf.UpdateFlag;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The Java side of the map benchmark (run by bench/scripts/maps.sh next to its C peer, bench/c/maps/map_bench.c):
 * the same loops over the same hash map (4-byte key, 32-byte value, 65,536 entries) through bpf-loader. The hot
 * loops reuse their segments and allocate nothing. Prints one JSON line of element rates (ops/s), by wall clock and
 * by the thread's CPU time (steadier when other work shares the cores).
 *
 * <pre>MapBench OBJECT ENTRIES BATCH PASSES [REP]</pre>
 */
public final class MapBench {
    private static final int VALUE_SIZE = 32;
    private static final long WARMUP_NANOS = 3_000_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private MapBench() {}

    public static void main(String[] args) {
        if (args.length < 4) {
            System.err.println("usage: MapBench OBJECT ENTRIES BATCH PASSES [REP]");
            System.exit(2);
        }
        Path object = Path.of(args[0]);
        int n = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]), passes = Integer.parseInt(args[3]);
        int rep = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        try (BpfObject obj = ObjectSpec.fromFile(object).load(); Arena arena = Arena.ofConfined()) {
            BpfMap map = obj.map("bench_hash");
            Loops loops = new Loops(map, arena, n, batch);
            long warmEnd = System.nanoTime() + WARMUP_NANOS;                    // JIT warm-up
            for (int i = 0; i < 3 || System.nanoTime() < warmEnd; i++) loops.pass();
            loops.clear();                                        // start empty, as the C peer does
            loops.reset();
            for (int i = 0; i < passes; i++) loops.pass();
            double ops = (double) n * passes;
            System.out.printf(Locale.ROOT, "{\"impl\":\"java\",\"rep\":%d,\"entries\":%d,\"batch\":%d,\"passes\":%d,"
                            + "\"update\":%.0f,\"lookup\":%.0f,\"batch_update\":%.0f,\"batch_lookup\":%.0f,"
                            + "\"cpu_update\":%.0f,\"cpu_lookup\":%.0f,\"cpu_batch_update\":%.0f,\"cpu_batch_lookup\":%.0f}%n",
                    rep, n, batch, passes, ops / loops.update, ops / loops.lookup, ops / loops.batchUpdate,
                    ops / loops.batchLookup, ops / loops.updateCpu, ops / loops.lookupCpu, ops / loops.batchUpdateCpu,
                    ops / loops.batchLookupCpu);
            loops.close();
        }
    }

    /** CPU time of the calling thread (user + system), ns. */
    static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** The four timed loops; wall and thread-CPU times accumulate in seconds. */
    static final class Loops implements AutoCloseable {
        private final BpfMap map;
        private final int n;
        private final int batchSize;
        private final MemorySegment key;
        private final MemorySegment value;
        private final MapBatch batch;
        double update, lookup, batchUpdate, batchLookup;
        double updateCpu, lookupCpu, batchUpdateCpu, batchLookupCpu;
        long sink;

        Loops(BpfMap map, Arena arena, int n, int batchSize) {
            this.map = map;
            this.n = n;
            this.batchSize = batchSize;
            this.key = arena.allocate(4);
            this.value = arena.allocate(VALUE_SIZE);
            this.batch = map.newBatch(batchSize);
        }

        void reset() {
            update = lookup = batchUpdate = batchLookup = 0;
            updateCpu = lookupCpu = batchUpdateCpu = batchLookupCpu = 0;
        }

        /** One pass of the four loops; each loop body is a small method so the JIT compiles it whole. */
        void pass() {
            long t = System.nanoTime(), c = cpu();
            updateAll();
            update += (System.nanoTime() - t) / 1e9;
            updateCpu += (cpu() - c) / 1e9;

            t = System.nanoTime();
            c = cpu();
            lookupAll();
            lookup += (System.nanoTime() - t) / 1e9;
            lookupCpu += (cpu() - c) / 1e9;

            t = System.nanoTime();
            c = cpu();
            for (int base = 0; base < n; base += batchSize) updateChunk(base, Math.min(batchSize, n - base));
            batchUpdate += (System.nanoTime() - t) / 1e9;
            batchUpdateCpu += (cpu() - c) / 1e9;

            t = System.nanoTime();
            c = cpu();
            int total = lookupChunks();
            batchLookup += (System.nanoTime() - t) / 1e9;
            batchLookupCpu += (cpu() - c) / 1e9;
            if (total != n) throw new IllegalStateException("batch lookup saw " + total + " of " + n + " elements");
        }

        private void updateAll() {
            for (int k = 0; k < n; k++) {
                key.set(JAVA_INT, 0, k);
                value.set(JAVA_INT, 0, k);
                map.update(key, value, UpdateFlag.ANY);
            }
        }

        private void lookupAll() {
            for (int k = 0; k < n; k++) {
                key.set(JAVA_INT, 0, k);
                if (!map.lookup(key, value)) throw new IllegalStateException("key " + k + " missing");
                sink += value.get(JAVA_INT, 0);
            }
        }

        private void updateChunk(int base, int count) {
            MemorySegment keys = batch.keys(), values = batch.values();
            for (int i = 0; i < count; i++) {
                keys.set(JAVA_INT, 4L * i, base + i);
                values.set(JAVA_INT, (long) VALUE_SIZE * i, base + i);
            }
            map.updateBatch(batch, count, UpdateFlag.ANY);
        }

        private int lookupChunks() {
            batch.reset();
            int total = 0;
            while (!batch.done()) {
                total += map.lookupBatch(batch);
                sink += batch.keys().get(JAVA_INT, 0);
            }
            return total;
        }

        /** Deletes every element. */
        void clear() {
            MemorySegment keys = batch.keys();
            for (int base = 0; base < n; base += batchSize) {
                int count = Math.min(batchSize, n - base);
                for (int i = 0; i < count; i++) keys.set(JAVA_INT, 4L * i, base + i);
                map.deleteBatch(batch, count);
            }
        }

        @Override
        public void close() {
            batch.close();
        }
    }
}
