package io.twill.datapath;

import io.twill.types.Ipv4;
import io.twill.maps.events.DropEvent;
import io.twill.maps.events.TraceEvent;
import io.twill.maps.events.TracePoint;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.Reason;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.types.RoutingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes in native-routing mode: no VXLAN, a kernel route per peer pod CIDR via the peer's address. bpf_lxc sends
 * remote traffic straight to the uplink after a FIB lookup; bpf_host on the far eth0 delivers it into the pod.
 * Loaded with trace events on, which shows which path each packet took.
 */
@PrivilegedTest
class NativeDatapathPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    @RegisterExtension final PinRoots pins = new PinRoots();
    @RegisterExtension final FdLeakExtension fds = new FdLeakExtension();

    Fabric fabric;
    Fabric.Node n1, n2;
    Fabric.Pod a, b, c;

    @BeforeAll
    static void warmUp() throws Exception {
        Traffic.warmUp();
    }

    @BeforeEach
    void build() {
        fabric = new Fabric(netns, pins, RoutingMode.NATIVE);
        fabric.trace = true;
        n1 = fabric.node();
        n2 = fabric.node();
        fabric.connect();
        a = n1.pod("a", 2);
        b = n1.pod("b", 3);
        c = n2.pod("c", 2);
    }

    @AfterEach
    void close() {
        if (fabric != null) fabric.close();
    }

    @Test
    void podsHostsAndNodesReachEachOther() throws Exception {
        try (Events ev1 = new Events(n1.dp); Events ev2 = new Events(n2.dp)) {
            assertThat(Traffic.ping(a.ns(), b.ip())).as("same node").isTrue();
            assertThat(Traffic.ping(a.ns(), c.ip())).as("cross node a -> c").isTrue();
            assertThat(Traffic.ping(c.ns(), b.ip())).as("cross node c -> b").isTrue();
            assertThat(Traffic.ping(n1.ns, a.ip())).as("host -> pod").isTrue();
            Traffic.tcpEcho(a.ns(), c.ns(), c.ip(), 7101, 512 * 1024);
            Traffic.tcpEcho(c.ns(), b.ns(), b.ip(), 7102, 64 * 1024);

            assertThat(ev1.await(TraceEvent.class, t -> t.point() == TracePoint.TO_NETDEV && t.daddr().equals(c.ip())
                    && t.targetIfindex() == n1.eth0.ifindex(), Duration.ofSeconds(5)))
                    .as("bpf_lxc on node 1 sent a -> c straight to eth0 after a FIB lookup").isPresent();
            assertThat(ev2.await(TraceEvent.class, t -> t.point() == TracePoint.TO_ENDPOINT && t.daddr().equals(c.ip())
                    && t.ifindex() == n2.eth0.ifindex(), Duration.ofSeconds(5)))
                    .as("bpf_host on node 2's eth0 delivered it into pod c").isPresent();
        }
        assertThat(n2.dp.metrics().get(Reason.FORWARDED, Direction.INGRESS).packets()).isPositive();
    }

    @Test
    void anUnknownClusterAddressIsDroppedWithItsReason() {
        try (Events ev = new Events(n1.dp)) {
            long before = n1.dp.metrics().get(Reason.UNROUTABLE, Direction.EGRESS).packets();
            assertThat(Traffic.pingFails(a.ns(), Ipv4.parse("10.200.50.1"))).isTrue();
            assertThat(n1.dp.metrics().get(Reason.UNROUTABLE, Direction.EGRESS).packets()).isEqualTo(before + 1);
            assertThat(ev.await(DropEvent.class, e -> e.reason() == Reason.UNROUTABLE, Duration.ofSeconds(5))).isPresent();
        }
        long noEp = n2.dp.metrics().get(Reason.NO_ENDPOINT, Direction.INGRESS).packets();
        assertThat(Traffic.pingFails(a.ns(), Ipv4.parse("10.200.2.99"))).isTrue();
        assertThat(n2.dp.metrics().get(Reason.NO_ENDPOINT, Direction.INGRESS).packets())
                .as("node 2's eth0 drops traffic for a pod it does not have").isEqualTo(noEp + 1);
    }
}
