package io.twill.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** TwillNodes whose Kubernetes Node is gone are deleted and their CIDRs reused. */
@EnableKubernetesMockClient(crud = true)
class OperatorNodeGcTest {

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

    @Test
    void deletesTwillNodesWhoseNodeIsGoneAndFreesTheirCidrs() {
        TestCluster cluster = new TestCluster(client);
        operator = new Operator(TestCluster.config("op-gc", List.of("10.80.0.0/23"), 24), client).start();
        cluster.join("keep", "192.168.20.1");
        cluster.join("doomed", "192.168.20.2");
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.allCidrs().size() == 2);
        String freed = cluster.cidrsOf("doomed").getFirst();
        cluster.join("waiting", "192.168.20.3"); // pool full: waits

        cluster.nodeDeleted("doomed");

        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.get("doomed").isEmpty());
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.cidrsOf("waiting").equals(List.of(freed)));
        assertThat(cluster.get("keep")).isPresent();
        assertThat(TestCluster.sample(TestCluster.scrape(operator.metricsPort(), "/metrics"),
                "twill_operator_gc_deleted_total")).isEqualTo(1);
    }
}
