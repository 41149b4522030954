package io.twill.agent.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.twill.agent.ipam.IpamUsage;
import io.twill.agent.metrics.Health;
import io.twill.agent.metrics.HealthCheck;
import io.twill.agent.metrics.IpamUsageSource;
import io.twill.api.AgentStatus;
import io.twill.api.IpamStatus;
import io.twill.api.TwillNode;
import io.twill.api.TwillNodeCondition;
import io.twill.api.TwillNodeStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Writes the agent's part of its TwillNode's status through the status subresource: the {@code Ready} condition
 * (from the agent's health), {@code ipam} (used/available pod IPs) and {@code agent} (version, start time). Other
 * writers' parts (the operator's PodCIDRAllocated condition) are kept: each write reads the object, replaces only
 * these fields and sends it with that read's resourceVersion; a 409 means "read again and re-apply".
 *
 * <p>Runs every {@code period} and on {@link #requestUpdate()}, and only talks to the API server when what it would
 * write differs from what it last wrote, so a quiet node costs nothing. Failures are logged and retried at the next
 * tick.
 */
public final class NodeStatusReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeStatusReporter.class);
    private static final int MAX_CONFLICT_RETRIES = 5;
    static final String REASON_READY = "AgentReady";
    static final String REASON_NOT_READY = "AgentNotReady";

    private final KubernetesClient client;
    private final String nodeName;
    private final HealthCheck health;
    private final IpamUsageSource ipam;
    private final AgentStatus agent;
    private final Duration period;
    private final Clock clock;
    private final ScheduledExecutorService loop;
    private final AtomicBoolean started = new AtomicBoolean();
    /** What the last successful write put there (transition time ignored when comparing). */
    private volatile Desired lastWritten;

    private record Desired(TwillNodeCondition ready, IpamStatus ipam, AgentStatus agent) {
        boolean sameAs(Desired o) {
            return o != null && ready.sameAs(o.ready) && Objects.equals(ipam, o.ipam) && agent.equals(o.agent);
        }
    }

    public NodeStatusReporter(KubernetesClient client, String nodeName, HealthCheck health, IpamUsageSource ipam,
                              String agentVersion, Instant startTime, Duration period, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.health = Objects.requireNonNull(health, "health");
        this.ipam = Objects.requireNonNull(ipam, "ipam");
        this.agent = new AgentStatus(Objects.requireNonNull(agentVersion, "agentVersion"), startTime.toString());
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("status period must be positive, got " + period);
        }
        this.period = period;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "twill-node-status");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reports now and then every period, on its own thread. */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("NodeStatusReporter already started");
        }
        loop.scheduleWithFixedDelay(this::tick, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a report soon (e.g. when the agent became ready), without waiting for the period. */
    public void requestUpdate() {
        if (!loop.isShutdown()) {
            loop.execute(this::tick);
        }
    }

    /**
     * Writes the status now if it differs from the last write. Returns true when it wrote. Throws the API error
     * (after re-reading and re-applying on conflicts up to a few times).
     */
    public boolean reportOnce() {
        Desired want = desired();
        if (want.sameAs(lastWritten)) {
            return false;
        }
        int conflicts = 0;
        while (true) {
            TwillNode current = client.resources(TwillNode.class).withName(nodeName).get();
            if (current == null) {
                throw new KubernetesClientException("TwillNode " + nodeName + " does not exist", 404, null);
            }
            TwillNodeStatus before = current.getStatus();
            TwillNodeStatus next = before.withCondition(want.ready).withIpam(want.ipam).withAgent(want.agent);
            current.setStatus(next);
            try {
                client.resources(TwillNode.class).resource(current).updateStatus();
                logTransition(before, want);
                lastWritten = want;
                return true;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || ++conflicts > MAX_CONFLICT_RETRIES) {
                    throw e;
                }
                log.atDebug().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.ATTEMPT, conflicts)
                        .log("TwillNode {} status changed under us; reading it again", nodeName);
            }
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick() {
        try {
            reportOnce();
        } catch (KubernetesClientException e) {
            log.atWarn().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.OPERATION, "updateStatus")
                    .addKeyValue(LogFields.HTTP_CODE, e.getCode())
                    .log("Cannot update TwillNode {} status: {}; retrying in {} ms", nodeName, ApiRetry.message(e),
                            period.toMillis());
        } catch (RuntimeException e) {
            log.error("Cannot compute TwillNode {} status: {}", nodeName, e.toString(), e);
        }
    }

    private Desired desired() {
        Health h;
        try {
            h = health.check();
        } catch (RuntimeException e) {
            h = Health.failing("health check failed: " + e);
        }
        TwillNodeCondition ready = TwillNodeCondition.of(TwillNodeCondition.READY, h.healthy(),
                h.healthy() ? REASON_READY : REASON_NOT_READY,
                h.healthy() ? "datapath loaded, CNI server running" : h.summary(), clock.instant());
        IpamStatus ipamStatus = ipam.ipamUsage().map(NodeStatusReporter::toStatus).orElse(null);
        return new Desired(ready, ipamStatus, agent);
    }

    private static IpamStatus toStatus(IpamUsage u) {
        return new IpamStatus(u.used(), u.available());
    }

    private void logTransition(TwillNodeStatus before, Desired want) {
        boolean wasReady = before.condition(TwillNodeCondition.READY).map(TwillNodeCondition::isTrue).orElse(false);
        boolean isReady = want.ready.isTrue();
        if (wasReady != isReady || lastWritten == null) {
            log.atInfo().addKeyValue(LogFields.NODE, nodeName).addKeyValue(LogFields.REASON, want.ready.reason())
                    .log("TwillNode {} Ready={} ({})", nodeName, want.ready.status(), want.ready.message());
        }
    }
}
