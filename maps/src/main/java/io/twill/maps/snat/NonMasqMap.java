package io.twill.maps.snat;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.maps.MapEntry;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * {@code twill_nonmasq}: destinations pods reach with their own address (LPM trie, pinned by name), as ip-masq-agent's
 * nonMasqueradeCIDRs. The cluster's pod CIDR is never masqueraded and needs no entry here.
 */
public final class NonMasqMap extends TypedMap<NonMasqKey, NonMasqInfo> {
    public static final String MAP_NAME = "twill_nonmasq";
    static final Struct<NonMasqKey> KEY = new Struct<>(NonMasqKey.LAYOUT, NonMasqKey::read, NonMasqKey::write);
    static final Struct<NonMasqInfo> VALUE = new Struct<>(NonMasqInfo.LAYOUT, NonMasqInfo::read, NonMasqInfo::write);

    private NonMasqMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static NonMasqMap of(BpfMap map) {
        return new NonMasqMap(map);
    }

    /** Opens {@code <pinRoot>/twill_nonmasq}. */
    public static NonMasqMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new NonMasqMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Adds {@code cidr} (idempotent). */
    public void put(Ipv4Prefix cidr) {
        update(new NonMasqKey(cidr), NonMasqInfo.NONE, UpdateFlag.ANY);
    }

    /** Removes {@code cidr}; false when it was not there. */
    public boolean delete(Ipv4Prefix cidr) {
        return delete(new NonMasqKey(cidr));
    }

    /** Every network in the map, by address then length. */
    public List<Ipv4Prefix> prefixes() {
        return entries().stream().map(MapEntry::key).map(NonMasqKey::cidr)
                .sorted(Comparator.<Ipv4Prefix>comparingLong(p -> Integer.toUnsignedLong(Ipv4.toInt(p.address())))
                        .thenComparingInt(Ipv4Prefix::length))
                .toList();
    }

    /** Whether the datapath would leave a packet to {@code addr} unmasqueraded (the longest-prefix lookup it does). */
    public boolean matches(Inet4Address addr) {
        return lookup(new NonMasqKey(new Ipv4Prefix(addr, 32))).isPresent();
    }

    @Override
    protected void validate(NonMasqKey k, NonMasqInfo v) {
        if (v.flags() != 0) throw refuse(k, "flags are reserved and must be 0, got " + v.flags());
    }
}
