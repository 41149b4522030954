package io.twill.agent.datapath;

import io.twill.agent.endpoint.Endpoint;
import io.twill.agent.endpoint.EndpointNetwork;
import io.twill.agent.endpoint.InterfaceNameTakenException;
import io.twill.agent.endpoint.LxcNames;
import io.twill.agent.endpoint.NetnsGoneException;
import io.twill.netlink.Address;
import io.twill.netlink.Link;
import io.twill.netlink.Neighbour;
import io.twill.netlink.NetlinkException;
import io.twill.netlink.Route;
import io.twill.netlink.RtNetlink;
import io.twill.netlink.VethSpec;

import io.twill.types.Errno;
import io.twill.types.Ipv4Prefix;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link EndpointNetwork} over rtnetlink: one long-lived socket in the node's namespace, and per ADD one socket
 * opened in the pod's namespace (the pair is created in a single request with the peer placed directly there). Cost
 * of ADD here: one RTM_NEWLINK and one RTM_GETLINK on the node socket, a socket in the pod (a short-lived thread that
 * enters the namespace), five requests on it, and one route on the node socket.
 */
public final class NetlinkEndpointNetwork implements EndpointNetwork {
    /** rtm_protocol of the routes Twill adds (116, 't'): lets Twill and people tell them apart ({@code ip route show proto 116}). */
    public static final int ROUTE_PROTOCOL = 116;

    private final RtNetlink node;

    /** @param node a socket in the node's namespace, owned by the caller */
    public NetlinkEndpointNetwork(RtNetlink node) {
        this.node = Objects.requireNonNull(node, "node");
    }

    @Override
    public Veth createVeth(VethPlan ep) {
        if (ep.netns() == null || !Files.exists(ep.netns())) throw new NetnsGoneException(ep.netns(), null);
        VethSpec spec = VethSpec.of(ep.hostIfname(), ep.key().ifname(), ep.netns()).withMtu(ep.mtu())
                .withMac(ep.hostMac()).withPeerMac(ep.podMac()).withUp(true, false);
        Link host;
        try {
            host = node.createVeth(spec);
        } catch (NetlinkException e) {
            if (e.is(Errno.EEXIST)) {
                boolean onNode = node.link(ep.hostIfname()).isPresent();
                throw new InterfaceNameTakenException(onNode
                        ? "device " + ep.hostIfname() + " already exists on the node (a leftover of container " + ep.key().containerId() + "?)"
                        : "interface " + ep.key().ifname() + " already exists in " + ep.netns(), !onNode, e);
            }
            if (e.is(Errno.ENOENT) && !Files.exists(ep.netns())) throw new NetnsGoneException(ep.netns(), e);
            throw e;
        }
        return new Veth(host.index(), host.peerIndex());
    }

    @Override
    public void configurePod(Endpoint ep) {
        int eth = ep.podIfindex();
        try (RtNetlink pod = openPod(ep)) {
            pod.setUp(eth);
            pod.addAddress(Address.of(eth, ep.ip(), 32));
            pod.addRoute(gatewayRoute(ep));
            pod.addRoute(defaultRoute(ep));
            pod.addNeighbour(Neighbour.permanent(eth, ep.gateway(), ep.hostMac()));
        }
    }

    private static RtNetlink openPod(Endpoint ep) {
        try {
            return RtNetlink.openIn(ep.netns());
        } catch (NetlinkException e) {
            if (!Files.exists(ep.netns())) throw new NetnsGoneException(ep.netns(), e);
            throw e;
        }
    }

    private static Route gatewayRoute(Endpoint ep) {
        return Route.to(Ipv4Prefix.host(ep.gateway())).dev(ep.podIfindex()).protocol(ROUTE_PROTOCOL).build();
    }

    private static Route defaultRoute(Endpoint ep) {
        return Route.to(Ipv4Prefix.DEFAULT).via(ep.gateway()).dev(ep.podIfindex()).onlink().mtu(ep.routeMtu())
                .protocol(ROUTE_PROTOCOL).build();
    }

    private static Route hostRoute(Endpoint ep) {
        return Route.to(Ipv4Prefix.host(ep.ip())).dev(ep.hostIfindex()).protocol(ROUTE_PROTOCOL).build();
    }

    @Override
    public void configureHost(Endpoint ep) {
        // The host end came up in the create request; only the route to the pod is left.
        node.replaceRoute(hostRoute(ep));
    }

    @Override
    public boolean deleteVeth(String hostIfname) {
        return node.deleteLink(hostIfname);
    }

    @Override
    public List<String> verify(Endpoint ep) {
        List<String> p = new ArrayList<>();
        Optional<Link> host = node.link(ep.hostIfname());
        if (host.isEmpty()) {
            p.add("host device " + ep.hostIfname() + " is missing");
        } else {
            Link h = host.get();
            if (h.index() != ep.hostIfindex()) p.add(ep.hostIfname() + " has ifindex " + h.index() + ", not " + ep.hostIfindex());
            if (!h.up()) p.add(ep.hostIfname() + " is down");
            if (!ep.hostMac().equals(h.mac())) p.add(ep.hostIfname() + " has MAC " + h.mac() + ", not " + ep.hostMac());
            if (node.routes().stream().noneMatch(r -> r.dst().equals(Ipv4Prefix.host(ep.ip())) && r.oif() == h.index())) {
                p.add("host route " + ep.ip().getHostAddress() + "/32 dev " + ep.hostIfname() + " is missing");
            }
        }
        if (ep.netns() == null || !Files.exists(ep.netns())) {
            p.add("network namespace " + ep.netns() + " is gone");
            return p;
        }
        try (RtNetlink pod = RtNetlink.openIn(ep.netns())) {
            Optional<Link> eth = pod.link(ep.key().ifname());
            if (eth.isEmpty()) {
                p.add("interface " + ep.key().ifname() + " is missing in " + ep.netns());
                return p;
            }
            Link e = eth.get();
            if (!e.up()) p.add(e.name() + " is down in the pod");
            if (!ep.podMac().equals(e.mac())) p.add(e.name() + " has MAC " + e.mac() + ", not " + ep.podMac());
            if (e.mtu() != ep.mtu()) p.add(e.name() + " has MTU " + e.mtu() + ", not " + ep.mtu());
            if (pod.addresses(e.index()).stream().noneMatch(a -> a.address().equals(ep.ip()) && a.prefixLength() == 32)) {
                p.add(e.name() + " lacks address " + ep.ip().getHostAddress() + "/32");
            }
            List<Route> routes = pod.routes();
            if (routes.stream().noneMatch(r -> r.dst().equals(Ipv4Prefix.host(ep.gateway())) && r.oif() == e.index())) {
                p.add("pod route to the gateway " + ep.gateway().getHostAddress() + " is missing");
            }
            if (routes.stream().noneMatch(r -> r.dst().length() == 0 && ep.gateway().equals(r.gateway()) && r.mtu() == ep.routeMtu())) {
                p.add("pod default route via " + ep.gateway().getHostAddress() + " mtu " + ep.routeMtu() + " is missing");
            }
            if (pod.neighbours(e.index()).stream().noneMatch(n -> n.address().equals(ep.gateway()) && ep.hostMac().equals(n.mac()))) {
                p.add("pod neighbour " + ep.gateway().getHostAddress() + " -> " + ep.hostMac() + " is missing");
            }
        }
        return p;
    }

    @Override
    public Map<String, Integer> lxcDevices() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Link l : node.links()) {
            if (LxcNames.isLxc(l.name()) && l.isVeth()) out.put(l.name(), l.index());
        }
        return out;
    }
}
