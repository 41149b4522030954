package io.twill.agent.datapath;

import io.twill.agent.k8s.NativeRoutes;
import io.twill.netlink.Route;
import io.twill.netlink.RtNetlink;

import io.twill.types.Ipv4Prefix;
import java.net.Inet4Address;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Native-routing mode's kernel routes, {@code <pod CIDR> via <node IP>} in the node's main table, marked with
 * {@link NetlinkEndpointNetwork#ROUTE_PROTOCOL} so {@link #entries()} returns Twill's routes and nothing else. The
 * per-endpoint /32 host routes carry the same protocol but a device and no gateway, and the overlay's route into
 * {@link HostPath} goes via its link-local gateway, so neither is counted here.
 */
public final class NetlinkNativeRoutes implements NativeRoutes {
    private final RtNetlink node;

    public NetlinkNativeRoutes(RtNetlink node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    private static Route route(Ipv4Prefix cidr, Inet4Address via) {
        Route.Builder b = Route.to(cidr)
                .protocol(NetlinkEndpointNetwork.ROUTE_PROTOCOL);
        return (via == null ? b : b.via(via)).build();
    }

    @Override
    public String name() {
        return "routes";
    }

    @Override
    public void put(Ipv4Prefix cidr, Inet4Address nodeIp) {
        node.replaceRoute(route(cidr, nodeIp));
    }

    @Override
    public boolean remove(Ipv4Prefix cidr) {
        return node.deleteRoute(route(cidr, null));
    }

    @Override
    public Map<Ipv4Prefix, Inet4Address> entries() {
        Map<Ipv4Prefix, Inet4Address> out = new LinkedHashMap<>();
        for (Route r : node.routes()) {
            if (r.protocol() != NetlinkEndpointNetwork.ROUTE_PROTOCOL || r.gateway() == null) continue;
            if (r.gateway().equals(HostPath.GATEWAY)) continue; // overlay mode's route into twill_host, not a peer
            out.put(r.dst(), r.gateway());
        }
        return out;
    }
}
