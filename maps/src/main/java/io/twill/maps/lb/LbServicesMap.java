package io.twill.maps.lb;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;
import io.twill.types.Ipv4;
import io.twill.maps.MapEntry;
import io.twill.maps.Protocols;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code twill_lb_services}: Service frontends (hash, pinned by name). Each frontend and scope has a slot 0 (the
 * service: backend count, reverse-NAT index, flags) and slots 1..count (one backend id each).
 *
 * <p>{@link #putFrontend} and {@link #deleteFrontend} keep the datapath from ever seeing a half-written service: new
 * backend slots are written before slot 0 (a lookup meanwhile sees the old count with old or new backends, all of
 * them valid), slots beyond the new count are removed only after slot 0 shrank, and a deleted frontend loses slot 0
 * first.
 */
public final class LbServicesMap extends TypedMap<LbKey, LbService> {
    public static final String MAP_NAME = "twill_lb_services";
    static final Struct<LbKey> KEY = new Struct<>(LbKey.LAYOUT, LbKey::read, LbKey::write);
    static final Struct<LbService> VALUE = new Struct<>(LbService.LAYOUT, LbService::read, LbService::write);

    private LbServicesMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static LbServicesMap of(BpfMap map) {
        return new LbServicesMap(map);
    }

    /** Opens {@code <pinRoot>/twill_lb_services}. */
    public static LbServicesMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new LbServicesMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Creates or replaces the frontend {@code frontend} (slot 0) with {@code service}, whose count must equal the
     * number of {@code backendIds}, in the order described on the class. Every entry is validated before the first
     * is written.
     */
    public void putFrontend(LbKey frontend, LbService service, List<Long> backendIds) {
        Objects.requireNonNull(frontend, "frontend");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(backendIds, "backendIds");
        if (frontend.slot() != 0) throw refuse(frontend, "putFrontend takes the slot-0 key");
        if (service.count() != backendIds.size()) {
            throw refuse(frontend, "count " + service.count() + " but " + backendIds.size() + " backend ids");
        }
        validate(frontend, service);
        List<LbService> slots = new ArrayList<>(backendIds.size());
        for (int i = 0; i < backendIds.size(); i++) {
            LbService slot = LbService.backend(Objects.requireNonNull(backendIds.get(i), "backend id"));
            validate(frontend.withSlot(i + 1), slot);
            slots.add(slot);
        }
        int oldCount = lookup(frontend).map(LbService::count).orElse(0);
        for (int i = 0; i < slots.size(); i++) update(frontend.withSlot(i + 1), slots.get(i), UpdateFlag.ANY);
        update(frontend, service, UpdateFlag.ANY);
        for (int i = slots.size() + 1; i <= oldCount; i++) delete(frontend.withSlot(i));
    }

    /** Removes the frontend (slot 0 first, then its backend slots); returns how many entries it removed. */
    public int deleteFrontend(LbKey frontend) {
        Objects.requireNonNull(frontend, "frontend");
        LbKey k0 = frontend.service();
        Optional<LbService> s = lookup(k0);
        if (s.isEmpty()) return 0;
        int removed = delete(k0) ? 1 : 0;
        for (int i = 1; i <= s.get().count(); i++) if (delete(k0.withSlot(i))) removed++;
        return removed;
    }

    /** The frontend at slot 0 {@code frontend} with its backend ids, if it exists. */
    public Optional<LbFrontend> frontend(LbKey frontend) {
        LbKey k0 = frontend.service();
        return lookup(k0).map(s -> {
            List<Long> ids = new ArrayList<>(s.count());
            for (int i = 1; i <= s.count(); i++) ids.add(lookup(k0.withSlot(i)).map(LbService::backendId).orElse(0L));
            return new LbFrontend(k0, s, ids);
        });
    }

    /** Every frontend, from one snapshot of the map, ordered by address, port, protocol and scope. */
    public List<LbFrontend> frontends() {
        return group(entries());
    }

    /** Groups the entries of a snapshot into frontends (slots without a slot 0 are left out). */
    public static List<LbFrontend> group(List<MapEntry<LbKey, LbService>> entries) {
        Map<LbKey, LbService> bySlot = new LinkedHashMap<>();
        for (var e : entries) bySlot.put(e.key(), e.value());
        List<LbFrontend> out = new ArrayList<>();
        for (var e : bySlot.entrySet()) {
            if (e.getKey().slot() != 0) continue;
            List<Long> ids = new ArrayList<>();
            for (int i = 1; i <= e.getValue().count(); i++) {
                LbService slot = bySlot.get(e.getKey().withSlot(i));
                ids.add(slot == null ? 0L : slot.backendId());
            }
            out.add(new LbFrontend(e.getKey(), e.getValue(), ids));
        }
        out.sort(Comparator.<LbFrontend>comparingLong(f -> Integer.toUnsignedLong(Ipv4.toInt(f.key().addr())))
                .thenComparingInt(f -> f.key().port()).thenComparingInt(f -> f.key().proto())
                .thenComparingInt(f -> f.key().scope()));
        return out;
    }

    /** Null when the datapath can use this entry, else why not. */
    public static String problem(LbKey k, LbService v) {
        if (!Ipv4.isUnicast(k.addr())) return "frontend " + k.addr().getHostAddress() + " is not a unicast address";
        if (k.port() == 0) return "frontend port 0";
        if (k.proto() != Protocols.TCP && k.proto() != Protocols.UDP) {
            return "protocol " + Protocols.name(k.proto()) + " (only tcp and udp)";
        }
        if (k.scope() != LbService.SCOPE_ANY && k.scope() != LbService.SCOPE_EXTERNAL) return "unknown scope " + k.scope();
        return v.problem(k.slot());
    }

    @Override
    protected void validate(LbKey k, LbService v) {
        String problem = problem(k, v);
        if (problem != null) throw refuse(k, problem);
    }
}
