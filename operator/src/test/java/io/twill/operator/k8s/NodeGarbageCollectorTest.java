package io.twill.operator.k8s;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.operator.metrics.OperatorMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The two-pass rule, driven pass by pass (the timer is never started). */
@EnableKubernetesMockClient(crud = true)
class NodeGarbageCollectorTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    private SharedIndexInformer<Node> nodes;
    private SharedIndexInformer<TwillNode> twillNodes;
    private NodeGarbageCollector gc;
    private final OperatorMetrics metrics = new OperatorMetrics();

    @BeforeEach
    void informers() {
        nodes = client.nodes().runnableInformer(0);
        twillNodes = client.resources(TwillNode.class).runnableInformer(0);
        gc = new NodeGarbageCollector(nodes, twillNodes, new TwillNodeWriter(client, "default", "test"), metrics,
                Duration.ofHours(1));
    }

    @AfterEach
    void stop() {
        gc.close();
        nodes.close();
        twillNodes.close();
        client.resources(TwillNode.class).delete();
        client.nodes().delete();
    }

    private void twillNode(String name) {
        client.resources(TwillNode.class).resource(TwillNode.create(name, List.of(NodeAddress.internalIP("10.9.9.9"))))
                .create();
    }

    private void node(String name) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    private boolean exists(String name) {
        return client.resources(TwillNode.class).withName(name).get() != null;
    }

    @Test
    void doesNothingBeforeTheCachesHaveSynced() {
        twillNode("a");
        gc.pass();
        gc.pass();
        assertThat(exists("a")).isTrue();
    }

    @Test
    void deletesOnlyAfterTwoPassesWithoutTheNodeAndForgivesANodeThatAppears() {
        node("with-node");
        twillNode("with-node");
        twillNode("late-node");
        twillNode("orphan");
        nodes.start().toCompletableFuture().join();
        twillNodes.start().toCompletableFuture().join();

        gc.pass();
        assertThat(exists("orphan")).as("one pass is not enough").isTrue();
        assertThat(exists("late-node")).isTrue();

        node("late-node"); // the kubelet registers late
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.getIndexer().getByKey("late-node") != null);
        gc.pass();

        await().atMost(Duration.ofSeconds(5)).until(() -> !exists("orphan"));
        assertThat(exists("late-node")).isTrue();
        assertThat(exists("with-node")).isTrue();
        assertThat(metrics.gcDeletedTotal()).isEqualTo(1);

        // a Node deleted later is caught two passes after
        client.nodes().withName("late-node").delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.getIndexer().getByKey("late-node") == null);
        gc.pass();
        assertThat(exists("late-node")).isTrue();
        gc.pass();
        assertThat(exists("late-node")).isFalse();
    }

    @Test
    void aTwillNodeRecreatedBetweenPassesStartsOver() {
        twillNode("flappy");
        nodes.start().toCompletableFuture().join();
        twillNodes.start().toCompletableFuture().join();
        gc.pass();
        String firstUid = client.resources(TwillNode.class).withName("flappy").get().getMetadata().getUid();

        client.resources(TwillNode.class).withName("flappy").delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> twillNodes.getIndexer().getByKey("flappy") == null);
        twillNode("flappy");
        await().atMost(Duration.ofSeconds(5)).until(() -> twillNodes.getIndexer().getByKey("flappy") != null);
        assertThat(client.resources(TwillNode.class).withName("flappy").get().getMetadata().getUid()).isNotEqualTo(firstUid);

        gc.pass();
        assertThat(exists("flappy")).as("a new object is a new suspect").isTrue();
        gc.pass();
        assertThat(exists("flappy")).isFalse();
    }
}
