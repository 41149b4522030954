package io.twill.netlink;

import io.twill.types.Errno;
import io.twill.types.MacAddress;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Value types and the validation that runs before the kernel sees anything. */
class ValuesTest {
    @Test
    void interfaceNamesAreCheckedLikeTheKernelDoes() {
        assertThatThrownBy(() -> VethSpec.of("lxc0123456789abcd", "eth0", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("veth.name").hasMessageContaining("17 bytes").hasMessageContaining("at most 15");
        assertThatThrownBy(() -> VethSpec.of("lxc1", "", null)).hasMessageContaining("veth.peerName").hasMessageContaining("empty");
        assertThatThrownBy(() -> VethSpec.of("lxc1", null, null)).hasMessageContaining("veth.peerName");
        assertThatThrownBy(() -> VethSpec.of("a/b", "eth0", null)).hasMessageContaining("'/'");
        assertThatThrownBy(() -> VethSpec.of("a b", "eth0", null)).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> VethSpec.of("..", "eth0", null)).hasMessageContaining("not a valid");
        assertThatThrownBy(() -> VethSpec.of("same", "same", null)).hasMessageContaining("equals veth.name");
        assertThat(VethSpec.of("lxc0123456789ab", "eth0", Path.of("/run/netns/x")).name()).hasSize(15);
        assertThat(VethSpec.of("same", "same", Path.of("/run/netns/x")).peerName()).isEqualTo("same");
    }

    @Test
    void mtusPortsAndPrefixLengthsAreRanged() {
        assertThatThrownBy(() -> VethSpec.of("a", "b", null).withMtu(67)).hasMessageContaining("veth.mtu").hasMessageContaining("68..65535");
        assertThatThrownBy(() -> VethSpec.of("a", "b", null).withMtu(65536)).hasMessageContaining("veth.mtu");
        assertThat(VethSpec.of("a", "b", null).withMtu(0).mtu()).isZero();
        assertThatThrownBy(() -> VxlanSpec.external("vx", 0)).hasMessageContaining("vxlan.dstPort");
        assertThatThrownBy(() -> new VxlanSpec("vx", 1 << 24, 4789, false, false, 0, 0, null, null, false)).hasMessageContaining("vxlan.vni");
        assertThatThrownBy(() -> new VxlanSpec("vx", 5, 4789, true, false, 0, 0, null, null, false)).hasMessageContaining("external");
        assertThatThrownBy(() -> Address.of(1, "10.0.0.1/40")).hasMessageContaining("address.prefixLength");
        assertThatThrownBy(() -> Address.of(0, "10.0.0.1/24")).hasMessageContaining("address.ifindex");
        assertThatThrownBy(() -> Route.to("10.0.0.0/8").mtu(20)).hasMessageContaining("route.mtu");
        assertThatThrownBy(() -> Route.to("10.0.0.0/8").onlink().build()).hasMessageContaining("route.onlink");
        assertThatThrownBy(() -> Route.to("10.0.0.0/8").dev(-2)).hasMessageContaining("route.oif");
        assertThatThrownBy(() -> Neighbour.permanent(0, Check.inet4("10.0.0.1", "t"), MacAddress.randomLocal()))
                .hasMessageContaining("neighbour.ifindex");
    }

    @Test
    void routeBuilderPicksScopeLikeIp() {
        assertThat(Route.to("10.0.0.5/32").dev(3).build().scope()).isEqualTo(Scope.LINK);
        Route viaGw = Route.to(Ipv4Prefix.DEFAULT).via("10.0.0.1").dev(3).onlink().mtu(1450).build();
        assertThat(viaGw.scope()).isEqualTo(Scope.UNIVERSE);
        assertThat(viaGw).hasToString("default via 10.0.0.1 dev 3 proto 4 scope global onlink mtu 1450");
        assertThat(Route.to("10.0.0.0/8").scope(Scope.HOST).build().scope()).isEqualTo(Scope.HOST);
        assertThat(Scope.of(253)).isEqualTo(Scope.LINK);
        assertThat(Scope.of(100)).isEqualTo(Scope.UNIVERSE);
        assertThat(Scope.of(210)).isEqualTo(Scope.SITE);
    }

    @Test
    void sysctlKeysStayUnderNet() {
        assertThat(Sysctl.path("net.ipv4.ip_forward")).isEqualTo(Path.of("/proc/sys/net/ipv4/ip_forward"));
        assertThat(Sysctl.path("net/ipv4/conf/eth0.100/rp_filter")).isEqualTo(Path.of("/proc/sys/net/ipv4/conf/eth0.100/rp_filter"));
        assertThatThrownBy(() -> Sysctl.path("kernel.panic")).hasMessageContaining("not under net");
        assertThatThrownBy(() -> Sysctl.path("net/../kernel/panic")).hasMessageContaining("invalid part");
        assertThatThrownBy(() -> Sysctl.path("")).hasMessageContaining("empty");
    }

    @Test
    void exceptionTextNamesOpObjectErrnoAndDetail() {
        NetlinkException e = new NetlinkException("RTM_NEWLINK", "lxc1a2b", Errno.EEXIST, null);
        assertThat(e).hasMessage("RTM_NEWLINK(lxc1a2b): EEXIST (File exists)");
        assertThat(e.withHint("lxc1a2b already exists")).hasMessage("RTM_NEWLINK(lxc1a2b): EEXIST (File exists): lxc1a2b already exists");
        assertThat(new NetlinkException("RTM_NEWROUTE", "x", Errno.ENETUNREACH, "Nexthop has invalid gateway").getMessage())
                .endsWith("ENETUNREACH (Network is unreachable): Nexthop has invalid gateway");
    }
}
