package io.twill.agent.ipam;

import java.net.Inet4Address;
import java.util.List;

/**
 * Persistence of allocations, so a restarted agent neither loses nor doubles an address. Each method is durable
 * when it returns (fsync'd). Implementations are thread-safe; calls for different addresses may run in parallel.
 */
public interface IpamStore {

    /** What survived the last run. {@code unreadable}: addresses whose record is damaged (owner unknown). */
    record Loaded(List<IpAllocation> allocations, List<Inet4Address> unreadable, List<String> problems) {
        public Loaded {
            allocations = List.copyOf(allocations);
            unreadable = List.copyOf(unreadable);
            problems = List.copyOf(problems);
        }
    }

    Loaded load();

    /** Records {@code allocation}, replacing any record of the same address. */
    void save(IpAllocation allocation);

    /** Forgets the address; returns false when there was no record. */
    boolean remove(Inet4Address ip);
}
