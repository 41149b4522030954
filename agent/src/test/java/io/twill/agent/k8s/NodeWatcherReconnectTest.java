package io.twill.agent.k8s;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/** The API server goes away and comes back: the watcher relists, resyncs and removes what went stale meanwhile. */
@Timeout(120)
class NodeWatcherReconnectTest {
    private final MockApi api = new MockApi();
    private final FakeTable tunnel = new FakeTable("twill_tunnel");
    private NodeWatcher watcher;

    @AfterEach
    void close() {
        if (watcher != null) {
            watcher.close();
        }
        api.close();
    }

    @Test
    void afterAReconnectDeletionsMissedAndDriftAreRepaired() throws Exception {
        api.create("b", "192.168.50.2", "10.0.2.0/24");
        api.create("c", "192.168.50.3", "10.0.3.0/24");
        watcher = NodeWatcher.overlay(api.client(), "self", tunnel, Duration.ofHours(1));
        watcher.start();
        assertThat(watcher.awaitSynced(Duration.ofSeconds(20))).isTrue();
        assertThat(tunnel.snapshot()).hasSize(2);

        api.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> !watcher.isWatching());
        api.directDelete("c");                        // deleted while the watch is down
        assertThat(api.directExists("c")).isFalse();
        tunnel.inject("10.0.66.0/24", "192.168.50.66"); // and drift in the map meanwhile
        // The mock keeps no history, so a watch resumed from the old resourceVersion would never hear of the
        // deletion; a real API server either replays it or answers 410 Gone (history compacted), after which the
        // informer lists again. Do the latter.
        api.expireNextWatch();
        api.restart();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(tunnel.snapshot())
                .containsExactly(entry("10.0.2.0/24", "192.168.50.2")));
        assertThat(watcher.isWatching()).isTrue();
        assertThat(watcher.nodeCount()).isEqualTo(1);
    }
}
