package io.twill.agent;

import io.twill.agent.datapath.NodeNamespace;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Standalone mode on two simulated machines (no Kubernetes): each agent gets {@code --pod-cidr} and the same peers
 * file; pods on different nodes reach each other through the overlay (VXLAN) or native routes.
 */
@PrivilegedTest
class StandalonePrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlay", "native"})
    void podsOnTwoMachinesTalkThroughThePeersFile(String mode) throws Exception {
        TestNamespace underlay = NodeFixture.underlayWithBridge(netns);
        NodeFixture n1 = new NodeFixture(netns, underlay, 1, false);
        toClose.add(n1);
        NodeFixture n2 = new NodeFixture(netns, underlay, 2, false);
        toClose.add(n2);
        Path peers = n1.stateDir.resolve("peers");
        Files.writeString(peers, """
                # node IP      pod CIDRs
                192.168.77.2   10.77.1.0/24
                192.168.77.3   10.77.2.0/24
                """);
        Agent a1 = start(n1, mode, peers);
        Agent a2 = start(n2, mode, peers);

        // twill_tunnel holds both nodes' CIDRs (own one pointing at itself); native mode adds a kernel route to the peer.
        assertThat(a1.datapath().tunnel().lookup(Ipv4Prefix.parse("10.77.2.0/24"))).get()
                .extracting(t -> t.nodeIp().getHostAddress()).isEqualTo("192.168.77.3");
        assertThat(a1.datapath().tunnel().lookup(Ipv4Prefix.parse("10.77.1.0/24"))).get()
                .extracting(t -> t.nodeIp().getHostAddress()).isEqualTo("192.168.77.2");
        String routes = n1.node.exec("ip", "route", "show", "proto", "116").stdout();
        if (mode.equals("native")) {
            assertThat(routes).contains("10.77.2.0/24 via 192.168.77.3");
            assertThat(n1.node.tryExec("ip", "link", "show", "twill_vxlan").ok()).isFalse();
        } else {
            assertThat(routes).doesNotContain("10.77.2.0/24");
            assertThat(n1.node.exec("ip", "-d", "link", "show", "twill_vxlan").stdout())
                    .contains("vxlan external").contains("dstport 8472").contains("nolearning").contains("mtu 1500");
        }

        TestNamespace pa = n1.pod("sa");
        TestNamespace pb = n2.pod("sb");
        CniShim.Result ra = new CniShim(n1.socket(), "twill").add("sa", pa.path(), "eth0").ok();
        CniShim.Result rb = new CniShim(n2.socket(), "twill").add("sb", pb.path(), "eth0").ok();
        String ipA = AgentPrivilegedIT.ip(ra), ipB = AgentPrivilegedIT.ip(rb);
        assertThat(Ipv4Prefix.parse("10.77.1.0/24").contains(Ipv4.parse(ipA))).isTrue();
        assertThat(Ipv4Prefix.parse("10.77.2.0/24").contains(Ipv4.parse(ipB))).isTrue();
        assertThat(pa.exec("ip", "route", "show", "default").stdout()).contains(mode.equals("overlay") ? "mtu 1450" : "mtu 1500");
        pa.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", ipB);
        pb.exec("ping", "-c", "1", "-W", "2", ipA);
        // The nodes reach pods on the other node too (overlay: through twill_host and bpf_lxc into the tunnel).
        n1.node.exec("ping", "-c", "1", "-W", "2", ipB);
        n2.node.exec("ping", "-c", "1", "-W", "2", ipA);
        pb.exec("ping", "-c", "1", "-W", "2", n1.nodeIp);
        // A big packet fits the route MTU without fragmentation on the way (overlay: 1450 - 28 bytes of headers).
        int payload = (mode.equals("overlay") ? 1450 : 1500) - 28;
        pa.exec("ping", "-c", "1", "-W", "2", "-M", "do", "-s", String.valueOf(payload), ipB);
    }

    private Agent start(NodeFixture n, String mode, Path peers) throws Exception {
        n.with("--routing-mode", mode, "--peers-file", peers.toString());
        NodeNamespace ns = NodeNamespace.at(n.node.path());
        toClose.add(ns);
        Agent a = Agent.start(n.config(), ns);
        toClose.add(a);
        return a;
    }
}
