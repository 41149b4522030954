package io.twill.daemon;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The endpoint agent and operator both serve. */
class MetricsEndpointTest {
    @Test
    void metricsHealthJsonAndTheErrors() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter c = Counter.builder().name("twill_test_things_total").help("things").register(registry);
        c.inc(3);
        List<String> problems = new ArrayList<>();
        Map<String, Supplier<?>> json = Map.of("/v1/thing", () -> Map.of("answer", 42));
        try (MetricsEndpoint e = MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), "test-metrics", registry,
                () -> List.copyOf(problems), json); HttpClient http = HttpClient.newHttpClient()) {
            String base = "http://" + e.address();
            assertThat(get(http, base + "/metrics").body()).contains("twill_test_things_total 3.0");
            assertThat(get(http, base + "/healthz")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("ok\n");
            });
            problems.add("the datapath is not loaded");
            problems.add("no CIDR yet");
            assertThat(get(http, base + "/healthz")).satisfies(r -> {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.body()).isEqualTo("the datapath is not loaded\nno CIDR yet\n");
            });
            assertThat(get(http, base + "/v1/thing").body()).contains("\"answer\" : 42");
            HttpResponse<String> nf = get(http, base + "/nope");
            assertThat(nf.statusCode()).isEqualTo(404);
            assertThat(nf.body()).contains("/metrics", "/healthz", "/v1/thing");
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThatThrownBy(() -> MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", e.port()), "t", registry,
                    List::of, Map.of())).hasMessageContaining("cannot listen for metrics on 127.0.0.1:" + e.port());
        }
    }

    @Test
    void addresses() {
        assertThat(MetricsEndpoint.parseAddress(":9962").getAddress().isAnyLocalAddress()).isTrue();
        assertThat(MetricsEndpoint.parseAddress("127.0.0.1:9963").getPort()).isEqualTo(9963);
        assertThat(MetricsEndpoint.parseAddress("[::1]:1").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThatThrownBy(() -> MetricsEndpoint.parseAddress("9962")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> MetricsEndpoint.parseAddress(":x")).hasMessageContaining("no valid port");
        assertThatThrownBy(() -> MetricsEndpoint.parseAddress(":70000")).hasMessageContaining("0..65535");
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
