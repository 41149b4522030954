package io.twill.netlink;

import io.twill.types.Errno;
import io.twill.types.MacAddress;
import io.twill.types.Ipv4Prefix;
import io.twill.testkit.NetNsExtension;
import io.twill.testkit.PrivilegedTest;
import io.twill.testkit.TestNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Bad input and failures: each refused clearly, nothing half-made. */
@PrivilegedTest
class RtNetlinkErrorsPrivilegedIT {
    @RegisterExtension
    final NetNsExtension netns = new NetNsExtension();

    @Test
    void nameTooLongIsRefusedBeforeTheKernel() {
        TestNamespace a = netns.create("a");
        try (RtNetlink n = RtNetlink.openIn(a.path())) {
            assertThatThrownBy(() -> n.createVeth(VethSpec.of("lxc0123456789abcdef", "eth0", null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("veth.name");
            assertThatThrownBy(() -> n.rename(1, "x".repeat(16))).hasMessageContaining("newName");
            assertThatThrownBy(() -> n.setMtu(1, 20)).hasMessageContaining("mtu");
            assertThat(n.links()).hasSize(1);
        }
    }

    @Test
    void nameTakenIsEexistNamingTheInterface() {
        TestNamespace a = netns.create("a");
        TestNamespace b = netns.create("b");
        try (RtNetlink n = RtNetlink.openIn(a.path())) {
            n.createVeth(VethSpec.of("lxcdup", "eth0", b.path()));
            NetlinkException e = catchThrowableOfType(NetlinkException.class,
                    () -> n.createVeth(VethSpec.of("lxcdup", "eth1", b.path())));
            assertThat(e.errno()).isEqualTo(Errno.EEXIST);
            assertThat(e.getMessage()).startsWith("RTM_NEWLINK(lxcdup): EEXIST (File exists)").contains("lxcdup");
            // the peer name taken in the pod namespace: also EEXIST, and no host end is left behind
            NetlinkException peer = catchThrowableOfType(NetlinkException.class,
                    () -> n.createVeth(VethSpec.of("lxcother", "eth0", b.path())));
            assertThat(peer.errno()).isEqualTo(Errno.EEXIST);
            assertThat(peer.getMessage()).contains("lxcother", "eth0", b.path().toString());
            assertThat(n.link("lxcother")).isEmpty();
        }
    }

    @Test
    void missingNamespaceIsEnoentNamingThePath() {
        TestNamespace a = netns.create("a");
        Path missing = Path.of("/run/netns/tw-does-not-exist-4711");
        try (RtNetlink n = RtNetlink.openIn(a.path())) {
            NetlinkException e = catchThrowableOfType(NetlinkException.class,
                    () -> n.createVeth(VethSpec.of("lxcnons", "eth0", missing)));
            assertThat(e.errno()).isEqualTo(Errno.ENOENT);
            assertThat(e.getMessage()).contains(missing.toString(), "does not exist");
            assertThat(n.link("lxcnons")).isEmpty();
            assertThatThrownBy(() -> n.moveToNetns(1, missing)).isInstanceOf(NetlinkException.class)
                    .hasMessageContaining(missing.toString());
        }
        NetlinkException open = catchThrowableOfType(NetlinkException.class, () -> RtNetlink.openIn(missing));
        assertThat(open.errno()).isEqualTo(Errno.ENOENT);
        assertThat(open.getMessage()).contains(missing.toString());
        // a file that is not a namespace
        try (RtNetlink n = RtNetlink.openIn(a.path())) {
            NetlinkException notNs = catchThrowableOfType(NetlinkException.class,
                    () -> n.createVeth(VethSpec.of("lxcnons", "eth0", Path.of("/proc/self/status"))));
            assertThat(notNs.errno()).isEqualTo(Errno.EINVAL);
        }
    }

    @Test
    void missingThingsAreFalseOrEmpty() {
        TestNamespace a = netns.create("a");
        try (RtNetlink n = RtNetlink.openIn(a.path())) {
            assertThat(n.deleteLink("lxcmissing")).isFalse();
            assertThat(n.deleteLink(4242)).isFalse();
            assertThat(n.link("lxcmissing")).isEmpty();
            assertThat(n.link(4242)).isEmpty();
            assertThat(n.deleteRoute(Route.to("10.123.0.0/16").build())).isFalse();
            assertThat(n.deleteAddress(Address.of(1, "10.123.0.1/32"))).isFalse();
            assertThat(n.deleteNeighbour(1, Check.inet4("10.123.0.1", "t"))).isFalse();
            NetlinkException e = catchThrowableOfType(NetlinkException.class, () -> n.requireLink("lxcmissing"));
            assertThat(e.errno()).isEqualTo(Errno.ENODEV);
            NetlinkException up = catchThrowableOfType(NetlinkException.class, () -> n.setUp(4242));
            assertThat(up.errno()).isEqualTo(Errno.ENODEV);
            assertThat(up.getMessage()).startsWith("RTM_SETLINK(ifindex 4242 up): ENODEV");
        }
    }

    @Test
    void kernelExtendedAckTextIsInTheMessage() {
        TestNamespace a = netns.create("a");
        try (RtNetlink n = RtNetlink.openIn(a.path())) {
            Link v = n.createVeth(VethSpec.of("vext0", "vext1", null).withUp(true));
            // a gateway that no address or onlink flag makes reachable
            NetlinkException e = catchThrowableOfType(NetlinkException.class,
                    () -> n.addRoute(Route.to(Ipv4Prefix.DEFAULT).via("192.0.2.1").dev(v.index()).build()));
            assertThat(e.op()).isEqualTo("RTM_NEWROUTE");
            assertThat(e.detail()).as("the kernel's own words").isNotBlank().containsIgnoringCase("gateway");
            assertThat(e.getMessage()).contains("default via 192.0.2.1", e.detail());
            // renaming onto a name that is taken
            NetlinkException taken = catchThrowableOfType(NetlinkException.class, () -> n.rename(v.index(), "vext1"));
            assertThat(taken.errno()).isEqualTo(Errno.EEXIST);
            assertThat(taken.getMessage()).contains("vext1 already exists");
            // adding the same route twice
            n.addRoute(Route.to("10.5.0.0/16").dev(v.index()).build());
            NetlinkException dup = catchThrowableOfType(NetlinkException.class,
                    () -> n.addRoute(Route.to("10.5.0.0/16").dev(v.index()).build()));
            assertThat(dup.errno()).isEqualTo(Errno.EEXIST);
            n.replaceRoute(Route.to("10.5.0.0/16").dev(v.index()).mtu(1400).build());
            assertThat(n.routes()).filteredOn(r -> r.dst().equals(Ipv4Prefix.parse("10.5.0.0/16")))
                    .singleElement().extracting(Route::mtu).isEqualTo(1400);
        }
    }

    @Test
    void dumpsDecodeWhateverTheKernelHolds() {
        TestNamespace a = netns.create("a");
        a.exec("ip", "link", "add", "odd0", "type", "veth", "peer", "name", "odd1");
        a.exec("ip", "link", "set", "odd0", "up");
        a.exec("ip", "link", "set", "odd1", "up");
        a.exec("ip", "addr", "add", "10.8.0.1/24", "dev", "odd0", "label", "odd0:x");
        a.exec("ip", "addr", "add", "10.8.0.2/24", "dev", "odd0"); // secondary
        a.exec("ip", "route", "add", "10.9.0.0/16", "dev", "odd0", "metric", "4294967295", "mtu", "lock", "552");
        a.exec("ip", "route", "add", "10.10.0.0/16", "via", "10.8.0.7", "table", "1000", "proto", "116");
        a.exec("ip", "route", "add", "blackhole", "10.11.0.0/16");
        a.exec("ip", "neigh", "add", "10.8.0.9", "lladdr", "02:00:00:00:00:09", "dev", "odd0", "nud", "stale");
        a.tryExec("ping", "-c", "1", "-W", "1", "-I", "odd0", "10.8.0.10"); // nobody answers: an entry without lladdr
        try (RtNetlink n = RtNetlink.openIn(a.path())) {
            int odd0 = n.requireLink("odd0").index();
            assertThat(n.addresses(odd0)).extracting(ad -> ad.address().getHostAddress()).containsExactly("10.8.0.1", "10.8.0.2");
            Route metric = n.routes().stream().filter(r -> r.dst().toString().equals("10.9.0.0/16")).findFirst().orElseThrow();
            assertThat(Integer.toUnsignedLong(metric.priority())).isEqualTo(4294967295L);
            assertThat(metric.mtu()).isEqualTo(552);
            assertThat(n.routes(1000)).singleElement().satisfies(r -> {
                assertThat(r.protocol()).isEqualTo(116);
                assertThat(r.table()).isEqualTo(1000);
                assertThat(r.gateway().getHostAddress()).isEqualTo("10.8.0.7");
            });
            assertThat(n.routes()).filteredOn(r -> r.dst().toString().equals("10.11.0.0/16"))
                    .singleElement().extracting(Route::type).isEqualTo(Route.TYPE_BLACKHOLE);
            assertThat(n.routes(Route.TABLE_LOCAL)).anyMatch(r -> r.type() == Route.TYPE_LOCAL);
            assertThat(n.neighbours(odd0)).extracting(Neighbour::stateName).contains("STALE");
            assertThat(n.neighbours(odd0)).filteredOn(nb -> nb.address().getHostAddress().equals("10.8.0.10"))
                    .singleElement().satisfies(nb -> {
                        assertThat(nb.mac()).isNull();
                        assertThat(nb.stateName()).isIn("INCOMPLETE", "FAILED");
                    });
            assertThat(n.neighbours(0)).hasSizeGreaterThanOrEqualTo(2);
            // our own writes next to them: preferred source, replacing a neighbour and an address
            n.addRoute(Route.to("10.12.0.0/16").dev(odd0).src(Check.inet4("10.8.0.1", "t")).priority(50).build());
            assertThat(n.routes()).filteredOn(r -> r.dst().toString().equals("10.12.0.0/16")).singleElement()
                    .satisfies(r -> {
                        assertThat(r.prefSrc().getHostAddress()).isEqualTo("10.8.0.1");
                        assertThat(r.priority()).isEqualTo(50);
                    });
            assertThat(a.exec("ip", "route", "show", "10.12.0.0/16").stdout()).contains("src 10.8.0.1", "metric 50");
            MacAddress m = MacAddress.parse("02:00:00:00:00:42");
            n.replaceNeighbour(Neighbour.permanent(odd0, Check.inet4("10.8.0.9", "t"), m));
            assertThat(n.neighbours(odd0)).filteredOn(nb -> nb.address().getHostAddress().equals("10.8.0.9"))
                    .singleElement().isEqualTo(Neighbour.permanent(odd0, Check.inet4("10.8.0.9", "t"), m));
            assertThat(a.exec("ip", "neigh", "show", "10.8.0.9").stdout()).contains("lladdr " + m + " PERMANENT");
            // replace = idempotent add (addAddress would say EEXIST)
            n.replaceAddress(Address.of(odd0, "10.8.0.3/24"));
            n.replaceAddress(Address.of(odd0, "10.8.0.3/24"));
            assertThat(catchThrowableOfType(NetlinkException.class, () -> n.addAddress(Address.of(odd0, "10.8.0.3/24"))).errno())
                    .isEqualTo(Errno.EEXIST);
            assertThat(n.addresses(odd0)).filteredOn(ad -> ad.address().getHostAddress().equals("10.8.0.3")).hasSize(1);
            n.addAddress(Address.of(odd0, "10.8.1.1/24").withScope(Scope.LINK));
            assertThat(n.addresses(odd0)).contains(new Address(odd0, Check.inet4("10.8.1.1", "t"), 24, Scope.LINK));
            assertThat(a.exec("ip", "-4", "addr", "show", "dev", "odd0").stdout()).contains("inet 10.8.1.1/24 scope link");
            // and our own delete matches a route in another table with a protocol of its own
            assertThat(n.deleteRoute(Route.to("10.10.0.0/16").table(1000).build())).isTrue();
            assertThat(n.routes(1000)).isEmpty();
        }
    }

    @Test
    void closedSocketIsAClearErrorAndCloseIsIdempotent() {
        RtNetlink n = RtNetlink.open();
        n.close();
        n.close();
        assertThatThrownBy(n::links).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void oneSocketServesManyThreadsAtOnce() throws Exception {
        TestNamespace a = netns.create("a");
        try (RtNetlink n = RtNetlink.openIn(a.path()); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Link>> made = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int k = i;
                made.add(pool.submit(() -> {
                    Link l = n.createVeth(VethSpec.of("par" + k, "pbr" + k, null).withUp(true));
                    n.addAddress(Address.of(l.index(), "10.77." + k + ".1/24"));
                    assertThat(n.links()).extracting(Link::name).contains("par" + k);
                    return l;
                }));
            }
            for (Future<Link> f : made) f.get();
            assertThat(n.links()).hasSize(1 + 32);
            assertThat(n.addresses()).filteredOn(ad -> ad.address().getHostAddress().startsWith("10.77.")).hasSize(16);
        }
    }

    @Test
    void sysctlWritesOnlyTheTargetNamespace() {
        TestNamespace a = netns.create("a");
        String rootBefore = Sysctl.read("net.ipv4.conf.all.rp_filter").orElseThrow();
        String other = rootBefore.equals("2") ? "1" : "2";
        Sysctl.write(a.path(), "net.ipv4.conf.all.rp_filter", other);
        assertThat(a.exec("sysctl", "-n", "net.ipv4.conf.all.rp_filter").stdout().strip()).isEqualTo(other);
        assertThat(NetNs.call(a.path(), () -> Sysctl.read("net.ipv4.conf.all.rp_filter").orElseThrow())).isEqualTo(other);
        assertThat(Sysctl.read("net.ipv4.conf.all.rp_filter")).contains(rootBefore);
        assertThat(Sysctl.read("net.ipv4.no_such_key")).isEmpty();
        assertThatThrownBy(() -> Sysctl.write(a.path(), "net.ipv4.no_such_key", "1"))
                .isInstanceOf(NetlinkException.class).hasMessageContaining("no such sysctl");
    }
}
