package io.twill.mockapi;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The launcher's server (indexed CRUD dispatcher) keeps the API semantics the operator and agents rely on. */
class MockApiServerTest {

    @TempDir
    Path dir;

    private MockApiServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = MockApiServer.start(InetAddress.getLoopbackAddress(), 0, true, false);
        client = server.client();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private TwillNode create(String name) {
        return client.resources(TwillNode.class).resource(TwillNode.create(name, List.of(NodeAddress.internalIP("10.1.1.1"))))
                .create();
    }

    @Test
    void usesTheIndexAndKeepsCrudSemantics() {
        assertThat(((IndexedCrudDispatcher) dispatcherOf(server)).indexed()).isTrue();
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName(TwillNode.CRD_NAME).get()).isNotNull();

        TwillNode a = create("a");
        create("b");
        assertThatThrownBy(() -> create("a")).isInstanceOf(KubernetesClientException.class)
                .extracting(e -> ((KubernetesClientException) e).getCode()).isEqualTo(409);
        assertThat(client.resources(TwillNode.class).withName("a").get().getSpec().internalIP()).contains("10.1.1.1");
        assertThat(client.resources(TwillNode.class).withName("missing").get()).isNull();
        assertThat(client.resources(TwillNode.class).list().getItems()).extracting(TwillNode::nodeName)
                .containsExactlyInAnyOrder("a", "b");

        // a merge patch guarded by a stale resourceVersion conflicts; a current one applies
        TwillNode patched = client.resources(TwillNode.class).resource(a).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"resourceVersion\":\"" + a.getMetadata().getResourceVersion()
                        + "\"},\"spec\":{\"ipam\":{\"podCIDRs\":[\"10.0.0.0/24\"]}}}");
        assertThat(patched.getSpec().podCIDRs()).containsExactly("10.0.0.0/24");
        assertThatThrownBy(() -> client.resources(TwillNode.class).resource(a).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"resourceVersion\":\"" + a.getMetadata().getResourceVersion()
                        + "\"},\"spec\":{\"ipam\":{\"podCIDRs\":[\"10.0.9.0/24\"]}}}"))
                .extracting(e -> ((KubernetesClientException) e).getCode()).isEqualTo(409);

        // status subresource: a status write keeps the spec, a spec write keeps the status
        patched.setStatus(patched.getStatus().withCondition(TwillNodeCondition.of("Ready", true, "Up", "ok", Instant.now())));
        client.resources(TwillNode.class).resource(patched).updateStatus();
        TwillNode now = client.resources(TwillNode.class).withName("a").get();
        assertThat(now.getSpec().podCIDRs()).containsExactly("10.0.0.0/24");
        assertThat(now.getStatus().condition("Ready")).isPresent();
        client.resources(TwillNode.class).resource(now).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"addresses\":[{\"type\":\"InternalIP\",\"ip\":\"10.2.2.2\"}]}}");
        assertThat(client.resources(TwillNode.class).withName("a").get().getStatus().condition("Ready")).isPresent();

        // same names in other kinds and namespaces do not collide in the index
        client.configMaps().inNamespace("default").resource(cm("a", "default")).create();
        client.configMaps().inNamespace("kube-system").resource(cm("a", "kube-system")).create();
        assertThat(client.configMaps().inNamespace("kube-system").withName("a").get().getData())
                .containsEntry("ns", "kube-system");
        assertThat(client.configMaps().inNamespace("default").withName("a").get().getData()).containsEntry("ns", "default");
        assertThat(client.resources(TwillNode.class).withName("a").get().getKind()).isEqualTo("TwillNode");

        client.resources(TwillNode.class).withName("a").delete();
        assertThat(client.resources(TwillNode.class).withName("a").get()).isNull();
        create("a");
        assertThat(client.resources(TwillNode.class).list().getItems()).hasSize(2);
        assertThat(server.requestsByMethod()).containsKeys("GET", "POST", "PATCH", "PUT", "DELETE");
    }

    @Test
    void watchesSeeCreatesUpdatesAndDeletes() {
        List<String> events = new CopyOnWriteArrayList<>();
        try (Watch w = client.resources(TwillNode.class).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, TwillNode n) {
                events.add(action + " " + n.nodeName());
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            TwillNode x = create("x");
            client.resources(TwillNode.class).resource(x).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"spec\":{\"ipam\":{\"podCIDRs\":[\"10.0.1.0/24\"]}}}");
            client.resources(TwillNode.class).withName("x").delete();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 3);
            assertThat(events).containsExactly("ADDED x", "MODIFIED x", "DELETED x");
        }
    }

    /** Stock, closing a watch while events flow froze a Vert.x event loop for 30 s (see handleWatch). */
    @Test
    void closingWatchesWhileEventsFlowDoesNotStallTheServer() throws Exception {
        for (int round = 0; round < 4; round++) {
            long t0 = System.nanoTime();
            List<KubernetesClient> watchers = new java.util.ArrayList<>();
            List<Watch> watches = new java.util.ArrayList<>();
            for (int w = 0; w < 4; w++) {
                KubernetesClient c = server.client();
                watchers.add(c);
                watches.add(c.resources(TwillNode.class).watch(new Watcher<>() {
                    @Override
                    public void eventReceived(Action action, TwillNode n) {
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                }));
            }
            int r = round;
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 150; i++) {
                    create("s" + r + "-" + i);
                }
            });
            Thread.sleep(150);
            watches.forEach(Watch::close);
            watchers.forEach(KubernetesClient::close);
            writer.join(Duration.ofSeconds(60));
            assertThat(writer.isAlive()).isFalse();
            assertThat(client.resources(TwillNode.class).withName("s" + r + "-149").get()).isNotNull();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("round %d", round).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void theKubeconfigPointsAtIt() throws Exception {
        Path kubeconfig = dir.resolve("kc/kubeconfig");
        server.writeKubeconfig(kubeconfig);
        assertThat(Files.readString(kubeconfig)).contains("server: " + server.url(), "current-context: twill-mock");
        var config = io.fabric8.kubernetes.client.Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        try (KubernetesClient c = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build()) {
            create("k");
            assertThat(c.resources(TwillNode.class).withName("k").get()).isNotNull();
        }
    }

    @Test
    void aHookSeesEveryRequestAndMayAnswerIt() {
        List<String> seen = new CopyOnWriteArrayList<>();
        try (MockApiServer hooked = MockApiServer.start(InetAddress.getLoopbackAddress(), 0, true, false, r -> {
            seen.add(r.getMethod() + " " + r.getPath());
            return r.getMethod().equals("DELETE") ? new io.fabric8.mockwebserver.http.MockResponse().setResponseCode(422) : null;
        }); KubernetesClient c = hooked.client()) {
            c.resources(TwillNode.class).resource(TwillNode.create("h", List.of(NodeAddress.internalIP("10.1.1.1")))).create();
            assertThatThrownBy(() -> c.resources(TwillNode.class).withName("h").withGracePeriod(0).delete())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
            assertThat(c.resources(TwillNode.class).withName("h").get()).as("the hook answered; the store kept it").isNotNull();
            assertThat(seen).anyMatch(l -> l.startsWith("POST /apis/twill.io/v1alpha1/twillnodes"))
                    .anyMatch(l -> l.startsWith("DELETE /apis/twill.io/v1alpha1/twillnodes/h"));
        }
    }

    private static ConfigMap cm(String name, String namespace) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("ns", namespace).build();
    }

    private static Object dispatcherOf(MockApiServer s) {
        try {
            var f = MockApiServer.class.getDeclaredField("dispatcher");
            f.setAccessible(true);
            return f.get(s);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
