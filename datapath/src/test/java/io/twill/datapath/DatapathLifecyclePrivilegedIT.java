package io.twill.datapath;

import io.twill.bpf.BpfLink;
import io.twill.bpf.KeyExistsException;
import io.twill.bpf.TcDirection;
import io.twill.bpf.UpdateFlag;
import io.twill.testkit.PingFlood;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import io.twill.maps.MapEntry;
import io.twill.maps.endpoints.EndpointInfo;
import io.twill.maps.endpoints.EndpointKey;
import io.twill.maps.events.TraceEvent;
import io.twill.maps.metrics.Direction;
import io.twill.maps.metrics.MetricsKey;
import io.twill.maps.metrics.Reason;
import io.twill.maps.tunnel.TunnelKey;
import io.twill.maps.tunnel.TunnelInfo;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.types.RoutingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reloading, restarting, detaching, bulk writes and refusals, on a live two-node overlay. */
@PrivilegedTest
class DatapathLifecyclePrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    @RegisterExtension final PinRoots pins = new PinRoots();
    @RegisterExtension final FdLeakExtension fds = new FdLeakExtension();

    Fabric fabric;
    Fabric.Node n1, n2;
    Fabric.Pod a, b, c;

    @BeforeEach
    void build() {
        fabric = new Fabric(netns, pins, RoutingMode.OVERLAY);
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
    void reloadingSwapsEveryProgramAtomicallyWhileTrafficFlows() throws Exception {
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
        int oldLxc = n1.dp.program(Datapath.FROM_CONTAINER).id();
        try (PingFlood flood = new PingFlood(a.ns(), c.ip())) {
            flood.awaitReplies(20, Duration.ofSeconds(10)); // traffic flows before the swap...
            n1.load(n1.config().withTrace(true));
            n2.load(n2.config().withTrace(true));
            int atSwap = flood.replies();
            flood.awaitReplies(atSwap + 20, Duration.ofSeconds(10)); // ...and after it
            PingFlood.Result r = flood.stop();
            assertThat(r.lost()).as("no packet lost while both nodes swapped programs\n%s", r.output()).isEmpty();
        }

        int newLxc = n1.dp.program(Datapath.FROM_CONTAINER).id();
        assertThat(newLxc).isNotEqualTo(oldLxc);
        int endpointsMap = n1.dp.endpoints().bpfMap().id();
        assertThat(LoadedPrograms.count(endpointsMap, "from_container")).as("old programs released, one left").isEqualTo(1);
        assertThat(LoadedPrograms.count(endpointsMap, "from_netdev")).isEqualTo(1);
        assertThat(LoadedPrograms.count(endpointsMap, "from_overlay")).isEqualTo(1);
        for (Fabric.Pod p : List.of(a, b)) {
            try (BpfLink link = BpfLink.openPinned(n1.dp.linkPin(p.lxc().ifindex(), TcDirection.INGRESS))) {
                assertThat(link.info().programId()).as("the pinned link of " + p + " runs the new program").isEqualTo(newLxc);
            }
        }
        try (Events ev = new Events(n1.dp)) {
            assertThat(Traffic.ping(a.ns(), b.ip())).isTrue();
            assertThat(ev.await(TraceEvent.class, t -> t.saddr().equals(a.ip()) && t.daddr().equals(b.ip()),
                    Duration.ofSeconds(5))).as("the new programs trace").isPresent();
        }
    }

    @Test
    void theDatapathForwardsWithoutItsOwnerAndARestartAdoptsIt() {
        int endpointsMap = n1.dp.endpoints().bpfMap().id();
        n1.dp.close();
        n1.dp = null;
        assertThat(Traffic.ping(a.ns(), c.ip())).as("programs and maps outlive their owner").isTrue();
        assertThat(Traffic.ping(a.ns(), b.ip())).isTrue();

        n1.load(n1.config());
        assertThat(n1.dp.endpoints().bpfMap().id()).as("the pinned map is reused").isEqualTo(endpointsMap);
        assertThat(n1.dp.endpoints().lookup(a.ip())).contains(a.endpointInfo());
        assertThat(LoadedPrograms.count(endpointsMap, "from_container")).isEqualTo(1);
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
    }

    @Test
    void detachRemovesTheAttachmentsAndTheirPins() {
        int ifindex = a.lxc().ifindex();
        assertThat(n1.dp.linkPin(ifindex, TcDirection.INGRESS)).exists();
        assertThat(n1.dp.linkPin(ifindex, TcDirection.EGRESS)).as("to_container").exists();
        int removed = n1.ns.call(() -> n1.dp.detach(ifindex));
        assertThat(removed).as("from_container on ingress, to_container on egress").isEqualTo(2);
        assertThat(n1.dp.linkPin(ifindex, TcDirection.INGRESS)).doesNotExist();
        assertThat(n1.dp.linkPin(ifindex, TcDirection.EGRESS)).doesNotExist();
        assertThat(n1.ns.call(() -> n1.dp.detach(ifindex))).as("idempotent").isZero();
        n1.ns.run(() -> n1.dp.attachEndpoint(ifindex));
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
    }

    @Test
    void impossibleValuesAreRefusedBeforeTheKernel() {
        EndpointInfo good = a.endpointInfo();
        MacAddress zero = new MacAddress(0);
        assertThatThrownBy(() -> n1.dp.endpoints().put(a.ip(), EndpointInfo.pod(0, 1, a.mac(), a.lxc().mac())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("twill_endpoints 10.200.1.2: ifindex 0 is not a device (the host-side lxc veth is needed)");
        assertThatThrownBy(() -> n1.dp.endpoints().put(a.ip(), EndpointInfo.pod(good.ifindex(), 1, zero, a.lxc().mac())))
                .hasMessageContaining("pod mac 00:00:00:00:00:00 is not a unicast address");
        assertThatThrownBy(() -> n1.dp.tunnel().put(Ipv4Prefix.parse("0.0.0.0/0"), n2.ip)).hasMessageContaining("/0");
        assertThatThrownBy(() -> n1.dp.tunnel().put(n2.podCidr, Ipv4.parse("0.0.0.0")))
                .hasMessage("twill_tunnel 10.200.2.0/24: node 0.0.0.0 is not a unicast address");
        assertThatThrownBy(() -> n1.dp.endpoints().update(new EndpointKey(a.ip()), good, UpdateFlag.NOEXIST))
                .isInstanceOf(KeyExistsException.class).hasMessageContaining("EEXIST");

        assertThat(n1.dp.endpoints().lookup(a.ip())).as("entry untouched").contains(good);
        assertThat(n1.dp.tunnel().lookup(n2.podCidr)).contains(new TunnelInfo(n2.ip));
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
    }

    @Test
    void entriesAndBatchWrites() {
        // 600 pods in 10.200.3.0 - 10.200.5.87: more than one batch chunk of 256.
        List<MapEntry<EndpointKey, EndpointInfo>> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            many.add(new MapEntry<>(new EndpointKey(Ipv4.fromInt(Ipv4.toInt(Ipv4.parse("10.200.3.0")) + i)),
                    EndpointInfo.pod(1000 + i, 100 + i, MacAddress.parse("02:00:00:00:10:00"), MacAddress.parse("02:00:00:00:20:00"))));
        }
        n1.dp.endpoints().updateAll(many, UpdateFlag.ANY);
        var entries = n1.dp.endpoints().entries();
        assertThat(entries).hasSize(602).contains(new MapEntry<>(new EndpointKey(a.ip()), a.endpointInfo()))
                .containsAll(many);
        assertThat(n1.dp.tunnel().entries()).extracting(MapEntry::key)
                .containsExactlyInAnyOrder(new TunnelKey(n1.podCidr), new TunnelKey(n2.podCidr));
        assertThat(n1.dp.tunnel().match(c.ip())).contains(new TunnelInfo(n2.ip));
        assertThat(n1.dp.endpoints().delete(Ipv4.parse("10.200.9.9"))).isFalse();

        List<MapEntry<EndpointKey, EndpointInfo>> bad = List.of(many.get(0),
                new MapEntry<>(EndpointKey.of("10.200.9.1"), EndpointInfo.pod(0, 1, a.mac(), a.mac())));
        assertThatThrownBy(() -> n1.dp.endpoints().updateAll(bad, UpdateFlag.ANY)).hasMessageContaining("10.200.9.1: ifindex 0");
        assertThat(n1.dp.endpoints().lookup(Ipv4.parse("10.200.9.1"))).as("nothing of a refused batch is written").isEmpty();
    }

    @Test
    void metricsAreLabelledOnLoadAndKeptAcrossARestart() {
        assertThat(Traffic.ping(a.ns(), b.ip())).isTrue();
        var forwardedEgress = new MetricsKey(Reason.FORWARDED, Direction.EGRESS);
        long before = n1.dp.metrics().get(Reason.FORWARDED, Direction.EGRESS).packets();
        assertThat(before).isPositive();
        assertThat(n1.dp.metrics().entries()).as("only what was counted").extracting(MapEntry::key)
                .contains(forwardedEgress).doesNotContain(new MetricsKey(Reason.TTL_EXCEEDED, Direction.EGRESS));
        assertThat(n1.dp.metrics().label()).as("labelled when loaded").isZero();

        n1.dp.close();
        n1.dp = null;
        n1.load(n1.config());
        assertThat(n1.dp.metrics().get(Reason.FORWARDED, Direction.EGRESS).packets()).as("counters survive a reload")
                .isGreaterThanOrEqualTo(before);

        // bpftool names what each counter counts: index 2 * 32 + 0 carries reason 0, dir 2 on every CPU.
        String dump = Cmd.run("bpftool", "-j", "map", "lookup", "pinned", n1.pinRoot.resolve("twill_metrics").toString(),
                "key", String.valueOf(forwardedEgress.index()), "0", "0", "0").stdout();
        assertThat(dump).contains("\"reason\":0", "\"dir\":2", "\"packets\":");
        assertThat(dump).doesNotContain("\"dir\":0");
    }
}
