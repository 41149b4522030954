package io.twill.agent.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.agent.metrics.AgentSummary;
import io.twill.agent.metrics.EndpointView;
import io.twill.agent.metrics.StatusReport;
import io.twill.maps.MapEntry;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.events.DropEvent;
import io.twill.maps.events.TraceEvent;
import io.twill.maps.events.TracePoint;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.MetricsValue;
import io.twill.maps.metrics.Reason;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.maps.tunnel.TunnelKey;
import io.twill.types.Ipv4;
import io.twill.types.MacAddress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TwillctlTest {
    private final FakeSources src = new FakeSources();
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final Twillctl ctl = new Twillctl(src, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8));

    private int run(String line) {
        return ctl.run(List.of(line.split(" ")), () -> false);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    private void fillMaps() {
        src.endpoints.add(new MapEntry<>(new EndpointKey(Ipv4.parse("10.0.3.10")),
                EndpointInfo.pod(17, 2, MacAddress.parse("0a:58:0a:00:03:0a"), MacAddress.parse("02:aa:bb:cc:dd:02"))));
        src.endpoints.add(new MapEntry<>(new EndpointKey(Ipv4.parse("10.0.3.2")),
                EndpointInfo.pod(9, 1, MacAddress.parse("0a:58:0a:00:03:02"), MacAddress.parse("02:aa:bb:cc:dd:01"))));
        src.tunnel.add(new MapEntry<>(TunnelKey.of("10.0.12.0/24"), TunnelInfo.of("192.168.50.3")));
        src.tunnel.add(new MapEntry<>(TunnelKey.of("10.0.3.0/24"), TunnelInfo.of("192.168.50.2")));
        src.metrics.add(new MapEntry<>(new MetricsKey(Reason.NO_ENDPOINT, Direction.INGRESS), new MetricsValue(3, 180)));
        src.metrics.add(new MapEntry<>(new MetricsKey(Reason.FORWARDED, Direction.EGRESS), new MetricsValue(-1, 1000)));
        src.metrics.add(new MapEntry<>(new MetricsKey(Reason.FORWARDED, Direction.INGRESS), new MetricsValue(7, 700)));
    }

    @Test
    void bpfEndpointListIsATableSortedByAddress() {
        fillMaps();
        assertThat(run("bpf endpoint list --pin-root /run/tw/n1")).isZero();
        assertThat(out()).isEqualTo("""
                IP         ENDPOINT ID  IFINDEX  KIND  POD MAC            LXC MAC
                10.0.3.2             1        9  pod   0a:58:0a:00:03:02  02:aa:bb:cc:dd:01
                10.0.3.10            2       17  pod   0a:58:0a:00:03:0a  02:aa:bb:cc:dd:02
                """);
        assertThat(src.pinRootsRead).containsExactly(Path.of("/run/tw/n1"));
    }

    @Test
    void bpfTunnelAndMetricsAsTablesAndJson() throws Exception {
        fillMaps();
        assertThat(run("bpf tunnel ls")).isZero();
        assertThat(out()).isEqualTo("""
                POD CIDR      NODE IP
                10.0.3.0/24   192.168.50.2
                10.0.12.0/24  192.168.50.3
                """);
        outBytes.reset();
        assertThat(run("bpf metrics list")).isZero();
        assertThat(out()).isEqualTo("""
                REASON                  DIRECTION               PACKETS  BYTES
                Forwarded               ingress                       7    700
                Forwarded               egress     18446744073709551615   1000
                No such local endpoint  ingress                       3    180
                """);
        outBytes.reset();
        assertThat(run("bpf metrics list -o json")).isZero();
        JsonNode m = json(out());
        assertThat(m).hasSize(3);
        assertThat(m.get(1).get("packets").asText()).isEqualTo("18446744073709551615");
        assertThat(m.get(2).get("code").asText()).isEqualTo("DROP_NO_ENDPOINT");
        outBytes.reset();
        assertThat(run("-o json bpf tunnel list")).isZero();
        assertThat(json(out()).get(1).get("cidr").asText()).isEqualTo("10.0.12.0/24");
    }

    @Test
    void endpointListFromStateFilesAndWarningsForDamagedOnes() throws Exception {
        src.state.add(new EndpointView(2, "bbbbbbbbbbbbbbbbbbbb", "eth0", null, null, "10.0.3.3", "lxc0b1c2d3e", 12,
                "02:00:00:00:00:02", "0a:00:00:00:00:02", "/var/run/netns/b", "2026-11-22T08:01:00Z"));
        src.state.add(new EndpointView(1, "aaaaaaaaaaaaaaaaaaaa", "eth0", "default", "web", "10.0.3.2", "lxc0a1b2c3d",
                11, "02:00:00:00:00:01", "0a:00:00:00:00:01", "/var/run/netns/a", "2026-11-22T08:00:00Z"));
        assertThat(run("endpoint list")).isZero();
        assertThat(out()).isEqualTo("""
                ID  POD           IP        HOST IF          POD MAC            CONTAINER     IFNAME
                 1  default/web   10.0.3.2  lxc0a1b2c3d(11)  0a:00:00:00:00:01  aaaaaaaaaaaa  eth0
                 2  bbbbbbbbbbbb  10.0.3.3  lxc0b1c2d3e(12)  0a:00:00:00:00:02  bbbbbbbbbbbb  eth0
                """);
        outBytes.reset();
        src.stateWarnings.add("skipped damaged endpoint state /var/run/twill/endpoints/x_eth0.json: Unexpected EOF");
        assertThat(run("endpoint list -o json")).isEqualTo(1);
        assertThat(json(out())).hasSize(2);
        assertThat(err()).contains("twillctl: skipped damaged endpoint state /var/run/twill/endpoints/x_eth0.json");
    }

    @Test
    void statusCombinesTheAgentReportAndThePinnedMaps() throws Exception {
        fillMaps();
        src.status = new StatusReport(new AgentSummary("node-a", "0.1.0", "2026-11-22T08:00:00Z", "kubernetes",
                "overlay", "cls_bpf", "192.168.50.2", List.of("10.0.3.0/24"), "/sys/fs/bpf/twill"), true, List.of(),
                2, 251, 2, 3, Map.of("twill_tunnel", 2));
        assertThat(run("status")).isZero();
        assertThat(out()).contains(
                "Agent:          node-a, twill-agent 0.1.0, up since 2026-11-22T08:00:00Z",
                "Health:         OK",
                "Mode:           kubernetes, overlay routing, programs attached with cls_bpf",
                "Pod CIDRs:      10.0.3.0/24",
                "IPAM:           2/253 used, 251 available",
                "Nodes:          3 TwillNodes",
                "  twill_tunnel: 2 entries",
                "Datapath:       maps pinned under /sys/fs/bpf/twill: 2 in twill_endpoints, 2 in twill_tunnel; "
                        + "6 packets forwarded, 3 dropped");
        outBytes.reset();
        assertThat(run("status -o json")).isZero();
        JsonNode j = json(out());
        assertThat(j.get("agent").get("agent").get("nodeName").asText()).isEqualTo("node-a");
        assertThat(j.get("datapath").get("droppedPackets").asLong()).isEqualTo(3);
    }

    @Test
    void statusStillShowsTheMapsWhenTheAgentIsDownAndFails() {
        fillMaps();
        src.endpoints.add(new MapEntry<>(new EndpointKey(Ipv4.parse("192.168.50.2")), EndpointInfo.host()));
        assertThat(run("status")).isEqualTo(1);
        assertThat(out()).contains("Agent:    unreachable at http://127.0.0.1:9962 (Connection refused); "
                + "is twill-agent running?").contains("3 in twill_endpoints (2 pods, 1 host), 2 in twill_tunnel");
        assertThat(err()).contains("twillctl: status: agent unreachable");
    }

    @Test
    void statusOfAnUnhealthyAgentWithoutPinnedMapsFails() {
        src.status = new StatusReport(new AgentSummary("node-a", "0.1.0", "t", "standalone", "native", "cls_bpf",
                null, List.of(), "/x"), false, List.of("the datapath is not loaded"), null, null, 0, null, Map.of());
        src.endpoints = null;
        assertThat(run("status --pin-root /nowhere")).isEqualTo(1);
        assertThat(out()).contains("Health:    NOT READY: the datapath is not loaded", "Nodes:     (standalone)",
                "Datapath:  cannot read pinned maps under /nowhere: bpf_obj_get(/nowhere/twill_endpoints): ENOENT");
    }

    @Test
    void aMissingPinnedMapIsAFailureWithTheKernelText() {
        src.tunnel = null;
        assertThat(run("bpf tunnel list --pin-root /run/none")).isEqualTo(1);
        assertThat(out()).isEmpty();
        assertThat(err()).isEqualTo("twillctl: bpf tunnel list: bpf_obj_get(/run/none/twill_tunnel): ENOENT (No such "
                + "file or directory)\n");
    }

    @Test
    void withoutPrivilegesNothingIsRead() {
        src.privilegeProblem = "must run as root";
        assertThat(run("bpf endpoint list")).isEqualTo(1);
        assertThat(err()).isEqualTo("twillctl: must run as root\n");
        assertThat(src.pinRootsRead).isEmpty();
    }

    @Test
    void usageErrorsExit2AndHelpExits0() {
        assertThat(run("bpf nope list")).isEqualTo(2);
        assertThat(err()).startsWith("twillctl: unknown map 'nope'").contains("Usage: twillctl");
        assertThat(run("--help")).isZero();
        assertThat(out()).startsWith("Usage: twillctl");
    }

    @Test
    void monitorPrintsOneLinePerEventAndStopsAfterCount() throws Exception {
        long now = System.nanoTime() + 60_000_000_000L; // "after the monitor started"
        src.events.add(new DropEvent(System.nanoTime() - 1_000_000L, Reason.TTL_EXCEEDED, Direction.EGRESS, 1, 9, 60,
                Ipv4.parse("10.0.3.2"), Ipv4.parse("10.0.3.3"), 0, 0)); // queued before: skipped
        src.events.add(new DropEvent(now, Reason.NO_ENDPOINT, Direction.INGRESS, 6, 5, 60, Ipv4.parse("10.0.12.5"),
                Ipv4.parse("10.0.3.99"), 40000, 80));
        src.events.add(new TraceEvent(now, TracePoint.TO_OVERLAY, Direction.EGRESS, 1, 9, 84, Ipv4.parse("10.0.3.2"),
                Ipv4.parse("10.0.12.5"), 0, 0, 4));
        assertThat(run("monitor -c 2")).isZero();
        String[] lines = out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z drop no_endpoint \\(No such local endpoint\\) "
                + "ingress ifindex=5 tcp 10.0.12.5:40000 -> 10.0.3.99:80 len=60");
        assertThat(lines[1]).contains("trace to-overlay egress ifindex=9 -> ifindex=4 icmp 10.0.3.2 -> 10.0.12.5");
        assertThat(src.eventsClosed).isTrue();
        assertThat(err()).contains("2 events (1 older ones, queued before monitor started, skipped)");

        outBytes.reset();
        src.events.add(new DropEvent(now, Reason.SPOOFED_SOURCE, Direction.EGRESS, 17, 9, 60, Ipv4.parse("1.2.3.4"),
                Ipv4.parse("10.0.3.3"), 53, 53));
        assertThat(ctl.run(List.of("monitor", "-o", "json"), new java.util.function.BooleanSupplier() {
            int polls;

            @Override
            public boolean getAsBoolean() {
                return polls++ > 2; // "Ctrl-C" after a few polls
            }
        })).isZero();
        JsonNode ev = json(out().strip());
        assertThat(ev.get("type").asText()).isEqualTo("drop");
        assertThat(ev.get("reason").asText()).isEqualTo("Spoofed source address");
        assertThat(ev.get("code").asText()).isEqualTo("DROP_SPOOFED_SOURCE");
        assertThat(ev.get("protocol").asText()).isEqualTo("udp");
        assertThat(ev.get("sport").asInt()).isEqualTo(53);
        assertThat(ev.has("point")).isFalse();
    }
}
