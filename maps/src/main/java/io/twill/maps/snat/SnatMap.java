package io.twill.maps.snat;

import io.twill.bpf.BpfMap;
import io.twill.types.Ipv4;
import io.twill.maps.MapScan;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * {@code twill_snat}: source NAT to a node address, masquerading and NodePort SNAT (LRU hash, pinned by name). Two
 * entries per translated connection (OUT and IN). Written by bpf_host; the agent {@link #sweep sweeps} expired entries,
 * which gives their NAT ports back before the datapath would reclaim them one by one.
 */
public final class SnatMap extends TypedMap<SnatKey, SnatEntry> {
    public static final String MAP_NAME = "twill_snat";
    /** {@code SNAT_MAP_SIZE}. */
    public static final int DEFAULT_MAX_ENTRIES = 262144;
    static final Struct<SnatKey> KEY = new Struct<>(SnatKey.LAYOUT, SnatKey::read, SnatKey::write);
    static final Struct<SnatEntry> VALUE = new Struct<>(SnatEntry.LAYOUT, SnatEntry::read, SnatEntry::write);

    private SnatMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static SnatMap of(BpfMap map) {
        return new SnatMap(map);
    }

    /** Opens {@code <pinRoot>/twill_snat}. */
    public static SnatMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new SnatMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Deletes the entries that expired before {@code nowSeconds} (CLOCK_MONOTONIC, see CtMap.monotonicSeconds). */
    public int sweep(long nowSeconds) {
        return MapScan.deleteWhere(this, KEY, VALUE, (k, v) -> v.expired(nowSeconds), MapScan.Mode.AUTO);
    }

    /** Deletes every entry; translated connections in progress break. Returns how many. */
    public int flush() {
        return MapScan.deleteWhere(this, KEY, VALUE, (k, v) -> true, MapScan.Mode.AUTO);
    }

    /** Deletes the entries whose key matches {@code p} (e.g. the connections of a deleted pod); returns how many. */
    public int purge(Predicate<SnatKey> p) {
        Objects.requireNonNull(p, "predicate");
        return MapScan.deleteWhere(this, KEY, VALUE, (k, v) -> p.test(k), MapScan.Mode.AUTO);
    }

    /** Null when the datapath can use this entry, else why not (only tests and tools write this map). */
    public static String problem(SnatKey k, SnatEntry v) {
        if (k.dir() != SnatKey.DIR_OUT && k.dir() != SnatKey.DIR_IN) return "unknown direction " + k.dir();
        if ((v.flags() & ~SnatEntry.KNOWN_FLAGS) != 0) return "unknown flag bits 0x" + Integer.toHexString(v.flags());
        if (!Ipv4.isUnicast(v.toAddr())) return "to_addr " + v.toAddr().getHostAddress() + " is not a unicast address";
        if (v.isNodePort() && k.dir() != SnatKey.DIR_IN) return "the nodeport flag belongs on IN entries";
        if (v.expires() < v.created()) return "expires " + v.expires() + " before it was created (" + v.created() + ")";
        return null;
    }

    @Override
    protected void validate(SnatKey k, SnatEntry v) {
        String problem = problem(k, v);
        if (problem != null) throw refuse(k, problem);
    }
}
