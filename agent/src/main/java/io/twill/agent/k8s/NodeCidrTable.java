package io.twill.agent.k8s;

import io.twill.types.Ipv4Prefix;
import java.net.Inet4Address;
import java.util.Map;

/**
 * A table "pod CIDR → node IP" that the {@link NodeWatcher} keeps equal to the cluster's TwillNodes. Two kinds exist:
 * {@link TunnelTable} (the {@code twill_tunnel} BPF map) and {@link NativeRoutes} (kernel routes in native-routing
 * mode). Calls come from one thread at a time (the watcher's), so implementations need not be thread-safe, but they
 * must be idempotent: {@code put} of an existing entry replaces it, {@code remove} of a missing one returns false.
 * Failures are unchecked exceptions naming the operation and the entry; the watcher logs them and retries in the
 * next resync.
 */
public interface NodeCidrTable {

    /** Short name for logs ("twill_tunnel", "routes"). */
    String name();

    /** Adds or replaces the entry for {@code cidr}. */
    void put(Ipv4Prefix cidr, Inet4Address nodeIp);

    /** Removes the entry for {@code cidr}; false if there was none. */
    boolean remove(Ipv4Prefix cidr);

    /**
     * Everything this table holds that Twill manages. A resync removes whatever is here and not in the cluster, so a
     * table that shares its storage with others (the kernel routing table) must return only Twill's own entries.
     */
    Map<Ipv4Prefix, Inet4Address> entries();
}
