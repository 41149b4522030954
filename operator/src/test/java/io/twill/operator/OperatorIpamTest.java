package io.twill.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Cluster-pool IPAM end to end against the Fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
class OperatorIpamTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private final List<Operator> operators = new ArrayList<>();
    private TestCluster cluster;

    private Operator operator(String id, List<String> pools, int mask) {
        Operator op = new Operator(TestCluster.config(id, pools, mask), client);
        operators.add(op);
        return op.start();
    }

    private TestCluster cluster() {
        if (cluster == null) {
            cluster = new TestCluster(client);
        }
        return cluster;
    }

    @AfterEach
    void stopOperatorsAndWipe() {
        operators.forEach(Operator::close);
        cluster().deleteEverything();
    }

    @Test
    void allocatesADistinctPoolCidrToEveryJoiningNodeAndReportsIt() {
        Operator op = operator("op-a", List.of("10.20.0.0/16"), 24);
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName(TwillNode.CRD_NAME).get())
                .as("CRD installed at start").isNotNull();
        for (int i = 0; i < 5; i++) {
            cluster().join("node-" + i, "192.168.1." + (10 + i));
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> cluster().allCidrs().size() == 5);
        Map<String, List<String>> cidrs = cluster().allCidrs();
        assertThat(new HashSet<>(cidrs.values())).hasSize(5);
        Ipv4Prefix pool = Ipv4Prefix.parse("10.20.0.0/16");
        cidrs.values().forEach(c -> {
            assertThat(c).hasSize(1);
            assertThat(pool.contains(Ipv4Prefix.parse(c.getFirst()))).isTrue();
            assertThat(Ipv4Prefix.parse(c.getFirst()).length()).isEqualTo(24);
        });
        // success is the spec; no condition is written when nothing went wrong (one API write per node)
        for (String n : cidrs.keySet()) {
            assertThat(cluster().condition(n)).isEmpty();
        }
        assertThat(op.ipamApiCalls()).isEqualTo(5);
        // the agent's addresses survive the operator's writes
        assertThat(cluster().get("node-3").orElseThrow().getSpec().internalIP()).contains("192.168.1.13");

        String metrics = TestCluster.scrape(op.metricsPort(), "/metrics");
        assertThat(metrics).startsWith("200 ");
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_allocations_total")).isEqualTo(5);
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_pool_used{pool=\"10.20.0.0/16\"}")).isEqualTo(5);
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_pool_free{pool=\"10.20.0.0/16\"}")).isEqualTo(251);
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_pool_size{pool=\"10.20.0.0/16\"}")).isEqualTo(256);
        assertThat(TestCluster.sample(metrics, "twill_operator_leader")).isEqualTo(1);
        assertThat(TestCluster.scrape(op.metricsPort(), "/healthz")).isEqualTo("200 ok\n");
    }

    @Test
    void releasesOnDeleteAndANewOperatorInstanceKeepsEveryCidr() {
        Operator first = operator("op-1", List.of("10.30.0.0/20"), 24);
        for (int i = 0; i < 6; i++) {
            cluster().join("n" + i, "192.168.2." + (10 + i));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> cluster().allCidrs().size() == 6);
        Map<String, List<String>> before = cluster().allCidrs();
        first.close();

        // while no operator runs: one node leaves, one joins
        String gone = before.get("n2").getFirst();
        cluster().leave("n2");
        cluster().join("late", "192.168.2.99");

        Operator second = operator("op-2", List.of("10.30.0.0/20"), 24);
        await().atMost(Duration.ofSeconds(15)).until(() -> !cluster().cidrsOf("late").isEmpty());
        Map<String, List<String>> after = cluster().allCidrs();
        for (String n : List.of("n0", "n1", "n3", "n4", "n5")) {
            assertThat(after.get(n)).as("CIDR of %s after restart", n).isEqualTo(before.get(n));
        }
        assertThat(new HashSet<>(after.values())).hasSize(6);
        assertThat(second.metrics().allocationsTotal()).isEqualTo(1);

        // deleting a node frees its CIDR: pool usage drops from 6 to 5
        cluster().leave("n0");
        await().atMost(Duration.ofSeconds(10)).until(() -> TestCluster.sample(TestCluster.scrape(second.metricsPort(),
                "/metrics"), "twill_operator_ipam_pool_used{pool=\"10.30.0.0/20\"}") == 5);
        assertThat(gone).isNotNull();
    }

    @Test
    void exhaustionIsReportedAsConditionEventAndMetricAndAllocationResumesWhenANodeGoes() {
        Operator op = operator("op-x", List.of("10.40.0.0/23"), 24);
        cluster().join("a", "192.168.3.1");
        cluster().join("b", "192.168.3.2");
        await().atMost(Duration.ofSeconds(15)).until(() -> cluster().allCidrs().size() == 2);
        cluster().join("c", "192.168.3.3");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TwillNodeCondition c = cluster().condition("c").orElseThrow(() -> new AssertionError("no condition on c yet"));
            assertThat(c.status()).isEqualTo(TwillNodeCondition.FALSE);
            assertThat(c.reason()).isEqualTo(TwillNodeCondition.REASON_EXHAUSTED);
            assertThat(c.message()).contains("10.40.0.0/23");
            assertThat(cluster().eventsFor("c")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo(TwillNodeCondition.REASON_EXHAUSTED);
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getInvolvedObject().getKind()).isEqualTo("TwillNode");
            });
        });
        assertThat(cluster().cidrsOf("c")).isEmpty();
        String metrics = TestCluster.scrape(op.metricsPort(), "/metrics");
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_exhausted_total")).isEqualTo(1);
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_pending_nodes")).isEqualTo(1);
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_pool_free{pool=\"10.40.0.0/23\"}")).isZero();

        String freed = cluster().cidrsOf("a").getFirst();
        cluster().leave("a");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster().cidrsOf("c").equals(List.of(freed)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TwillNodeCondition c = cluster().condition("c").orElseThrow(() -> new AssertionError("no condition on c yet"));
            assertThat(c.isTrue()).isTrue();
            assertThat(c.reason()).isEqualTo(TwillNodeCondition.REASON_ALLOCATED);
            assertThat(c.message()).contains(freed);
        });
        assertThat(cluster().eventsFor("c")).hasSize(1);
        assertThat(TestCluster.sample(TestCluster.scrape(op.metricsPort(), "/metrics"),
                "twill_operator_ipam_pending_nodes")).isZero();
    }
}
