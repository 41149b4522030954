package io.twill.agent.datapath;

import io.twill.agent.config.Ipv4Cidr;
import io.twill.agent.k8s.TunnelTable;
import io.twill.maps.Ipv4Prefix;
import io.twill.maps.MapEntry;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;
import io.twill.maps.tunnel.TunnelMap;

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

    static Ipv4Prefix prefix(Ipv4Cidr c) {
        return new Ipv4Prefix(c.networkAddress(), c.prefixLength());
    }

    @Override
    public String name() {
        return TunnelMap.MAP_NAME;
    }

    @Override
    public void put(Ipv4Cidr cidr, Inet4Address nodeIp) {
        map.put(prefix(cidr), nodeIp);
    }

    @Override
    public boolean remove(Ipv4Cidr cidr) {
        return map.delete(prefix(cidr));
    }

    @Override
    public Map<Ipv4Cidr, Inet4Address> entries() {
        Map<Ipv4Cidr, Inet4Address> out = new LinkedHashMap<>();
        for (MapEntry<TunnelKey, TunnelInfo> e : map.entries()) {
            Ipv4Prefix p = e.key().cidr();
            out.put(new Ipv4Cidr(Ipv4Cidr.toInt(p.address()), p.length()), e.value().nodeIp());
        }
        return out;
    }
}
