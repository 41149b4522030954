package io.twill.maps.lb;

import io.twill.bpf.BpfMap;
import io.twill.maps.MapScan;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.nio.file.Path;
import java.util.function.BiPredicate;

/**
 * {@code twill_lb_affinity}: sessionAffinity: ClientIP, client to backend and last use (LRU hash, pinned by name).
 * Written by the datapath; the agent {@link #purge purges} the entries of deleted services.
 */
public final class LbAffinityMap extends TypedMap<LbAffinityKey, LbAffinity> {
    public static final String MAP_NAME = "twill_lb_affinity";
    static final Struct<LbAffinityKey> KEY = new Struct<>(LbAffinityKey.LAYOUT, LbAffinityKey::read, LbAffinityKey::write);
    static final Struct<LbAffinity> VALUE = new Struct<>(LbAffinity.LAYOUT, LbAffinity::read, LbAffinity::write);

    private LbAffinityMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static LbAffinityMap of(BpfMap map) {
        return new LbAffinityMap(map);
    }

    /** Opens {@code <pinRoot>/twill_lb_affinity}. */
    public static LbAffinityMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new LbAffinityMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Deletes the entries matching {@code p} (e.g. of a removed service's reverse-NAT index); returns how many. */
    public int purge(BiPredicate<LbAffinityKey, LbAffinity> p) {
        return MapScan.deleteWhere(this, KEY, VALUE, p, MapScan.Mode.AUTO);
    }

    @Override
    protected void validate(LbAffinityKey k, LbAffinity v) {
        if (k.revNatIndex() == 0) throw refuse(k, "rev_nat_index 0 names no service");
        if (v.backendId() == 0) throw refuse(k, "backend_id 0");
    }
}
