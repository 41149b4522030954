package io.twill.agent.metrics;

import com.fasterxml.jackson.core.type.TypeReference;
import io.twill.agent.ipam.IpamUsage;
import io.twill.cni.CniCall;
import io.twill.cni.CniCommand;
import io.twill.maps.MapEntry;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.metrics.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsServerTest {
    private final FakeAgentView view = new FakeAgentView();
    private final TwillMetrics metrics = new TwillMetrics(view);
    private final MetricsServer server = MetricsServer.start("127.0.0.1:0", metrics, view);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static MapEntry<MetricsKey, MetricsValue> counter(Reason r, Direction d, long packets, long bytes) {
        return new MapEntry<>(new MetricsKey(r, d), new MetricsValue(packets, bytes));
    }

    @Test
    void scrapesDatapathCountersAtScrapeTimeWithHumanReasons() throws Exception {
        view.counters = () -> List.of(
                counter(Reason.FORWARDED, Direction.EGRESS, 10, 1000),
                counter(Reason.FORWARDED, Direction.INGRESS, 7, 700),
                counter(Reason.NO_ENDPOINT, Direction.INGRESS, 3, 180),
                counter(Reason.UNROUTABLE, Direction.EGRESS, 1, 60),
                counter(Reason.UNKNOWN, Direction.EGRESS, 2, 100),
                counter(Reason.UNKNOWN, Direction.EGRESS, 1, 50)); // two unknown future codes fold into one series
        String body = get("/metrics").body();
        assertThat(body).contains(
                "twill_forward_count_total{direction=\"egress\"} 10.0",
                "twill_forward_bytes_total{direction=\"ingress\"} 700.0",
                "twill_drop_count_total{direction=\"ingress\",reason=\"No such local endpoint\"} 3.0",
                "twill_drop_bytes_total{direction=\"egress\",reason=\"No node owns the destination\"} 60.0",
                "twill_drop_count_total{direction=\"egress\",reason=\"Unknown reason\"} 3.0",
                "# TYPE twill_drop_count_total counter");

        view.counters = () -> List.of(counter(Reason.FORWARDED, Direction.EGRESS, 11, 1100));
        assertThat(get("/metrics").body()).contains("twill_forward_count_total{direction=\"egress\"} 11.0");
    }

    @Test
    void aFailingMapReadExportsNothingButKeepsTheScrapeAlive() throws Exception {
        view.counters = () -> {
            throw new IllegalStateException("bpf_map_get_next_key(twill_metrics): EBADF (Bad file descriptor)");
        };
        view.ipam = new IpamUsage(3, 250);
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("twill_forward_count_total{").contains("twill_ipam_ips{state=\"used\"} 3.0");
    }

    @Test
    void exportsAgentGaugesAndCniLatency() throws Exception {
        view.endpoints.add(FakeAgentView.endpoint(1, "aaaaaaaaaaaa1111", "10.0.3.2", "web"));
        view.endpoints.add(FakeAgentView.endpoint(2, "bbbbbbbbbbbb2222", "10.0.3.3", null));
        view.ipam = new IpamUsage(2, 251);
        view.nodes = 3;
        view.tables = Map.of("twill_tunnel", 3);
        view.capacities = Map.of("twill_endpoints", 65536, "twill_tunnel", 16384);
        metrics.cniListener().completed(new CniCall(CniCommand.ADD, 0, Duration.ofMillis(7), false));
        metrics.cniListener().completed(new CniCall(CniCommand.ADD, 11, Duration.ofMillis(30), false));
        metrics.cniListener().completed(new CniCall(CniCommand.DEL, 0, Duration.ofMillis(2), true));
        metrics.cniListener().completed(new CniCall(null, 4, Duration.ofNanos(5000), false));

        String body = get("/metrics").body();
        assertThat(body).contains(
                "twill_endpoint_count 2.0",
                "twill_ipam_ips{state=\"used\"} 2.0", "twill_ipam_ips{state=\"available\"} 251.0",
                "twill_node_count 3.0",
                "twill_node_table_entries{table=\"twill_tunnel\"} 3.0",
                "twill_map_pressure{map=\"twill_endpoints\"} 3.0517578125E-5",
                "twill_map_pressure{map=\"twill_tunnel\"} 1.8310546875E-4",
                "twill_agent_info{attach=\"cls_bpf\",mode=\"kubernetes\",routing=\"overlay\",version=\"0.1.0-test\"} 1.0",
                "twill_cni_request_duration_seconds_bucket{outcome=\"ok\",verb=\"add\",le=\"0.01\"} 1",
                "twill_cni_request_duration_seconds_bucket{outcome=\"ok\",verb=\"add\",le=\"0.005\"} 0",
                "twill_cni_request_duration_seconds_count{outcome=\"error_11\",verb=\"add\"} 1",
                "twill_cni_request_duration_seconds_count{outcome=\"ok\",verb=\"del\"} 1",
                "twill_cni_request_duration_seconds_count{outcome=\"error_4\",verb=\"unknown\"} 1");
        // standalone: no node count, no tables
        view.nodes = null;
        view.tables = Map.of();
        assertThat(get("/metrics").body()).doesNotContain("twill_node_count ").doesNotContain("twill_node_table_entries{");
    }

    @Test
    void healthzSays200WhenHealthyAnd503WithTheReasonsOtherwise() throws Exception {
        HttpResponse<String> ok = get("/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("ok\n");

        view.health = new Health(false, List.of("the datapath is not loaded", "the CNI server is not running"));
        HttpResponse<String> bad = get("/healthz");
        assertThat(bad.statusCode()).isEqualTo(503);
        assertThat(bad.body()).isEqualTo("the datapath is not loaded\nthe CNI server is not running\n");
    }

    @Test
    void statusAndEndpointsAreServedAsJson() throws Exception {
        view.endpoints.add(FakeAgentView.endpoint(1, "aaaaaaaaaaaa1111", "10.0.3.2", "web"));
        view.ipam = new IpamUsage(1, 252);
        view.nodes = 2;
        view.tables = Map.of("twill_tunnel", 2);
        view.health = Health.failing("the CNI server is not running");
        HttpResponse<String> r = get("/v1/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        StatusReport s = MetricsServer.JSON.readValue(r.body(), StatusReport.class);
        assertThat(s).isEqualTo(new StatusReport(view.summary, false, List.of("the CNI server is not running"), 1, 252,
                1, 2, Map.of("twill_tunnel", 2)));

        List<EndpointView> eps = MetricsServer.JSON.readValue(get("/v1/endpoints").body(), new TypeReference<>() { });
        assertThat(eps).containsExactly(EndpointView.of(view.endpoints.getFirst()));
        assertThat(eps.getFirst().pod()).isEqualTo("default/web");
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/healthz")).POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aTakenPortIsAClearError() {
        assertThatThrownBy(() -> MetricsServer.start("127.0.0.1:" + server.port(), metrics, view))
                .hasMessageContaining("cannot listen for metrics on 127.0.0.1:" + server.port());
        assertThatThrownBy(() -> MetricsServer.start("9962", metrics, view)).hasMessageContaining("host:port");
        assertThat(MetricsServer.parse(":9962").getPort()).isEqualTo(9962);
        assertThat(MetricsServer.parse(":9962").getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void unsignedCountersBeyondLongMaxStayPositive() {
        assertThat(DatapathCollector.unsigned(-1L)).isEqualTo(18446744073709551615.0);
        assertThat(DatapathCollector.unsigned(5)).isEqualTo(5.0);
    }
}
