package io.twill.netlink;

import io.twill.types.MacAddress;
import io.twill.types.Ipv4Prefix;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Veth into a second namespace, then everything a CNI ADD does, checked through our dumps and through `ip`. */
@PrivilegedTest
class RtNetlinkPrivilegedIT {
    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();

    static Inet4Address ip(String s) {
        return Check.inet4(s, "test");
    }

    @Test
    void vethIntoPodNamespaceWithAddressesRoutesAndNeighbour() {
        TestNamespace host = netns.create("host");
        TestNamespace pod = netns.create("pod");
        // a pair already in the pod namespace, so eth0's index differs from the host end's and ip prints @ifN
        pod.exec("ip", "link", "add", "other0", "type", "veth", "peer", "name", "other1");
        MacAddress hostMac = MacAddress.parse("02:00:00:aa:bb:01");
        MacAddress podMac = MacAddress.parse("02:00:00:aa:bb:02");
        try (RtNetlink h = RtNetlink.openIn(host.path()); RtNetlink p = RtNetlink.openIn(pod.path())) {
            Link lxc = h.createVeth(VethSpec.of("lxctest0", "tmp0a1b2c", pod.path()).withMtu(1400)
                    .withMac(hostMac).withPeerMac(podMac));
            assertThat(lxc.name()).isEqualTo("lxctest0");
            assertThat(lxc.isVeth()).isTrue();
            assertThat(lxc.mtu()).isEqualTo(1400);
            assertThat(lxc.mac()).isEqualTo(hostMac);
            assertThat(lxc.peerIndex()).isPositive();
            assertThat(lxc.peerInOtherNamespace()).isTrue();
            assertThat(lxc.up()).isFalse();
            assertThat(h.link("tmp0a1b2c")).as("the peer is not in the host namespace").isEmpty();

            Link peer = p.link(lxc.peerIndex()).orElseThrow();
            assertThat(peer.name()).isEqualTo("tmp0a1b2c");
            assertThat(peer.mac()).isEqualTo(podMac);
            assertThat(peer.peerIndex()).isEqualTo(lxc.index());

            // pod side: rename, MAC, MTU, up, address, routes, neighbour
            p.rename(peer.index(), "eth0");
            MacAddress newPodMac = MacAddress.parse("02:00:00:aa:bb:03");
            p.setMac(peer.index(), newPodMac);
            p.setMtu(peer.index(), 1450);
            p.setUp(peer.index());
            p.addAddress(Address.of(peer.index(), "10.99.0.5/32"));
            p.addRoute(Route.to("10.99.0.1/32").dev(peer.index()).build());
            p.addRoute(Route.to(Ipv4Prefix.DEFAULT).via("10.99.0.1").dev(peer.index()).onlink().mtu(1350).build());
            p.addNeighbour(Neighbour.permanent(peer.index(), ip("10.99.0.1"), hostMac));

            // host side: up, gateway address, /32 route to the pod
            h.setUp(lxc.index());
            h.addAddress(Address.of(lxc.index(), "10.99.0.1/32"));
            h.addRoute(Route.to("10.99.0.5/32").dev(lxc.index()).build());

            Link eth0 = p.requireLink("eth0");
            assertThat(eth0.index()).isEqualTo(peer.index());
            assertThat(eth0.mac()).isEqualTo(newPodMac);
            assertThat(eth0.mtu()).isEqualTo(1450);
            assertThat(eth0.up()).isTrue();
            assertThat(h.link(lxc.index()).orElseThrow().lowerUp()).isTrue();
            assertThat(p.links()).extracting(Link::name).contains("lo", "eth0");
            assertThat(p.addresses(eth0.index())).containsExactly(new Address(eth0.index(), ip("10.99.0.5"), 32, Scope.UNIVERSE));
            List<Route> routes = p.routes();
            assertThat(routes).contains(
                    new Route(Ipv4Prefix.parse("10.99.0.1/32"), null, eth0.index(), Scope.LINK, 254, 4, 1, false, 0, null, 0),
                    new Route(Ipv4Prefix.DEFAULT, ip("10.99.0.1"), eth0.index(), Scope.UNIVERSE, 254, 4, 1, true, 1350, null, 0));
            assertThat(p.neighbours(eth0.index())).containsExactly(new Neighbour(eth0.index(), ip("10.99.0.1"), hostMac, Neighbour.NUD_PERMANENT));
            assertThat(h.routes()).contains(
                    new Route(Ipv4Prefix.parse("10.99.0.5/32"), null, lxc.index(), Scope.LINK, 254, 4, 1, false, 0, null, 0));

            // the same through ip(8)
            String link = pod.exec("ip", "-d", "link", "show", "eth0").stdout();
            assertThat(link).contains("eth0@if" + lxc.index(), "mtu 1450", "state UP", "link/ether " + newPodMac, "veth");
            assertThat(host.exec("ip", "-d", "link", "show", "lxctest0").stdout())
                    .contains("lxctest0@if" + eth0.index(), "mtu 1400", "link/ether " + hostMac, "veth", "link-netns " + pod.name());
            assertThat(pod.exec("ip", "-4", "addr", "show", "dev", "eth0").stdout()).contains("inet 10.99.0.5/32 scope global eth0");
            String podRoutes = pod.exec("ip", "-4", "route", "show").stdout();
            assertThat(podRoutes).contains("10.99.0.1 dev eth0 proto static scope link");
            assertThat(podRoutes.lines().filter(l -> l.startsWith("default")).findFirst().orElseThrow())
                    .contains("default via 10.99.0.1 dev eth0 proto static", "mtu 1350", "onlink");
            assertThat(pod.exec("ip", "neigh", "show", "dev", "eth0").stdout()).contains("10.99.0.1 lladdr " + hostMac + " PERMANENT");
            assertThat(host.exec("ip", "-4", "route", "show").stdout()).contains("10.99.0.5 dev lxctest0 proto static scope link");

            // traffic across the pair, both directions
            host.exec("ping", "-c", "1", "-W", "2", "10.99.0.5");
            pod.exec("ping", "-c", "1", "-W", "2", "10.99.0.1");

            // take it all down again
            assertThat(p.deleteNeighbour(eth0.index(), ip("10.99.0.1"))).isTrue();
            assertThat(p.deleteNeighbour(eth0.index(), ip("10.99.0.1"))).isFalse();
            assertThat(p.deleteRoute(Route.to(Ipv4Prefix.DEFAULT).via("10.99.0.1").dev(eth0.index()).build())).isTrue();
            assertThat(p.deleteRoute(Route.to(Ipv4Prefix.DEFAULT).build())).isFalse();
            assertThat(p.deleteAddress(Address.of(eth0.index(), "10.99.0.5/32"))).isTrue();
            assertThat(p.deleteAddress(Address.of(eth0.index(), "10.99.0.5/32"))).isFalse();
            assertThat(p.addresses(eth0.index())).isEmpty();
            assertThat(p.routes()).noneMatch(r -> r.dst().length() == 0);
            assertThat(h.deleteRoute(Route.to("10.99.0.5/32").dev(lxc.index()).build())).isTrue();
            assertThat(h.deleteLink("lxctest0")).isTrue();
            assertThat(h.deleteLink("lxctest0")).isFalse();
            assertThat(h.link("lxctest0")).isEmpty();
            assertThat(p.link("eth0")).as("deleting one end removes the peer").isEmpty();
            assertThat(pod.exec("ip", "-o", "link", "show").stdout().lines()).hasSize(3);
            assertThat(host.exec("ip", "-o", "link", "show").stdout().lines()).hasSize(1);
            assertThat(pod.exec("ip", "neigh", "show").stdout()).isBlank();
        }
    }

    @Test
    void vxlanExternalDevice() {
        TestNamespace node = netns.create("node");
        try (RtNetlink n = RtNetlink.openIn(node.path())) {
            Link vx = n.createVxlan(VxlanSpec.external("twill_vxlan", 8472).withMtu(1450).withUp(true));
            assertThat(vx.isVxlan()).isTrue();
            assertThat(vx.mtu()).isEqualTo(1450);
            assertThat(vx.up()).isTrue();
            assertThat(vx.vxlan()).isEqualTo(new VxlanInfo(0, 8472, true, false, 0, null));
            String shown = node.exec("ip", "-d", "link", "show", "twill_vxlan").stdout();
            assertThat(shown).contains("vxlan external", "dstport 8472", "nolearning", "mtu 1450");
            assertThat(n.deleteLink(vx.index())).isTrue();
            assertThat(n.link("twill_vxlan")).isEmpty();
            assertThat(node.exec("ip", "-o", "link", "show").stdout()).doesNotContain("twill_vxlan");
        }
    }

    @Test
    void vxlanWithVniOnAnUnderlay() {
        TestNamespace node = netns.create("node");
        node.exec("ip", "link", "add", "under0", "type", "veth", "peer", "name", "under1");
        try (RtNetlink n = RtNetlink.openIn(node.path())) {
            int under = n.requireLink("under0").index();
            Link vx = n.createVxlan(new VxlanSpec("vx42", 42, 4789, false, true, 0, under, ip("192.0.2.10"), null, false));
            assertThat(vx.vxlan()).isEqualTo(new VxlanInfo(42, 4789, false, true, under, ip("192.0.2.10")));
            assertThat(node.exec("ip", "-d", "link", "show", "vx42").stdout())
                    .contains("vxlan id 42", "local 192.0.2.10", "dev under0", "dstport 4789");
        }
    }

    @Test
    void peerAtTheSameIndexInAnotherNamespaceIsReported() {
        TestNamespace a = netns.create("a");
        TestNamespace b = netns.create("b");
        try (RtNetlink na = RtNetlink.openIn(a.path()); RtNetlink nb = RtNetlink.openIn(b.path())) {
            Link host = na.createVeth(VethSpec.of("same0", "same1", b.path()).withUp(true));
            Link peer = nb.requireLink("same1");
            assertThat(peer.index()).as("both namespaces are fresh").isEqualTo(host.index());
            assertThat(host.peerIndex()).isEqualTo(peer.index());
            assertThat(peer.peerIndex()).isEqualTo(host.index());
            // both ends up, each still in its own namespace
            assertThat(host.up()).isTrue();
            assertThat(host.lowerUp()).isTrue();
            assertThat(peer.up()).isTrue();
            assertThat(na.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "same0");
            assertThat(nb.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "same1");
            assertThat(b.exec("ip", "link", "show", "same1").stdout()).contains("state UP");
        }
    }

    @Test
    void openInLeavesNoThreadInThePodNamespace() throws Exception {
        TestNamespace a = netns.create("a");
        TestNamespace b = netns.create("b");
        for (TestNamespace ns : List.of(a, b, a)) {
            try (RtNetlink n = RtNetlink.openIn(ns.path())) {
                assertThat(n.links()).extracting(Link::name).containsExactly("lo");
            }
        }
        Path own = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
        List<Path> workerNs = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                if (Files.readString(t.resolve("comm")).strip().startsWith("twill-netns-wor")) {
                    workerNs.add(Files.readSymbolicLink(t.resolve("ns/net")));
                }
            }
        }
        assertThat(workerNs).as("the worker thread went back home").isNotEmpty().allMatch(own::equals);
    }

    @Test
    void moveToNetnsRenamesOnArrival() {
        TestNamespace a = netns.create("a");
        TestNamespace b = netns.create("b");
        try (RtNetlink na = RtNetlink.openIn(a.path()); RtNetlink nb = RtNetlink.openIn(b.path())) {
            Link host = na.createVeth(VethSpec.of("vtest0", "vtest1", null));
            assertThat(host.peerInOtherNamespace()).isFalse();
            int peer = na.requireLink("vtest1").index();
            assertThat(host.peerIndex()).isEqualTo(peer);
            na.moveToNetns(peer, b.path(), "eth7");
            assertThat(na.link("vtest1")).isEmpty();
            assertThat(nb.requireLink("eth7").peerIndex()).isEqualTo(host.index());
            assertThat(b.exec("ip", "link", "show", "eth7").stdout()).contains("eth7@if" + host.index());
        }
    }
}
