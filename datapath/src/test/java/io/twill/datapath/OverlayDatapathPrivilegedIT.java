package io.twill.datapath;

import io.twill.types.Ipv4;
import io.twill.maps.events.DropEvent;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.MetricsMap;
import io.twill.maps.metrics.Reason;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.types.RoutingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes in overlay mode (VXLAN over a shared underlay bridge), two pods on node 1 and two on node 2, everything
 * loaded, attached and filled through {@link Datapath}: real packets through the real programs.
 */
@PrivilegedTest
class OverlayDatapathPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    @RegisterExtension final PinRoots pins = new PinRoots();
    @RegisterExtension final FdLeakExtension fds = new FdLeakExtension();

    Fabric fabric;
    Fabric.Node n1, n2;
    Fabric.Pod a, b, c, d;

    @BeforeAll
    static void warmUp() throws Exception {
        Traffic.warmUp();
    }

    @BeforeEach
    void build() {
        fabric = new Fabric(netns, pins, RoutingMode.OVERLAY);
        n1 = fabric.node();
        n2 = fabric.node();
        fabric.connect();
        a = n1.pod("a", 2);
        b = n1.pod("b", 3);
        c = n2.pod("c", 2);
        d = n2.pod("d", 3);
    }

    @AfterEach
    void close() {
        if (fabric != null) fabric.close();
    }

    @Test
    void podsReachEachOtherOnOneNodeAndAcrossNodes() throws Exception {
        MetricsMap m1 = n1.dp.metrics(), m2 = n2.dp.metrics();
        long egress1 = m1.get(Reason.FORWARDED, Direction.EGRESS).packets();
        long ingress2 = m2.get(Reason.FORWARDED, Direction.INGRESS).packets();

        assertThat(Traffic.ping(a.ns(), b.ip())).as("same node a -> b").isTrue();
        assertThat(Traffic.ping(b.ns(), a.ip())).as("same node b -> a").isTrue();
        assertThat(Traffic.ping(a.ns(), c.ip())).as("cross node a -> c").isTrue();
        assertThat(Traffic.ping(d.ns(), b.ip())).as("cross node d -> b").isTrue();
        Traffic.tcpEcho(a.ns(), b.ns(), b.ip(), 7001, 256 * 1024);
        Traffic.tcpEcho(a.ns(), c.ns(), c.ip(), 7002, 256 * 1024);

        assertThat(m1.get(Reason.FORWARDED, Direction.EGRESS).packets()).as("bpf_lxc on node 1 counts what it forwards")
                .isGreaterThan(egress1 + 8);
        assertThat(m2.get(Reason.FORWARDED, Direction.INGRESS).packets()).as("bpf_overlay on node 2 counts deliveries")
                .isGreaterThan(ingress2 + 4);
        assertThat(m1.get(Reason.FORWARDED, Direction.HOST_OUT).packets()).as("bpf_host counts the VXLAN packets leaving")
                .isPositive();
    }

    @Test
    void theHostReachesItsPodsThroughTheirRoutes() throws Exception {
        assertThat(Traffic.ping(n1.ns, a.ip())).as("node 1 -> its pod a").isTrue();
        assertThat(Traffic.ping(a.ns(), n1.ip)).as("pod a -> its node's address").isTrue();
        Traffic.tcpEcho(n2.ns, d.ns(), d.ip(), 7003, 64 * 1024);
    }

    @Test
    void unknownDestinationsAreDroppedCountedAndReported() {
        Inet4Address unowned = Ipv4.parse("10.200.9.9");       // in the cluster CIDR, no node owns it
        Inet4Address noPodHere = Ipv4.parse("10.200.1.77");    // node 1's own CIDR, no such pod
        Inet4Address noPodThere = Ipv4.parse("10.200.2.77");   // node 2's CIDR, no such pod
        try (Events ev1 = new Events(n1.dp); Events ev2 = new Events(n2.dp)) {
            MetricsMap m1 = n1.dp.metrics(), m2 = n2.dp.metrics();
            long unroutable = m1.get(Reason.UNROUTABLE, Direction.EGRESS).packets();
            long local = m1.get(Reason.NO_ENDPOINT, Direction.EGRESS).packets();
            long remote = m2.get(Reason.NO_ENDPOINT, Direction.INGRESS).packets();

            assertThat(Traffic.pingFails(a.ns(), unowned)).isTrue();
            assertThat(Traffic.pingFails(a.ns(), noPodHere)).isTrue();
            assertThat(Traffic.pingFails(a.ns(), noPodThere)).isTrue();

            assertThat(m1.get(Reason.UNROUTABLE, Direction.EGRESS).packets()).isEqualTo(unroutable + 1);
            assertThat(m1.get(Reason.NO_ENDPOINT, Direction.EGRESS).packets()).isEqualTo(local + 1);
            assertThat(m2.get(Reason.NO_ENDPOINT, Direction.INGRESS).packets()).as("dropped by bpf_overlay on node 2")
                    .isEqualTo(remote + 1);

            DropEvent e = ev1.await(DropEvent.class, x -> x.daddr().equals(unowned), Duration.ofSeconds(5)).orElseThrow(
                    () -> new AssertionError("no drop event for " + unowned + " among " + ev1.seen()));
            assertThat(e.reason()).isEqualTo(Reason.UNROUTABLE);
            assertThat(e.direction()).isEqualTo(Direction.EGRESS);
            assertThat(e.saddr()).isEqualTo(a.ip());
            assertThat(e.protocol()).isEqualTo(1);
            assertThat(e.ifindex()).isEqualTo(a.lxc().ifindex());
            assertThat(ev2.await(DropEvent.class, x -> x.daddr().equals(noPodThere) && x.reason() == Reason.NO_ENDPOINT,
                    Duration.ofSeconds(5))).as("node 2 reports the overlay drop").isPresent();
        }
    }

    @Test
    void aRemovedEndpointIsDroppedNeverDeliveredToAnotherPod() {
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
        assertThat(n2.dp.endpoints().delete(c.ip())).isTrue();
        long dRx = rxPackets(d), cRx = rxPackets(c);
        long dropped = n2.dp.metrics().get(Reason.NO_ENDPOINT, Direction.INGRESS).packets();

        assertThat(Traffic.pingFails(a.ns(), c.ip())).isTrue();

        assertThat(n2.dp.metrics().get(Reason.NO_ENDPOINT, Direction.INGRESS).packets()).isEqualTo(dropped + 1);
        assertThat(rxPackets(c)).as("no IP packet reaches the removed pod").isEqualTo(cRx);
        assertThat(rxPackets(d)).as("nothing reaches its neighbour either").isEqualTo(dRx);
        n2.dp.endpoints().put(c.ip(), c.endpointInfo());
        assertThat(Traffic.ping(a.ns(), c.ip())).as("delivered again once the entry is back").isTrue();
    }

    @Test
    void aPodCannotSendFromAnAddressThatIsNotItsOwn() {
        // Resolve the gateway from the real address first: an ARP request from a foreign sender address is refused
        // as spoofed too, and would add to the count.
        assertThat(Traffic.ping(a.ns(), b.ip())).isTrue();
        a.ns().exec("ip", "addr", "add", "10.200.1.50/32", "dev", "eth0");
        long spoofed = n1.dp.metrics().get(Reason.SPOOFED_SOURCE, Direction.EGRESS).packets();
        assertThat(a.ns().tryExec("ping", "-c", "1", "-W", "1", "-I", "10.200.1.50", b.ip().getHostAddress()).ok()).isFalse();
        assertThat(n1.dp.metrics().get(Reason.SPOOFED_SOURCE, Direction.EGRESS).packets()).isEqualTo(spoofed + 1);
        // b's own address on a's veth is refused too: the entry says b lives behind another lxc.
        a.ns().exec("ip", "addr", "add", b.ip().getHostAddress() + "/32", "dev", "eth0");
        assertThat(a.ns().tryExec("ping", "-c", "1", "-W", "1", "-I", b.ip().getHostAddress(), c.ip().getHostAddress()).ok()).isFalse();
        assertThat(n1.dp.metrics().get(Reason.SPOOFED_SOURCE, Direction.EGRESS).packets()).isEqualTo(spoofed + 2);
    }

    @Test
    void everyMapButTheRingBufferDumpsWithNamedFields() {
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
        String endpoints = dump(n1, "twill_endpoints");
        assertThat(endpoints).contains("\"addr\"", "\"ifindex\"", "\"endpoint_id\"", "\"flags\"", "\"mac\"", "\"node_mac\"");
        assertThat(dump(n1, "twill_tunnel")).contains("\"prefixlen\": 24", "\"addr\"", "\"node_ip\"");
        assertThat(dump(n1, "twill_metrics")).contains("\"reason\"", "\"dir\"", "\"packets\"", "\"bytes\"", "\"cpu\"");
        assertThat(n1.pinRoot.resolve("twill_events")).exists();
    }

    static String dump(Fabric.Node node, String map) {
        return Cmd.run("bpftool", "map", "dump", "pinned", node.pinRoot.resolve(map).toString()).stdout();
    }

    /** IPv4 packets the pod's stack received (Ip: InReceives); ARP, which the gateway responder answers, is not IP. */
    static long rxPackets(Fabric.Pod pod) {
        String[] lines = pod.ns().exec("cat", "/proc/net/snmp").stdout().split("\n");
        String[] names = lines[0].split("\\s+"), values = lines[1].split("\\s+");
        for (int i = 0; i < names.length; i++) if (names[i].equals("InReceives")) return Long.parseLong(values[i]);
        throw new IllegalStateException("no Ip InReceives in /proc/net/snmp of " + pod);
    }
}
