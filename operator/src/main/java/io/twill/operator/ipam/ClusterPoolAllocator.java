package io.twill.operator.ipam;

import io.twill.types.Ipv4Prefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cluster-pool IPAM: carves each prefix of {@code clusterPoolIPv4PodCIDRList} into /{@code clusterPoolIPv4MaskSize}
 * node CIDRs. Pools are used in the order given; inside a pool allocation is next-fit (it continues after the last
 * CIDR handed out and wraps), so a CIDR that was just released is not reused at once while other nodes may still
 * route to the old owner.
 */
public final class ClusterPoolAllocator implements PodCidrAllocator {

    /** A node CIDR must leave room for pod addresses besides network/broadcast. */
    public static final int MAX_MASK_SIZE = 30;

    private final List<Ipv4Prefix> pools;
    private final List<FreeRanges> free;
    private final long[] cursor;
    private final int maskSize;

    /**
     * @throws IllegalArgumentException naming the offending pool when the list is empty, pools overlap, or the mask
     *                                  size is smaller than a pool's prefix or larger than {@link #MAX_MASK_SIZE}
     */
    public ClusterPoolAllocator(List<Ipv4Prefix> pools, int maskSize) {
        validate(pools, maskSize);
        this.pools = List.copyOf(pools);
        this.maskSize = maskSize;
        this.free = new ArrayList<>(pools.size());
        for (Ipv4Prefix p : pools) {
            free.add(new FreeRanges(p.subnetCount(maskSize)));
        }
        this.cursor = new long[pools.size()];
    }

    /** The checks of the constructor, usable from configuration validation. */
    public static void validate(List<Ipv4Prefix> pools, int maskSize) {
        if (pools == null || pools.isEmpty()) {
            throw new IllegalArgumentException("clusterPoolIPv4PodCIDRList is empty; give at least one IPv4 CIDR");
        }
        if (maskSize < 1 || maskSize > MAX_MASK_SIZE) {
            throw new IllegalArgumentException("clusterPoolIPv4MaskSize " + maskSize + " is outside 1.." + MAX_MASK_SIZE
                    + " (a node CIDR needs room for pod addresses)");
        }
        for (int i = 0; i < pools.size(); i++) {
            Ipv4Prefix p = pools.get(i);
            if (maskSize < p.length()) {
                throw new IllegalArgumentException("clusterPoolIPv4MaskSize /" + maskSize + " is larger than pool " + p
                        + " itself; use a mask size of at least /" + p.length() + " or a larger pool");
            }
            for (int j = 0; j < i; j++) {
                if (p.overlaps(pools.get(j))) {
                    throw new IllegalArgumentException("clusterPoolIPv4PodCIDRList: " + p + " overlaps " + pools.get(j));
                }
            }
        }
    }

    @Override
    public int maskSize() {
        return maskSize;
    }

    @Override
    public Optional<Ipv4Prefix> allocate() {
        for (int i = 0; i < pools.size(); i++) {
            long index = free.get(i).takeFrom(cursor[i]);
            if (index >= 0) {
                cursor[i] = index + 1;
                return Optional.of(pools.get(i).subnet(maskSize, index));
            }
        }
        return Optional.empty();
    }

    @Override
    public Occupancy occupy(Ipv4Prefix cidr) {
        if (cidr.length() != maskSize) {
            return Occupancy.WRONG_SIZE;
        }
        int pool = poolOf(cidr);
        if (pool < 0) {
            return Occupancy.OUT_OF_POOL;
        }
        return free.get(pool).take(pools.get(pool).indexOf(cidr)) ? Occupancy.OCCUPIED : Occupancy.IN_USE;
    }

    @Override
    public boolean release(Ipv4Prefix cidr) {
        int pool = cidr.length() == maskSize ? poolOf(cidr) : -1;
        return pool >= 0 && free.get(pool).put(pools.get(pool).indexOf(cidr));
    }

    @Override
    public boolean isAllocated(Ipv4Prefix cidr) {
        int pool = cidr.length() == maskSize ? poolOf(cidr) : -1;
        return pool >= 0 && !free.get(pool).isFree(pools.get(pool).indexOf(cidr));
    }

    @Override
    public List<PoolUsage> usage() {
        List<PoolUsage> out = new ArrayList<>(pools.size());
        for (int i = 0; i < pools.size(); i++) {
            FreeRanges f = free.get(i);
            out.add(new PoolUsage(pools.get(i), f.size(), f.size() - f.free()));
        }
        return out;
    }

    /** Index of the pool holding {@code cidr}, or -1. Pools are few (a handful), so a scan is fine. */
    private int poolOf(Ipv4Prefix cidr) {
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i).contains(cidr)) {
                return i;
            }
        }
        return -1;
    }
}
