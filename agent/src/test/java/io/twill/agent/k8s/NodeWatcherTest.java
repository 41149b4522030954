package io.twill.agent.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

@EnableKubernetesMockClient(crud = true)
class NodeWatcherTest {
    static KubernetesClient client;

    private final FakeTable tunnel = new FakeTable("twill_tunnel");
    private final FakeTable routes = new FakeTable("routes");
    private NodeWatcher watcher;

    @BeforeEach
    void clean() {
        client.resources(TwillNode.class).delete();
        await().until(() -> client.resources(TwillNode.class).list().getItems().isEmpty());
    }

    @AfterEach
    void stop() {
        if (watcher != null) {
            watcher.close();
        }
    }

    private static TwillNode create(String name, String ip, String... cidrs) {
        TwillNode n = TwillNode.create(name, ip == null ? List.of() : List.of(NodeAddress.internalIP(ip)));
        n.setSpec(n.getSpec().withPodCIDRs(List.of(cidrs)));
        return client.resources(TwillNode.class).resource(n).create();
    }

    private static void edit(String name, java.util.function.UnaryOperator<io.twill.api.TwillNodeSpec> f) {
        client.resources(TwillNode.class).withName(name).edit(n -> {
            n.setSpec(f.apply(n.getSpec()));
            return n;
        });
    }

    private void startOverlay() throws InterruptedException {
        watcher = NodeWatcher.overlay(client, "self", tunnel, Duration.ofHours(1));
        watcher.start();
        assertThat(watcher.awaitSynced(Duration.ofSeconds(20))).isTrue();
    }

    @Test
    void addUpdateAndDeleteAreReflectedInTheTunnelTable() throws Exception {
        create("self", "192.168.50.1", "10.0.1.0/24");
        create("b", "192.168.50.2", "10.0.2.0/24");
        startOverlay();
        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.1.0/24", "192.168.50.1"),
                entry("10.0.2.0/24", "192.168.50.2"));

        create("c", "192.168.50.3"); // no CIDR yet: nothing to route
        create("d", "192.168.50.4", "10.0.4.0/24");
        await().untilAsserted(() -> assertThat(tunnel.snapshot()).containsEntry("10.0.4.0/24", "192.168.50.4"));

        edit("c", s -> s.withPodCIDRs(List.of("10.0.3.0/24")));          // operator assigns c's CIDR
        edit("b", s -> s.withAddresses(List.of(NodeAddress.internalIP("192.168.50.22")))); // b's IP changes
        edit("d", s -> s.withPodCIDRs(List.of("10.0.40.0/24")));         // d's CIDR moves
        await().untilAsserted(() -> assertThat(tunnel.snapshot()).containsExactly(
                entry("10.0.1.0/24", "192.168.50.1"), entry("10.0.2.0/24", "192.168.50.22"),
                entry("10.0.3.0/24", "192.168.50.3"), entry("10.0.40.0/24", "192.168.50.4")));

        client.resources(TwillNode.class).withName("b").delete();
        await().untilAsserted(() -> assertThat(tunnel.snapshot()).doesNotContainKey("10.0.2.0/24").hasSize(3));
        assertThat(watcher.nodeCount()).isEqualTo(3);
        assertThat(watcher.entryCount(tunnel)).isEqualTo(3);
    }

    @Test
    void malformedNodesAreSkippedAndTheWatcherKeepsServing() throws Exception {
        create("good", "192.168.50.2", "10.0.2.0/24");
        create("bad-cidr", "192.168.50.3", "10.0.3.0/33");
        create("host-bits", "192.168.50.4", "10.0.4.1/24");
        create("bad-ip", "not-an-ip", "10.0.5.0/24");
        create("no-ip", null, "10.0.6.0/24");
        create("loopback", "127.0.0.1", "10.0.7.0/24");
        startOverlay();
        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.50.2"));

        // a good node that turns bad loses its entries; fixed again, it gets them back
        edit("good", s -> s.withPodCIDRs(List.of("garbage")));
        create("later", "192.168.50.8", "10.0.8.0/24");
        await().untilAsserted(() -> assertThat(tunnel.snapshot()).containsExactly(
                entry("10.0.8.0/24", "192.168.50.8")));
        edit("good", s -> s.withPodCIDRs(List.of("10.0.2.0/24")));
        edit("bad-cidr", s -> s.withPodCIDRs(List.of("10.0.3.0/24")));
        await().untilAsserted(() -> assertThat(tunnel.snapshot()).containsExactly(
                entry("10.0.2.0/24", "192.168.50.2"), entry("10.0.3.0/24", "192.168.50.3"),
                entry("10.0.8.0/24", "192.168.50.8")));
        assertThat(watcher.nodeCount()).isEqualTo(7);
    }

    @Test
    void resyncAtStartAndOnDemandRemovesStaleEntries() throws Exception {
        tunnel.inject("10.0.99.0/24", "192.168.50.99"); // a node deleted while the agent was down
        tunnel.inject("10.0.2.0/24", "192.168.50.250"); // outdated IP
        create("b", "192.168.50.2", "10.0.2.0/24");
        startOverlay();
        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.50.2"));

        tunnel.inject("10.0.77.0/24", "192.168.50.77"); // drift behind the watcher's back
        PeerReconciler.ResyncResult r = watcher.resyncNow();
        assertThat(r.removed()).isEqualTo(1);
        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.50.2"));
    }

    @Test
    void nativeModeRoutesEveryNodeButItself() throws Exception {
        create("self", "192.168.50.1", "10.0.1.0/24");
        create("b", "192.168.50.2", "10.0.2.0/24");
        routes.inject("10.0.1.0/24", "192.168.50.1");
        watcher = NodeWatcher.nativeRouting(client, "self", tunnel, routes, Duration.ofHours(1));
        watcher.start();
        assertThat(watcher.awaitSynced(Duration.ofSeconds(20))).isTrue();
        assertThat(routes.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.50.2"));
        assertThat(tunnel.snapshot()).hasSize(2);

        create("c", "192.168.50.3", "10.0.3.0/24");
        await().untilAsserted(() -> assertThat(routes.snapshot()).containsEntry("10.0.3.0/24", "192.168.50.3"));
        edit("self", s -> s.withPodCIDRs(List.of("10.0.1.0/24", "10.0.11.0/24")));
        await().untilAsserted(() -> assertThat(tunnel.snapshot()).containsKey("10.0.11.0/24"));
        assertThat(routes.snapshot()).containsOnlyKeys("10.0.2.0/24", "10.0.3.0/24");
    }

    @Test
    void aFailedTableWriteIsRetriedWithoutAnyNewEvent() throws Exception {
        startOverlay();
        tunnel.failNext(1);
        create("b", "192.168.50.2", "10.0.2.0/24");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(tunnel.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.50.2")));
    }
}
