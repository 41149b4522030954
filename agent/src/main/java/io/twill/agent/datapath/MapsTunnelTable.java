package io.twill.agent.datapath;

import io.twill.agent.k8s.TunnelTable;
import io.twill.maps.MapEntry;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;
import io.twill.maps.tunnel.TunnelMap;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** {@link TunnelTable} on {@code twill_tunnel}: pod CIDR → node underlay IPv4. */
public final class MapsTunnelTable implements TunnelTable {
    private final TunnelMap map;

    public MapsTunnelTable(TunnelMap map) {
        this.map = Objects.requireNonNull(map, "map");
    }

    static Ipv4Prefix prefix(Ipv4Prefix c) {
        return c;
    }

    @Override
    public String name() {
        return TunnelMap.MAP_NAME;
    }

    @Override
    public void put(Ipv4Prefix cidr, Inet4Address nodeIp) {
        map.put(prefix(cidr), nodeIp);
    }

    @Override
    public boolean remove(Ipv4Prefix cidr) {
        return map.delete(prefix(cidr));
    }

    @Override
    public Map<Ipv4Prefix, Inet4Address> entries() {
        Map<Ipv4Prefix, Inet4Address> out = new LinkedHashMap<>();
        for (MapEntry<TunnelKey, TunnelInfo> e : map.entries()) {
            Ipv4Prefix p = e.key().cidr();
            out.put(new Ipv4Prefix(Ipv4.toInt(p.address()), p.length()), e.value().nodeIp());
        }
        return out;
    }
}
