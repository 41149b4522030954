package io.twill.operator.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.twill.daemon.MetricsEndpoint;
import io.twill.operator.ipam.PodCidrAllocator.PoolUsage;
import java.net.InetSocketAddress;
import java.util.Map;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operator's Prometheus metrics, in a registry of its own (so two operators in one JVM do not clash), and the
 * HTTP endpoint serving {@code /metrics} and {@code /healthz}. Pool figures count node CIDRs, labelled with the pool
 * prefix.
 */
public final class OperatorMetrics implements AutoCloseable {


    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter allocations = Counter.builder().name("twill_operator_ipam_allocations_total")
            .help("Node pod CIDRs allocated from the cluster pool").register(registry);
    private final Counter releases = Counter.builder().name("twill_operator_ipam_releases_total")
            .help("Node pod CIDRs returned to the cluster pool").register(registry);
    private final Counter exhausted = Counter.builder().name("twill_operator_ipam_exhausted_total")
            .help("Times a node found the cluster pool exhausted").register(registry);
    private final Counter refusals = Counter.builder().name("twill_operator_ipam_refused_total")
            .help("Times a TwillNode's own pod CIDR was refused (malformed, outside the pool, conflicting)")
            .labelNames("reason").register(registry);
    private final Gauge poolSize = Gauge.builder().name("twill_operator_ipam_pool_size")
            .help("Node CIDRs in a pool prefix").labelNames("pool").register(registry);
    private final Gauge poolUsed = Gauge.builder().name("twill_operator_ipam_pool_used")
            .help("Node CIDRs of a pool prefix in use").labelNames("pool").register(registry);
    private final Gauge poolFree = Gauge.builder().name("twill_operator_ipam_pool_free")
            .help("Node CIDRs of a pool prefix still free").labelNames("pool").register(registry);
    private final Gauge pendingNodes = Gauge.builder().name("twill_operator_ipam_pending_nodes")
            .help("TwillNodes waiting for a free pod CIDR").register(registry);
    private final Gauge refusedNodes = Gauge.builder().name("twill_operator_ipam_refused_nodes")
            .help("TwillNodes whose pod CIDR is refused").register(registry);
    private final Gauge leader = Gauge.builder().name("twill_operator_leader")
            .help("1 while this replica holds the leader lease, else 0").register(registry);
    private final Counter gcDeleted = Counter.builder().name("twill_operator_gc_deleted_total")
            .help("TwillNodes deleted because their Kubernetes Node is gone").register(registry);
    private final Counter apiErrors = Counter.builder().name("twill_operator_api_errors_total")
            .help("Failed Kubernetes API writes, by operation").labelNames("op").register(registry);

    private MetricsEndpoint server;

    public PrometheusRegistry registry() {
        return registry;
    }

    public void allocated(int n) {
        allocations.inc(n);
    }

    public void released(int n) {
        releases.inc(n);
    }

    public void exhausted() {
        exhausted.inc();
    }

    public void refused(String reason) {
        refusals.labelValues(reason).inc();
    }

    public void pool(List<PoolUsage> usage, int pending, int refused) {
        for (PoolUsage u : usage) {
            String p = u.pool().toString();
            poolSize.labelValues(p).set(u.size());
            poolUsed.labelValues(p).set(u.used());
            poolFree.labelValues(p).set(u.free());
        }
        pendingNodes.set(pending);
        refusedNodes.set(refused);
    }

    public void leader(boolean isLeader) {
        leader.set(isLeader ? 1 : 0);
    }

    public void gcDeleted() {
        gcDeleted.inc();
    }

    public void apiError(String op) {
        apiErrors.labelValues(op).inc();
    }

    public double allocationsTotal() {
        return allocations.get();
    }

    public double exhaustedTotal() {
        return exhausted.get();
    }

    public double gcDeletedTotal() {
        return gcDeleted.get();
    }

    /**
     * Serves {@code /metrics} and {@code /healthz} (200 "ok", or 503 with the reason {@code unhealthy} gives), as the
     * agent serves its own ({@link MetricsEndpoint}).
     *
     * @return the bound port (useful with port 0)
     */
    public int serve(String bindAddress, int port, Supplier<Optional<String>> unhealthy) {
        if (server != null) {
            throw new IllegalStateException("metrics server already running on port " + server.port());
        }
        server = MetricsEndpoint.start(new InetSocketAddress(bindAddress, port), "twill-operator-metrics", registry,
                () -> unhealthy.get().map(List::of).orElse(List.of()), Map.of());
        return server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
