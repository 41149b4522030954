package io.twill.agent.k8s;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class PeerReconcilerTest {

    private final FakeTable tunnel = new FakeTable("twill_tunnel");
    private final FakeTable routes = new FakeTable("routes");
    private final PeerReconciler r = new PeerReconciler("self", List.of(
            new PeerReconciler.Target(tunnel, true), new PeerReconciler.Target(routes, false)));

    private static PeerNode peer(String name, String ip, long created, String... cidrs) {
        return new PeerNode(name, Ipv4.parse(ip), Arrays.stream(cidrs).map(Ipv4Prefix::parse).toList(),
                Instant.ofEpochSecond(created));
    }

    @Test
    void addMoveAndDeleteFollowTheNodes() {
        r.upsert(peer("self", "192.168.0.1", 1, "10.0.1.0/24"));
        r.upsert(peer("b", "192.168.0.2", 2, "10.0.2.0/24"));
        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.1.0/24", "192.168.0.1"),
                entry("10.0.2.0/24", "192.168.0.2"));
        assertThat(routes.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.0.2"));

        r.upsert(peer("b", "192.168.0.22", 2, "10.0.2.0/24")); // node IP changes
        assertThat(tunnel.snapshot()).containsEntry("10.0.2.0/24", "192.168.0.22");
        assertThat(routes.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.0.22"));

        r.upsert(peer("b", "192.168.0.22", 2, "10.0.3.0/24")); // CIDR moves
        assertThat(routes.snapshot()).containsExactly(entry("10.0.3.0/24", "192.168.0.22"));
        assertThat(tunnel.snapshot()).doesNotContainKey("10.0.2.0/24");

        tunnel.clearOps();
        r.upsert(peer("b", "192.168.0.22", 2, "10.0.3.0/24")); // no change: no writes at all
        assertThat(tunnel.ops()).isEmpty();

        r.remove("b");
        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.1.0/24", "192.168.0.1"));
        assertThat(routes.snapshot()).isEmpty();
        assertThat(r.entryCount(tunnel)).isEqualTo(1);
        assertThat(r.nodeCount()).isEqualTo(1);
    }

    @Test
    void aContestedCidrGoesToTheOlderNodeAndFailsOverWhenItLeaves() {
        r.upsert(peer("new", "192.168.0.9", 20, "10.0.5.0/24"));
        r.upsert(peer("old", "192.168.0.8", 10, "10.0.5.0/24"));
        assertThat(routes.snapshot()).containsExactly(entry("10.0.5.0/24", "192.168.0.8"));

        r.remove("old");
        assertThat(routes.snapshot()).containsExactly(entry("10.0.5.0/24", "192.168.0.9"));
        r.remove("new");
        assertThat(routes.snapshot()).isEmpty();
    }

    @Test
    void resyncRemovesStaleEntriesAndRepairsDrift() {
        tunnel.inject("10.9.9.0/24", "192.168.0.99");   // from a node deleted while the agent was down
        tunnel.inject("10.0.2.0/24", "192.168.0.250");  // wrong IP
        routes.inject("10.0.1.0/24", "192.168.0.1");    // own CIDR must never be routed

        PeerReconciler.ResyncResult res = r.resync(List.of(peer("self", "192.168.0.1", 1, "10.0.1.0/24"),
                peer("b", "192.168.0.2", 2, "10.0.2.0/24")));

        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.1.0/24", "192.168.0.1"),
                entry("10.0.2.0/24", "192.168.0.2"));
        assertThat(routes.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.0.2"));
        assertThat(res).isEqualTo(new PeerReconciler.ResyncResult(2, 1, 2, 0));

        tunnel.clearOps();
        assertThat(r.resync(List.of(peer("self", "192.168.0.1", 1, "10.0.1.0/24"),
                peer("b", "192.168.0.2", 2, "10.0.2.0/24")))).isEqualTo(new PeerReconciler.ResyncResult(0, 0, 0, 0));
        assertThat(tunnel.ops()).isEmpty();
    }

    @Test
    void aFailedWriteIsRememberedAndTheNextResyncRepairsIt() {
        tunnel.failNext(1);
        r.upsert(peer("b", "192.168.0.2", 2, "10.0.2.0/24"));
        assertThat(tunnel.snapshot()).isEmpty();
        assertThat(routes.snapshot()).hasSize(1); // the other table is not held back
        assertThat(r.needsResync()).isTrue();

        r.resync(List.of(peer("b", "192.168.0.2", 2, "10.0.2.0/24")));
        assertThat(r.needsResync()).isFalse();
        assertThat(tunnel.snapshot()).containsExactly(entry("10.0.2.0/24", "192.168.0.2"));
    }

    @Test
    void anUnreadableTableDuringResyncIsReportedAndRetried() {
        tunnel.failNext(1); // entries() throws
        PeerReconciler.ResyncResult res = r.resync(List.of(peer("b", "192.168.0.2", 2, "10.0.2.0/24")));
        assertThat(res.failed()).isEqualTo(1);
        assertThat(r.needsResync()).isTrue();
        assertThat(routes.snapshot()).hasSize(1);
        r.resync(List.of(peer("b", "192.168.0.2", 2, "10.0.2.0/24")));
        assertThat(tunnel.snapshot()).hasSize(1);
    }

    @Test
    void desiredIsSortedAndExcludesSelfWhereAsked() {
        r.upsert(peer("self", "192.168.0.1", 1, "10.0.1.0/24"));
        r.upsert(peer("c", "192.168.0.3", 3, "10.0.3.0/24", "10.0.0.0/24"));
        Map<Ipv4Prefix, ?> want = r.desired(new PeerReconciler.Target(routes, false));
        assertThat(want.keySet()).extracting(Ipv4Prefix::toString).containsExactly("10.0.0.0/24", "10.0.3.0/24");
    }
}
