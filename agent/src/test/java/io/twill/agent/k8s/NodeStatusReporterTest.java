package io.twill.agent.k8s;

import io.twill.agent.ipam.IpamUsage;
import io.twill.agent.metrics.Health;
import io.twill.api.AgentStatus;
import io.twill.api.IpamStatus;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import io.twill.api.TwillNodeStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Timeout(60)
class NodeStatusReporterTest {
    private static final Instant START = Instant.parse("2026-11-22T08:00:00Z");

    private final MockApi api = new MockApi();
    private final AtomicReference<Health> health = new AtomicReference<>(Health.failing("datapath not loaded"));
    private final AtomicReference<IpamUsage> usage = new AtomicReference<>();
    private final NodeStatusReporter reporter = new NodeStatusReporter(api.client(), "node-a", health::get,
            () -> Optional.ofNullable(usage.get()), "0.1.0-test", START, Duration.ofMillis(200),
            Clock.fixed(START.plusSeconds(5), ZoneOffset.UTC));

    @AfterEach
    void close() {
        reporter.close();
        api.close();
    }

    private TwillNodeStatus status() {
        return api.get("node-a").getStatus();
    }

    @Test
    void writesReadyIpamAndAgentThroughTheStatusSubresourceKeepingTheOperatorsCondition() {
        TwillNode n = api.create("node-a", "192.168.50.2", "10.0.3.0/24");
        n.setStatus(TwillNodeStatus.EMPTY.withCondition(TwillNodeCondition.of(TwillNodeCondition.POD_CIDR_ALLOCATED,
                true, TwillNodeCondition.REASON_ALLOCATED, "10.0.3.0/24", START)));
        api.client().resources(TwillNode.class).resource(n).updateStatus();

        assertThat(reporter.reportOnce()).isTrue();
        TwillNodeStatus s = status();
        assertThat(s.condition(TwillNodeCondition.READY)).get().satisfies(c -> {
            assertThat(c.status()).isEqualTo("False");
            assertThat(c.reason()).isEqualTo("AgentNotReady");
            assertThat(c.message()).isEqualTo("datapath not loaded");
        });
        assertThat(s.condition(TwillNodeCondition.POD_CIDR_ALLOCATED)).get()
                .extracting(TwillNodeCondition::isTrue).isEqualTo(true);
        assertThat(s.agent()).isEqualTo(new AgentStatus("0.1.0-test", "2026-11-22T08:00:00Z"));
        assertThat(s.ipam()).isNull();
        assertThat(api.get("node-a").getSpec().podCIDRs()).containsExactly("10.0.3.0/24");

        health.set(Health.ok());
        usage.set(new IpamUsage(3, 250));
        assertThat(reporter.reportOnce()).isTrue();
        s = status();
        assertThat(s.condition(TwillNodeCondition.READY)).get().extracting(TwillNodeCondition::isTrue).isEqualTo(true);
        assertThat(s.ipam()).isEqualTo(new IpamStatus(3, 250));
        assertThat(s.conditions()).hasSize(2);
    }

    @Test
    void nothingIsWrittenWhileNothingChanges() {
        api.create("node-a", "192.168.50.2");
        assertThat(reporter.reportOnce()).isTrue();
        String rv = api.get("node-a").getMetadata().getResourceVersion();
        assertThat(reporter.reportOnce()).isFalse();
        assertThat(api.get("node-a").getMetadata().getResourceVersion()).isEqualTo(rv);
    }

    @Test
    void aConflictingWriteIsReadAgainAndReapplied() {
        api.create("node-a", "192.168.50.2");
        api.beforeOnce("PUT", "/twillnodes/node-a/status", () -> api.directSetCidrs("node-a", "10.0.9.0/24"));
        assertThat(reporter.reportOnce()).isTrue();
        assertThat(status().condition(TwillNodeCondition.READY)).isPresent();
        assertThat(api.get("node-a").getSpec().podCIDRs()).containsExactly("10.0.9.0/24");
    }

    @Test
    void aMissingNodeIsAnErrorAndTheLoopKeepsTrying() {
        assertThatThrownBy(reporter::reportOnce).hasMessageContaining("node-a").hasMessageContaining("does not exist");
        reporter.start();
        api.create("node-a", "192.168.50.2");
        health.set(Health.ok());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(status()
                .condition(TwillNodeCondition.READY)).get().extracting(TwillNodeCondition::isTrue).isEqualTo(true));
    }
}
