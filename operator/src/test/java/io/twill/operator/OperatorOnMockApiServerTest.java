package io.twill.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.mockapi.MockApiServer;
import io.twill.operator.config.OperatorConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The operator with its own client, reaching the standalone mock API server through a kubeconfig file. */
class OperatorOnMockApiServerTest {

    @TempDir
    Path dir;

    @Test
    void allocatesAgainstItThroughAKubeconfig() {
        Path kubeconfig = dir.resolve("kc/kubeconfig");
        OperatorConfig config = new OperatorConfig(List.of("10.5.0.0/16"), 24, kubeconfig.toString(), true,
                new OperatorConfig.LeaderElection(true, "twill-operator", "default", "mock-test", null, null, null),
                new OperatorConfig.Metrics(false, null, null), new OperatorConfig.NodeGC(false, null), "default", 4);
        try (MockApiServer server = MockApiServer.start(InetAddress.getLoopbackAddress(), 0, true, false);
             KubernetesClient client = server.client()) {
            server.writeKubeconfig(kubeconfig);
            try (Operator op = Operator.withOwnClient(config).start()) {
                for (int i = 0; i < 50; i++) {
                    client.resources(TwillNode.class)
                            .resource(TwillNode.create("n" + i, List.of(NodeAddress.internalIP("10.1.1." + (i + 1))))).create();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(TwillNode.class).list().getItems()
                        .stream().filter(n -> !n.getSpec().podCIDRs().isEmpty()).count() == 50);
                assertThat(client.resources(TwillNode.class).list().getItems().stream()
                        .map(n -> n.getSpec().podCIDRs().getFirst()).distinct().count()).isEqualTo(50);
                assertThat(op.isLeader()).isTrue();
            }
        }
    }
}
