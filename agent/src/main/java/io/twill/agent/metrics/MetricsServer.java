package io.twill.agent.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.twill.daemon.MetricsEndpoint;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoint (default {@code :9962}), read-only, served as the operator's is ({@link MetricsEndpoint}):
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text/OpenMetrics/protobuf, from {@link TwillMetrics};</li>
 *   <li>{@code GET /healthz}: 200 "ok" when the datapath is loaded and the CNI server runs, else 503 with the
 *       reasons, one per line (for kubelet probes and people);</li>
 *   <li>{@code GET /v1/status}: {@link StatusReport} as JSON (twillctl status);</li>
 *   <li>{@code GET /v1/endpoints}: the live endpoints as a JSON array of {@link EndpointView}.</li>
 * </ul>
 * Nothing here changes the agent, so exposing it on the node's address leaks at most what {@code kubectl get pods -o
 * wide} shows; bind it to 127.0.0.1 where even that is too much.
 */
public final class MetricsServer implements AutoCloseable {
    /** Reads what the endpoint writes (tests, twillctl). */
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final MetricsEndpoint endpoint;

    private MetricsServer(MetricsEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * Listens on {@code address} ({@code host:port} or {@code :port} for every address; port 0 picks a free one).
     *
     * @throws UncheckedIOException naming the address when it cannot bind (e.g. the port is taken)
     */
    public static MetricsServer start(String address, TwillMetrics metrics, AgentView view) {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(view, "view");
        Map<String, Supplier<?>> json = new LinkedHashMap<>();
        json.put("/v1/status", () -> StatusReport.of(view));
        json.put("/v1/endpoints", () -> view.endpoints().stream().map(EndpointView::of).toList());
        return new MetricsServer(MetricsEndpoint.start(parse(address), "twill-metrics-http", metrics.registry(), () -> {
            Health h = view.health();
            return h.healthy() ? List.of() : h.problems();
        }, json));
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return endpoint.port();
    }

    /** host:port actually bound. */
    public String address() {
        return endpoint.address();
    }

    @Override
    public void close() {
        endpoint.close();
    }

    static InetSocketAddress parse(String address) {
        return MetricsEndpoint.parseAddress(address);
    }

    /** The paths served, for tests. */
    List<String> paths() {
        return endpoint.paths();
    }
}
