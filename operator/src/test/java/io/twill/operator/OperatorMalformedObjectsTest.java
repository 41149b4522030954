package io.twill.operator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** TwillNodes that carry CIDRs the operator must refuse, report, and never hand out or reuse. */
@EnableKubernetesMockClient(crud = true)
class OperatorMalformedObjectsTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private Operator operator;

    @AfterEach
    void tearDown() {
        if (operator != null) {
            operator.close();
        }
        new TestCluster(client).deleteEverything();
    }

    private void assertRefused(TestCluster cluster, String node, String reason, String... inMessage) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            TwillNodeCondition c = cluster.condition(node).orElseThrow(() -> new AssertionError("no PodCIDRAllocated condition on " + node + " yet"));
            assertThat(c.status()).isEqualTo(TwillNodeCondition.FALSE);
            assertThat(c.reason()).isEqualTo(reason);
            assertThat(c.message()).contains(inMessage);
            assertThat(cluster.eventsFor(node)).anySatisfy(e -> assertThat(e.getReason()).isEqualTo(reason));
        });
    }

    @Test
    void badOutOfPoolAndConflictingCidrsAreReportedNotReusedAndCanBeFixed() throws InterruptedException {
        TestCluster cluster = new TestCluster(client);
        // present before the operator starts, as after a restart with a changed pool or a hand-edited object
        cluster.joinWith("owner", List.of("10.60.0.0/24"));
        Thread.sleep(1100); // creationTimestamp has 1 s resolution; the older claim wins
        cluster.joinWith("copy", List.of("10.60.0.0/24"));
        cluster.joinWith("typo", List.of("10.60.1.300/24"));
        cluster.joinWith("hostbits", List.of("10.60.2.1/24"));
        cluster.joinWith("wrongsize", List.of("10.60.4.0/23"));
        cluster.joinWith("foreign", List.of("172.16.0.0/24"));
        cluster.joinWith("nocidr", List.of());

        operator = new Operator(TestCluster.config("op-m", List.of("10.60.0.0/22"), 24), client).start();

        assertRefused(cluster, "copy", TwillNodeCondition.REASON_CONFLICT, "10.60.0.0/24", "owner");
        assertRefused(cluster, "typo", TwillNodeCondition.REASON_INVALID, "10.60.1.300/24");
        assertRefused(cluster, "hostbits", TwillNodeCondition.REASON_INVALID, "host bits");
        assertRefused(cluster, "wrongsize", TwillNodeCondition.REASON_INVALID, "/23", "clusterPoolIPv4MaskSize is /24");
        assertRefused(cluster, "foreign", TwillNodeCondition.REASON_OUT_OF_POOL, "172.16.0.0/24", "10.60.0.0/22");
        await().atMost(Duration.ofSeconds(10)).until(() -> !cluster.cidrsOf("nocidr").isEmpty());
        assertThat(cluster.condition("owner")).as("the owner's claim is fine: nothing to report").isEmpty();

        // the operator never rewrites a refused spec, and never hands the owner's CIDR to anyone else
        assertThat(cluster.cidrsOf("copy")).containsExactly("10.60.0.0/24");
        assertThat(cluster.cidrsOf("typo")).containsExactly("10.60.1.300/24");
        assertThat(cluster.cidrsOf("nocidr")).doesNotContain("10.60.0.0/24");
        assertThat(operator.metrics().allocationsTotal()).isEqualTo(1);
        String metrics = TestCluster.scrape(operator.metricsPort(), "/metrics");
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_refused_nodes")).isEqualTo(5);
        assertThat(TestCluster.sample(metrics, "twill_operator_ipam_pool_used{pool=\"10.60.0.0/22\"}")).isEqualTo(2);

        // a human clears the typo: the node gets a fresh CIDR and its condition turns True
        TwillNode typo = cluster.get("typo").orElseThrow();
        client.resources(TwillNode.class).withName("typo").edit(n -> {
            n.setSpec(n.getSpec().withPodCIDRs(List.of()));
            return n;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.condition("typo").map(TwillNodeCondition::isTrue)
                .orElse(false));
        assertThat(cluster.cidrsOf("typo")).hasSize(1).doesNotContain("10.60.0.0/24", cluster.cidrsOf("nocidr").getFirst());
        assertThat(typo).isNotNull();

        // when the owner goes, the copy's claim becomes valid and is kept
        cluster.leave("owner");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.condition("copy").map(TwillNodeCondition::isTrue)
                .orElse(false));
        assertThat(cluster.cidrsOf("copy")).containsExactly("10.60.0.0/24");
    }

    @Test
    void objectsWithMissingOrMistypedFieldsDoNotStopAllocationForTheOthers() {
        TestCluster cluster = new TestCluster(client);
        operator = new Operator(TestCluster.config("op-n", List.of("10.70.0.0/16"), 24), client).start();
        await().atMost(Duration.ofSeconds(10)).until(operator::isLeader);
        var generic = client.genericKubernetesResources(ResourceDefinitionContext.fromResourceType(TwillNode.class));
        cluster.kubeletRegisters("bare");
        generic.resource(raw("bare", null)).create();
        cluster.kubeletRegisters("nullipam");
        generic.resource(raw("nullipam", Map.of("addresses", List.of(Map.of("type", "InternalIP", "ip", "192.168.9.9")),
                "ipam", Map.of()))).create();
        cluster.kubeletRegisters("mistyped");
        generic.resource(raw("mistyped", Map.of("ipam", Map.of("podCIDRs", Map.of("oops", 1))))).create();
        cluster.join("fine", "192.168.9.10");

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(cluster.cidrsOf("bare")).hasSize(1);
            assertThat(cluster.cidrsOf("nullipam")).hasSize(1);
            assertThat(cluster.cidrsOf("fine")).hasSize(1);
        });
        assertRefused(cluster, "mistyped", TwillNodeCondition.REASON_INVALID, "{\"oops\":1}");
        assertThat(cluster.get("nullipam").orElseThrow().getSpec().internalIP()).contains("192.168.9.9");
        assertThat(TestCluster.scrape(operator.metricsPort(), "/healthz")).isEqualTo("200 ok\n");

        // an object Jackson cannot read at all stops Fabric8's informer: the replica must say so, not go quiet
        cluster.kubeletRegisters("unreadable");
        generic.resource(raw("unreadable", Map.of("addresses", "not-a-list"))).create();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                TestCluster.scrape(operator.metricsPort(), "/healthz")).startsWith("503 TwillNode informer stopped"));
    }

    private static GenericKubernetesResource raw(String name, Map<String, Object> spec) {
        GenericKubernetesResourceBuilder b = new GenericKubernetesResourceBuilder().withApiVersion(TwillNode.API_VERSION)
                .withKind(TwillNode.KIND).withNewMetadata().withName(name).endMetadata();
        if (spec != null) {
            b.withAdditionalProperties(Map.of("spec", spec));
        }
        return b.build();
    }
}
