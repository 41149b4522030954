package io.twill.maps.tunnel;

import io.twill.bpf.BpfMap;
import io.twill.bpf.UpdateFlag;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.maps.Struct;
import io.twill.maps.TypedMap;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code twill_tunnel}: pod CIDR to owning node (LPM trie, pinned by name). The agent keeps it equal to the cluster's
 * node CIDRs, this node's own included (pointing at this node's IP, which the datapath reads as "local, but no such
 * pod"). The datapath drops what falls in the cluster CIDR but in no entry.
 */
public final class TunnelMap extends TypedMap<TunnelKey, TunnelInfo> {
    public static final String MAP_NAME = "twill_tunnel";
    static final Struct<TunnelKey> KEY = new Struct<>(TunnelKey.LAYOUT, TunnelKey::read, TunnelKey::write);
    static final Struct<TunnelInfo> VALUE = new Struct<>(TunnelInfo.LAYOUT, TunnelInfo::read, TunnelInfo::write);

    private TunnelMap(BpfMap map) {
        super(map, KEY, VALUE);
    }

    public static TunnelMap of(BpfMap map) {
        return new TunnelMap(map);
    }

    /** Opens {@code <pinRoot>/twill_tunnel}. */
    public static TunnelMap openPinned(Path pinRoot) {
        BpfMap m = BpfMap.openPinned(pinRoot.resolve(MAP_NAME));
        try {
            return new TunnelMap(m);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Creates or moves the CIDR to {@code nodeIp}. */
    public void put(Ipv4Prefix cidr, Inet4Address nodeIp) {
        update(new TunnelKey(cidr), new TunnelInfo(nodeIp), UpdateFlag.ANY);
    }

    public Optional<TunnelInfo> lookup(Ipv4Prefix cidr) {
        return lookup(new TunnelKey(cidr));
    }

    /** The longest-prefix match for one address, as the datapath would find it. */
    public Optional<TunnelInfo> match(Inet4Address addr) {
        return lookup(new TunnelKey(new Ipv4Prefix(addr, 32)));
    }

    public boolean delete(Ipv4Prefix cidr) {
        return delete(new TunnelKey(cidr));
    }

    /** Null when the datapath can use this entry, else why not. */
    public static String problem(TunnelKey k, TunnelInfo v) {
        if (k.cidr().length() == 0) return "a /0 would claim every address for one node";
        if (!Ipv4.isUnicast(v.nodeIp())) return "node " + v.nodeIp().getHostAddress() + " is not a unicast address";
        return null;
    }

    @Override
    protected void validate(TunnelKey k, TunnelInfo v) {
        String problem = problem(k, v);
        if (problem != null) throw refuse(k, problem);
    }
}
