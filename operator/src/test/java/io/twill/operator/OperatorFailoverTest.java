package io.twill.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.twill.operator.config.OperatorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two operator replicas, each with its own client, racing on one mock API server. */
@EnableKubernetesMockClient(crud = true)
class OperatorFailoverTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private final List<KubernetesClient> clients = new ArrayList<>();
    private final List<Operator> operators = new ArrayList<>();
    private final Map<Operator, CuttableProxy> links = new HashMap<>();

    private Operator replica(String id) {
        return replica(id, null);
    }

    /** A replica whose client reaches the API server through its own {@link CuttableProxy}. */
    private Operator replica(String id, Duration leaseDuration) {
        URI api = URI.create(client.getConfiguration().getMasterUrl());
        CuttableProxy link;
        try {
            link = new CuttableProxy(api.getHost(), api.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Same scheme and host (TLS passes through the proxy), the proxy's port. No retries: once its link is cut,
        // a crashed replica's calls fail at once instead of backing off.
        String viaProxy = api.getScheme() + "://" + api.getHost() + ":" + link.port();
        KubernetesClient own = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withMasterUrl(viaProxy).withRequestRetryBackoffLimit(0).build()).build();
        clients.add(own);
        OperatorConfig config = TestCluster.config(id, List.of("10.50.0.0/16"), 24);
        if (leaseDuration != null) {
            config = config.withLeaderElection(config.leaderElection().withTiming(leaseDuration,
                    leaseDuration.multipliedBy(2).dividedBy(3), Duration.ofMillis(200)));
        }
        Operator op = new Operator(config, own);
        operators.add(op);
        links.put(op, link);
        return op;
    }

    @AfterEach
    void tearDown() {
        operators.forEach(Operator::close);
        clients.forEach(KubernetesClient::close);
        links.values().forEach(CuttableProxy::close);
        new TestCluster(client).deleteEverything();
    }

    @Test
    void onlyTheLeaderAllocatesAndAfterItDiesTheOtherTakesOverWithoutHandingAnyCidrOutTwice() {
        TestCluster cluster = new TestCluster(client);
        Operator a = replica("replica-a");
        Operator b = replica("replica-b");
        Thread.ofPlatform().start(a::start);
        b.start();
        IntStream.range(0, 20).forEach(i -> cluster.join("w" + i, "192.168.10." + (i + 1)));

        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.allCidrs().size() == 20);
        assertThat(a.isLeader() ^ b.isLeader()).as("exactly one leader").isTrue();
        Operator leader = a.isLeader() ? a : b;
        Operator standby = leader == a ? b : a;
        assertThat(leader.metrics().allocationsTotal()).isEqualTo(20);
        assertThat(standby.metrics().allocationsTotal()).isZero();
        assertThat(TestCluster.sample(TestCluster.scrape(standby.metricsPort(), "/metrics"), "twill_operator_leader"))
                .isZero();
        Map<String, List<String>> before = cluster.allCidrs();
        assertThat(new HashSet<>(before.values())).hasSize(20);

        // the leader dies without releasing the lease (the API server hears nothing more from it); nodes keep joining
        links.get(leader).cut();
        IntStream.range(20, 25).forEach(i -> cluster.join("w" + i, "192.168.10." + (i + 1)));

        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.allCidrs().size() == 25);
        assertThat(standby.isLeader()).isTrue();
        Map<String, List<String>> after = cluster.allCidrs();
        before.forEach((node, cidrs) -> assertThat(after.get(node)).as("CIDR of %s", node).isEqualTo(cidrs));
        assertThat(new HashSet<>(after.values())).as("no CIDR handed out twice").hasSize(25);
        assertThat(standby.metrics().allocationsTotal()).isEqualTo(5);
    }

    @Test
    void aCleanShutdownReleasesTheLeaseSoTheStandbyTakesOverBeforeItWouldExpire() {
        // a 30 s lease: if the release did not work, the standby would need 30 s to take over
        Operator a = replica("replica-c", Duration.ofSeconds(30)).start();
        await().atMost(Duration.ofSeconds(10)).until(a::isLeader);
        Operator b = replica("replica-d", Duration.ofSeconds(30)).start();
        Lease held = client.leases().inNamespace("default").withName("twill-operator").get();
        assertThat(held.getSpec().getHolderIdentity()).isEqualTo("replica-c");
        assertThat(b.isLeader()).isFalse();

        a.close();

        Lease released = client.leases().inNamespace("default").withName("twill-operator").get();
        assertThat(released.getSpec().getHolderIdentity()).isNotEqualTo("replica-c");
        assertThat(a.isLeader()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(b::isLeader);
        assertThat(client.leases().inNamespace("default").withName("twill-operator").get().getSpec()
                .getHolderIdentity()).isEqualTo("replica-d");
    }
}
