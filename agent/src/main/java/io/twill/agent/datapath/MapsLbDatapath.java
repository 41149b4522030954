package io.twill.agent.datapath;

import io.twill.agent.service.Backend;
import io.twill.agent.service.Frontend;
import io.twill.agent.service.LbDatapath;
import io.twill.bpf.UpdateFlag;
import io.twill.maps.MapEntry;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** {@link LbDatapath} on the pinned {@code twill_lb_services}, {@code twill_lb_backends} and {@code twill_lb_revnat}. */
public final class MapsLbDatapath implements LbDatapath {
    private final LbServicesMap services;
    private final LbBackendsMap backends;
    private final LbRevNatMap revNats;

    public MapsLbDatapath(LbServicesMap services, LbBackendsMap backends, LbRevNatMap revNats) {
        this.services = Objects.requireNonNull(services, "services");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.revNats = Objects.requireNonNull(revNats, "revNats");
    }

    private static LbKey key(Slot s) {
        Frontend.Key f = s.frontend();
        return new LbKey(f.addr(), f.port(), f.proto(), s.scope(), s.slot());
    }

    @Override
    public void putBackend(int id, Backend b) {
        backends.put(id, new LbBackend(b.key().addr(), b.key().port(), b.key().proto(),
                b.terminating() ? LbBackend.STATE_TERMINATING : LbBackend.STATE_ACTIVE));
    }

    @Override
    public void deleteBackend(int id) {
        backends.delete(id);
    }

    @Override
    public void putRevNat(int index, Frontend.Key frontend) {
        revNats.put(index, new LbRevNat(frontend.addr(), frontend.port()));
    }

    @Override
    public void deleteRevNat(int index) {
        revNats.delete(index);
    }

    @Override
    public void putBackendSlot(Slot slot, int backendId) {
        services.update(key(slot), LbService.backend(backendId), UpdateFlag.ANY);
    }

    @Override
    public void putService(Slot slot, ServiceEntry e) {
        services.update(key(slot), LbService.service(e.count(), e.revNatIndex(), e.flags(), e.affinityTimeout()), UpdateFlag.ANY);
    }

    @Override
    public void deleteSlot(Slot slot) {
        services.delete(key(slot));
    }

    @Override
    public Snapshot read() {
        Map<Integer, Backend.Key> be = new HashMap<>();
        for (MapEntry<Long, LbBackend> e : backends.entries()) {
            LbBackend b = e.value();
            be.put(e.key().intValue(), new Backend.Key(b.addr(), b.port(), b.proto()));
        }
        Map<Integer, Frontend.Key> rn = new HashMap<>();
        Map<Slot, ServiceEntry> svc = new HashMap<>();
        Map<Slot, Integer> slots = new HashMap<>();
        for (MapEntry<LbKey, LbService> e : services.entries()) {
            LbKey k = e.key();
            Slot s = new Slot(new Frontend.Key(k.addr(), k.port(), k.proto()), k.scope(), k.slot());
            LbService v = e.value();
            if (k.slot() == 0) {
                svc.put(s, new ServiceEntry(v.count(), v.revNatIndex(), v.flags(), (int) v.affinityTimeout()));
            } else {
                slots.put(s, (int) v.backendId());
            }
        }
        for (MapEntry<LbRevNatKey, LbRevNat> e : revNats.entries()) {
            // A reverse-NAT entry names address and port; the protocol is its frontend's (slot 0 with that index).
            int index = e.key().index();
            svc.forEach((slot, entry) -> {
                if (entry.revNatIndex() == index) rn.put(index, slot.frontend());
            });
        }
        return new Snapshot(be, rn, svc, slots);
    }
}
