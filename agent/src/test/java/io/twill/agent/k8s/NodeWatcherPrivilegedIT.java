package io.twill.agent.k8s;

import io.twill.agent.ctl.TestPinRoot;
import io.twill.agent.datapath.MapsTunnelTable;
import io.twill.maps.MapEntry;
import io.twill.datapath.Datapath;
import io.twill.datapath.DatapathConfig;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;
import io.twill.testkit.PrivilegedTest;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/** The node watcher keeps the real, pinned {@code twill_tunnel} LPM trie equal to the TwillNodes of a mock API. */
@PrivilegedTest
@Timeout(120)
class NodeWatcherPrivilegedIT {
    private TestPinRoot root;
    private Datapath datapath;
    private MockApi api;
    private NodeWatcher watcher;

    @BeforeEach
    void setUp() {
        root = new TestPinRoot("watcher");
        datapath = Datapath.load(DatapathConfig.nativeRouting(Ipv4.parse("192.168.50.1"),
                Ipv4Prefix.parse("10.200.0.0/16")), root.path());
        api = new MockApi();
    }

    @AfterEach
    void tearDown() {
        try {
            if (watcher != null) {
                watcher.close();
            }
            api.close();
            datapath.close();
        } finally {
            root.close();
        }
    }

    private Map<String, String> tunnel() {
        Map<String, String> m = new TreeMap<>();
        for (MapEntry<TunnelKey, TunnelInfo> e : datapath.tunnel().entries()) {
            m.put(e.key().cidr().toString(), e.value().nodeIp().getHostAddress());
        }
        return m;
    }

    @Test
    void theTunnelMapFollowsTheCluster() throws Exception {
        datapath.tunnel().put(Ipv4Prefix.parse("10.200.99.0/24"), Ipv4.parse("192.168.50.99")); // left from a past run
        api.create("self", "192.168.50.1", "10.200.1.0/24");
        api.create("b", "192.168.50.2", "10.200.2.0/24");
        api.create("broken", "192.168.50.5", "10.200.5.0/33");
        watcher = NodeWatcher.overlay(api.client(), "self", new MapsTunnelTable(datapath.tunnel()), Duration.ofHours(1));
        watcher.start();
        assertThat(watcher.awaitSynced(Duration.ofSeconds(30))).isTrue();
        assertThat(tunnel()).containsExactly(entry("10.200.1.0/24", "192.168.50.1"),
                entry("10.200.2.0/24", "192.168.50.2"));
        // the datapath's own longest-prefix lookup agrees
        assertThat(datapath.tunnel().match(Ipv4.parse("10.200.2.77"))).get()
                .extracting(TunnelInfo::nodeIp).isEqualTo(Ipv4.parse("192.168.50.2"));

        api.create("c", "192.168.50.3", "10.200.3.0/24");
        api.setIp("b", "192.168.50.22");
        api.setCidrs("broken", "10.200.5.0/24");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(tunnel()).containsExactly(
                entry("10.200.1.0/24", "192.168.50.1"), entry("10.200.2.0/24", "192.168.50.22"),
                entry("10.200.3.0/24", "192.168.50.3"), entry("10.200.5.0/24", "192.168.50.5")));

        api.setCidrs("c", "10.200.33.0/24");
        api.delete("b");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(tunnel()).containsExactly(
                entry("10.200.1.0/24", "192.168.50.1"), entry("10.200.33.0/24", "192.168.50.3"),
                entry("10.200.5.0/24", "192.168.50.5")));
        assertThat(datapath.tunnel().match(Ipv4.parse("10.200.2.77"))).isEmpty();
    }
}
