package io.twill.datapath;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.TestNamespace;

import io.twill.types.RoutingMode;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small cluster made of network namespaces for one test class: an underlay namespace with a bridge, nodes (each
 * with an eth0 on that bridge, a twill_vxlan and its own pin root) and pods (a veth whose host side is lxc*). Devices
 * are made with {@code ip}; the datapath is loaded, attached and filled only through {@link Datapath}.
 */
final class Fabric implements AutoCloseable {
    static final Ipv4Prefix CLUSTER = Ipv4Prefix.parse("10.200.0.0/16");
    static final String GATEWAY = "169.254.1.1";

    private final NetNsExtension netns;
    private final PinRoots pins;
    final RoutingMode mode;
    /** Load every node's datapath with trace events on (set before adding nodes). */
    boolean trace;
    /** How programs are attached (set before adding nodes). */
    io.twill.bpf.TcMode tcMode = io.twill.bpf.TcMode.AUTO;
    final TestNamespace underlay;
    final List<Node> nodes = new ArrayList<>();
    private int nextEndpointId = 1;

    final class Node {
        final int n;
        final TestNamespace ns;
        final Inet4Address ip;
        final Ipv4Prefix podCidr;
        final Path pinRoot;
        final Dev eth0, vxlan;
        final List<Pod> pods = new ArrayList<>();
        Datapath dp;

        private Node(int n) {
            this.n = n;
            this.ns = netns.create("n" + n);
            this.ip = Ipv4.parse("192.168.200." + n);
            this.podCidr = Ipv4Prefix.parse("10.200." + n + ".0/24");
            Fabric.this.cmd("ip", "link", "add", "eth0", "netns", ns.name(), "type", "veth", "peer", "name", "ul" + n,
                    "netns", underlay.name());
            underlay.exec("ip", "link", "set", "ul" + n, "master", "br0", "up");
            ns.exec("ip", "addr", "add", ip.getHostAddress() + "/24", "dev", "eth0");
            ns.exec("ip", "link", "set", "eth0", "up");
            ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            ns.exec("ip", "link", "add", "twill_vxlan", "type", "vxlan", "external", "dstport", "8472", "nolearning");
            ns.exec("ip", "link", "set", "twill_vxlan", "up");
            this.eth0 = Dev.of(ns, "eth0");
            this.vxlan = Dev.of(ns, "twill_vxlan");
            this.pinRoot = pins.create("n" + n);
            load(config());
        }

        DatapathConfig config() {
            return (mode == RoutingMode.OVERLAY ? DatapathConfig.overlay(ip, CLUSTER, vxlan.ifindex())
                    : DatapathConfig.nativeRouting(ip, CLUSTER)).withTrace(trace);
        }

        /**
         * (Re)loads the datapath with {@code config} and attaches it to eth0, twill_vxlan and every pod's lxc; what
         * is attached already gets the new program atomically. The previous owner is closed afterwards.
         */
        void load(DatapathConfig config) {
            Datapath old = dp;
            dp = Datapath.load(config, pinRoot, tcMode);
            ns.run(() -> {
                dp.attachUplink(eth0.ifindex());
                dp.attachOverlay(vxlan.ifindex());
                for (Pod p : pods) dp.attachEndpoint(p.lxc().ifindex());
            });
            if (old != null) old.close();
        }

        /** A pod with address 10.200.n.{host}, registered in twill_endpoints and with bpf_lxc on its lxc. */
        Pod pod(String hint, int host) {
            TestNamespace podNs = netns.create(hint);
            Inet4Address addr = Ipv4.parse("10.200." + n + "." + host);
            String lxc = "lxc" + hint;
            Fabric.this.cmd("ip", "link", "add", "eth0", "netns", podNs.name(), "type", "veth", "peer", "name", lxc,
                    "netns", ns.name());
            podNs.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            podNs.exec("ip", "addr", "add", addr.getHostAddress() + "/32", "dev", "eth0");
            podNs.exec("ip", "link", "set", "eth0", "mtu", mode == RoutingMode.OVERLAY ? "1450" : "1500", "up");
            podNs.exec("ip", "route", "add", GATEWAY, "dev", "eth0", "scope", "link");
            podNs.exec("ip", "route", "add", "default", "via", GATEWAY, "dev", "eth0");
            ns.exec("ip", "link", "set", lxc, "up");
            ns.exec("ip", "route", "add", addr.getHostAddress() + "/32", "dev", lxc);
            Dev lxcDev = Dev.of(ns, lxc);
            Dev podEth = Dev.of(podNs, "eth0");
            Pod pod = new Pod(this, podNs, addr, lxcDev, podEth.mac(), nextEndpointId++);
            dp.endpoints().put(addr, pod.endpointInfo());
            ns.run(() -> dp.attachEndpoint(lxcDev.ifindex()));
            pods.add(pod);
            return pod;
        }
    }

    record Pod(Node node, TestNamespace ns, Inet4Address ip, Dev lxc, MacAddress mac, int endpointId) {
        EndpointInfo endpointInfo() {
            return EndpointInfo.pod(lxc.ifindex(), endpointId, mac, lxc.mac());
        }

        @Override
        public String toString() {
            return "pod " + ip.getHostAddress() + " on node " + node.n;
        }
    }

    Fabric(NetNsExtension netns, PinRoots pins, RoutingMode mode) {
        this.netns = netns;
        this.pins = pins;
        this.mode = mode;
        this.underlay = netns.create("ul");
        underlay.exec("ip", "link", "add", "br0", "type", "bridge");
        underlay.exec("ip", "link", "set", "br0", "up");
    }

    Node node() {
        Node node = new Node(nodes.size() + 1);
        nodes.add(node);
        return node;
    }

    /** Every node learns every node's pod CIDR (its own included); native mode adds a kernel route per peer. */
    void connect() {
        for (Node node : nodes) {
            for (Node other : nodes) {
                node.dp.tunnel().put(other.podCidr, other.ip);
                if (mode == RoutingMode.NATIVE && other != node) {
                    node.ns.exec("ip", "route", "replace", other.podCidr.toString(), "via", other.ip.getHostAddress(), "dev", "eth0");
                }
            }
        }
    }

    private void cmd(String... command) {
        io.twill.testkit.Cmd.run(command);
    }

    @Override
    public void close() {
        for (Node node : nodes) if (node.dp != null) node.dp.close();
    }
}
