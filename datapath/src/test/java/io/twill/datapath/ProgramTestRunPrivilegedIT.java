package io.twill.datapath;

import io.twill.bpf.BpfProgram;
import io.twill.bpf.TestRunResult;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.Reason;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.types.RoutingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;

import static io.twill.datapath.Packets.TC_ACT_OK;
import static io.twill.datapath.Packets.TC_ACT_REDIRECT;
import static io.twill.datapath.Packets.TC_ACT_SHOT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Program logic on crafted packets with {@code bpf_prog_test_run} (cilium's PKTGEN / SETUP / CHECK): no devices, no
 * traffic. In a test run the packet "arrives" on the loopback device, ifindex 1, so pod A is registered there.
 */
@PrivilegedTest
class ProgramTestRunPrivilegedIT {
    @RegisterExtension final PinRoots pins = new PinRoots();
    @RegisterExtension final FdLeakExtension fds = new FdLeakExtension();

    static final Inet4Address NODE = Ipv4.parse("192.168.200.1"), PEER = Ipv4.parse("192.168.200.2");
    static final Inet4Address A = Ipv4.parse("10.200.1.2"), B = Ipv4.parse("10.200.1.3"), REMOTE = Ipv4.parse("10.200.2.9");
    static final MacAddress A_MAC = MacAddress.parse("02:aa:00:00:00:01"), A_LXC = MacAddress.parse("02:aa:00:00:00:02");
    static final MacAddress B_MAC = MacAddress.parse("02:bb:00:00:00:01"), B_LXC = MacAddress.parse("02:bb:00:00:00:02");
    static final int LOOPBACK = 1, B_LXC_IFINDEX = 77;

    Datapath dp;

    @BeforeEach
    void setup() {
        DatapathConfig cfg = DatapathConfig.overlay(NODE, Ipv4Prefix.parse("10.200.0.0/16"), 4242);
        dp = Datapath.load(cfg, pins.create("run"));
        dp.endpoints().put(A, EndpointInfo.pod(LOOPBACK, 1, A_MAC, A_LXC));
        dp.endpoints().put(B, EndpointInfo.pod(B_LXC_IFINDEX, 2, B_MAC, B_LXC));
        dp.tunnel().put(Ipv4Prefix.parse("10.200.1.0/24"), NODE);
        dp.tunnel().put(Ipv4Prefix.parse("10.200.2.0/24"), PEER);
    }

    @AfterEach
    void close() {
        if (dp != null) dp.close();
    }

    TestRunResult run(String program, byte[] packet) {
        BpfProgram p = dp.program(program);
        return p.testRun(packet);
    }

    long count(Reason r, Direction d) {
        return dp.metrics().get(r, d).packets();
    }

    @Test
    void sameNodeDeliveryRewritesMacsAndDecrementsTtl() {
        byte[] in = Packets.udp(A_MAC, A_LXC, A, B, 64, 1000, 2000, 32);
        long fwd = count(Reason.FORWARDED, Direction.EGRESS);
        TestRunResult r = run(Datapath.FROM_CONTAINER, in);
        assertThat(r.retval()).isEqualTo(TC_ACT_REDIRECT);
        byte[] out = r.dataOut();
        assertThat(Packets.ethDst(out)).isEqualTo(B_MAC);
        assertThat(Packets.ethSrc(out)).isEqualTo(B_LXC);
        assertThat(Packets.ttl(out)).isEqualTo(63);
        assertThat(Packets.ipChecksumOk(out)).as("header checksum patched").isTrue();
        assertThat(Packets.slice(out, 34, out.length - 34)).isEqualTo(Packets.slice(in, 34, in.length - 34));
        assertThat(count(Reason.FORWARDED, Direction.EGRESS)).isEqualTo(fwd + 1);
    }

    @Test
    void remoteDestinationsAreEncapsulatedAndUnknownOnesDropped() {
        TestRunResult r = run(Datapath.FROM_CONTAINER, Packets.udp(A_MAC, A_LXC, A, REMOTE, 64, 1, 2, 0));
        assertThat(r.retval()).as("tunnel key set, redirected to twill_vxlan").isEqualTo(TC_ACT_REDIRECT);

        long unroutable = count(Reason.UNROUTABLE, Direction.EGRESS);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.udp(A_MAC, A_LXC, A, Ipv4.parse("10.200.77.1"), 64, 1, 2, 0))
                .retval()).isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.UNROUTABLE, Direction.EGRESS)).isEqualTo(unroutable + 1);

        long noEndpoint = count(Reason.NO_ENDPOINT, Direction.EGRESS);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.udp(A_MAC, A_LXC, A, Ipv4.parse("10.200.1.99"), 64, 1, 2, 0))
                .retval()).as("this node's CIDR, no such pod").isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.NO_ENDPOINT, Direction.EGRESS)).isEqualTo(noEndpoint + 1);

        byte[] outside = Packets.udp(A_MAC, A_LXC, A, Ipv4.parse("192.0.2.1"), 64, 1, 2, 0);
        TestRunResult o = run(Datapath.FROM_CONTAINER, outside);
        assertThat(o.retval()).as("outside the cluster: the host stack routes it").isEqualTo(TC_ACT_OK);
        assertThat(o.dataOut()).isEqualTo(outside);
    }

    @Test
    void spoofedSourcesTtlAndForeignProtocolsAreDropped() {
        long spoofed = count(Reason.SPOOFED_SOURCE, Direction.EGRESS);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.udp(A_MAC, A_LXC, Ipv4.parse("10.200.1.50"), B, 64, 1, 2, 0))
                .retval()).as("unknown source").isEqualTo(TC_ACT_SHOT);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.udp(A_MAC, A_LXC, B, A, 64, 1, 2, 0)).retval())
                .as("B's address, but B lives behind another device").isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.SPOOFED_SOURCE, Direction.EGRESS)).isEqualTo(spoofed + 2);

        long ttl = count(Reason.TTL_EXCEEDED, Direction.EGRESS);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.udp(A_MAC, A_LXC, A, B, 1, 1, 2, 0)).retval()).isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.TTL_EXCEEDED, Direction.EGRESS)).isEqualTo(ttl + 1);

        long l3 = count(Reason.UNSUPPORTED_L3, Direction.EGRESS);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.ipv6(A_MAC, A_LXC)).retval()).isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.UNSUPPORTED_L3, Direction.EGRESS)).isEqualTo(l3 + 1);

        long invalid = count(Reason.INVALID_PACKET, Direction.EGRESS);
        byte[] bad = Packets.udp(A_MAC, A_LXC, A, B, 64, 1, 2, 0);
        bad[14] = 0x44; // IPv4 header length 16 bytes: malformed (a runt is refused by the test-run API itself)
        assertThat(run(Datapath.FROM_CONTAINER, bad).retval()).isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.INVALID_PACKET, Direction.EGRESS)).isEqualTo(invalid + 1);
    }

    @Test
    void theGatewayArpResponderAnswersWithTheLxcMac() {
        Inet4Address gw = Ipv4.parse("169.254.1.1");
        TestRunResult r = run(Datapath.FROM_CONTAINER, Packets.arpRequest(A_MAC, A, gw));
        assertThat(r.retval()).as("sent back out of the lxc").isEqualTo(TC_ACT_REDIRECT);
        byte[] out = r.dataOut();
        assertThat(Packets.ethDst(out)).isEqualTo(A_MAC);
        assertThat(Packets.ethSrc(out)).isEqualTo(A_LXC);
        assertThat(Packets.u16(out, 20)).as("op = reply").isEqualTo(2);
        assertThat(Packets.mac(out, 22)).as("sender MAC").isEqualTo(A_LXC);
        assertThat(Packets.slice(out, 28, 4)).as("sender IP").isEqualTo(gw.getAddress());
        assertThat(Packets.mac(out, 32)).as("target MAC").isEqualTo(A_MAC);
        assertThat(Packets.slice(out, 38, 4)).as("target IP").isEqualTo(A.getAddress());

        byte[] reply = Packets.arp(2, A_MAC, A_LXC, A_MAC, A, A_LXC, NODE);
        assertThat(run(Datapath.FROM_CONTAINER, reply).retval()).as("the pod answering the host").isEqualTo(TC_ACT_OK);

        long arp = count(Reason.ARP_UNSUPPORTED, Direction.EGRESS);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.arpRequest(A_MAC, A, A)).retval()).as("gratuitous")
                .isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.ARP_UNSUPPORTED, Direction.EGRESS)).isEqualTo(arp + 1);
        long spoofed = count(Reason.SPOOFED_SOURCE, Direction.EGRESS);
        assertThat(run(Datapath.FROM_CONTAINER, Packets.arpRequest(A_MAC, B, gw)).retval()).isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.SPOOFED_SOURCE, Direction.EGRESS)).isEqualTo(spoofed + 1);
    }

    @Test
    void theUplinkDeliversLocalPodsAndPassesTheRest() {
        MacAddress router = MacAddress.parse("02:cc:00:00:00:01"), eth0 = MacAddress.parse("02:cc:00:00:00:02");
        TestRunResult r = run(Datapath.FROM_NETDEV, Packets.udp(router, eth0, PEER, B, 63, 1, 2, 0));
        assertThat(r.retval()).isEqualTo(TC_ACT_REDIRECT);
        assertThat(Packets.ethDst(r.dataOut())).isEqualTo(B_MAC);
        assertThat(Packets.ethSrc(r.dataOut())).isEqualTo(B_LXC);
        assertThat(Packets.ttl(r.dataOut())).isEqualTo(62);

        assertThat(run(Datapath.FROM_NETDEV, Packets.udp(router, eth0, PEER, NODE, 64, 1, 8472, 0)).retval())
                .as("underlay traffic for the node").isEqualTo(TC_ACT_OK);
        long noEndpoint = count(Reason.NO_ENDPOINT, Direction.INGRESS);
        assertThat(run(Datapath.FROM_NETDEV, Packets.udp(router, eth0, PEER, Ipv4.parse("10.200.1.99"), 64, 1, 2, 0))
                .retval()).isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.NO_ENDPOINT, Direction.INGRESS)).isEqualTo(noEndpoint + 1);
        assertThat(run(Datapath.FROM_NETDEV, Packets.udp(router, eth0, PEER, REMOTE, 64, 1, 2, 0)).retval())
                .as("another node's pods: transit, the stack decides").isEqualTo(TC_ACT_OK);
        assertThat(run(Datapath.TO_NETDEV, Packets.udp(eth0, router, NODE, PEER, 64, 1, 2, 0)).retval()).isEqualTo(TC_ACT_OK);
    }

    @Test
    void theOverlayRefusesPacketsWithoutTunnelMetadata() {
        long tunnel = count(Reason.TUNNEL_KEY, Direction.INGRESS);
        assertThat(run(Datapath.FROM_OVERLAY, Packets.udp(A_MAC, A_LXC, REMOTE, B, 64, 1, 2, 0)).retval())
                .isEqualTo(TC_ACT_SHOT);
        assertThat(count(Reason.TUNNEL_KEY, Direction.INGRESS)).isEqualTo(tunnel + 1);
    }
}
