package io.twill.agent.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.twill.agent.k8s.LogFields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The agent's HTTP endpoint (default {@code :9962}), read-only:
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
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Listens on {@code address} ({@code host:port} or {@code :port} for every address; port 0 picks a free one).
     *
     * @throws UncheckedIOException naming the address when it cannot bind (e.g. the port is taken)
     */
    public static MetricsServer start(String address, TwillMetrics metrics, AgentView view) {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(view, "view");
        InetSocketAddress bind = parse(address);
        HttpServer http;
        try {
            http = HttpServer.create(bind, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for metrics on " + address + ": " + e.getMessage(), e);
        }
        ExecutorService ex = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "twill-metrics-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(ex);
        http.createContext("/metrics", getOnly(new MetricsHandler(metrics.registry())));
        http.createContext("/healthz", getOnly(x -> health(x, view)));
        http.createContext("/v1/status", getOnly(x -> json(x, 200, StatusReport.of(view))));
        http.createContext("/v1/endpoints", getOnly(x -> json(x, 200,
                view.endpoints().stream().map(EndpointView::of).toList())));
        http.createContext("/", x -> text(x, 404, "not found; try /metrics, /healthz, /v1/status, /v1/endpoints\n"));
        http.start();
        MetricsServer s = new MetricsServer(http, ex);
        log.atInfo().addKeyValue(LogFields.ADDRESS, s.address())
                .log("Serving /metrics, /healthz and /v1/status on {}", s.address());
        return s;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** host:port actually bound. */
    public String address() {
        InetSocketAddress a = server.getAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static InetSocketAddress parse(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("metrics address '" + address + "' must be host:port or :port");
        }
        String host = address.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics address '" + address + "' has no valid port");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics address '" + address + "': port must be 0..65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    private static void health(HttpExchange x, AgentView view) throws IOException {
        Health h;
        try {
            h = view.health();
        } catch (RuntimeException e) {
            h = Health.failing("health check failed: " + e);
        }
        if (h.healthy()) {
            text(x, 200, "ok\n");
        } else {
            text(x, 503, String.join("\n", h.problems()) + "\n");
        }
    }

    private static HttpHandler getOnly(HttpHandler h) {
        return x -> {
            try (x) {
                if (!x.getRequestMethod().equals("GET") && !x.getRequestMethod().equals("HEAD")) {
                    x.getResponseHeaders().set("Allow", "GET, HEAD");
                    text(x, 405, "method not allowed\n");
                    return;
                }
                h.handle(x);
            } catch (RuntimeException e) {
                log.warn("{} {} failed: {}", x.getRequestMethod(), x.getRequestURI(), e.toString());
                try {
                    text(x, 500, "internal error: " + e + "\n");
                } catch (IOException | RuntimeException ignored) {
                    // the response may have started already; nothing more to say
                }
            }
        };
    }

    private static void json(HttpExchange x, int code, Object body) throws IOException {
        send(x, code, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void text(HttpExchange x, int code, String body) throws IOException {
        send(x, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int code, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(code, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The paths served, for the 404 text and tests. */
    static List<String> paths() {
        return List.of("/metrics", "/healthz", "/v1/status", "/v1/endpoints");
    }
}
