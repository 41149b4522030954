package io.twill.datapath;

import io.twill.bpf.BpfObject;
import io.twill.bpf.ObjectSpec;
import io.twill.bpf.UpdateFlag;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.maps.MapEntry;
import io.twill.maps.Protocols;
import io.twill.maps.lb.LbAffinity;
import io.twill.maps.lb.LbAffinityKey;
import io.twill.maps.lb.LbAffinityMap;
import io.twill.maps.lb.LbFrontend;
import io.twill.maps.lb.LbKey;
import io.twill.maps.lb.LbService;
import io.twill.maps.lb.LbServicesMap;
import io.twill.maps.snat.NonMasqMap;
import io.twill.maps.snat.SnatEntry;
import io.twill.maps.snat.SnatKey;
import io.twill.maps.snat.SnatMap;
import io.twill.testkit.FdLeakExtension;
import io.twill.testkit.PrivilegedTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.Inet4Address;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The typed Service and NAT maps on the real maps of bpf_host: frontend rewrites, LPM matches, sweeps, purges. */
@PrivilegedTest
class ServiceMapsPrivilegedIT {
    @RegisterExtension final PinRoots pins = new PinRoots();
    @RegisterExtension final FdLeakExtension fds = new FdLeakExtension();

    static final Inet4Address VIP = Ipv4.parse("10.96.0.10");
    BpfObject host;

    @BeforeEach
    void load() {
        host = ObjectSpec.fromResource(ServiceMapsPrivilegedIT.class, "/io/twill/bpf/bpf_host.bpf.o")
                .withObjectName("bpf_host").withPinRoot(pins.create("svcmaps")).load();
    }

    @AfterEach
    void close() {
        if (host != null) host.close();
    }

    @Test
    void frontendsGrowShrinkAndGoSlotZeroFirst() {
        try (LbServicesMap s = LbServicesMap.of(host.map(LbServicesMap.MAP_NAME))) {
            LbKey web = LbKey.frontend(VIP, 80, Protocols.TCP);
            s.putFrontend(web, LbService.service(3, 1, LbService.F_CLUSTER_IP, 0), List.of(11L, 12L, 13L));
            assertThat(s.frontend(web)).contains(new LbFrontend(web, LbService.service(3, 1, LbService.F_CLUSTER_IP, 0),
                    List.of(11L, 12L, 13L)));
            assertThat(s.entries()).hasSize(4);

            s.putFrontend(web, LbService.service(1, 1, LbService.F_CLUSTER_IP, 0), List.of(12L));
            assertThat(s.entries()).as("slots 2 and 3 removed after slot 0 shrank").hasSize(2);
            assertThat(s.lookup(web.withSlot(1))).contains(LbService.backend(12));

            s.putFrontend(web.withScope(LbService.SCOPE_EXTERNAL), LbService.service(0, 1, LbService.F_CLUSTER_IP, 0),
                    List.of());
            assertThat(s.frontends()).hasSize(2);

            assertThatThrownBy(() -> s.putFrontend(web, LbService.service(2, 1, LbService.F_CLUSTER_IP, 0), List.of(1L)))
                    .hasMessageContaining("count 2 but 1 backend ids");
            assertThatThrownBy(() -> s.putFrontend(web, LbService.service(1, 0, LbService.F_CLUSTER_IP, 0), List.of(1L)))
                    .hasMessageContaining("twill_lb_services 10.96.0.10:80/tcp slot=0: count 1 with rev_nat_index 0");
            assertThatThrownBy(() -> s.putFrontend(web, LbService.service(1, 1, LbService.F_CLUSTER_IP, 0), List.of(0L)))
                    .hasMessageContaining("backend slot 1 with backend_id 0");
            assertThat(s.frontend(web).orElseThrow().backendIds()).as("refused writes changed nothing").containsExactly(12L);

            assertThat(s.deleteFrontend(web)).isEqualTo(2);
            assertThat(s.deleteFrontend(web)).isZero();
            assertThat(s.frontends()).extracting(f -> f.key().scope()).containsExactly(LbService.SCOPE_EXTERNAL);
        }
    }

    @Test
    void nonMasqueradeNetworksMatchByLongestPrefix() {
        try (NonMasqMap m = NonMasqMap.of(host.map(NonMasqMap.MAP_NAME))) {
            m.put(Ipv4Prefix.parse("172.16.0.0/12"));
            m.put(Ipv4Prefix.parse("10.0.0.0/8"));
            m.put(Ipv4Prefix.parse("10.0.0.0/8"));
            assertThat(m.prefixes()).containsExactly(Ipv4Prefix.parse("10.0.0.0/8"), Ipv4Prefix.parse("172.16.0.0/12"));
            assertThat(m.matches(Ipv4.parse("172.20.1.1"))).isTrue();
            assertThat(m.matches(Ipv4.parse("192.0.2.1"))).isFalse();
            assertThat(m.delete(Ipv4Prefix.parse("172.16.0.0/12"))).isTrue();
            assertThat(m.delete(Ipv4Prefix.parse("172.16.0.0/12"))).isFalse();
            assertThat(m.matches(Ipv4.parse("172.20.1.1"))).isFalse();
        }
    }

    @Test
    void natSweepAndAffinityPurge() {
        try (SnatMap snat = SnatMap.of(host.map(SnatMap.MAP_NAME));
             LbAffinityMap aff = LbAffinityMap.of(host.map(LbAffinityMap.MAP_NAME))) {
            Inet4Address node = Ipv4.parse("192.168.50.2");
            for (int i = 0; i < 10; i++) {
                snat.update(new SnatKey(Ipv4.parse("10.0.3.2"), Ipv4.parse("1.1.1.1"), 40000 + i, 443, Protocols.TCP,
                        SnatKey.DIR_OUT), new SnatEntry(node, 61000 + i, 0, Ipv4.ANY, 0, 100 + i, 50), UpdateFlag.ANY);
            }
            assertThat(snat.sweep(105)).as("expires 100..104").isEqualTo(5);
            assertThat(snat.purge(k -> k.sport() == 40009)).isEqualTo(1);
            assertThat(snat.flush()).isEqualTo(4);

            aff.update(LbAffinityKey.ofNetns(4096, 1), new LbAffinity(11, 10), UpdateFlag.ANY);
            aff.update(LbAffinityKey.ofAddress(Ipv4.parse("10.0.3.2"), 1), new LbAffinity(12, 10), UpdateFlag.ANY);
            aff.update(LbAffinityKey.ofAddress(Ipv4.parse("10.0.3.2"), 2), new LbAffinity(13, 10), UpdateFlag.ANY);
            assertThat(aff.purge((k, v) -> k.revNatIndex() == 1)).isEqualTo(2);
            assertThat(aff.entries()).extracting(MapEntry::key)
                    .containsExactly(LbAffinityKey.ofAddress(Ipv4.parse("10.0.3.2"), 2));
        }
    }
}
