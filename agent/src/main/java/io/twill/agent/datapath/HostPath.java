package io.twill.agent.datapath;

import io.twill.netlink.Link;
import io.twill.netlink.Neighbour;
import io.twill.netlink.Route;
import io.twill.netlink.RtNetlink;
import io.twill.netlink.Sysctl;
import io.twill.netlink.VethSpec;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.util.Optional;

/**
 * How the node itself reaches pods on other nodes in overlay mode. The kernel cannot send into an external VXLAN
 * device without tunnel metadata, so host traffic to the cluster CIDR is routed into a veth pair of the node
 * ({@code twill_host} → {@code twill_net}) and {@code bpf_lxc} on {@code twill_net}'s ingress treats it as it treats
 * a pod's: it looks the destination up in {@code twill_tunnel} and encapsulates. For its source check the node IP is
 * an endpoint behind {@code twill_net} flagged HOST (so packets to the node IP still go to the stack). Local pods keep
 * their more specific /32 routes on their lxc devices. Replies come back over the underlay (the remote pod answers
 * the node IP through its node's stack), so the uplink's rp_filter is relaxed to loose if it was strict.
 */
public final class HostPath {
    private static final Logger log = LoggerFactory.getLogger(HostPath.class);
    public static final String HOST_DEV = "twill_host", NET_DEV = "twill_net";
    /** A link-local next hop on twill_host whose neighbour entry is twill_net's MAC: one entry for the whole CIDR. */
    public static final Inet4Address GATEWAY = Ipv4.parse("169.254.77.1");

    /** The pair as it is now. */
    public record Devices(Link host, Link net) {}

    private HostPath() {}

    /** Creates (or adopts) the pair, both up with the device MTU, and routes {@code cluster} into it. */
    public static Devices ensure(RtNetlink node, NodeNamespace ns, Ipv4Prefix cluster, Inet4Address nodeIp, String uplink,
                                 int mtu, int routeMtu) {
        Optional<Link> h = node.link(HOST_DEV);
        Optional<Link> n = node.link(NET_DEV);
        boolean reuse = h.isPresent() && n.isPresent() && h.get().isVeth() && h.get().peerIndex() == n.get().index();
        if (!reuse) {
            h.ifPresent(l -> node.deleteLink(l.index()));
            n.ifPresent(l -> node.deleteLink(l.index()));
            node.createVeth(VethSpec.of(HOST_DEV, NET_DEV, null).withMtu(mtu).withMac(MacAddress.randomLocal())
                    .withPeerMac(MacAddress.randomLocal()).withUp(true));
        }
        Link host = node.requireLink(HOST_DEV), net = node.requireLink(NET_DEV);
        for (Link l : new Link[]{host, net}) {
            if (l.mtu() != mtu) node.setMtu(l.index(), mtu);
            if (!l.up()) node.setUp(l.index());
        }
        ns.run(() -> {
            Sysctl.write("net/ipv4/conf/" + NET_DEV + "/rp_filter", "0");
            Sysctl.write("net/ipv4/conf/" + HOST_DEV + "/rp_filter", "0");
            // Replies from remote pods arrive natively on the uplink, from an address routed via twill_host.
            String key = "net/ipv4/conf/" + uplink + "/rp_filter";
            if (Sysctl.read(key).map(String::strip).filter("1"::equals).isPresent()) {
                Sysctl.write(key, "2");
                log.info("Set {} to 2 (loose): replies of remote pods to the node come over {}", key.replace('/', '.'), uplink);
            }
        });
        node.replaceNeighbour(Neighbour.permanent(host.index(), GATEWAY, net.mac()));
        node.replaceRoute(Route.to(cluster).via(GATEWAY)
                .dev(host.index()).onlink().src(nodeIp).mtu(routeMtu).protocol(NetlinkEndpointNetwork.ROUTE_PROTOCOL).build());
        host = node.requireLink(HOST_DEV);
        net = node.requireLink(NET_DEV);
        log.info("{} {}: the node reaches pods of other nodes via {} ({}), route MTU {}", reuse ? "Adopted" : "Created",
                HOST_DEV + "/" + NET_DEV, cluster, HOST_DEV, routeMtu);
        return new Devices(host, net);
    }
}
