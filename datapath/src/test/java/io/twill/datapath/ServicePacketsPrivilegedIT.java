package io.twill.datapath;

import io.twill.bpf.TestRunResult;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import io.twill.maps.ct.CtEntry;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.lb.LbBackend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbRevNat;
import io.twill.maps.lb.LbService;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.Reason;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.util.List;

import static io.twill.datapath.L4Packets.*;
import static io.twill.datapath.Packets.TC_ACT_OK;
import static io.twill.datapath.Packets.TC_ACT_REDIRECT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connection tracking, per-packet Service translation, refusals, masquerading, NodePort and the FROM_STACK rule on
 * crafted packets ({@code bpf_prog_test_run}): every translated packet must carry checksums that verify, and every
 * reply must come back translated. Both pods sit on the loopback device, where test runs arrive, so either may send.
 */
@PrivilegedTest
class ServicePacketsPrivilegedIT {
    @RegisterExtension final PinRoots pins = new PinRoots();
    @RegisterExtension final FdLeakExtension fds = new FdLeakExtension();

    static final Inet4Address NODE = Ipv4.parse("192.168.200.1"), PEER = Ipv4.parse("192.168.200.2");
    static final Inet4Address A = Ipv4.parse("10.200.1.2"), B = Ipv4.parse("10.200.1.3"), REMOTE = Ipv4.parse("10.200.2.9");
    static final Inet4Address VIP = Ipv4.parse("10.96.0.10"), EMPTY = Ipv4.parse("10.96.0.11"), WORLD = Ipv4.parse("192.0.2.7");
    static final MacAddress A_MAC = MacAddress.parse("02:aa:00:00:00:01"), A_LXC = MacAddress.parse("02:aa:00:00:00:02");
    static final MacAddress B_MAC = MacAddress.parse("02:bb:00:00:00:01"), B_LXC = MacAddress.parse("02:bb:00:00:00:02");
    static final MacAddress WIRE = MacAddress.parse("02:cc:00:00:00:01");
    static final int LOOPBACK = 1;

    Datapath dp;

    @BeforeEach
    void setup() {
        DatapathConfig cfg = DatapathConfig.overlay(NODE, Ipv4Prefix.parse("10.200.0.0/16"), 4242)
                .withKubeProxyReplacement(true).withMasquerade(true, 61000, 61063).withCtMaxEntries(4096);
        dp = Datapath.load(cfg, pins.create("svc"));
        dp.endpoints().put(A, EndpointInfo.pod(LOOPBACK, 1, A_MAC, A_LXC));
        dp.endpoints().put(B, EndpointInfo.pod(LOOPBACK, 2, B_MAC, B_LXC));
        dp.tunnel().put(Ipv4Prefix.parse("10.200.1.0/24"), NODE);
        dp.tunnel().put(Ipv4Prefix.parse("10.200.2.0/24"), PEER);
        dp.nonMasq().put(Ipv4Prefix.parse("10.200.0.0/16"));
        // VIP:80 (TCP and UDP) -> B:8080; EMPTY:80 has no backend; NODE:30080/TCP is a NodePort -> B:8080
        dp.lbBackends().put(1, LbBackend.active(B, 8080, TCP));
        dp.lbBackends().put(2, LbBackend.active(B, 8080, UDP));
        dp.lbRevNat().put(1, new LbRevNat(VIP, 80));
        dp.lbRevNat().put(2, new LbRevNat(VIP, 80));
        dp.lbRevNat().put(3, new LbRevNat(EMPTY, 80));
        dp.lbRevNat().put(4, new LbRevNat(NODE, 30080));
        dp.lbServices().putFrontend(LbKey.frontend(VIP, 80, TCP), LbService.service(1, 1, LbService.F_CLUSTER_IP, 0), List.of(1L));
        dp.lbServices().putFrontend(LbKey.frontend(VIP, 80, UDP), LbService.service(1, 2, LbService.F_CLUSTER_IP, 0), List.of(2L));
        dp.lbServices().putFrontend(LbKey.frontend(EMPTY, 80, TCP), LbService.service(0, 3, LbService.F_CLUSTER_IP, 0), List.of());
        dp.lbServices().putFrontend(LbKey.frontend(EMPTY, 80, UDP), LbService.service(0, 3, LbService.F_CLUSTER_IP, 0), List.of());
        dp.lbServices().putFrontend(LbKey.frontend(NODE, 30080, TCP), LbService.service(1, 4, LbService.F_NODEPORT, 0), List.of(1L));
    }

    @AfterEach
    void close() {
        if (dp != null) dp.close();
    }

    TestRunResult run(String program, byte[] packet) {
        return dp.program(program).testRun(packet);
    }

    long count(Reason r, Direction d) {
        return dp.metrics().get(r, d).packets();
    }

    @Test
    void aPodsPacketToAClusterIpIsTranslatedAndTheReplyComesBackFromTheFrontend() {
        TestRunResult r = run(Datapath.FROM_CONTAINER, tcp(A_MAC, A_LXC, A, VIP, 40000, 80, SYN, 1000, 0));
        assertThat(r.retval()).as("delivered to B").isEqualTo(TC_ACT_REDIRECT);
        byte[] out = r.dataOut();
        assertThat(daddr(out) + ":" + dport(out)).isEqualTo("10.200.1.3:8080");
        assertThat(saddr(out) + ":" + sport(out)).isEqualTo("10.200.1.2:40000");
        assertThat(checksumsOk(out)).as("IP and TCP checksums after DNAT").isTrue();

        TestRunResult reply = run(Datapath.FROM_CONTAINER, tcp(B_MAC, B_LXC, B, A, 8080, 40000, SYN | ACK, 5000, 0));
        assertThat(reply.retval()).isEqualTo(TC_ACT_REDIRECT);
        byte[] back = reply.dataOut();
        assertThat(saddr(back) + ":" + sport(back)).as("the reply comes from the frontend").isEqualTo("10.96.0.10:80");
        assertThat(checksumsOk(back)).isTrue();

        // UDP the same way, with a real UDP checksum kept valid
        byte[] u = run(Datapath.FROM_CONTAINER, udp(A_MAC, A_LXC, A, VIP, 41000, 80, 13)).dataOut();
        assertThat(daddr(u) + ":" + dport(u)).isEqualTo("10.200.1.3:8080");
        assertThat(checksumsOk(u)).isTrue();
        byte[] ub = run(Datapath.FROM_CONTAINER, udp(B_MAC, B_LXC, B, A, 8080, 41000, 7)).dataOut();
        assertThat(saddr(ub) + ":" + sport(ub)).isEqualTo("10.96.0.10:80");
        assertThat(checksumsOk(ub)).isTrue();

        // one connection entry (client <-> backend, with the reverse-NAT index) and one service entry per flow
        List<CtEntry> entries = dp.ct().entries().stream().map(e -> e.value()).toList();
        assertThat(entries).anySatisfy(e -> assertThat(e.revNatIndex()).isEqualTo(1));
        assertThat(entries).anySatisfy(e -> assertThat(e.backendId()).isEqualTo(1));
    }

    @Test
    void aFrontendWithoutBackendsAnswersTcpWithAResetAndUdpWithPortUnreachable() {
        long drops = count(Reason.NO_SERVICE_BACKEND, Direction.EGRESS);
        TestRunResult r = run(Datapath.FROM_CONTAINER, tcp(A_MAC, A_LXC, A, EMPTY, 40001, 80, SYN, 7777, 0));
        assertThat(r.retval()).as("sent back to the pod").isEqualTo(TC_ACT_REDIRECT);
        byte[] rst = r.dataOut();
        assertThat(saddr(rst) + ":" + sport(rst) + " -> " + daddr(rst) + ":" + dport(rst)).isEqualTo("10.96.0.11:80 -> 10.200.1.2:40001");
        assertThat(tcpFlags(rst)).isEqualTo(RST | ACK);
        assertThat(tcpAck(rst)).as("acknowledges the SYN").isEqualTo(7778);
        assertThat(checksumsOk(rst)).isTrue();
        assertThat(Packets.ethDst(rst)).isEqualTo(A_MAC);

        byte[] icmp = run(Datapath.FROM_CONTAINER, udp(A_MAC, A_LXC, A, EMPTY, 40002, 80, 10)).dataOut();
        assertThat(proto(icmp)).isEqualTo(ICMP);
        assertThat(saddr(icmp) + " -> " + daddr(icmp)).isEqualTo("10.96.0.11 -> 10.200.1.2");
        assertThat(icmp[34] & 0xff).as("destination unreachable").isEqualTo(3);
        assertThat(icmp[35] & 0xff).as("port unreachable").isEqualTo(3);
        assertThat(checksumsOk(icmp)).isTrue();
        assertThat(Packets.slice(icmp, 34 + 8 + 12, 8)).as("quotes the refused datagram's addresses")
                .isEqualTo(Packets.slice(udp(A_MAC, A_LXC, A, EMPTY, 40002, 80, 10), 26, 8));
        assertThat(count(Reason.NO_SERVICE_BACKEND, Direction.EGRESS)).isEqualTo(drops + 2);
    }

    @Test
    void podTrafficLeavingTheClusterIsMasqueradedAndItsRepliesFindThePod() {
        // bpf_lxc hands it to the stack; bpf_host's egress masquerades it
        assertThat(run(Datapath.FROM_CONTAINER, tcp(A_MAC, A_LXC, A, WORLD, 42000, 443, SYN, 1, 0)).retval()).isEqualTo(TC_ACT_OK);
        TestRunResult out = run(Datapath.TO_NETDEV, tcp(A_LXC, WIRE, A, WORLD, 42000, 443, SYN, 1, 0));
        assertThat(out.retval()).isEqualTo(TC_ACT_OK);
        byte[] o = out.dataOut();
        assertThat(saddr(o)).isEqualTo("192.168.200.1");
        int natPort = sport(o);
        assertThat(natPort).isBetween(61000, 61063);
        assertThat(checksumsOk(o)).isTrue();
        // the same connection keeps its port
        assertThat(sport(run(Datapath.TO_NETDEV, tcp(A_LXC, WIRE, A, WORLD, 42000, 443, ACK, 2, 0)).dataOut())).isEqualTo(natPort);

        TestRunResult in = run(Datapath.FROM_NETDEV, tcp(WIRE, A_LXC, WORLD, NODE, 443, natPort, SYN | ACK, 9, 0));
        assertThat(in.retval()).as("delivered to the pod").isEqualTo(TC_ACT_REDIRECT);
        byte[] i = in.dataOut();
        assertThat(daddr(i) + ":" + dport(i)).isEqualTo("10.200.1.2:42000");
        assertThat(checksumsOk(i)).isTrue();

        // ICMP echo: the identifier plays the port
        byte[] ping = run(Datapath.TO_NETDEV, echo(A_LXC, WIRE, A, WORLD, 8, 4242)).dataOut();
        assertThat(saddr(ping)).isEqualTo("192.168.200.1");
        int natId = icmpId(ping);
        assertThat(checksumsOk(ping)).isTrue();
        byte[] pong = run(Datapath.FROM_NETDEV, echo(WIRE, A_LXC, WORLD, NODE, 0, natId)).dataOut();
        assertThat(daddr(pong)).isEqualTo("10.200.1.2");
        assertThat(icmpId(pong)).isEqualTo(4242);
        assertThat(checksumsOk(pong)).isTrue();

        // inside the cluster and the non-masquerade CIDRs: untouched
        byte[] inside = tcp(A_LXC, WIRE, A, REMOTE, 42001, 80, SYN, 1, 0);
        assertThat(run(Datapath.TO_NETDEV, inside).dataOut()).isEqualTo(inside);
    }

    @Test
    void masqueradePortsAreClaimedOncePerDestinationAndRunningOutIsADrop() {
        // 64 NAT ports (61000-61063). Each new connection to WORLD:443 claims a free one; a claimed port is never
        // handed out twice; when none is left the datapath drops (NAT_NO_PORT) rather than reuse one.
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        long noPort = count(Reason.NAT_NO_PORT, Direction.HOST_OUT);
        int sport = 30000;
        for (int i = 0; i < 32; i++) {
            byte[] o = run(Datapath.TO_NETDEV, tcp(A_LXC, WIRE, A, WORLD, sport++, 443, SYN, 1, 0)).dataOut();
            assertThat(ports.add(sport(o))).as("port %d handed out twice", sport(o)).isTrue();
        }
        int attempts = 0;
        while (count(Reason.NAT_NO_PORT, Direction.HOST_OUT) == noPort && attempts++ < 64) {
            TestRunResult r = run(Datapath.TO_NETDEV, tcp(A_LXC, WIRE, A, WORLD, sport++, 443, SYN, 1, 0));
            if (r.retval() == TC_ACT_OK) assertThat(ports.add(sport(r.dataOut()))).isTrue();
        }
        assertThat(count(Reason.NAT_NO_PORT, Direction.HOST_OUT)).as("running out of ports is a counted drop")
                .isGreaterThan(noPort);
        assertThat(ports).allMatch(p -> p >= 61000 && p <= 61063);
        // the same ports are still free toward another destination
        byte[] other = run(Datapath.TO_NETDEV, tcp(A_LXC, WIRE, A, Ipv4.parse("192.0.2.8"), 30000, 443, SYN, 1, 0)).dataOut();
        assertThat(saddr(other)).isEqualTo("192.168.200.1");
        assertThat(sport(other)).isBetween(61000, 61063);
    }

    @Test
    void aNodePortOnTheUplinkReachesALocalBackendKeepingTheClient() {
        TestRunResult r = run(Datapath.FROM_NETDEV, tcp(WIRE, A_LXC, WORLD, NODE, 50000, 30080, SYN, 1, 0));
        assertThat(r.retval()).isEqualTo(TC_ACT_REDIRECT);
        byte[] o = r.dataOut();
        assertThat(saddr(o) + " -> " + daddr(o) + ":" + dport(o)).isEqualTo("192.0.2.7 -> 10.200.1.3:8080");
        assertThat(checksumsOk(o)).isTrue();
        // B's reply leaves from the NodePort frontend
        byte[] back = run(Datapath.FROM_CONTAINER, tcp(B_MAC, B_LXC, B, WORLD, 8080, 50000, SYN | ACK, 1, 0)).dataOut();
        assertThat(saddr(back) + ":" + sport(back)).isEqualTo("192.168.200.1:30080");
        assertThat(checksumsOk(back)).isTrue();
    }

    @Test
    void repliesToConnectionsTheHostStackDeliveredGoBackThroughTheStack() {
        // The stack (kube-proxy's DNAT) delivers REMOTE -> A:80 through the lxc's egress: to_container records it.
        assertThat(run(Datapath.TO_CONTAINER, tcp(A_LXC, A_MAC, REMOTE, A, 43000, 80, SYN, 1, 0)).retval()).isEqualTo(TC_ACT_OK);
        // A's reply would be tunnelled straight to REMOTE's node; it goes to the stack instead, to be translated back.
        assertThat(run(Datapath.FROM_CONTAINER, tcp(A_MAC, A_LXC, A, REMOTE, 80, 43000, SYN | ACK, 1, 0)).retval())
                .isEqualTo(TC_ACT_OK);
        // a connection A opens itself is tunnelled as before
        assertThat(run(Datapath.FROM_CONTAINER, tcp(A_MAC, A_LXC, A, REMOTE, 43001, 80, SYN, 1, 0)).retval())
                .isEqualTo(TC_ACT_REDIRECT);
    }
}
