package io.twill.datapath;

import io.twill.bpf.BpfLink;
import io.twill.bpf.TcDirection;
import io.twill.bpf.TcMode;
import io.twill.testkit.Cmd;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PingFlood;
import io.twill.testkit.PrivilegedTest;
import io.twill.types.RoutingMode;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;


import static org.assertj.core.api.Assertions.assertThat;

/** The cls_bpf fallback (kernels before 6.6): same paths, filters replaced in place, no link pins. */
@PrivilegedTest
class ClsBpfDatapathPrivilegedIT {
    @RegisterExtension final NetNsExtension netns = new NetNsExtension();
    @RegisterExtension final PinRoots pins = new PinRoots();
    Fabric fabric;

    @AfterEach
    void close() {
        if (fabric != null) fabric.close();
    }

    @Test
    void forwardsAndReplacesFiltersInPlace() throws Exception {
        fabric = new Fabric(netns, pins, RoutingMode.OVERLAY);
        fabric.tcMode = TcMode.CLS_BPF;
        Fabric.Node n1 = fabric.node(), n2 = fabric.node();
        fabric.connect();
        Fabric.Pod a = n1.pod("a", 2), b = n1.pod("b", 3), c = n2.pod("c", 2);
        assertThat(Traffic.ping(a.ns(), b.ip())).isTrue();
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
        assertThat(n1.dp.linkPin(a.lxc().ifindex(), TcDirection.INGRESS)).doesNotExist();

        try (PingFlood flood = new PingFlood(a.ns(), c.ip())) {
            flood.awaitReplies(20, Duration.ofSeconds(10)); // flowing before the filters are replaced...
            n1.load(n1.config());
            flood.awaitReplies(flood.replies() + 20, Duration.ofSeconds(10)); // ...and after
            PingFlood.Result r = flood.stop();
            assertThat(r.lost()).as("no packet lost while the filters were replaced\n%s", r.output()).isEmpty();
        }

        String filters = n1.ns.exec("tc", "filter", "show", "dev", a.lxc().name(), "ingress").stdout();
        assertThat(filters.lines().filter(l -> l.contains("from_container")).count()).as(filters).isEqualTo(1);
        assertThat(filters).contains("id " + n1.dp.program(Datapath.FROM_CONTAINER).id());
        String egress = n1.ns.exec("tc", "filter", "show", "dev", a.lxc().name(), "egress").stdout();
        assertThat(egress).as("to_container on egress").contains("to_container");
        assertThat(n1.ns.call(() -> n1.dp.detach(a.lxc().ifindex()))).isEqualTo(2);
        assertThat(n1.ns.exec("tc", "filter", "show", "dev", a.lxc().name(), "ingress").stdout()).doesNotContain("from_container");
    }

    @Test
    void switchingModesAcrossRestartsLeavesOneAttachmentAndNeverAGap() throws Exception {
        fabric = new Fabric(netns, pins, RoutingMode.OVERLAY);
        fabric.tcMode = TcMode.CLS_BPF;
        Fabric.Node n1 = fabric.node(), n2 = fabric.node();
        fabric.connect();
        Fabric.Pod a = n1.pod("a", 2), c = n2.pod("c", 2);
        int lxc = a.lxc().ifindex();
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();

        int linkId;
        try (PingFlood flood = new PingFlood(a.ns(), c.ip())) {
            flood.awaitReplies(20, Duration.ofSeconds(10)); // flowing on the cls_bpf filter
            fabric.tcMode = TcMode.TCX; // cls_bpf -> TCX, as after enabling network.enableTCX
            n1.load(n1.config());
            assertThat(n1.dp.linkPin(lxc, TcDirection.INGRESS)).exists();
            try (BpfLink link = BpfLink.openPinned(n1.dp.linkPin(lxc, TcDirection.INGRESS))) {
                linkId = link.info().id();
            }
            assertThat(filters(n1, a)).as("the filter under the new link is gone").doesNotContain("from_container");
            flood.awaitReplies(flood.replies() + 20, Duration.ofSeconds(10)); // flowing on the TCX link
            fabric.tcMode = TcMode.CLS_BPF; // and back
            n1.load(n1.config());
            flood.awaitReplies(flood.replies() + 20, Duration.ofSeconds(10)); // flowing on the filter again
            PingFlood.Result r = flood.stop();
            assertThat(r.lost()).as("no packet lost across both switches\n%s", r.output()).isEmpty();
        }
        assertThat(n1.dp.linkPin(lxc, TcDirection.INGRESS)).as("the link that would shadow the filter is gone").doesNotExist();
        assertThat(filters(n1, a)).contains("id " + n1.dp.program(Datapath.FROM_CONTAINER).id());
        assertThat(Cmd.tryRun("bpftool", "link", "show", "id", String.valueOf(linkId)).ok()).as("link " + linkId + " detached").isFalse();
        assertThat(Traffic.ping(a.ns(), c.ip())).isTrue();
    }

    static String filters(Fabric.Node n, Fabric.Pod p) {
        return n.ns.exec("tc", "filter", "show", "dev", p.lxc().name(), "ingress").stdout();
    }
}
