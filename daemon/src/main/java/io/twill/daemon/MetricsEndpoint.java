package io.twill.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one HTTP endpoint of a Twill process (the agent's {@code :9962}, the operator's {@code :9963}), read-only and
 * served the same way by both: {@code GET /metrics} (Prometheus text, OpenMetrics or protobuf from the process's own
 * registry), {@code GET /healthz} (200 "ok", or 503 with the problems one per line, for kubelet probes and people),
 * plus the JSON documents the process adds ({@code /v1/status}…). Anything else is 404 naming the paths; methods
 * other than GET/HEAD are 405; a handler that throws answers 500 and is logged.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<String> paths;

    private MetricsEndpoint(HttpServer server, ExecutorService executor, List<String> paths) {
        this.server = server;
        this.executor = executor;
        this.paths = paths;
    }

    /**
     * Listens on {@code bind} (port 0 picks a free one).
     *
     * @param problems what is wrong with the process now (empty: healthy)
     * @param json     further paths, each answered with its supplier's object as JSON
     * @throws UncheckedIOException naming the address when it cannot bind (e.g. the port is taken)
     */
    public static MetricsEndpoint start(InetSocketAddress bind, String threadName, PrometheusRegistry registry,
                                        Supplier<List<String>> problems, Map<String, Supplier<?>> json) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(problems, "problems");
        HttpServer http;
        try {
            http = HttpServer.create(bind, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for metrics on " + text(bind) + ": " + e.getMessage(), e);
        }
        ExecutorService ex = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(ex);
        List<String> paths = new ArrayList<>(List.of("/metrics", "/healthz"));
        paths.addAll(json.keySet());
        http.createContext("/metrics", getOnly(new MetricsHandler(registry)));
        http.createContext("/healthz", getOnly(x -> health(x, problems)));
        for (var e : new LinkedHashMap<>(json).entrySet()) {
            Supplier<?> body = e.getValue();
            http.createContext(e.getKey(), getOnly(x -> send(x, 200, "application/json", JSON.writeValueAsBytes(body.get()))));
        }
        String notFound = "not found; try " + String.join(", ", paths) + "\n";
        http.createContext("/", x -> {
            try (x) {
                text(x, 404, notFound);
            }
        });
        http.start();
        MetricsEndpoint s = new MetricsEndpoint(http, ex, List.copyOf(paths));
        log.info("Serving {} on {}", String.join(", ", paths), s.address());
        return s;
    }

    /** {@code host:port} or {@code :port} (every address); port 0..65535. */
    public static InetSocketAddress parseAddress(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon < 0) throw new IllegalArgumentException("metrics address '" + address + "' must be host:port or :port");
        String host = address.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics address '" + address + "' has no valid port");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("metrics address '" + address + "': port must be 0..65535");
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** host:port actually bound. */
    public String address() {
        return text(server.getAddress());
    }

    /** The paths served. */
    public List<String> paths() {
        return paths;
    }

    private static String text(InetSocketAddress a) {
        return (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort();
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

    private static void health(HttpExchange x, Supplier<List<String>> problems) throws IOException {
        List<String> p;
        try {
            p = problems.get();
        } catch (RuntimeException e) {
            p = List.of("health check failed: " + e);
        }
        if (p.isEmpty()) text(x, 200, "ok\n");
        else text(x, 503, String.join("\n", p) + "\n");
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
}
