package io.twill.agent.service;

import io.twill.agent.service.LbDatapath.ServiceEntry;
import io.twill.agent.service.LbDatapath.Slot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The agent's side of the Service maps: which frontends are programmed, with which backend ids and reverse-NAT
 * indexes, and the order of writes that never lets a lookup meet a half-written service.
 *
 * <p>For one frontend: new backends first, then the backend slots, then slot 0 with the new count, then the slots
 * beyond it go; removal takes slot 0 first. A lookup therefore sees the old count with old or new backends in its
 * slots (all of them valid), or the new count with the new ones. A write that fails (a full map) leaves the frontend
 * with its previous entry and is reported; backends nobody references any more are removed last.
 *
 * <p>Ids are stable: a backend keeps its id while any frontend uses it, so connection tracking entries that name it
 * stay valid; a restarted agent adopts the ids and indexes it finds in the maps ({@link #adopt}) and changes only
 * what differs once it knows the cluster's Services. Not thread-safe: one thread (the service watcher's) drives it.
 */
public final class LbTable {
    private static final Logger log = LoggerFactory.getLogger(LbTable.class);
    static final int MAX_ID = 65535;

    /** What is programmed for one frontend. */
    private record Programmed(String service, Frontend frontend, int revNat, List<Integer> any, List<Integer> external) {}

    private final LbDatapath dp;
    private final Consumer<ServiceTranslator.Problem> problems;
    private final Map<Frontend.Key, Programmed> programmed = new TreeMap<>();
    private final Map<String, Set<Frontend.Key>> byService = new HashMap<>();
    private final Map<Backend.Key, Integer> backendIds = new HashMap<>();
    /** Backend id -> how many slots of programmed frontends (both scopes) name it. */
    private final Map<Integer, Integer> references = new HashMap<>();
    /** Backend ids whose count dropped to zero (or that were allocated and never used) since the last release. */
    private final Set<Integer> unreferenced = new HashSet<>();
    private final Map<Integer, Backend> backendState = new HashMap<>();
    private final Map<Frontend.Key, Integer> revNats = new HashMap<>();
    private final BitSet usedBackendIds = new BitSet(), usedRevNats = new BitSet();

    public LbTable(LbDatapath dp, Consumer<ServiceTranslator.Problem> problems) {
        this.dp = Objects.requireNonNull(dp, "dp");
        this.problems = Objects.requireNonNull(problems, "problems");
    }

    /**
     * Takes over what an earlier run left in the maps: backend ids, reverse-NAT indexes and the programmed frontends
     * (owned by no service until {@link #apply} claims them; {@link #removeUnclaimed} drops the rest).
     */
    public void adopt(LbDatapath.Snapshot s) {
        s.backends().forEach((id, key) -> {
            backendIds.put(key, id);
            backendState.put(id, new Backend(key, false, null));
            usedBackendIds.set(id);
            unreferenced.add(id); // an orphan unless an adopted frontend names it
        });
        s.revNats().forEach((idx, key) -> {
            revNats.put(key, idx);
            usedRevNats.set(idx);
        });
        s.services().forEach((slot, e) -> {
            if (slot.scope() != LbDatapath.SCOPE_ANY) return;
            Frontend.Key k = slot.frontend();
            Programmed p = new Programmed(null, null, e.revNatIndex(), slots(s, k, LbDatapath.SCOPE_ANY, e.count()),
                    external(s, k));
            programmed.put(k, p);
            reference(p, 1);
        });
        log.info("Adopted {} frontends, {} backends, {} reverse-NAT entries from the datapath", programmed.size(),
                backendIds.size(), revNats.size());
    }

    private static List<Integer> slots(LbDatapath.Snapshot s, Frontend.Key k, int scope, int count) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Integer id = s.backendSlots().get(new Slot(k, scope, i));
            ids.add(id == null ? 0 : id);
        }
        return ids;
    }

    private static List<Integer> external(LbDatapath.Snapshot s, Frontend.Key k) {
        ServiceEntry e = s.services().get(new Slot(k, LbDatapath.SCOPE_EXTERNAL, 0));
        return e == null ? null : slots(s, k, LbDatapath.SCOPE_EXTERNAL, e.count());
    }

    /** Makes the datapath hold exactly {@code frontends} for {@code service} (namespace/name). */
    public void apply(String service, List<Frontend> frontends) {
        Set<Frontend.Key> wanted = new HashSet<>();
        for (Frontend f : frontends) {
            Programmed p = programmed.get(f.key());
            if (p != null && p.service() != null && !p.service().equals(service)) {
                problems.accept(new ServiceTranslator.Problem("Service " + service, f.kind() == Frontend.Kind.NODE_PORT
                        ? "spec.ports.nodePort" : "frontend", "frontend_conflict", f.key() + " is already served for "
                        + p.service() + "; skipped"));
                continue;
            }
            if (program(service, f)) wanted.add(f.key());
            else if (p != null && service.equals(p.service())) wanted.add(f.key()); // kept as it was
        }
        Set<Frontend.Key> had = byService.getOrDefault(service, Set.of());
        for (Frontend.Key k : had) {
            if (!wanted.contains(k)) unprogram(k);
        }
        if (wanted.isEmpty()) byService.remove(service);
        else byService.put(service, wanted);
        releaseUnused();
    }

    /** Removes every frontend of {@code service}. */
    public void remove(String service) {
        apply(service, List.of());
    }

    /** After the first full sync: frontends adopted from an earlier run that no Service claims any more. */
    public int removeUnclaimed() {
        List<Frontend.Key> stale = programmed.entrySet().stream().filter(e -> e.getValue().service() == null)
                .map(Map.Entry::getKey).toList();
        stale.forEach(this::unprogram);
        releaseUnused();
        return stale.size();
    }

    /** Writes one frontend in the safe order. False when a write failed (reported; the old entry stays). */
    private boolean program(String service, Frontend f) {
        Programmed old = programmed.get(f.key());
        try {
            List<Integer> any = backendIds(f.backends());
            List<Integer> ext = f.local() ? backendIds(f.localBackends()) : null;
            int revNat = revNat(f.key());
            int flags = flags(f);
            writeScope(f.key(), LbDatapath.SCOPE_ANY, any, old == null ? null : old.any(),
                    new ServiceEntry(any.size(), revNat, flags, f.affinityTimeout()));
            if (ext != null) {
                writeScope(f.key(), LbDatapath.SCOPE_EXTERNAL, ext, old == null ? null : old.external(),
                        new ServiceEntry(ext.size(), revNat, flags, f.affinityTimeout()));
            } else if (old != null && old.external() != null) {
                deleteScope(f.key(), LbDatapath.SCOPE_EXTERNAL, old.external().size());
            }
            Programmed now = new Programmed(service, f, revNat, any, ext);
            reference(now, 1);
            if (old != null) reference(old, -1);
            programmed.put(f.key(), now);
            return true;
        } catch (RuntimeException e) {
            problems.accept(new ServiceTranslator.Problem("Service " + service, f.key().toString(), "datapath_write_failed",
                    "not written to the datapath, previous entry kept: " + e.getMessage()));
            return false;
        }
    }

    private void writeScope(Frontend.Key k, int scope, List<Integer> ids, List<Integer> old, ServiceEntry e) {
        for (int i = 0; i < ids.size(); i++) {
            if (old == null || i >= old.size() || !old.get(i).equals(ids.get(i))) {
                dp.putBackendSlot(new Slot(k, scope, i + 1), ids.get(i));
            }
        }
        dp.putService(new Slot(k, scope, 0), e);
        if (old != null) {
            for (int i = ids.size(); i < old.size(); i++) dp.deleteSlot(new Slot(k, scope, i + 1));
        }
    }

    private void deleteScope(Frontend.Key k, int scope, int count) {
        dp.deleteSlot(new Slot(k, scope, 0));
        for (int i = 1; i <= count; i++) dp.deleteSlot(new Slot(k, scope, i));
    }

    private void unprogram(Frontend.Key k) {
        Programmed p = programmed.get(k);
        if (p == null) return;
        try {
            deleteScope(k, LbDatapath.SCOPE_ANY, p.any().size());
            if (p.external() != null) deleteScope(k, LbDatapath.SCOPE_EXTERNAL, p.external().size());
            dp.deleteRevNat(p.revNat());
        } catch (RuntimeException e) {
            log.warn("Removing frontend {} ({}) from the datapath failed: {}", k, p.service(), e.getMessage());
        }
        programmed.remove(k);
        reference(p, -1);
        revNats.remove(k);
        usedRevNats.clear(p.revNat());
    }

    private int revNat(Frontend.Key k) {
        Integer idx = revNats.get(k);
        if (idx != null) return idx;
        int n = freeId(usedRevNats, "reverse-NAT indexes");
        dp.putRevNat(n, k);
        usedRevNats.set(n);
        revNats.put(k, n);
        return n;
    }

    private List<Integer> backendIds(List<Backend> backends) {
        List<Integer> ids = new ArrayList<>(backends.size());
        for (Backend b : backends) {
            Integer id = backendIds.get(b.key());
            if (id == null) {
                id = freeId(usedBackendIds, "backend ids");
                dp.putBackend(id, b);
                usedBackendIds.set(id);
                backendIds.put(b.key(), id);
                backendState.put(id, b);
                unreferenced.add(id); // until a frontend that uses it is written

            } else if (backendState.get(id).terminating() != b.terminating()) {
                dp.putBackend(id, b);
                backendState.put(id, b);
            }
            ids.add(id);
        }
        return ids;
    }

    private static int freeId(BitSet used, String what) {
        int n = used.nextClearBit(1);
        if (n > MAX_ID) throw new IllegalStateException("all " + MAX_ID + " " + what + " are in use");
        return n;
    }

    /** Adds {@code delta} to the count of every backend id the frontend's slots name. */
    private void reference(Programmed p, int delta) {
        count(p.any(), delta);
        if (p.external() != null) count(p.external(), delta);
    }

    private void count(List<Integer> ids, int delta) {
        for (int id : ids) {
            int n = references.merge(id, delta, Integer::sum);
            if (n <= 0) {
                references.remove(id);
                unreferenced.add(id);
            }
        }
    }

    /**
     * Deletes the backends no programmed frontend names any more. Only ids whose count reached zero since the last
     * call are looked at: a Service change costs what it touched, not what the whole table holds.
     */
    private void releaseUnused() {
        for (int id : unreferenced) {
            if (references.containsKey(id)) continue; // named again since
            Backend b = backendState.remove(id);
            if (b == null) continue;
            backendIds.remove(b.key());
            usedBackendIds.clear(id);
            try {
                dp.deleteBackend(id);
            } catch (RuntimeException e) {
                log.warn("Removing backend {} ({}) from the datapath failed: {}", id, b.key(), e.getMessage());
            }
        }
        unreferenced.clear();
    }

    static int flags(Frontend f) {
        int flags = switch (f.kind()) {
            case CLUSTER_IP -> LbDatapath.F_CLUSTER_IP;
            case NODE_PORT -> LbDatapath.F_NODE_PORT;
            case EXTERNAL_IP -> LbDatapath.F_EXTERNAL_IP;
        };
        if (f.affinityTimeout() > 0) flags |= LbDatapath.F_AFFINITY;
        if (f.local()) flags |= LbDatapath.F_LOCAL;
        return flags;
    }

    /** Frontends programmed now. */
    public int frontendCount() {
        return programmed.size();
    }

    /** Distinct backends programmed now. */
    public int backendCount() {
        return backendIds.size();
    }

    /** Services with at least one programmed frontend. */
    public int serviceCount() {
        return byService.size();
    }

    /** The programmed frontends, for status and tests. */
    public List<Frontend> frontends() {
        return programmed.values().stream().map(Programmed::frontend).filter(Objects::nonNull).toList();
    }
}
