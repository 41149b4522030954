package io.twill.agent.k8s;

import io.twill.api.NodeAddress;
import io.twill.api.TwillNode;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class NodeRegistrarTest {
    private final MockApi api = new MockApi();
    private final ExecutorService waiters = Executors.newCachedThreadPool();
    private final Backoff fast = new Backoff(Duration.ofMillis(10), Duration.ofMillis(50));

    @AfterEach
    void close() throws InterruptedException {
        waiters.shutdownNow();
        assertThat(waiters.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        api.close();
    }

    private Future<List<Ipv4Prefix>> waitInBackground(Callable<List<Ipv4Prefix>> wait) {
        return waiters.submit(wait);
    }

    private NodeRegistrar registrar(String ip) {
        return new NodeRegistrar(api.client(), "node-a", Ipv4.parse(ip), fast);
    }

    @Test
    void createsItsTwillNodeWithTheInternalIP() throws Exception {
        TwillNode n = registrar("192.168.50.2").register();
        assertThat(n.getMetadata().getResourceVersion()).isNotNull();
        TwillNode stored = api.get("node-a");
        assertThat(stored.getSpec().addresses()).containsExactly(NodeAddress.internalIP("192.168.50.2"));
        assertThat(stored.getSpec().podCIDRs()).isEmpty();
    }

    @Test
    void updatesTheAddressButNeverTheOperatorsIpamBlock() throws Exception {
        api.create("node-a", "192.168.50.9", "10.0.3.0/24");
        registrar("192.168.50.2").register();
        TwillNode stored = api.get("node-a");
        assertThat(stored.getSpec().addresses()).containsExactly(NodeAddress.internalIP("192.168.50.2"));
        assertThat(stored.getSpec().podCIDRs()).containsExactly("10.0.3.0/24");

        String rv = stored.getMetadata().getResourceVersion();
        registrar("192.168.50.2").register(); // already right: no write
        assertThat(api.get("node-a").getMetadata().getResourceVersion()).isEqualTo(rv);
    }

    @Test
    void aConcurrentOperatorWriteCausesAConflictThatIsResolvedByReadingAgain() throws Exception {
        api.create("node-a", "192.168.50.9");
        // Between the agent's GET and its PUT the operator assigns the CIDR: the PUT carries a stale
        // resourceVersion, the server answers 409, and the agent must re-read and keep the operator's write.
        api.beforeOnce("PUT", "/twillnodes/node-a", () -> api.directSetCidrs("node-a", "10.0.7.0/24"));
        registrar("192.168.50.2").register();
        TwillNode stored = api.get("node-a");
        assertThat(stored.getSpec().podCIDRs()).containsExactly("10.0.7.0/24");
        assertThat(stored.getSpec().addresses()).containsExactly(NodeAddress.internalIP("192.168.50.2"));
    }

    @Test
    void apiErrorsAreRetriedWithBackoff() throws Exception {
        api.failOnce("GET", "/twillnodes/node-a", 503);
        api.failOnce("GET", "/twillnodes/node-a", 500);
        api.failOnce("POST", "/twillnodes", 403);
        registrar("192.168.50.2").register();
        assertThat(api.get("node-a")).isNotNull();
    }

    @Test
    void aCreateRaceWithAnotherWriterEndsInAnUpdate() throws Exception {
        // Someone creates the object between our GET (404) and our POST: POST gets 409 AlreadyExists.
        api.beforeOnce("POST", "/twillnodes", () -> api.directCreate(api.node("node-a", "192.168.50.9", "10.0.3.0/24")));
        registrar("192.168.50.2").register();
        TwillNode stored = api.get("node-a");
        assertThat(stored.getSpec().addresses()).containsExactly(NodeAddress.internalIP("192.168.50.2"));
        assertThat(stored.getSpec().podCIDRs()).containsExactly("10.0.3.0/24");
    }

    @Test
    void waitsForThePodCidrAndReturnsItOnceTheOperatorWritesIt() throws Exception {
        NodeRegistrar r = registrar("192.168.50.2");
        Future<List<Ipv4Prefix>> got = waitInBackground(() -> r.awaitPodCidrs());
        Thread.sleep(300);
        assertThat(got.isDone()).isFalse();
        TwillNode registered = api.get("node-a");
        assertThat(registered).isNotNull();

        api.setCidrs("node-a", "10.0.5.0/24");
        assertThat(got.get(10, TimeUnit.SECONDS)).containsExactly(Ipv4Prefix.parse("10.0.5.0/24"));
    }

    @Test
    void aMalformedPodCidrIsNotHandedOnAndTheWaitGoesOn() throws Exception {
        api.create("node-a", "192.168.50.2", "10.0.5.1/24");
        NodeRegistrar r = registrar("192.168.50.2");
        Future<List<Ipv4Prefix>> got = waitInBackground(() -> r.awaitPodCidrs(Duration.ofMillis(100)));
        Thread.sleep(400);
        assertThat(got.isDone()).isFalse();
        api.setCidrs("node-a", "10.0.5.0/30");
        assertThat(got.get(10, TimeUnit.SECONDS)).containsExactly(Ipv4Prefix.parse("10.0.5.0/30"));
    }

    @Test
    void aTwillNodeDeletedWhileWaitingIsRegisteredAgain() throws Exception {
        NodeRegistrar r = registrar("192.168.50.2");
        r.register();
        Future<List<Ipv4Prefix>> got = waitInBackground(() -> r.awaitPodCidrs(Duration.ofMillis(100)));
        Thread.sleep(300);
        api.delete("node-a");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> api.get("node-a") != null);
        api.setCidrs("node-a", "10.0.6.0/24");
        assertThat(got.get(10, TimeUnit.SECONDS)).containsExactly(Ipv4Prefix.parse("10.0.6.0/24"));
    }

    @Test
    void podCidrParsingRefusesUnusablePrefixes() {
        assertThat(NodeRegistrar.parseCidrs(List.of("10.0.1.0/24", " 10.0.1.0/24", "10.0.2.0/30")))
                .extracting(Ipv4Prefix::toString).containsExactly("10.0.1.0/24", "10.0.2.0/30");
        assertThatThrownBy(() -> NodeRegistrar.parseCidrs(List.of("10.0.1.0/31"))).hasMessageContaining("1..30");
        assertThatThrownBy(() -> NodeRegistrar.parseCidrs(List.of("0.0.0.0/0"))).hasMessageContaining("1..30");
        assertThatThrownBy(() -> NodeRegistrar.parseCidrs(List.of("10.0.1.1/24"))).hasMessageContaining("host bits");
    }
}
