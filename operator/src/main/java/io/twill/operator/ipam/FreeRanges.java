package io.twill.operator.ipam;

import java.util.Map;
import java.util.TreeMap;

/**
 * The free block indexes {@code [0, size)} of one pool prefix as disjoint, non-adjacent half-open ranges in a
 * sorted map (start → end). Memory grows with fragmentation, not with pool size, so a /8 split into /28s costs
 * one entry until it is used. Take/put/contains are O(log n).
 */
final class FreeRanges {

    private final TreeMap<Long, Long> ranges = new TreeMap<>();
    private final long size;
    private long free;

    FreeRanges(long size) {
        this.size = size;
        this.free = size;
        if (size > 0) {
            ranges.put(0L, size);
        }
    }

    long size() {
        return size;
    }

    long free() {
        return free;
    }

    boolean isFree(long index) {
        Map.Entry<Long, Long> e = ranges.floorEntry(index);
        return e != null && index < e.getValue();
    }

    /** Takes the first free index at or after {@code from}, wrapping around; -1 when none is free. */
    long takeFrom(long from) {
        if (free == 0) {
            return -1;
        }
        long start = from >= size ? 0 : from;
        Map.Entry<Long, Long> e = ranges.floorEntry(start);
        long index;
        if (e != null && start < e.getValue()) {
            index = start;
        } else {
            Map.Entry<Long, Long> next = ranges.ceilingEntry(start);
            index = next != null ? next.getKey() : ranges.firstKey();
        }
        take(index);
        return index;
    }

    /** Marks {@code index} used; false when it already was. */
    boolean take(long index) {
        Map.Entry<Long, Long> e = ranges.floorEntry(index);
        if (e == null || index >= e.getValue()) {
            return false;
        }
        long start = e.getKey();
        long end = e.getValue();
        ranges.remove(start);
        if (start < index) {
            ranges.put(start, index);
        }
        if (index + 1 < end) {
            ranges.put(index + 1, end);
        }
        free--;
        return true;
    }

    /** Marks {@code index} free again; false when it already was free. */
    boolean put(long index) {
        if (index < 0 || index >= size || isFree(index)) {
            return false;
        }
        long start = index;
        long end = index + 1;
        Map.Entry<Long, Long> before = ranges.floorEntry(index);
        if (before != null && before.getValue() == index) {
            start = before.getKey();
            ranges.remove(before.getKey());
        }
        Long afterEnd = ranges.remove(index + 1);
        if (afterEnd != null) {
            end = afterEnd;
        }
        ranges.put(start, end);
        free++;
        return true;
    }

    /** Number of disjoint free ranges (fragmentation), for tests. */
    int rangeCount() {
        return ranges.size();
    }
}
