package io.twill.maps.ct;

import io.twill.bpf.BpfMap;
import io.twill.maps.MapScan;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * {@code twill_ct}: connection tracking, one LRU hash per node shared by bpf_lxc, bpf_overlay and bpf_host (pinned by
 * name). The datapath creates and updates entries; the agent only reads, {@link #sweep sweeps} expired entries,
 * {@link #purge purges} those of deleted pods and {@link #flush flushes} (twillctl bpf ct flush). The datapath treats
 * an expired entry as absent already, so sweeping only gives the room back before the LRU would.
 *
 * <p>Expiry times are CLOCK_MONOTONIC seconds as {@code bpf_ktime_get_coarse_ns() / 1e9}: compare them with
 * {@link #monotonicSeconds()}, never with wall-clock time.
 */
public final class CtMap extends TypedMap<CtKey, CtEntry> {
    public static final String MAP_NAME = "twill_ct";
    /** {@code CT_MAP_SIZE}: the size the object declares, used unless the agent configures another. */
    public static final int DEFAULT_MAX_ENTRIES = 524288;
    static final Struct<CtKey> KEY = new Struct<>(CtKey.LAYOUT, CtKey::read, CtKey::write);
    static final Struct<CtEntry> VALUE = new Struct<>(CtEntry.LAYOUT, CtEntry::read, CtEntry::write);

    private CtMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    /** Wraps a handle (from a loaded object or a pin); closing this map closes the handle if it owns its descriptor. */
    public static CtMap of(BpfMap map) {
        return new CtMap(map);
    }

    /** Opens {@code <pinRoot>/twill_ct}. */
    public static CtMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new CtMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * CLOCK_MONOTONIC in whole seconds, the clock of {@code expires} and {@code created} (the datapath reads
     * {@code bpf_ktime_get_coarse_ns()}, which lags CLOCK_MONOTONIC by at most one tick). On Linux the JVM's
     * {@link System#nanoTime()} is {@code clock_gettime(CLOCK_MONOTONIC)}; CtMapPrivilegedIT checks the two agree.
     */
    public static long monotonicSeconds() {
        return System.nanoTime() / 1_000_000_000L;
    }

    /** Deletes the entries that expired before {@code nowSeconds} (CLOCK_MONOTONIC); returns how many. */
    public int sweep(long nowSeconds) {
        return sweep(nowSeconds, MapScan.Mode.AUTO);
    }

    /** {@link #sweep(long)} walking the map the given way (batches or iteration; tests compare the two). */
    public int sweep(long nowSeconds, MapScan.Mode mode) {
        return MapScan.deleteWhere(this, KEY, VALUE, (k, v) -> v.expired(nowSeconds), mode);
    }

    /** Deletes every entry (live connections included: their next packet starts them afresh); returns how many. */
    public int flush() {
        return MapScan.deleteWhere(this, KEY, VALUE, (k, v) -> true, MapScan.Mode.AUTO);
    }

    /**
     * Deletes the entries whose key matches {@code p}, e.g. {@code k -> k.involves(podIp)} when a pod is deleted, so a
     * new pod given the same address inherits none of its connections; returns how many.
     */
    public int purge(Predicate<CtKey> p) {
        Objects.requireNonNull(p, "predicate");
        return MapScan.deleteWhere(this, KEY, VALUE, (k, v) -> p.test(k), MapScan.Mode.AUTO);
    }

    /** Null when the datapath can use this entry, else why not (only tests and tools write this map). */
    public static String problem(CtKey k, CtEntry v) {
        if ((k.flags() & ~CtKey.KNOWN_FLAGS) != 0) return "unknown key flag bits 0x" + Integer.toHexString(k.flags());
        if ((v.flags() & ~CtEntry.KNOWN_FLAGS) != 0) return "unknown flag bits 0x" + Integer.toHexString(v.flags());
        if (v.expires() < v.created()) return "expires " + v.expires() + " before it was created (" + v.created() + ")";
        if (k.isService() && v.backendId() == 0) return "a service entry without a backend id";
        return null;
    }

    @Override
    protected void validate(CtKey k, CtEntry v) {
        String problem = problem(k, v);
        if (problem != null) throw refuse(k, problem);
    }
}
