package io.twill.agent.endpoint;

import io.twill.agent.ipam.IpAllocation;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.IpamOwner;
import io.twill.agent.ipam.MemoryIpamStore;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import org.junit.jupiter.api.Test;

import java.net.Inet4Address;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A first "agent" adds endpoints; the world then changes while it is down; a second one, over the same stores,
 * map and devices, restores.
 */
class EndpointRestorerTest {
    static final List<Ipv4Prefix> CIDRS = List.of(Ipv4Prefix.parse("10.0.1.0/24"));
    final MemoryIpamStore ipamStore = new MemoryIpamStore();
    final FakeNetwork net = new FakeNetwork();
    final FakeDatapath dp = new FakeDatapath();
    final MemoryEndpointStore store = new MemoryEndpointStore();

    EndpointManager firstRun() {
        return new EndpointManager(new EndpointManager.Settings(1500, 50), Ipam.open(ipamStore, CIDRS), net, dp, store,
                new EndpointRegistry(), Clock.systemUTC());
    }

    record Second(Ipam ipam, EndpointRegistry registry, EndpointRestorer.Report report, EndpointManager mgr) {}

    Second restart() {
        Ipam ipam = Ipam.open(ipamStore, CIDRS);
        EndpointRegistry registry = new EndpointRegistry();
        EndpointRestorer.Report r = new EndpointRestorer(ipam, net, dp, store, registry).restore();
        return new Second(ipam, registry, r, new EndpointManager(new EndpointManager.Settings(1500, 50), ipam, net, dp,
                store, registry, Clock.systemUTC()));
    }

    static Inet4Address ip(String s) {
        return Ipv4.parse(s);
    }

    @Test
    void adoptsLiveEndpointsAndReplacesTheirProgramsInPlace() {
        EndpointManager first = firstRun();
        Endpoint a = first.add(EndpointManagerTest.spec("a"));
        Endpoint b = first.add(EndpointManagerTest.spec("b"));
        dp.calls.clear();
        net.calls.clear();

        Second s = restart();
        assertThat(s.report.restored()).extracting(Endpoint::key).containsExactlyInAnyOrder(a.key(), b.key());
        assertThat(s.report.gone()).isEmpty();
        assertThat(s.report.removed()).isEmpty();
        assertThat(s.report.problems()).isEmpty();
        // Programs re-attached over the running ones and entries rewritten; nothing deleted.
        assertThat(dp.calls).contains("attach " + a.hostIfname() + " " + a.hostIfindex(), "putEndpoint 10.0.1.2",
                "attach " + b.hostIfname() + " " + b.hostIfindex(), "putEndpoint 10.0.1.3")
                .noneMatch(c -> c.startsWith("detach") || c.startsWith("remove"));
        assertThat(net.calls).containsExactly("lxcDevices");
        assertThat(s.registry.all()).containsExactlyInAnyOrder(a, b);
        assertThat(s.ipam.lookup(a.ip())).get().extracting(x -> x.owner().containerId()).isEqualTo("a");
        // New endpoints get neither a restored IP nor a restored id.
        Endpoint c = s.mgr.add(EndpointManagerTest.spec("c"));
        assertThat(c.ip()).isNotIn(a.ip(), b.ip());
        assertThat(c.id()).isNotIn(a.id(), b.id());
        assertThat(s.mgr.check(a.key(), null)).isEmpty();
        // DEL works on restored endpoints.
        s.mgr.del(a.key());
        assertThat(net.devices).doesNotContainKey(a.hostIfname());
    }

    @Test
    void cleansUpEndpointsWhosePodWentAwayWhileTheAgentWasDown() {
        EndpointManager first = firstRun();
        Endpoint a = first.add(EndpointManagerTest.spec("a"));
        Endpoint b = first.add(EndpointManagerTest.spec("b"));
        net.devices.remove(b.hostIfname()); // the runtime deleted b's netns: the kernel removed the veth pair

        Second s = restart();
        assertThat(s.report.restored()).extracting(Endpoint::key).containsExactly(a.key());
        assertThat(s.report.gone()).containsExactly(b.key());
        assertThat(dp.map).containsOnlyKeys(a.ip());
        assertThat(dp.pins).containsExactly(a.hostIfname());
        assertThat(store.saved).containsOnlyKeys(a.key());
        assertThat(s.ipam.allocations()).extracting(IpAllocation::ip).containsExactly(a.ip());
        // b's DEL from the shim's deletion queue then finds nothing and succeeds.
        assertThat(s.mgr.del(b.key()).found()).isFalse();
    }

    @Test
    void removesLeftoversThatNoEndpointAccountsFor() {
        EndpointManager first = firstRun();
        Endpoint a = first.add(EndpointManagerTest.spec("a"));
        // Leftovers: a map entry without state, a host entry (must stay), an lxc device without endpoint, a pin of
        // a vanished device, an IP without endpoint, and an IP record that could not be read.
        dp.map.put(ip("10.0.1.200"), new DatapathWriter.Entry(999, 77, 0));
        dp.map.put(ip("10.0.1.1"), new DatapathWriter.Entry(1, 0, DatapathWriter.Entry.FLAG_HOST));
        net.devices.put("lxc0123456789ab", 500);
        dp.pins.add("lxcfedcba987654");
        Ipam.open(ipamStore, CIDRS).allocate(new IpamOwner("orphan", "eth0", "twill", null, null));
        ipamStore.unreadable.add(ip("10.0.1.150"));

        Second s = restart();
        assertThat(s.report.restored()).extracting(Endpoint::key).containsExactly(a.key());
        assertThat(dp.map).containsOnlyKeys(a.ip(), ip("10.0.1.1"));
        assertThat(net.devices).containsOnlyKeys(a.hostIfname());
        assertThat(dp.pins).containsExactly(a.hostIfname());
        assertThat(s.ipam.allocations()).extracting(IpAllocation::ip).containsExactly(a.ip());
        assertThat(s.report.removed()).contains("twill_endpoints entry 10.0.1.200", "device lxc0123456789ab",
                "attachment lxcfedcba987654").anyMatch(x -> x.startsWith("IP 10.0.1.150"));
    }

    @Test
    void reownsAnAddressWhoseIpamRecordWasLostOrDamaged() {
        EndpointManager first = firstRun();
        Endpoint a = first.add(EndpointManagerTest.spec("a"));
        Endpoint b = first.add(EndpointManagerTest.spec("b"));
        ipamStore.records.remove(a.ip());                 // lost
        ipamStore.records.remove(b.ip());
        ipamStore.unreadable.add(b.ip());                 // damaged: owner unknown

        Second s = restart();
        assertThat(s.report.restored()).hasSize(2);
        assertThat(s.ipam.lookup(a.ip())).get().extracting(x -> x.owner().containerId()).isEqualTo("a");
        assertThat(s.ipam.lookup(b.ip())).get().extracting(x -> x.owner().containerId()).isEqualTo("b");
        assertThat(ipamStore.records).containsKeys(a.ip(), b.ip());
    }

    @Test
    void aFailedReattachIsAProblemNotATeardown() {
        EndpointManager first = firstRun();
        Endpoint a = first.add(EndpointManagerTest.spec("a"));
        dp.failOn.add("attach");
        Second s = restart();
        assertThat(s.report.restored()).containsExactly(a);
        assertThat(s.report.problems()).anyMatch(p -> p.contains("re-attach bpf_lxc to " + a.hostIfname()));
        assertThat(net.devices).containsKey(a.hostIfname());
        assertThat(dp.map).containsKey(a.ip());
    }

    @Test
    void updatesAChangedIfindex() {
        EndpointManager first = firstRun();
        Endpoint a = first.add(EndpointManagerTest.spec("a"));
        net.devices.put(a.hostIfname(), 4242);
        Second s = restart();
        assertThat(s.registry.get(a.key())).get().extracting(Endpoint::hostIfindex).isEqualTo(4242);
        assertThat(store.saved.get(a.key()).hostIfindex()).isEqualTo(4242);
        assertThat(dp.map.get(a.ip()).ifindex()).isEqualTo(4242);
    }
}
