package io.twill.agent.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twill.types.Ipv4;
import io.twill.maps.MapEntry;
import io.twill.maps.Protocols;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.ct.CtKey;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbRevNatKey;
import io.twill.maps.lb.LbService;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** twillctl's Service, conntrack and NAT commands on fake map contents (TwillctlTest covers the rest). */
class TwillctlServicesTest {
    private final FakeSources src = new FakeSources();
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final Twillctl ctl = new Twillctl(src, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
            new PrintStream(errBytes, true, StandardCharsets.UTF_8));

    private int run(String line) {
        outBytes.reset();
        errBytes.reset();
        return ctl.run(List.of(line.split(" ")), () -> false);
    }

    private String out() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode json(String s) throws Exception {
        return new ObjectMapper().readTree(s);
    }

    private static <K, V> MapEntry<K, V> e(K k, V v) {
        return new MapEntry<>(k, v);
    }

    private void services() {
        LbKey web = LbKey.frontend(Ipv4.parse("10.96.0.10"), 80, Protocols.TCP);
        LbKey np = LbKey.frontend(Ipv4.parse("192.168.50.2"), 30080, Protocols.TCP);
        LbKey npExternal = np.withScope(LbService.SCOPE_EXTERNAL);
        LbKey dns = LbKey.frontend(Ipv4.parse("10.96.0.99"), 53, Protocols.UDP);
        src.lbServices.addAll(List.of(
                e(np.withSlot(1), LbService.backend(11)),
                e(web, LbService.service(2, 1, LbService.F_CLUSTER_IP | LbService.F_AFFINITY, 10800)),
                e(npExternal, LbService.service(1, 2, LbService.F_NODEPORT | LbService.F_LOCAL, 0)),
                e(web.withSlot(2), LbService.backend(12)),
                e(dns, LbService.service(0, 3, LbService.F_CLUSTER_IP, 0)),
                e(np, LbService.service(1, 2, LbService.F_NODEPORT | LbService.F_LOCAL, 0)),
                e(web.withSlot(1), LbService.backend(11)),
                e(npExternal.withSlot(1), LbService.backend(13))));
        src.lbBackends.add(e(12L, new LbBackend(Ipv4.parse("10.0.12.5"), 8080, Protocols.TCP, LbBackend.STATE_TERMINATING)));
        src.lbBackends.add(e(11L, LbBackend.active(Ipv4.parse("10.0.3.10"), 8080, Protocols.TCP)));
        src.lbRevNat.add(e(new LbRevNatKey(2), new LbRevNat(Ipv4.parse("192.168.50.2"), 30080)));
        src.lbRevNat.add(e(new LbRevNatKey(1), new LbRevNat(Ipv4.parse("10.96.0.10"), 80)));
    }

    @Test
    void serviceListShowsEachFrontendWithItsBackends() throws Exception {
        services();
        assertThat(run("service list --pin-root /run/tw/n1")).isZero();
        assertThat(out()).isEqualTo("""
                ID  FRONTEND                           SERVICE TYPE                BACKEND
                 1  10.96.0.10:80/TCP                  ClusterIP, affinity 10800s  11 => 10.0.3.10:8080/TCP (active)
                                                                                   12 => 10.0.12.5:8080/TCP (terminating)
                 3  10.96.0.99:53/UDP                  ClusterIP                   (none: connections refused)
                 2  192.168.50.2:30080/TCP             NodePort, Local             11 => 10.0.3.10:8080/TCP (active)
                 2  192.168.50.2:30080/TCP (external)  NodePort, Local             13 => ? (missing from twill_lb_backends)
                """);
        assertThat(src.pinRootsRead).containsOnly(Path.of("/run/tw/n1"));

        assertThat(run("service list -o json")).isZero();
        JsonNode j = json(out());
        assertThat(j).hasSize(4);
        assertThat(j.get(0).get("id").asInt()).isEqualTo(1);
        assertThat(j.get(0).get("address").asText()).isEqualTo("10.96.0.10");
        assertThat(j.get(0).get("protocol").asText()).isEqualTo("tcp");
        assertThat(j.get(0).get("affinityTimeout").asLong()).isEqualTo(10800);
        assertThat(j.get(0).get("backends").get(1).get("state").asText()).isEqualTo("terminating");
        assertThat(j.get(0).get("flags").toString()).isEqualTo("[\"clusterip\",\"affinity\"]");
        assertThat(j.get(1).get("backends")).isEmpty();
        assertThat(j.get(3).get("scope").asText()).isEqualTo("external");
        assertThat(j.get(3).get("backends").get(0).get("missing").asBoolean()).isTrue();
    }

    @Test
    void ctListNamesInitiatorAndResponderAndFlushEmptiesTheMap() throws Exception {
        CtKey k1 = new CtKey(Ipv4.parse("10.0.3.2"), Ipv4.parse("10.0.3.10"), 40000, 8080, Protocols.TCP, 0);
        CtKey svc = new CtKey(Ipv4.parse("10.0.3.2"), Ipv4.parse("10.96.0.10"), 40000, 80, Protocols.TCP, CtKey.F_SERVICE);
        CtKey dns = new CtKey(Ipv4.parse("10.0.3.2"), Ipv4.parse("10.0.3.3"), 53, 50000, Protocols.UDP, 0);
        src.ct.add(e(dns, new CtEntry(1, 70, 1, 120, 1050, 990, 0, 0, 0, CtEntry.F_INITIATOR_B | CtEntry.F_SEEN_REPLY, 0, 0)));
        src.ct.add(e(svc, new CtEntry(5, 400, 0, 0, 22000, 990, 0, 11, 1, 0, 0x1a, 0)));
        src.ct.add(e(k1, new CtEntry(5, 400, 4, 3000, 999, 990, 0, 0, 1,
                CtEntry.F_SEEN_REPLY | CtEntry.F_CLOSING | CtEntry.F_FIN_FWD | CtEntry.F_FIN_REV, 0x1b, 0x1b)));
        src.now = 1000;
        assertThat(run("bpf ct list")).isZero();
        assertThat(out()).isEqualTo("""
                PROTO  INITIATOR       RESPONDER       FLAGS                                        TCP FLAGS                        EXPIRES  FWD PKTS  FWD BYTES  REV PKTS  REV BYTES
                tcp    10.0.3.2:40000  10.0.3.10:8080  seen_reply,closing,fin_fwd,fin_rev,revnat=1  FIN,SYN,PSH,ACK/FIN,SYN,PSH,ACK  expired         5        400         4       3000
                tcp    10.0.3.2:40000  10.96.0.10:80   service,backend=11,revnat=1                  SYN,PSH,ACK/-                     21000s         5        400         0          0
                udp    10.0.3.3:50000  10.0.3.2:53     initiator_b,seen_reply                       -                                    50s         1         70         1        120
                """);
        assertThat(run("bpf ct list -o json")).isZero();
        JsonNode j = json(out());
        assertThat(j.get(1).get("service").asBoolean()).isTrue();
        assertThat(j.get(1).get("backendId").asLong()).isEqualTo(11);
        assertThat(j.get(1).get("expiresIn").asLong()).isEqualTo(21000);
        assertThat(j.get(2).get("initiator").asText()).isEqualTo("10.0.3.3:50000");
        assertThat(j.get(2).get("bytesRev").asText()).isEqualTo("120");
        assertThat(j.get(2).has("backendId")).isFalse();

        assertThat(run("bpf ct flush")).isZero();
        assertThat(out()).isEqualTo("deleted 3 entries from twill_ct\n");
        assertThat(src.ct).isEmpty();
        assertThat(run("bpf ct flush -o json")).isZero();
        assertThat(json(out()).get("deleted").asInt()).isZero();
    }

    @Test
    void natListShowsBothDirections() throws Exception {
        src.now = 100;
        src.nat.add(e(new SnatKey(Ipv4.parse("1.1.1.1"), Ipv4.parse("192.168.50.2"), 443, 61001, Protocols.TCP, SnatKey.DIR_IN),
                new SnatEntry(Ipv4.parse("10.0.3.2"), 40000, 0, Ipv4.ANY, 0, 160, 90)));
        src.nat.add(e(new SnatKey(Ipv4.parse("10.0.3.2"), Ipv4.parse("1.1.1.1"), 40000, 443, Protocols.TCP, SnatKey.DIR_OUT),
                new SnatEntry(Ipv4.parse("192.168.50.2"), 61001, 0, Ipv4.ANY, 0, 160, 90)));
        src.nat.add(e(new SnatKey(Ipv4.parse("10.0.12.5"), Ipv4.parse("192.168.50.2"), 8080, 61002, Protocols.TCP, SnatKey.DIR_IN),
                new SnatEntry(Ipv4.parse("203.0.113.7"), 5555, SnatEntry.F_NODEPORT, Ipv4.parse("192.168.50.2"), 30080, 90, 80)));
        assertThat(run("bpf nat list")).isZero();
        assertThat(out()).isEqualTo("""
                DIR  PROTO  SOURCE          DESTINATION         TRANSLATED          NODEPORT FRONTEND   EXPIRES
                out  tcp    10.0.3.2:40000  1.1.1.1:443         192.168.50.2:61001  -                       60s
                in   tcp    1.1.1.1:443     192.168.50.2:61001  10.0.3.2:40000      -                       60s
                in   tcp    10.0.12.5:8080  192.168.50.2:61002  203.0.113.7:5555    192.168.50.2:30080  expired
                """);
        assertThat(run("bpf nat list -o json")).isZero();
        assertThat(json(out()).get(2).get("nodePort").asBoolean()).isTrue();
        assertThat(json(out()).get(2).get("frontend").asText()).isEqualTo("192.168.50.2:30080");
    }

    @Test
    void lbListDumpsTheThreeMapsAsStored() throws Exception {
        services();
        assertThat(run("bpf lb list")).isZero();
        assertThat(out()).startsWith("twill_lb_services (8)\nFRONTEND").contains(
                "10.96.0.10:80/tcp       any          0           0      2       1  clusterip,affinity     10800",
                "10.96.0.10:80/tcp       any          1          11      0       0  -                          0",
                "192.168.50.2:30080/tcp  external     1          13      0       0  -                          0",
                "twill_lb_backends (2)\nID  ADDRESS    PORT  PROTO  STATE\n11  10.0.3.10  8080  tcp    active",
                "twill_lb_revnat (2)\nINDEX  FRONTEND\n    1  10.96.0.10:80\n    2  192.168.50.2:30080\n");
        assertThat(run("bpf lb list -o json")).isZero();
        JsonNode j = json(out());
        assertThat(j.get("services")).hasSize(8);
        assertThat(j.get("backends").get(1).get("id").asLong()).isEqualTo(12);
        assertThat(j.get("revnat").get(0).get("frontend").asText()).isEqualTo("10.96.0.10:80");
    }

    @Test
    void aMissingServiceMapIsAFailureWithTheKernelText() {
        src.lbServices = null;
        assertThat(run("service list --pin-root /run/none")).isEqualTo(1);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEqualTo("twillctl: service list: "
                + "bpf_obj_get(/run/none/twill_lb_services): ENOENT (No such file or directory)\n");
    }
}
