package io.twill.netlink;

import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import io.twill.testkit.PrivilegedCondition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** 500 create/delete cycles of a veth into another namespace leave no fd and no link behind. */
@PrivilegedTest
class RtNetlinkLeakPrivilegedIT {
    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();
    @RegisterExtension
    final FdLeakExtension fds = new FdLeakExtension();

    /** Loads classes, fills the buffer pool and starts the netns worker (which keeps one fd for good). Reads only. */
    @BeforeAll
    static void warmUp() {
        if (!PrivilegedCondition.privileged()) return;
        try (RtNetlink warm = RtNetlink.openIn(Path.of("/proc/self/ns/net"))) {
            warm.links();
        }
    }

    @Test
    void fiveHundredVethCyclesLeaveNothing() {
        TestNamespace host = netns.create("host");
        TestNamespace pod = netns.create("pod");
        int fdsBefore = FdLeakExtension.count();
        List<String> hostLinks, podLinks;
        try (RtNetlink h = RtNetlink.openIn(host.path()); RtNetlink p0 = RtNetlink.openIn(pod.path())) {
            hostLinks = names(h);
            podLinks = names(p0);
            for (int i = 0; i < 500; i++) {
                Link l = h.createVeth(VethSpec.of("lxcleak", "eth0", pod.path()).withMtu(1450).withUp(true, i % 2 == 0));
                try (RtNetlink p = RtNetlink.openIn(pod.path())) { // a fresh pod socket per cycle, as on CNI ADD
                    if (i % 2 == 1) p.setUp(l.peerIndex());
                    p.addAddress(Address.of(l.peerIndex(), "10.66.0.2/32"));
                }
                h.addRoute(Route.to("10.66.0.2/32").dev(l.index()).build());
                assertThat(h.deleteLink(l.index())).isTrue();
            }
            assertThat(names(h)).isEqualTo(hostLinks);
            assertThat(names(p0)).isEqualTo(podLinks);
            assertThat(h.routes()).noneMatch(r -> r.dst().toString().equals("10.66.0.2/32"));
        }
        assertThat(FdLeakExtension.count()).isLessThanOrEqualTo(fdsBefore);
        assertThat(pod.exec("ip", "-o", "link", "show").stdout().lines()).hasSize(1);
    }

    private static List<String> names(RtNetlink n) {
        return n.links().stream().map(Link::name).sorted().toList();
    }
}
