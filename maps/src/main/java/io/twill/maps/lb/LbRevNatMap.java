package io.twill.maps.lb;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;
import io.twill.types.Ipv4;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code twill_lb_revnat}: reverse-NAT index to the frontend replies must come from (hash, pinned by name). One index
 * per frontend (address, port, protocol), 1..65535; written before the frontend's slot 0 and removed after it.
 */
public final class LbRevNatMap extends TypedMap<LbRevNatKey, LbRevNat> {
    public static final String MAP_NAME = "twill_lb_revnat";
    static final Struct<LbRevNatKey> KEY = new Struct<>(LbRevNatKey.LAYOUT, LbRevNatKey::read, LbRevNatKey::write);
    static final Struct<LbRevNat> VALUE = new Struct<>(LbRevNat.LAYOUT, LbRevNat::read, LbRevNat::write);

    private LbRevNatMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static LbRevNatMap of(BpfMap map) {
        return new LbRevNatMap(map);
    }

    /** Opens {@code <pinRoot>/twill_lb_revnat}. */
    public static LbRevNatMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new LbRevNatMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Creates or replaces index {@code index}. */
    public void put(int index, LbRevNat frontend) {
        update(new LbRevNatKey(index), frontend, UpdateFlag.ANY);
    }

    public Optional<LbRevNat> lookup(int index) {
        return lookup(new LbRevNatKey(index));
    }

    public boolean delete(int index) {
        return delete(new LbRevNatKey(index));
    }

    /** Null when the datapath can use this entry, else why not. */
    public static String problem(LbRevNatKey k, LbRevNat v) {
        if (k.index() == 0) return "index 0 means \"no reverse NAT\" to the datapath";
        if (!Ipv4.isUnicast(v.addr())) return "frontend " + v.addr().getHostAddress() + " is not a unicast address";
        if (v.port() == 0) return "frontend port 0";
        return null;
    }

    @Override
    protected void validate(LbRevNatKey k, LbRevNat v) {
        String problem = problem(k, v);
        if (problem != null) throw refuse(k, problem);
    }
}
