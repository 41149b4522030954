package io.twill.operator;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import io.twill.operator.config.OperatorConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the tests do to the mock API server, as agents, kubelets and users would. */
final class TestCluster {

    /** The mock server logs every request through java.util.logging at INFO; keep a reference so it sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesClient client;

    TestCluster(KubernetesClient client) {
        this.client = client;
    }

    /** Fast timings so failover and GC tests run in seconds; metrics on a free loopback port. */
    static OperatorConfig config(String identity, List<String> pools, int maskSize) {
        OperatorConfig d = OperatorConfig.defaults();
        return d.withPool(pools, maskSize)
                .withLeaderElection(new OperatorConfig.LeaderElection(true, "twill-operator", "default", identity,
                        Duration.ofMillis(2000), Duration.ofMillis(1500), Duration.ofMillis(200)))
                .withMetrics(new OperatorConfig.Metrics(true, "127.0.0.1", 0))
                .withNodeGC(new OperatorConfig.NodeGC(true, Duration.ofMillis(300)));
    }

    /** The kubelet registers the Node, then the agent creates its TwillNode. */
    TwillNode join(String name, String ip) {
        if (client.nodes().withName(name).get() == null) {
            kubeletRegisters(name);
        }
        return client.resources(TwillNode.class).resource(TwillNode.create(name, List.of(NodeAddress.internalIP(ip))))
                .create();
    }

    TwillNode joinWith(String name, List<String> podCidrs) {
        if (client.nodes().withName(name).get() == null) {
            kubeletRegisters(name);
        }
        TwillNode n = TwillNode.create(name, List.of(NodeAddress.internalIP("192.168.0.9")));
        n.setSpec(n.getSpec().withPodCIDRs(podCidrs));
        return client.resources(TwillNode.class).resource(n).create();
    }

    void leave(String name) {
        client.resources(TwillNode.class).withName(name).delete();
    }

    void kubeletRegisters(String name) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    }

    void nodeDeleted(String name) {
        client.nodes().withName(name).delete();
    }

    Optional<TwillNode> get(String name) {
        return Optional.ofNullable(client.resources(TwillNode.class).withName(name).get());
    }

    List<String> cidrsOf(String name) {
        return get(name).map(n -> n.getSpec().podCIDRs()).orElse(List.of());
    }

    /** Node name → its pod CIDRs, for every TwillNode that has some. */
    Map<String, List<String>> allCidrs() {
        Map<String, List<String>> m = new TreeMap<>();
        for (TwillNode n : client.resources(TwillNode.class).list().getItems()) {
            if (!n.getSpec().podCIDRs().isEmpty()) {
                m.put(n.nodeName(), n.getSpec().podCIDRs());
            }
        }
        return m;
    }

    Optional<TwillNodeCondition> condition(String name) {
        return get(name).flatMap(n -> n.getStatus().condition(TwillNodeCondition.POD_CIDR_ALLOCATED));
    }

    List<Event> eventsFor(String name) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName())).toList();
    }

    void deleteEverything() {
        client.resources(TwillNode.class).delete();
        client.nodes().delete();
        client.v1().events().inNamespace("default").delete();
        client.leases().inNamespace("default").delete();
    }

    static String scrape(int port, String path) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of one sample line in a Prometheus text scrape, e.g. {@code twill_operator_leader}. */
    static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no sample " + series + " in:\n" + scrape);
        }
        return Double.parseDouble(m.group(1));
    }
}
