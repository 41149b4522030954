package io.twill.agent.ipam;

import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpamTest {
    private static final Ipv4Prefix C24 = Ipv4Prefix.parse("10.0.1.0/24");
    private final MemoryIpamStore store = new MemoryIpamStore();

    private static IpamOwner owner(int i) {
        return new IpamOwner("c" + i, "eth0", "twill", "default", "pod-" + i);
    }

    private static Inet4Address ip(String s) {
        return Ipv4.parse(s);
    }

    @Test
    void handsOutUsableAddressesInOrderAndPersistsThem() {
        Ipam ipam = Ipam.open(store, List.of(C24));
        IpAllocation a = ipam.allocate(owner(1));
        IpAllocation b = ipam.allocate(owner(2));
        assertThat(a.ip()).isEqualTo(ip("10.0.1.2"));
        assertThat(b.ip()).isEqualTo(ip("10.0.1.3"));
        assertThat(store.records).containsKeys(a.ip(), b.ip());
        assertThat(store.records.get(a.ip()).owner()).isEqualTo(owner(1));
        assertThat(ipam.gatewayFor(a.ip())).isEqualTo(ip("10.0.1.1"));
        assertThat(ipam.usage()).isEqualTo(new IpamUsage(2, 251));
    }

    @Test
    void neverHandsOutNetworkGatewayOrBroadcastAndExhaustsClearly() {
        Ipam ipam = Ipam.open(store, List.of(Ipv4Prefix.parse("10.0.2.0/29")));
        Set<String> got = new HashSet<>();
        for (int i = 0; i < 5; i++) got.add(ipam.allocate(owner(i)).ip().getHostAddress());
        assertThat(got).containsExactlyInAnyOrder("10.0.2.2", "10.0.2.3", "10.0.2.4", "10.0.2.5", "10.0.2.6");
        assertThatThrownBy(() -> ipam.allocate(owner(9)))
                .isInstanceOf(IpamExhaustedException.class)
                .hasMessageContaining("all 5 usable addresses of [10.0.2.0/29] are allocated");
        assertThat(store.records).hasSize(5);
        assertThat(ipam.usage().available()).isZero();
    }

    @Test
    void smallestPoolIsASlash30WithOneAddress() {
        Ipam ipam = Ipam.open(store, List.of(Ipv4Prefix.parse("10.0.3.0/30")));
        assertThat(ipam.allocate(owner(1)).ip()).isEqualTo(ip("10.0.3.2"));
        assertThatThrownBy(() -> ipam.allocate(owner(2))).isInstanceOf(IpamExhaustedException.class);
        assertThatThrownBy(() -> Ipam.open(store, List.of(Ipv4Prefix.parse("10.0.3.0/31"))))
                .isInstanceOf(IpamException.class).hasMessageContaining("at least a /30");
        assertThatThrownBy(() -> Ipam.open(store, List.of(C24, Ipv4Prefix.parse("10.0.0.0/16"))))
                .hasMessageContaining("overlap");
        assertThatThrownBy(() -> Ipam.open(store, List.of())).hasMessageContaining("no pod CIDR");
    }

    @Test
    void releasedAddressIsNotReusedImmediately() {
        Ipam ipam = Ipam.open(store, List.of(C24));
        IpAllocation a = ipam.allocate(owner(1));
        assertThat(ipam.release(a.ip())).isTrue();
        assertThat(store.records).isEmpty();
        assertThat(ipam.allocate(owner(2)).ip()).isNotEqualTo(a.ip());
        assertThat(ipam.release(a.ip())).isFalse();
    }

    @Test
    void wrapsAroundToReleasedAddressesWhenTheEndIsReached() {
        Ipam ipam = Ipam.open(store, List.of(Ipv4Prefix.parse("10.0.4.0/29")));
        List<IpAllocation> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) all.add(ipam.allocate(owner(i)));
        ipam.release(all.get(1).ip());
        assertThat(ipam.allocate(owner(7)).ip()).isEqualTo(all.get(1).ip());
    }

    @Test
    void spillsIntoTheNextCidr() {
        Ipam ipam = Ipam.open(store, List.of(Ipv4Prefix.parse("10.0.5.0/30"), Ipv4Prefix.parse("10.0.6.0/30")));
        assertThat(ipam.allocate(owner(1)).ip()).isEqualTo(ip("10.0.5.2"));
        IpAllocation second = ipam.allocate(owner(2));
        assertThat(second.ip()).isEqualTo(ip("10.0.6.2"));
        assertThat(ipam.gatewayFor(second.ip())).isEqualTo(ip("10.0.6.1"));
        assertThat(ipam.cidrOf(second.ip())).contains(Ipv4Prefix.parse("10.0.6.0/30"));
    }

    @Test
    void staticAddressRequests() {
        Ipam ipam = Ipam.open(store, List.of(C24));
        assertThat(ipam.allocate(ip("10.0.1.77"), owner(1)).ip()).isEqualTo(ip("10.0.1.77"));
        assertThatThrownBy(() -> ipam.allocate(ip("10.0.1.77"), owner(2)))
                .hasMessageContaining("already allocated to c1/eth0 (pod default/pod-1)");
        assertThatThrownBy(() -> ipam.allocate(ip("10.0.1.1"), owner(2))).hasMessageContaining("reserved");
        assertThatThrownBy(() -> ipam.allocate(ip("10.0.1.255"), owner(2))).hasMessageContaining("reserved");
        assertThatThrownBy(() -> ipam.allocate(ip("10.0.9.9"), owner(2))).hasMessageContaining("not in this node's pod CIDRs");
        assertThat(ipam.usage().used()).isEqualTo(1);
    }

    @Test
    void aFailedWriteLeavesTheAddressFree() {
        Ipam ipam = Ipam.open(store, List.of(Ipv4Prefix.parse("10.0.7.0/30")));
        store.failSave.set(true);
        assertThatThrownBy(() -> ipam.allocate(owner(1))).isInstanceOf(IpamException.class).hasMessageContaining("disk full");
        assertThat(ipam.usage().used()).isZero();
        assertThat(ipam.allocate(owner(2)).ip()).isEqualTo(ip("10.0.7.2"));
    }

    @Test
    void aFailedDeleteKeepsTheAddressHeld() {
        Ipam ipam = Ipam.open(store, List.of(C24));
        IpAllocation a = ipam.allocate(owner(1));
        store.failRemove.set(true);
        assertThatThrownBy(() -> ipam.release(a.ip())).hasMessageContaining("I/O error");
        assertThat(ipam.lookup(a.ip())).isPresent();
        assertThat(store.records).containsKey(a.ip());
    }

    @Test
    void restartTakesBackEveryAllocationIncludingDamagedAndForeignOnes() {
        Ipam first = Ipam.open(store, List.of(C24));
        IpAllocation a = first.allocate(owner(1));
        IpAllocation b = first.allocate(owner(2));
        store.unreadable.add(ip("10.0.1.9"));
        store.records.put(ip("10.0.200.7"), new IpAllocation(ip("10.0.200.7"), owner(3), a.allocatedAt()));

        Ipam second = Ipam.open(store, List.of(C24));
        assertThat(second.lookup(a.ip())).get().extracting(IpAllocation::owner).isEqualTo(owner(1));
        assertThat(second.lookup(ip("10.0.1.9"))).get().extracting(x -> x.owner().isUnknown()).isEqualTo(true);
        assertThat(second.lookup(ip("10.0.200.7"))).isPresent();
        assertThat(second.usage().used()).isEqualTo(3); // the foreign one is outside the CIDR's count
        Set<Inet4Address> handedOut = new HashSet<>();
        for (int i = 10; i < 200; i++) handedOut.add(second.allocate(owner(i)).ip());
        assertThat(handedOut).doesNotContain(a.ip(), b.ip(), ip("10.0.1.9"));
        assertThat(second.ownedBy("c2", "eth0")).extracting(IpAllocation::ip).containsExactly(b.ip());
    }

    @Test
    void reconciliationReleasesWhatNoEndpointUses() {
        Ipam ipam = Ipam.open(store, List.of(C24));
        IpAllocation keep = ipam.allocate(owner(1));
        IpAllocation drop = ipam.allocate(owner(2));
        store.unreadable.add(ip("10.0.1.50"));
        store.records.put(ip("10.0.1.50"), new IpAllocation(ip("10.0.1.50"), IpamOwner.UNKNOWN, keep.allocatedAt()));
        Ipam restarted = Ipam.open(store, List.of(C24));
        List<IpAllocation> released = restarted.releaseAllExcept(List.of(keep.ip()));
        assertThat(released).extracting(IpAllocation::ip).containsExactlyInAnyOrder(drop.ip(), ip("10.0.1.50"));
        assertThat(store.records).containsOnlyKeys(keep.ip());
        assertThat(restarted.releaseOwner("c1", "eth0")).hasSize(1);
        assertThat(restarted.allocations()).isEmpty();
    }

    @Test
    void sixteenConcurrentAllocationsGetSixteenDistinctAddresses() throws Exception {
        Ipam ipam = Ipam.open(store, List.of(C24));
        int n = 16;
        CyclicBarrier start = new CyclicBarrier(n);
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<Future<IpAllocation>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                fs.add(pool.submit(() -> {
                    start.await();
                    return ipam.allocate(owner(id));
                }));
            }
            Set<Inet4Address> ips = new HashSet<>();
            for (Future<IpAllocation> f : fs) ips.add(f.get().ip());
            assertThat(ips).hasSize(n);
        }
        assertThat(store.records).hasSize(n);
    }
}
