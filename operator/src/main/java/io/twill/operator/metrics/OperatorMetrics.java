package io.twill.operator.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.twill.operator.ipam.PodCidrAllocator.PoolUsage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The operator's Prometheus metrics, in a registry of its own (so two operators in one JVM do not clash), and the
 * HTTP endpoint serving {@code /metrics} and {@code /healthz}. Pool figures count node CIDRs, labelled with the pool
 * prefix.
 */
public final class OperatorMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OperatorMetrics.class);

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

    private HTTPServer server;

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
     * Serves {@code /metrics} and {@code /healthz} (200 "ok", or 503 with the reason {@code unhealthy} gives).
     *
     * @return the bound port (useful with port 0)
     */
    public int serve(String bindAddress, int port, Supplier<Optional<String>> unhealthy) {
        if (server != null) {
            throw new IllegalStateException("metrics server already running on port " + server.getPort());
        }
        try {
            server = HTTPServer.builder().inetAddress(InetAddress.getByName(bindAddress)).port(port).registry(registry)
                    .defaultHandler(ex -> health(ex, unhealthy)).buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + bindAddress + ":" + port + ": " + e.getMessage(), e);
        }
        log.info("Serving /metrics and /healthz on {}:{}", bindAddress, server.getPort());
        return server.getPort();
    }

    private static void health(HttpExchange ex, Supplier<Optional<String>> unhealthy) throws IOException {
        try (ex) {
            int code;
            String body;
            if (!ex.getRequestURI().getPath().equals("/healthz")) {
                code = 404;
                body = "not found; try /metrics or /healthz\n";
            } else {
                Optional<String> problem = unhealthy.get();
                code = problem.isPresent() ? 503 : 200;
                body = problem.map(p -> p + "\n").orElse("ok\n");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            ex.sendResponseHeaders(code, bytes.length);
            ex.getResponseBody().write(bytes);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
