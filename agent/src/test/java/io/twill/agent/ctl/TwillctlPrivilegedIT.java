package io.twill.agent.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.agent.metrics.FakeAgentView;
import io.twill.agent.metrics.MetricsServer;
import io.twill.agent.metrics.TwillMetrics;
import io.twill.bpf.UpdateFlag;
import io.twill.datapath.Datapath;
import io.twill.datapath.DatapathConfig;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.Protocols;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.ct.CtMap;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbBackendsMap;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatMap;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import io.twill.maps.snat.SnatMap;
import io.twill.testkit.PrivilegedTest;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * twillctl against real pinned maps: the datapath objects are loaded from the maps module into a per-test pin root,
 * a few entries written, a drop produced by running bpf_lxc on an IPv6 frame (Twill is IPv4-only), and twillctl's
 * code run as the CLI would run it.
 */
@PrivilegedTest
class TwillctlPrivilegedIT {
    private TestPinRoot root;
    private Datapath datapath;
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    @BeforeEach
    void load() {
        root = new TestPinRoot("ctl");
        datapath = Datapath.load(DatapathConfig.nativeRouting(Ipv4.parse("192.168.50.2"),
                Ipv4Prefix.parse("10.200.0.0/16")), root.path());
    }

    @AfterEach
    void unload() {
        try {
            if (datapath != null) {
                datapath.close();
            }
        } finally {
            root.close();
        }
    }

    private int ctl(String line) {
        outBytes.reset();
        errBytes.reset();
        Twillctl c = new Twillctl(new LiveSources(), new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
        List<String> args = new java.util.ArrayList<>(List.of(line.split(" ")));
        args.addAll(List.of("--pin-root", root.path().toString()));
        return c.run(args, () -> false);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    /** Ethernet header with EtherType IPv6 and an empty IPv6 header: bpf_lxc drops it as unsupported L3. */
    private static byte[] ipv6Frame() {
        byte[] p = new byte[14 + 40];
        byte[] dst = {0x02, 0, 0, 0, 0, 0x01};
        byte[] src = {0x0a, 0, 0, 0, 0, 0x02};
        System.arraycopy(dst, 0, p, 0, 6);
        System.arraycopy(src, 0, p, 6, 6);
        p[12] = (byte) 0x86;
        p[13] = (byte) 0xdd;
        p[14] = 0x60;
        return p;
    }

    @Test
    void listsThePinnedMapsAndStreamsADropEvent() throws Exception {
        datapath.endpoints().update(new EndpointKey(Ipv4.parse("10.200.1.7")), EndpointInfo.pod(42, 3,
                MacAddress.parse("0a:58:0a:c8:01:07"), MacAddress.parse("02:11:22:33:44:55")), UpdateFlag.ANY);
        datapath.tunnel().put(Ipv4Prefix.parse("10.200.1.0/24"), Ipv4.parse("192.168.50.2"));
        datapath.tunnel().put(Ipv4Prefix.parse("10.200.2.0/24"), Ipv4.parse("192.168.50.3"));

        assertThat(ctl("bpf endpoint list")).isZero();
        assertThat(out()).isEqualTo("""
                IP          ENDPOINT ID  IFINDEX  KIND  POD MAC            LXC MAC
                10.200.1.7            3       42  pod   0a:58:0a:c8:01:07  02:11:22:33:44:55
                """);

        assertThat(ctl("bpf tunnel list -o json")).isZero();
        JsonNode tunnel = new ObjectMapper().readTree(out());
        assertThat(tunnel).hasSize(2);
        assertThat(tunnel.get(1).get("cidr").asText()).isEqualTo("10.200.2.0/24");
        assertThat(tunnel.get(1).get("nodeIp").asText()).isEqualTo("192.168.50.3");

        // one drop before the monitor starts (skipped as backlog), then one while it runs
        assertThat(datapath.program(Datapath.FROM_CONTAINER).testRun(ipv6Frame()).retval()).as("TC_ACT_SHOT")
                .isEqualTo(2);
        ByteArrayOutputStream monOut = new ByteArrayOutputStream(), monErr = new ByteArrayOutputStream();
        Twillctl monitor = new Twillctl(new LiveSources(), new PrintStream(monOut, true, StandardCharsets.UTF_8),
                new PrintStream(monErr, true, StandardCharsets.UTF_8));
        var monitorExit = java.util.concurrent.CompletableFuture.supplyAsync(() -> monitor.run(List.of("monitor",
                "-c", "1", "-o", "json", "--pin-root", root.path().toString()), () -> false));
        // The second drop only once the monitor has subscribed (it says so on stderr), so it is live, not backlog.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> monErr.toString(StandardCharsets.UTF_8).contains("Listening for events on") || monitorExit.isDone());
        assertThat(monErr.toString(StandardCharsets.UTF_8)).contains("Listening for events on");
        assertThat(datapath.program(Datapath.FROM_CONTAINER).testRun(ipv6Frame()).retval()).isEqualTo(2);
        assertThat(monitorExit.get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        JsonNode ev = new ObjectMapper().readTree(monOut.toString(StandardCharsets.UTF_8).strip());
        assertThat(ev.get("type").asText()).isEqualTo("drop");
        assertThat(ev.get("code").asText()).isEqualTo("DROP_UNSUPPORTED_L3");
        assertThat(ev.get("direction").asText()).isEqualTo("egress");

        assertThat(ctl("bpf metrics list")).isZero();
        assertThat(out()).containsPattern("Unsupported L3 protocol +egress +2 +108");

        assertThat(ctl("status --agent http://127.0.0.1:1")).isEqualTo(1);
        assertThat(out()).contains("1 in twill_endpoints, 2 in twill_tunnel; 0 packets forwarded, 2 dropped");

        // the same counters through Prometheus, read from the map at scrape time
        FakeAgentView view = new FakeAgentView();
        view.counters = () -> datapath.metrics().entries();
        try (MetricsServer server = MetricsServer.start("127.0.0.1:0", new TwillMetrics(view), view);
             HttpClient http = HttpClient.newHttpClient()) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains(
                    "twill_drop_count_total{direction=\"egress\",reason=\"Unsupported L3 protocol\"} 2.0",
                    "twill_drop_bytes_total{direction=\"egress\",reason=\"Unsupported L3 protocol\"} 108.0");
        }
    }

    @Test
    void servicesConntrackAndNatFromThePinnedMaps() throws Exception {
        try (LbServicesMap services = LbServicesMap.openPinned(root.path());
             LbBackendsMap backends = LbBackendsMap.openPinned(root.path());
             LbRevNatMap revnat = LbRevNatMap.openPinned(root.path());
             CtMap ct = CtMap.openPinned(root.path());
             SnatMap snat = SnatMap.openPinned(root.path())) {
            backends.put(7, LbBackend.active(Ipv4.parse("10.200.1.7"), 8080, Protocols.TCP));
            revnat.put(1, new LbRevNat(Ipv4.parse("10.96.0.10"), 80));
            services.putFrontend(LbKey.frontend(Ipv4.parse("10.96.0.10"), 80, Protocols.TCP),
                    LbService.service(1, 1, LbService.F_CLUSTER_IP, 0), List.of(7L));
            long now = CtMap.monotonicSeconds();
            var client = Ipv4.parse("10.200.1.9");
            var server = Ipv4.parse("10.200.1.7");
            int initiator = CtKey.sourceIsA(client, 40000, server, 8080) ? 0 : CtEntry.F_INITIATOR_B;
            ct.update(CtKey.ofPacket(client, 40000, server, 8080, Protocols.TCP, 0),
                    new CtEntry(3, 180, 2, 120, now + 100, now, 0, 0, 1, CtEntry.F_SEEN_REPLY | initiator, 0x12, 0x12),
                    UpdateFlag.ANY);
            snat.update(new SnatKey(Ipv4.parse("10.200.1.9"), Ipv4.parse("192.0.2.1"), 40000, 443, Protocols.TCP,
                    SnatKey.DIR_OUT), new SnatEntry(Ipv4.parse("192.168.50.2"), 61000, 0, Ipv4.ANY, 0, now + 60, now),
                    UpdateFlag.ANY);
        }
        assertThat(ctl("service list")).isZero();
        assertThat(out()).contains("1  10.96.0.10:80/TCP  ClusterIP     7 => 10.200.1.7:8080/TCP (active)");
        assertThat(ctl("bpf lb list -o json")).isZero();
        assertThat(new ObjectMapper().readTree(out()).get("services")).hasSize(2);
        assertThat(ctl("bpf ct list -o json")).isZero();
        JsonNode conn = new ObjectMapper().readTree(out()).get(0);
        assertThat(conn.get("initiator").asText()).isEqualTo("10.200.1.9:40000");
        assertThat(conn.get("responder").asText()).isEqualTo("10.200.1.7:8080");
        assertThat(conn.get("expiresIn").asLong()).isBetween(98L, 100L);
        assertThat(ctl("bpf nat list")).isZero();
        assertThat(out()).contains("out  tcp    10.200.1.9:40000  192.0.2.1:443  192.168.50.2:61000");
        assertThat(ctl("bpf ct flush")).isZero();
        assertThat(out()).isEqualTo("deleted 1 entries from twill_ct\n");
        assertThat(ctl("bpf ct list -o json")).isZero();
        assertThat(out().strip()).isEqualTo("[ ]");
    }

    @Test
    void aPinRootWithoutMapsIsAClearFailure() throws Exception {
        try (TestPinRoot empty = new TestPinRoot("ctl-empty")) {
            outBytes.reset();
            errBytes.reset();
            Twillctl c = new Twillctl(new LiveSources(), new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                    new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            assertThat(c.run(List.of("bpf", "endpoint", "list", "--pin-root", empty.path().toString()), () -> false))
                    .isEqualTo(1);
            assertThat(errBytes.toString(StandardCharsets.UTF_8)).startsWith("twillctl: bpf endpoint list: ")
                    .contains(empty.path().resolve("twill_endpoints").toString()).contains("ENOENT");
            assertThat(Files.list(empty.path())).isEmpty();
        }
    }
}
