package io.twill.operator.ipam;

import io.twill.types.Ipv4Prefix;
import java.util.List;
import java.util.Optional;

/**
 * Hands out node pod CIDRs of one size from a set of pool prefixes. Pure Java, no Kubernetes, not thread-safe:
 * one owner (the IPAM controller's worker thread) calls it. Every operation is O(log n) in the number of
 * free ranges.
 */
public interface PodCidrAllocator {

    /** The size of every CIDR handed out ({@code clusterPoolIPv4MaskSize}). */
    int maskSize();

    /** The next free CIDR, now marked used; empty when every pool is full. */
    Optional<Ipv4Prefix> allocate();

    /** Marks a CIDR that an existing object already holds (restart, adoption) as used. */
    Occupancy occupy(Ipv4Prefix cidr);

    /** Frees a used CIDR; false when it was not allocated (or is not a pool block). */
    boolean release(Ipv4Prefix cidr);

    boolean isAllocated(Ipv4Prefix cidr);

    /** Per pool prefix, in configured order. */
    List<PoolUsage> usage();

    /** Result of {@link #occupy}. */
    enum Occupancy {
        /** It was free and is now used. */
        OCCUPIED,
        /** Someone already holds it. */
        IN_USE,
        /** It lies in none of the pool prefixes. */
        OUT_OF_POOL,
        /** Its prefix length is not {@link #maskSize()}. */
        WRONG_SIZE
    }

    /** Usage of one pool prefix, counted in node CIDRs. */
    record PoolUsage(Ipv4Prefix pool, long size, long used) {
        public long free() {
            return size - used;
        }
    }
}
