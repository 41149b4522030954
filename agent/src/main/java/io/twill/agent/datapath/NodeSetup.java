package io.twill.agent.datapath;

import io.twill.agent.config.AgentConfig;
import io.twill.netlink.Address;
import io.twill.netlink.Link;
import io.twill.netlink.NetlinkException;
import io.twill.netlink.RtNetlink;
import io.twill.netlink.Scope;
import io.twill.netlink.Sysctl;
import io.twill.netlink.VxlanInfo;
import io.twill.netlink.VxlanSpec;
import io.twill.types.RoutingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.util.Objects;
import java.util.Optional;

/**
 * The node-level kernel setup before any pod: the uplink (and from it the node IP and MTU), forwarding sysctls, and
 * in overlay mode the {@code twill_vxlan} device (external / collect_md, UDP port from the config, learning off, the
 * uplink's MTU). An existing device with the right settings is adopted as it is (a restart), one with other settings
 * is replaced.
 */
public final class NodeSetup {
    private static final Logger log = LoggerFactory.getLogger(NodeSetup.class);
    public static final String VXLAN_NAME = "twill_vxlan";

    /** What the node looks like: the uplink, its IPv4 address, the device MTU, and twill_vxlan (null in native mode). */
    public record Node(Link uplink, Inet4Address nodeIp, int mtu, Link vxlan) {
        public Node {
            Objects.requireNonNull(uplink, "uplink");
            Objects.requireNonNull(nodeIp, "nodeIp");
        }

        public int vxlanIfindex() {
            return vxlan == null ? 0 : vxlan.index();
        }
    }

    private NodeSetup() {}

    public static Node prepare(AgentConfig cfg, RtNetlink node, NodeNamespace ns) {
        AgentConfig.Network net = cfg.network();
        Link uplink = node.link(net.uplink()).orElseThrow(() -> new IllegalStateException("the uplink device "
                + net.uplink() + " does not exist in " + ns + " (set network.uplink / --uplink)"));
        if (!uplink.up()) log.warn("The uplink {} is down: pods will not reach other nodes until it is up", uplink.name());
        Inet4Address nodeIp = net.nodeAddress().orElseGet(() -> node.addresses(uplink.index()).stream()
                .filter(a -> a.scope() == Scope.UNIVERSE).map(Address::address).findFirst()
                .orElseThrow(() -> new IllegalStateException("the uplink " + uplink.name()
                        + " has no global IPv4 address to use as the node IP (set network.nodeIP / --node-ip)")));
        int mtu = net.mtu() != 0 ? net.mtu() : uplink.mtu();
        ns.run(() -> {
            Sysctl.write("net.ipv4.ip_forward", "1");
            Sysctl.write("net.ipv4.conf.all.rp_filter", "0");
        });
        Link vxlan = null;
        if (net.routingMode() == RoutingMode.OVERLAY) {
            vxlan = ensureVxlan(node, net.tunnelPort(), mtu);
            ns.run(() -> Sysctl.write("net/ipv4/conf/" + VXLAN_NAME + "/rp_filter", "0"));
        }
        Node n = new Node(uplink, nodeIp, mtu, vxlan);
        log.info("Node {}: uplink {} (ifindex {}), node IP {}, MTU {}{}", cfg.nodeName(), uplink.name(), uplink.index(),
                nodeIp.getHostAddress(), mtu, vxlan == null ? ", native routing"
                        : ", " + VXLAN_NAME + " ifindex " + vxlan.index() + " UDP " + net.tunnelPort()
                        + ", pod route MTU " + net.routeMtu(mtu));
        return n;
    }

    static Link ensureVxlan(RtNetlink node, int port, int mtu) {
        Optional<Link> existing = node.link(VXLAN_NAME);
        if (existing.isPresent()) {
            Link l = existing.get();
            VxlanInfo v = l.vxlan();
            if (l.isVxlan() && v != null && v.external() && v.dstPort() == port && !v.learning()) {
                if (l.mtu() != mtu) node.setMtu(l.index(), mtu);
                if (!l.up()) node.setUp(l.index());
                log.info("Adopted {} (ifindex {}, {})", VXLAN_NAME, l.index(), v);
                return node.link(l.index()).orElse(l);
            }
            log.warn("Replacing {} ({}): Twill needs an external VXLAN device on UDP {} without learning", VXLAN_NAME,
                    v == null ? "kind " + l.kind() : v, port);
            node.deleteLink(l.index());
        }
        try {
            return node.createVxlan(new VxlanSpec(VXLAN_NAME, 0, port, true, false, mtu, 0, null, null, true));
        } catch (NetlinkException e) {
            throw new IllegalStateException("cannot create " + VXLAN_NAME + " on UDP port " + port + ": " + e.getMessage()
                    + (e.is(98) ? " (another VXLAN device, e.g. flannel.1, holds the port: remove it or set --tunnel-port)" : ""), e);
        }
    }
}
