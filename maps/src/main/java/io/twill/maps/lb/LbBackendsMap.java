package io.twill.maps.lb;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;
import io.twill.maps.Fields;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.lang.foreign.MemoryLayout;
import java.nio.file.Path;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code twill_lb_backends}: backend id to address (hash, pinned by name). Ids are {@code __u32} held in a
 * {@code Long} (like {@link LbService#backendId()}), 1..4294967295; 0 means "no backend" in the datapath. An id
 * should not be reused for another address while connections may still remember it (twill_ct keeps backend ids).
 */
public final class LbBackendsMap extends TypedMap<Long, LbBackend> {
    public static final String MAP_NAME = "twill_lb_backends";
    static final Struct<Long> KEY = new Struct<>(
            MemoryLayout.structLayout(JAVA_INT.withName("id")).withName("lb_backend_id"),
            s -> Fields.u32(s, 0), (id, s) -> Fields.u32(s, 0, id));
    static final Struct<LbBackend> VALUE = new Struct<>(LbBackend.LAYOUT, LbBackend::read, LbBackend::write);

    private LbBackendsMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static LbBackendsMap of(BpfMap map) {
        return new LbBackendsMap(map);
    }

    /** Opens {@code <pinRoot>/twill_lb_backends}. */
    public static LbBackendsMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new LbBackendsMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Creates or replaces backend {@code id}. */
    public void put(long id, LbBackend backend) {
        update(id, backend, UpdateFlag.ANY);
    }

    public Optional<LbBackend> lookup(long id) {
        return lookup(Long.valueOf(id));
    }

    public boolean delete(long id) {
        return delete(Long.valueOf(id));
    }

    /** Null when the datapath can use this entry, else why not. */
    public static String problem(long id, LbBackend v) {
        if (id <= 0 || id > 0xFFFF_FFFFL) return "backend id " + id + " outside 1..4294967295";
        return v.problem();
    }

    @Override
    protected void validate(Long k, LbBackend v) {
        String problem = problem(k, v);
        if (problem != null) throw refuse(k, problem);
    }
}
