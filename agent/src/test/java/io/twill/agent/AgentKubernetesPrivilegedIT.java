package io.twill.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.twill.agent.datapath.NodeNamespace;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kubernetes mode against the Fabric8 mock API server (CRUD): the agent registers its TwillNode, waits for the pod
 * CIDR (this test plays the operator), serves pods, follows a peer node into twill_tunnel and reports its status.
 */
@PrivilegedTest
class AgentKubernetesPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    KubernetesMockServer server;
    KubernetesClient client;
    NodeFixture fx;
    NodeNamespace nodeNs;
    Agent agent;

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) agent.close();
        if (nodeNs != null) nodeNs.close();
        if (fx != null) fx.close();
        if (client != null) client.close();
        if (server != null) server.destroy();
    }

    @Test
    void registersWaitsForItsCidrServesPodsAndFollowsPeers() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        fx = new NodeFixture(netns, false);
        Path kubeconfig = fx.stateDir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "http://127.0.0.1:%d"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: c, context: {cluster: mock, user: u}}]
                current-context: c
                """.formatted(server.getPort()));
        List<String> args = fx.args().stream().filter(a -> !a.equals("--standalone")).toList();
        int podCidr = args.indexOf("--pod-cidr");
        List<String> k8sArgs = new java.util.ArrayList<>(args);
        k8sArgs.remove(podCidr + 1);
        k8sArgs.remove(podCidr);
        k8sArgs.addAll(List.of("--kubeconfig", kubeconfig.toString(), "--node-name", "k8s-node"));
        var cfg = new io.twill.agent.config.ConfigLoader().load(k8sArgs, java.util.Map.of(), "x");
        nodeNs = NodeNamespace.at(fx.node.path());
        // Its own thread, as Main's: not the common pool, which the HTTP client needs for its completions.
        CompletableFuture<Agent> starting = new CompletableFuture<>();
        Thread.ofPlatform().name("agent-start").start(() -> {
            try {
                starting.complete(Agent.start(cfg, nodeNs));
            } catch (Throwable e) {
                starting.completeExceptionally(e);
            }
        });

        // The agent registers its TwillNode with its InternalIP and waits: it is not serving yet.
        var nodes = client.resources(TwillNode.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> nodes.withName("k8s-node").get() != null);
        TwillNode mine = nodes.withName("k8s-node").get();
        assertThat(mine.getSpec().internalIP()).contains("192.168.77.2");
        Thread.sleep(500);
        assertThat(starting).isNotDone();
        assertThat(fx.socket()).doesNotExist();

        // The "operator" assigns the CIDR; the agent becomes ready.
        nodes.withName("k8s-node").edit(n -> {
            n.setSpec(n.getSpec().withPodCIDRs(List.of("10.77.5.0/24")));
            return n;
        });
        agent = starting.get(60, TimeUnit.SECONDS);
        assertThat(agent.ipam().cidrs()).extracting(Object::toString).containsExactly("10.77.5.0/24");

        TestNamespace pod = fx.pod("kp");
        CniShim.Result r = new CniShim(fx.socket(), "twill").call("ADD", "k8s-pod", pod.path(), "eth0",
                new CniShim(fx.socket(), "twill").conf("1.0.0", null), "K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0");
        assertThat(AgentPrivilegedIT.ip(r.ok())).isEqualTo("10.77.5.2");
        assertThat(agent.endpoints().registry().all()).singleElement()
                .satisfies(e -> assertThat(e.podRef()).isEqualTo("default/web-0"));

        // A peer node appears: its CIDR goes into twill_tunnel (and this node's own CIDR points at itself).
        TwillNode peer = TwillNode.create("peer", List.of(NodeAddress.internalIP("192.168.77.9")));
        peer.setSpec(peer.getSpec().withPodCIDRs(List.of("10.77.9.0/24")));
        nodes.resource(peer).create();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(agent.datapath().tunnel().lookup(Ipv4Prefix.parse("10.77.9.0/24"))).get()
                        .extracting(t -> t.nodeIp().getHostAddress()).isEqualTo("192.168.77.9"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(agent.datapath().tunnel().lookup(Ipv4Prefix.parse("10.77.5.0/24"))).isPresent());
        nodes.withName("peer").delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(agent.datapath().tunnel().lookup(Ipv4Prefix.parse("10.77.9.0/24"))).isEmpty());

        // Status: Ready, with IPAM usage.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            TwillNode n = nodes.withName("k8s-node").get();
            assertThat(n.getStatus().condition("Ready")).get().satisfies(c -> assertThat(c.status()).isEqualTo("True"));
            assertThat(n.getStatus().ipam()).isNotNull(); // used/available, refreshed every 30 s
        });
    }
}
