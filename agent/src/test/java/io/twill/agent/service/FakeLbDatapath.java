package io.twill.agent.service;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The three Service maps in memory. After every single write it checks what a datapath lookup could meet at that
 * instant: every service entry's slots 1..count exist and name an existing backend, and its reverse-NAT entry exists.
 * A violation (a half-written service) fails the test at the write that caused it. {@link #failBackendsAfter} makes
 * backend writes fail like a full map.
 */
final class FakeLbDatapath implements LbDatapath {
    final Map<Integer, Backend> backends = new HashMap<>();
    final Map<Integer, Frontend.Key> revNats = new HashMap<>();
    final Map<Slot, ServiceEntry> services = new HashMap<>();
    final Map<Slot, Integer> slots = new HashMap<>();
    final List<String> ops = new ArrayList<>();
    int failBackendsAfter = Integer.MAX_VALUE;

    @Override
    public void putBackend(int id, Backend backend) {
        if (!backends.containsKey(id) && backends.size() >= failBackendsAfter) {
            throw new IllegalStateException("bpf_map_update_elem(twill_lb_backends): E2BIG (Argument list too long)");
        }
        backends.put(id, backend);
        op("backend+ " + id + " " + backend);
    }

    @Override
    public void deleteBackend(int id) {
        backends.remove(id);
        op("backend- " + id);
    }

    @Override
    public void putRevNat(int index, Frontend.Key frontend) {
        revNats.put(index, frontend);
        op("revnat+ " + index);
    }

    @Override
    public void deleteRevNat(int index) {
        revNats.remove(index);
        op("revnat- " + index);
    }

    @Override
    public void putBackendSlot(Slot slot, int backendId) {
        if (slot.slot() < 1) throw new IllegalArgumentException("backend slot " + slot);
        slots.put(slot, backendId);
        op("slot+ " + slot + " -> " + backendId);
    }

    @Override
    public void putService(Slot slot, ServiceEntry entry) {
        if (slot.slot() != 0) throw new IllegalArgumentException("service entry in slot " + slot);
        services.put(slot, entry);
        op("svc+ " + slot + " " + entry);
    }

    @Override
    public void deleteSlot(Slot slot) {
        if (slot.slot() == 0) services.remove(slot);
        else slots.remove(slot);
        op("del " + slot);
    }

    @Override
    public Snapshot read() {
        return new Snapshot(Map.copyOf(backendKeys()), Map.copyOf(revNats), Map.copyOf(services), Map.copyOf(slots));
    }

    private Map<Integer, Backend.Key> backendKeys() {
        Map<Integer, Backend.Key> m = new HashMap<>();
        backends.forEach((id, b) -> m.put(id, b.key()));
        return m;
    }

    private void op(String what) {
        ops.add(what);
        services.forEach((slot, e) -> {
            if (!revNats.containsKey(e.revNatIndex())) {
                throw new AssertionError("after '" + what + "': " + slot + " names reverse-NAT " + e.revNatIndex() + " which is absent");
            }
            for (int i = 1; i <= e.count(); i++) {
                Integer id = slots.get(new Slot(slot.frontend(), slot.scope(), i));
                if (id == null) throw new AssertionError("after '" + what + "': " + slot + " count " + e.count() + " but slot " + i + " is missing");
                if (!backends.containsKey(id)) throw new AssertionError("after '" + what + "': " + slot + " slot " + i + " names absent backend " + id);
            }
        });
    }

    /** The backends a lookup of the frontend in `scope` can pick, as "addr:port". */
    List<String> backendsOf(Frontend.Key k, int scope) {
        ServiceEntry e = services.get(new Slot(k, scope, 0));
        if (e == null) return null;
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= e.count(); i++) out.add(backends.get(slots.get(new Slot(k, scope, i))).key().toString());
        return out;
    }
}
