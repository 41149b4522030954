package io.twill.agent.endpoint;

import io.twill.agent.endpoint.EndpointException.Step;
import io.twill.agent.ipam.IpAllocation;
import io.twill.agent.ipam.Ipam;
import io.twill.agent.ipam.IpamExhaustedException;
import io.twill.agent.ipam.IpamOwner;
import io.twill.agent.ipam.MemoryIpamStore;
import io.twill.types.Ipv4;
import io.twill.types.Ipv4Prefix;
import io.twill.types.MacAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Clock;
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

class EndpointManagerTest {
    static final Path NETNS = Path.of("/run/netns/pod");
    final MemoryIpamStore ipamStore = new MemoryIpamStore();
    final Ipam ipam = Ipam.open(ipamStore, List.of(Ipv4Prefix.parse("10.0.1.0/24")));
    final FakeNetwork net = new FakeNetwork();
    final FakeDatapath dp = new FakeDatapath();
    final MemoryEndpointStore store = new MemoryEndpointStore();
    final EndpointRegistry registry = new EndpointRegistry();
    final EndpointManager mgr = new EndpointManager(new EndpointManager.Settings(1500, 50), ipam, net, dp, store,
            registry, Clock.systemUTC());

    static EndpointManager.AddSpec spec(String container) {
        return new EndpointManager.AddSpec(new EndpointKey(container, "eth0"), "twill", NETNS, "default", "pod-" + container,
                null, null, null);
    }

    /** Nothing of any endpoint exists anywhere. */
    void assertNothingLeft() {
        assertThat(net.devices).isEmpty();
        assertThat(dp.map).isEmpty();
        assertThat(dp.attached).isEmpty();
        assertThat(dp.pins).isEmpty();
        assertThat(store.saved).isEmpty();
        assertThat(ipam.allocations()).isEmpty();
        assertThat(ipamStore.records).isEmpty();
        assertThat(registry.count()).isZero();
    }

    @Test
    void addRunsEveryStepInOrderAndRecordsTheEndpoint() {
        Endpoint ep = mgr.add(spec("c1"));
        String lxc = LxcNames.hostIfname(new EndpointKey("c1", "eth0"));
        assertThat(ep.hostIfname()).isEqualTo(lxc).hasSize(15).startsWith("lxc");
        assertThat(ep.ip()).isEqualTo(Ipv4.parse("10.0.1.2"));
        assertThat(ep.gateway()).isEqualTo(Ipv4.parse("10.0.1.1"));
        assertThat(ep.mtu()).isEqualTo(1500);
        assertThat(ep.routeMtu()).isEqualTo(1450);
        assertThat(ep.id()).isEqualTo(1);
        assertThat(ep.hostIfindex()).isEqualTo(100);
        assertThat(ep.podIfindex()).isEqualTo(2);
        assertThat(ep.hostMac().isLocallyAdministered()).isTrue();
        assertThat(ep.podMac()).isNotEqualTo(ep.hostMac());
        assertThat(net.calls).containsExactly("createVeth " + lxc, "configurePod " + lxc, "configureHost " + lxc);
        assertThat(dp.calls).containsExactly("attach " + lxc + " 100", "putEndpoint 10.0.1.2");
        assertThat(dp.map.get(ep.ip())).isEqualTo(new DatapathWriter.Entry(100, 1, 0));
        assertThat(store.saved.get(ep.key())).isEqualTo(ep);
        assertThat(registry.get(ep.key())).contains(ep);
        assertThat(ipam.lookup(ep.ip())).get().extracting(IpAllocation::owner)
                .isEqualTo(new IpamOwner("c1", "eth0", "twill", "default", "pod-c1"));
        assertThat(mgr.check(ep.key(), NETNS)).isEmpty();
    }

    @Test
    void staticIpMacAndMtuOverride() {
        MacAddress mac = MacAddress.parse("02:00:00:00:00:77");
        Endpoint ep = mgr.add(new EndpointManager.AddSpec(new EndpointKey("c1", "net1"), "twill", NETNS, null, null,
                Ipv4.parse("10.0.1.77"), mac, 9000));
        assertThat(ep.ip().getHostAddress()).isEqualTo("10.0.1.77");
        assertThat(ep.podMac()).isEqualTo(mac);
        assertThat(ep.mtu()).isEqualTo(9000);
        assertThat(ep.routeMtu()).isEqualTo(8950);
        assertThat(ep.podRef()).isEqualTo("c1/net1");
    }

    @ParameterizedTest
    @CsvSource({
            "net, createVeth, CREATE_VETH, 'released 10.0.1.2'",
            "net, configurePod, CONFIGURE_POD, 'deleted lxc'",
            "net, configureHost, CONFIGURE_HOST, 'deleted lxc'",
            "dp, attach, ATTACH_PROGRAM, 'deleted lxc'",
            "dp, putEndpoint, WRITE_MAP, 'detached bpf_lxc'",
            "store, save, SAVE_STATE, 'removed twill_endpoints entry'"})
    void aFailureAtAnyStepUndoesEverything(String where, String op, Step step, String undoneMentions) {
        switch (where) {
            case "net" -> net.failOn.add(op);
            case "dp" -> dp.failOn.add(op);
            default -> store.failOn.add(op);
        }
        assertThatThrownBy(() -> mgr.add(spec("c1")))
                .isInstanceOfSatisfying(EndpointException.class, e -> {
                    assertThat(e.step()).isEqualTo(step);
                    assertThat(e.getMessage()).contains("ADD c1/eth0 failed at step '" + step + "'")
                            .contains(op + ": injected failure").contains(undoneMentions);
                    assertThat(e.undone()).anyMatch(u -> u.startsWith("released 10.0.1.2"));
                    assertThat(e.getCause()).hasMessageContaining("injected failure");
                });
        assertNothingLeft();
        // The same attachment can be added afterwards; the id of the failed attempt was given back (next-fit: the
        // next one is used first, so a recycled id never meets stale state).
        Endpoint ep = mgr.add(spec("c1"));
        assertThat(ep.id()).isEqualTo(2);
        assertThat(registry.count()).isEqualTo(1);
        assertThat(mgr.check(ep.key(), NETNS)).isEmpty();
    }

    @Test
    void aFailingUndoIsReportedAndAttachedAsSuppressed() {
        dp.failOn.add("putEndpoint");
        dp.failOn.add("detach");
        assertThatThrownBy(() -> mgr.add(spec("c1")))
                .isInstanceOfSatisfying(EndpointException.class, e -> {
                    assertThat(e.undone()).anyMatch(u -> u.startsWith("FAILED to undo (detached bpf_lxc)"));
                    assertThat(e.getCause().getSuppressed()).hasSize(1);
                });
        assertThat(net.devices).isEmpty();
        assertThat(ipam.allocations()).isEmpty();
    }

    @Test
    void exhaustionIsTypedAndLeavesNothing() {
        Ipam tiny = Ipam.open(new MemoryIpamStore(), List.of(Ipv4Prefix.parse("10.0.9.0/30")));
        EndpointManager m = new EndpointManager(new EndpointManager.Settings(1500, 50), tiny, net, dp, store, registry, Clock.systemUTC());
        m.add(spec("a"));
        assertThatThrownBy(() -> m.add(spec("b")))
                .isInstanceOfSatisfying(EndpointException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.ALLOCATE_IP);
                    assertThat(e.getCause()).isInstanceOf(IpamExhaustedException.class);
                    assertThat(e.getMessage()).contains("no free pod address");
                });
        assertThat(net.devices).hasSize(1);
        assertThat(registry.count()).isEqualTo(1);
    }

    @Test
    void aTakenPodInterfaceNameIsTypedAndLeavesNothing() {
        net.podNamesTaken.add(NETNS + ":eth0");
        assertThatThrownBy(() -> mgr.add(spec("c1")))
                .isInstanceOfSatisfying(EndpointException.class, e -> {
                    assertThat(e.step()).isEqualTo(Step.CREATE_VETH);
                    assertThat(e.getCause()).isInstanceOfSatisfying(InterfaceNameTakenException.class, t -> assertThat(t.inPod()).isTrue());
                });
        assertNothingLeft();
    }

    @Test
    void secondAddOfTheSameAttachmentIsRefusedWithoutSideEffects() {
        mgr.add(spec("c1"));
        assertThatThrownBy(() -> mgr.add(spec("c1"))).isInstanceOf(InterfaceNameTakenException.class)
                .hasMessageContaining("already exists");
        assertThat(ipam.allocations()).hasSize(1);
        assertThat(net.devices).hasSize(1);
    }

    @Test
    void delRemovesEverythingAndIsIdempotent() {
        Endpoint ep = mgr.add(spec("c1"));
        mgr.add(spec("c2"));
        EndpointManager.DelResult r = mgr.del(ep.key());
        assertThat(r.found()).isTrue();
        assertThat(r.removed()).contains("twill_endpoints 10.0.1.2", ep.hostIfname(), "IP 10.0.1.2", "state");
        assertThat(registry.get(ep.key())).isEmpty();
        assertThat(store.saved).doesNotContainKey(ep.key());
        assertThat(dp.attached).doesNotContainKey(ep.hostIfname());
        assertThat(mgr.del(ep.key()).found()).isFalse();
        assertThat(mgr.del(new EndpointKey("never", "eth0")).removed()).isEmpty();
        assertThat(registry.count()).isEqualTo(1);
        mgr.del(new EndpointKey("c2", "eth0"));
        assertNothingLeft();
        // Ids are next-fit: not reused at once after DEL.
        assertThat(mgr.add(spec("c3")).id()).isEqualTo(3);
    }

    @Test
    void delWithoutStateSweepsByNameAndByIpamOwner() {
        // What a crash between "create veth" and "save state" leaves (with the undo lost too).
        EndpointKey key = new EndpointKey("crashed", "eth0");
        String lxc = LxcNames.hostIfname(key);
        net.devices.put(lxc, 55);
        IpAllocation a = ipam.allocate(new IpamOwner("crashed", "eth0", "twill", null, null));
        dp.map.put(a.ip(), new DatapathWriter.Entry(55, 9, 0));
        EndpointManager.DelResult r = mgr.del(key);
        assertThat(r.found()).isFalse();
        assertThat(r.removed()).contains(lxc, "IP " + a.ip().getHostAddress(), "twill_endpoints " + a.ip().getHostAddress());
        assertNothingLeft();
    }

    @Test
    void aFailedDelKeepsTheEndpointForARetry() {
        Endpoint ep = mgr.add(spec("c1"));
        net.failOn.add("deleteVeth");
        assertThatThrownBy(() -> mgr.del(ep.key())).isInstanceOfSatisfying(EndpointException.class, e -> {
            assertThat(e.step()).isEqualTo(Step.DELETE);
            assertThat(e.getMessage()).contains("deleteVeth: injected failure");
        });
        assertThat(registry.get(ep.key())).isPresent();
        assertThat(net.devices).containsKey(ep.hostIfname());
        mgr.del(ep.key());
        assertNothingLeft();
    }

    @Test
    void aFailedDelIsFinishedByARetryWithoutState() {
        Endpoint ep = mgr.add(spec("c1"));
        net.failOn.add("deleteVeth");
        assertThatThrownBy(() -> mgr.del(ep.key())).isInstanceOf(EndpointException.class);
        // The agent restarts before the retry: the leftover device is found by its name.
        EndpointManager restarted = new EndpointManager(new EndpointManager.Settings(1500, 50), ipam, net, dp, store,
                new EndpointRegistry(), Clock.systemUTC());
        restarted.del(ep.key());
        assertThat(net.devices).isEmpty();
        assertThat(store.saved).isEmpty();
        assertThat(ipam.allocations()).isEmpty();
    }

    @Test
    void checkReportsExactlyWhatIsMissing() {
        Endpoint ep = mgr.add(spec("c1"));
        assertThat(mgr.check(ep.key(), NETNS)).isEmpty();
        net.hostConfigured.clear();
        dp.map.clear();
        assertThat(mgr.check(ep.key(), NETNS)).containsExactly(
                "host route to 10.0.1.2 is missing", "twill_endpoints has no entry for 10.0.1.2");
        assertThat(mgr.check(ep.key(), Path.of("/run/netns/other")))
                .contains("endpoint was added in netns /run/netns/pod, not /run/netns/other");
        ipam.release(ep.ip());
        assertThat(mgr.check(ep.key(), null)).contains("IP 10.0.1.2 is not allocated in IPAM");
        assertThat(mgr.check(new EndpointKey("x", "eth0"), null)).containsExactly("no endpoint for x/eth0 (never added, or deleted)");
    }

    @Test
    void gcDeletesWhatIsNotValidInThatNetworkOnly() {
        mgr.add(spec("keep"));
        mgr.add(spec("drop"));
        mgr.add(new EndpointManager.AddSpec(new EndpointKey("other-net", "eth0"), "other", NETNS, null, null, null, null, null));
        IpAllocation orphan = ipam.allocate(new IpamOwner("orphan", "eth0", "twill", null, null));
        List<EndpointKey> deleted = mgr.gc("twill", Set.of(new EndpointKey("keep", "eth0")));
        assertThat(deleted).containsExactlyInAnyOrder(new EndpointKey("drop", "eth0"), new EndpointKey("orphan", "eth0"));
        assertThat(registry.all()).extracting(e -> e.key().containerId()).containsExactly("keep", "other-net");
        assertThat(ipam.lookup(orphan.ip())).isEmpty();
    }

    @Test
    void sixteenConcurrentAddsGetDistinctAddressesIdsAndDevices() throws Exception {
        int n = 16;
        CyclicBarrier start = new CyclicBarrier(n);
        List<Future<Endpoint>> fs = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                String c = "c" + i;
                fs.add(pool.submit(() -> {
                    start.await();
                    return mgr.add(spec(c));
                }));
            }
        }
        Set<Object> ips = new HashSet<>(), ids = new HashSet<>(), devs = new HashSet<>();
        for (Future<Endpoint> f : fs) {
            Endpoint ep = f.get();
            ips.add(ep.ip());
            ids.add(ep.id());
            devs.add(ep.hostIfname());
        }
        assertThat(ips).hasSize(n);
        assertThat(ids).hasSize(n);
        assertThat(devs).hasSize(n);
        assertThat(dp.map).hasSize(n);
        assertThat(store.saved).hasSize(n);
    }

    @Test
    void lxcNamesAreStableAndRecognisable() {
        EndpointKey k = new EndpointKey("661566fcd90d5fd72c77a25c8969ab19e9dc783f403e0e6817201db0cf8bb576", "eth0");
        String n = LxcNames.hostIfname(k);
        assertThat(n).isEqualTo(LxcNames.hostIfname(k)).hasSize(15);
        assertThat(LxcNames.isLxc(n)).isTrue();
        assertThat(LxcNames.hostIfname(new EndpointKey(k.containerId(), "net1"))).isNotEqualTo(n);
        assertThat(LxcNames.isLxc("lxc0123")).isFalse();
        assertThat(LxcNames.isLxc("eth0")).isFalse();
        assertThat(LxcNames.isLxc("lxcABCDEF012345")).isFalse();
    }
}
