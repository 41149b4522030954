package io.twill.e2e;

import io.twill.testkit.Cmd;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.util.List;

import static io.twill.e2e.NetnsCluster.*;
import static io.twill.e2e.PodSockets.podNsPath;
import static io.twill.e2e.PodSockets.nodeNsPath;
import static io.twill.e2e.ServicesE2E.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Twill beside kube-proxy (kubeProxyReplacement: false): each node carries the iptables DNAT rules kube-proxy writes
 * for a ClusterIP (PREROUTING for pods, OUTPUT for the node itself). The host stack translates the request; the
 * pod's reply must pass the host stack again to be translated back, although Twill delivers pod traffic with
 * bpf_redirect_peer. Backend on the same node and on another node, TCP and UDP through connected sockets, overlay
 * here and native routing in {@link KubeProxyNativeE2E}.
 */
@PrivilegedTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubeProxyE2E {
    static final String VIP_B = "10.96.200.10", VIP_C = "10.96.200.11";
    String a, b, c;

    String routing() {
        return "overlay";
    }

    @BeforeAll
    void up() {
        if (isUp()) fail("a netns cluster is already up in " + DIR + ": run 'ci/netns-cluster down' first");
        run("up", "--nodes", "2", "--routing", routing(), "--kube-proxy-replacement", "false");
        a = run("pod-add", "node1", "a").strip();
        b = run("pod-add", "node1", "b").strip();
        c = run("pod-add", "node2", "c").strip();
        for (String node : List.of("node1", "node2")) {
            for (String proto : List.of("tcp", "udp")) {
                dnat(node, VIP_B, proto, b);
                dnat(node, VIP_C, proto, c);
            }
        }
    }

    /** kube-proxy's rules for one service port, reduced to the translation itself. */
    private static void dnat(String node, String vip, String proto, String backend) {
        for (String chain : List.of("PREROUTING", "OUTPUT")) {
            Cmd.run("ip", "netns", "exec", nodeNs(node), "iptables", "-w", "-t", "nat", "-A", chain, "-d", vip, "-p", proto,
                    "--dport", "80", "-j", "DNAT", "--to-destination", backend + ":80");
        }
    }

    @AfterAll
    void down() {
        run("down");
    }

    @Test
    void connectedSocketsGetTheirRepliesFromTheClusterIpOnBothNodes() {
        Path pa = podNsPath("a"), pc = podNsPath("c");
        assertThat(tcp(pa, VIP_B, 80)).as("a -> VIP -> b, same node, TCP").isEqualTo("b " + a);
        assertThat(udp(pa, VIP_B, 80)).as("a -> VIP -> b, same node, UDP").isEqualTo("b " + a);
        assertThat(tcp(pa, VIP_C, 80)).as("a -> VIP -> c, other node, TCP").isEqualTo("c " + a);
        assertThat(udp(pa, VIP_C, 80)).as("a -> VIP -> c, other node, UDP").isEqualTo("c " + a);
        assertThat(tcp(pc, VIP_B, 80)).as("c -> VIP -> b, other node, TCP").isEqualTo("b " + c);
        assertThat(udp(pc, VIP_B, 80)).as("c -> VIP -> b, other node, UDP").isEqualTo("b " + c);
        assertThat(tcp(nodeNsPath("node1"), VIP_C, 80)).as("node1 -> VIP -> c").startsWith("c ");
        assertThat(tcp(podNsPath("b"), b, 80)).as("plain pod traffic is untouched").isEqualTo("b " + b);
    }
}
