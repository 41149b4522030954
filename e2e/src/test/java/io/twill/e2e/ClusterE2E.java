package io.twill.e2e;

import io.twill.testkit.PingFlood;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static io.twill.e2e.NetnsCluster.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The whole product on one machine: three nodes of network namespaces, each with a real twill-agent JVM, the operator
 * and a mock Kubernetes API, six pods wired by the real twill-cni shim. The cases run in order on one cluster.
 */
@PrivilegedTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterE2E {
    /** pod -> node */
    private final Map<String, String> pods = new LinkedHashMap<>();
    private final List<String> nodes = new ArrayList<>(List.of("node1", "node2", "node3"));

    @BeforeAll
    void up() {
        if (isUp()) {
            fail("a netns cluster is already up in " + DIR + " (a demo?): run 'ci/netns-cluster down' first");
        }
        run("up", "--nodes", "3");
        for (String node : nodes) {
            for (String suffix : List.of("a", "b")) {
                String pod = node.replace("node", "p") + suffix;
                run("pod-add", node, pod);
                pods.put(pod, node);
            }
        }
    }

    @AfterAll
    void down() {
        run("down");
    }

    @Test
    @Order(1)
    void everyPodReachesEveryPodOverIcmpAndTcpAndEveryNodeReachesEveryPod() {
        List<String> failures = new ArrayList<>();
        for (String from : pods.keySet()) {
            for (String to : pods.keySet()) {
                if (from.equals(to)) continue;
                String ip = podIp(to);
                String where = pods.get(from).equals(pods.get(to)) ? "same node" : "cross node";
                if (!ping(podNs(from), ip)) failures.add("ICMP " + from + " -> " + to + " (" + where + ")");
                String answer = tcpWhoami(from, ip);
                if (!answer.equals(to)) failures.add("TCP " + from + " -> " + to + " (" + where + ") answered '" + answer + "'");
            }
        }
        for (String node : nodes) {
            for (String to : pods.keySet()) {
                if (!ping(nodeNs(node), podIp(to))) {
                    failures.add("ICMP node " + node + " -> " + to + (pods.get(to).equals(node) ? " (its own pod)" : " (remote pod)"));
                }
            }
        }
        assertThat(failures).as("unreachable pairs").isEmpty();
    }

    @Test
    @Order(2)
    void restartingAnAgentUnderTrafficLosesNoPacket() throws InterruptedException {
        // node1's agent is killed (no chance to clean up) and started again while pods ping across it every 5 ms.
        try (PingFlood cross = new PingFlood(podNs("p2a"), podIp("p1a"));
             PingFlood local = new PingFlood(podNs("p1b"), podIp("p1a"))) {
            cross.awaitReplies(50, Duration.ofSeconds(10)); // both flowing before the kill...
            local.awaitReplies(50, Duration.ofSeconds(10));
            run("agent-restart", "node1", "--kill");
            cross.awaitReplies(cross.replies() + 50, Duration.ofSeconds(10)); // ...and after the restart
            local.awaitReplies(local.replies() + 50, Duration.ofSeconds(10));
            PingFlood.Result c = cross.stop(), l = local.stop();
            assertThat(c.lost()).as("cross-node pings lost through the restart\n%s", c.output()).isEmpty();
            assertThat(l.lost()).as("same-node pings lost through the restart\n%s", l.output()).isEmpty();
        }
        // The restarted agent knows its endpoints again and still serves the CNI: a new pod works.
        assertThat(endpointMapIps("node1")).contains(podIp("p1a"), podIp("p1b"));
        run("pod-add", "node1", "p1c");
        pods.put("p1c", "node1");
        assertThat(tcpWhoami("p2a", podIp("p1c"))).isEqualTo("p1c");
    }

    @Test
    @Order(3)
    void restartingTheOperatorAllocatesNothingTwice() {
        Map<String, List<String>> before = new LinkedHashMap<>();
        for (String n : nodes) before.put(n, podCidrs(n));
        assertThat(before.values()).allSatisfy(c -> assertThat(c).hasSize(1));
        run("operator-restart");
        run("node-add", "node4");
        nodes.add("node4");
        for (String n : before.keySet()) assertThat(podCidrs(n)).as(n + " keeps its CIDR").isEqualTo(before.get(n));
        List<String> fresh = podCidrs("node4");
        assertThat(fresh).hasSize(1);
        Set<String> all = new HashSet<>();
        before.values().forEach(all::addAll);
        assertThat(all).as("CIDRs of the other nodes").doesNotContain(fresh.getFirst());
        // and the new node is part of the network at once
        run("pod-add", "node4", "p4a");
        pods.put("p4a", "node4");
        assertThat(tcpWhoami("p1a", podIp("p4a"))).isEqualTo("p4a");
        assertThat(tcpWhoami("p4a", podIp("p3b"))).isEqualTo("p3b");
    }

    @Test
    @Order(4)
    void deletingAPodRemovesItEverywhere() {
        String ip = podIp("p2b");
        int lxcBefore = lxcDevices("node2").size();
        List<String> endpointsBefore = stateFiles("node2", "endpoints");
        run("pod-del", "p2b");
        pods.remove("p2b");
        assertThat(endpointMapIps("node2")).as("twill_endpoints on node2").doesNotContain(ip);
        assertThat(stateFiles("node2", "ipam")).as("IPAM allocations on node2").doesNotContain(ip);
        assertThat(stateFiles("node2", "endpoints")).as("endpoint state files").hasSize(endpointsBefore.size() - 1);
        assertThat(lxcDevices("node2")).as("lxc devices on node2").hasSize(lxcBefore - 1);
        // Its address is now unknown to the datapath: dropped, not delivered to anyone else.
        assertThat(ping(podNs("p1a"), ip)).as("ping to the deleted pod's address").isFalse();
        assertThat(tcpWhoami("p2a", podIp("p1a"))).isEqualTo("p1a");
    }

    @Test
    @Order(5)
    void deletingANodeRemovesItsTunnelEntriesOnTheOthers() {
        String cidr = podCidrs("node3").getFirst();
        for (String n : List.of("node1", "node2", "node4")) {
            assertThat(tunnelMapPrefixes(n)).as("twill_tunnel on " + n + " before").contains(cidr);
        }
        run("node-del", "node3");
        nodes.remove("node3");
        pods.values().removeIf("node3"::equals);
        // The operator's GC removes the TwillNode of a deleted Node; every agent's watcher then drops its entry.
        await(Duration.ofSeconds(60), "node3's TwillNode deleted", () -> twillNode("node3") == null);
        for (String n : List.of("node1", "node2", "node4")) {
            await(Duration.ofSeconds(30), "twill_tunnel on " + n + " without " + cidr,
                    () -> !tunnelMapPrefixes(n).contains(cidr));
        }
        assertThat(tcpWhoami("p1a", podIp("p4a"))).isEqualTo("p4a");
    }

    private static void await(Duration limit, String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) fail("not within " + limit.toSeconds() + " s: " + what);
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }
}
