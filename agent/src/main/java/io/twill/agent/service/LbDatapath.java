package io.twill.agent.service;

import java.util.Map;

/**
 * The datapath's Service maps as {@link LbTable} writes them ({@code twill_lb_services}, {@code twill_lb_backends},
 * {@code twill_lb_revnat}): an interface so the table's ordering and bookkeeping are tested without the kernel.
 * Writes throw (a full map, a kernel error); the table then leaves the frontend as it was.
 */
public interface LbDatapath {
    /** Frontend scopes (bpf-src/src/lib/lb.h): every client, or external traffic of externalTrafficPolicy: Local. */
    int SCOPE_ANY = 0, SCOPE_EXTERNAL = 1;
    /** Service flags (lb.h LB_F_*). */
    int F_CLUSTER_IP = 0x01, F_NODE_PORT = 0x02, F_EXTERNAL_IP = 0x04, F_AFFINITY = 0x08, F_LOCAL = 0x10;

    /** Slot 0 of a frontend: how many backend slots follow, its reverse-NAT index, flags, affinity timeout. */
    record ServiceEntry(int count, int revNatIndex, int flags, int affinityTimeout) {}

    /** A frontend in one scope. */
    record Slot(Frontend.Key frontend, int scope, int slot) {}

    /** What the maps hold, read back when the agent starts, so a restart adopts ids instead of rewriting. */
    record Snapshot(Map<Integer, Backend.Key> backends, Map<Integer, Frontend.Key> revNats,
                    Map<Slot, ServiceEntry> services, Map<Slot, Integer> backendSlots) {
        public static Snapshot empty() {
            return new Snapshot(Map.of(), Map.of(), Map.of(), Map.of());
        }
    }

    void putBackend(int id, Backend backend);

    void deleteBackend(int id);

    void putRevNat(int index, Frontend.Key frontend);

    void deleteRevNat(int index);

    /** Slot {@code slot} >= 1 of the frontend points at backend {@code backendId}. */
    void putBackendSlot(Slot slot, int backendId);

    /** Slot 0: the service entry itself. */
    void putService(Slot slot, ServiceEntry entry);

    /** Removes one slot (0 included). */
    void deleteSlot(Slot slot);

    Snapshot read();
}
